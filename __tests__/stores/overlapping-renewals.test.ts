/**
 * Issue #18, item 8: two runs renew one token at the same time. Run A checks the targets and
 * finds token T0; run B then renews T0 completely (its token T1 stored, T0 revoked); only then
 * does A make its token T2 and store it. The simulator holds A's create request while B runs.
 *
 * - A's store fails: putting back what A's check read would hand consumers the revoked T0, so A
 *   asks GitLab first, finds T0 no longer active, keeps what is stored and T2, and says so.
 * - Both succeed: the targets keep one token, and the other stays active, unused: the run that
 *   looks last names it.
 */
import { describe, expect, it } from '@jest/globals';
import { GITHUB_READ_TOKEN, GITHUB_WRITE_TOKEN } from '../simulator/github-simulator.js';
import { MAINTAINER_TOKEN } from '../simulator/gitlab-simulator.js';
import { useGitHubSimulator } from '../helpers/github-simulator-fixture.js';
import { useSimulator } from '../helpers/simulator-fixture.js';
import {
  PROJECT,
  cli,
  cliEnv,
  existingToken,
  expectPromisesKept,
  madeSince,
  renewArgs,
  retireTokensBeforeEach,
  works,
  type CliRun,
} from './store-fixture.js';

const sim = useSimulator();
const github = useGitHubSimulator();
retireTokensBeforeEach(sim);

const VARIABLE = 'gitlab-variable:acme/app:DEPLOY_TOKEN';
const SECRET = 'github-secret:acme/app:GITLAB_TOKEN';
const CREATE = /\/projects\/70\/access_tokens$|\/projects\/acme%2Fapp\/access_tokens$/;

/** Run A, held at its create request while run B goes from start to end; then A goes on. */
async function overlap(aToken: string): Promise<{ a: CliRun; b: CliRun }> {
  const held = sim.hold('POST', CREATE);
  const runA = cli(renewArgs(sim, [VARIABLE, SECRET]), cliEnv({ sim: github, token: aToken }));
  await held.reached;
  const b = await cli(
    renewArgs(sim, [VARIABLE, SECRET]),
    cliEnv({ sim: github, token: GITHUB_WRITE_TOKEN }),
  );
  held.release();
  return { a: await runA, b };
}

describe('store-in: two renewals of one token at the same time', () => {
  it("a failed store does not put back the token the other run revoked: A's token stays", async () => {
    const old = await existingToken(sim, 10);
    sim.addVariable({ project: PROJECT, key: 'DEPLOY_TOKEN', value: old.token, masked: true });
    // A may read GitHub's public key but not write the secret: its store fails there.
    const { a, b } = await overlap(GITHUB_READ_TOKEN);
    expect(b.code).toBe(0);
    expect(a.code).toBe(1);
    const [fromB, fromA] = madeSince(sim, old.id);
    expect(old.active).toBe(false);
    // Every target holds a token that works: the variable A's, the secret B's.
    const variable = sim.variable({ project: PROJECT }, 'DEPLOY_TOKEN')?.value;
    expect(variable).toBe(fromA.token);
    expect(await works(sim, variable)).toBe(true);
    expect(github.secret('acme/app', 'GITLAB_TOKEN')).toBe(fromB.token);
    expect(fromB.active).toBe(true);
    expect(fromA.active).toBe(true);
    expect(a.stderr).toContain(
      `Token ID ${old.id}, which the new one was to replace, is no longer active (another run may have renewed it meanwhile)`,
    );
    expect(a.stderr).toContain(
      `The new token ID ${fromA.id} is in ${VARIABLE}, so it stays active and is reported with the tokens made.`,
    );
    expectPromisesKept([a, b], [MAINTAINER_TOKEN, GITHUB_READ_TOKEN, GITHUB_WRITE_TOKEN], sim, [
      ...madeSince(sim, old.id),
    ]);
  });

  it('both succeed: the token the targets no longer hold is named as active and unused', async () => {
    const old = await existingToken(sim, 10);
    sim.addVariable({ project: PROJECT, key: 'DEPLOY_TOKEN', value: old.token, masked: true });
    const { a, b } = await overlap(GITHUB_WRITE_TOKEN);
    expect([a.code, b.code]).toEqual([0, 0]);
    const [fromB, fromA] = madeSince(sim, old.id);
    // A wrote last: the targets hold its token; B's is active and used by nothing.
    expect(sim.variable({ project: PROJECT }, 'DEPLOY_TOKEN')?.value).toBe(fromA.token);
    expect(github.secret('acme/app', 'GITLAB_TOKEN')).toBe(fromA.token);
    expect(fromB.active).toBe(true);
    expect(a.stderr).toContain(
      `warning: Token ID ${fromB.id} of project acme/app named "deploy bot" is active besides the new token ID ${fromA.id} (another run renewing it at the same time, or made otherwise)`,
    );
    expectPromisesKept([a, b], [MAINTAINER_TOKEN, GITHUB_WRITE_TOKEN], sim, [
      ...madeSince(sim, old.id),
    ]);
  });

  it('when GitLab cannot say whether the replaced token is active, nothing is put back', async () => {
    const old = await existingToken(sim, 10);
    sim.addVariable({ project: PROJECT, key: 'DEPLOY_TOKEN', value: old.token, masked: true });
    // Once the variable is written, GitLab fails the list of tokens (the question before the undo).
    sim.onRequestHandled = (request) => {
      if (request.method !== 'PUT') return;
      sim.addFault({
        method: 'GET',
        pathPattern: /\/access_tokens$/,
        fault: { kind: 'status', status: 500 },
      });
    };
    const a = await cli(
      renewArgs(sim, [VARIABLE, SECRET]),
      cliEnv({ sim: github, token: GITHUB_READ_TOKEN }),
    );
    expect(a.code).toBe(1);
    const [made] = madeSince(sim, old.id);
    expect(sim.variable({ project: PROJECT }, 'DEPLOY_TOKEN')?.value).toBe(made.token);
    expect(made.active).toBe(true);
    expect(old.active).toBe(true);
    expect(a.stderr).toContain(
      `GitLab did not say whether token ID ${old.id}, which the new one was to replace, is still active, so nothing was put back`,
    );
    expectPromisesKept([a], [MAINTAINER_TOKEN, GITHUB_READ_TOKEN], sim, madeSince(sim, old.id));
  });
});
