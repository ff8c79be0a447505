/**
 * Issue #18, item 7: a store write whose reply is lost (a 502, a reset after GitLab or GitHub
 * stored the value) may have arrived, so it counts as written. A CI/CD variable is read again
 * (after a pause for a late commit) and put back only where it is seen holding the new token; a
 * GitHub secret cannot be read, so the new token stays active and is reported with the target
 * that may hold it. Never a target left holding a revoked token.
 */
import { describe, expect, it } from '@jest/globals';
import { GITHUB_WRITE_TOKEN } from '../simulator/github-simulator.js';
import { MAINTAINER_TOKEN } from '../simulator/gitlab-simulator.js';
import { useGitHubSimulator } from '../helpers/github-simulator-fixture.js';
import { useSimulator } from '../helpers/simulator-fixture.js';
import {
  PROJECT,
  cli,
  errorOf,
  existingToken,
  expectLibraryPromisesKept,
  expectPromisesKept,
  madeSince,
  renewInProcess,
  retireTokensBeforeEach,
  works,
} from './store-fixture.js';

const sim = useSimulator();
const github = useGitHubSimulator();
retireTokensBeforeEach(sim);

const VARIABLE = 'gitlab-variable:acme/app:DEPLOY_TOKEN';
const SECRET = 'github-secret:acme/app:GITLAB_TOKEN';
const VARIABLE_WRITE = /\/projects\/acme%2Fapp\/variables(\/DEPLOY_TOKEN)?$/;
const noWait = { settleMs: 0 };
const variableValue = (): string | null | undefined =>
  sim.variable({ project: PROJECT }, 'DEPLOY_TOKEN')?.value;

describe('store-in: a write whose reply is lost', () => {
  it('a CI/CD variable stored before a 502: read back after the pause, put back, new token revoked', async () => {
    const old = await existingToken(sim, 10);
    sim.addVariable({ project: PROJECT, key: 'DEPLOY_TOKEN', value: old.token, masked: true });
    sim.addFault({
      method: 'PUT',
      pathPattern: VARIABLE_WRITE,
      fault: { kind: 'status', status: 502, afterWrite: true },
    });
    const waits: number[] = [];
    const run = await renewInProcess(sim, [VARIABLE], {
      stores: { settleMs: 1234, sleep: (ms) => (waits.push(ms), Promise.resolve()) },
    });
    const [made] = madeSince(sim, old.id);
    expect(waits).toEqual([1234]);
    expect(variableValue()).toBe(old.token);
    expect(await works(sim, variableValue())).toBe(true);
    expect(made.active).toBe(false);
    expect(old.active).toBe(true);
    expect(errorOf(run)).toContain(`${VARIABLE} put back as it was.`);
    expect(errorOf(run)).toContain(`The new token ID ${made.id} was revoked, so nothing changed.`);
    expectLibraryPromisesKept(run, [MAINTAINER_TOKEN], sim, madeSince(sim, old.id));
  });

  it('a variable created before the connection was reset is deleted again', async () => {
    const old = await existingToken(sim, 10);
    sim.addFault({
      method: 'POST',
      pathPattern: VARIABLE_WRITE,
      fault: { kind: 'reset', afterWrite: true },
    });
    const run = await renewInProcess(sim, [VARIABLE], { stores: noWait });
    const [made] = madeSince(sim, old.id);
    expect(sim.variablesOf({ project: PROJECT })).toEqual([]);
    expect(made.active).toBe(false);
    expect(errorOf(run)).toContain(`${VARIABLE} put back as it was.`);
    expectLibraryPromisesKept(run, [MAINTAINER_TOKEN], sim, madeSince(sim, old.id));
  });

  it('a 502 before GitLab stored anything: read back, nothing to put back, said so', async () => {
    const old = await existingToken(sim, 10);
    sim.addVariable({ project: PROJECT, key: 'DEPLOY_TOKEN', value: old.token, masked: true });
    sim.addFault({
      method: 'PUT',
      pathPattern: VARIABLE_WRITE,
      fault: { kind: 'status', status: 502 },
    });
    const run = await renewInProcess(sim, [VARIABLE], { stores: noWait });
    const [made] = madeSince(sim, old.id);
    expect(variableValue()).toBe(old.token);
    expect(made.active).toBe(false);
    expect(errorOf(run)).toContain(
      `${VARIABLE}: the reply to its write was lost, and reading it back shows it does not hold the new token.`,
    );
    expect(errorOf(run)).not.toContain('put back as it was');
    // Only the one write: nothing was put back.
    expect(sim.requests.filter((request) => request.method === 'PUT')).toHaveLength(1);
    expectLibraryPromisesKept(run, [MAINTAINER_TOKEN], sim, madeSince(sim, old.id));
  });

  it('a hidden variable cannot be read back: the new token stays active and is reported with it', async () => {
    const old = await existingToken(sim, 10);
    sim.addVariable({ project: PROJECT, key: 'DEPLOY_TOKEN', value: old.token, hidden: true });
    sim.addFault({
      method: 'PUT',
      pathPattern: VARIABLE_WRITE,
      fault: { kind: 'status', status: 504, afterWrite: true },
    });
    const run = await renewInProcess(sim, [VARIABLE], { stores: noWait });
    const [made] = madeSince(sim, old.id);
    expect(variableValue()).toBe(made.token);
    expect(made.active).toBe(true);
    expect(old.active).toBe(true);
    expect(run.results[0].created?.token.id).toBe(made.id);
    expect(errorOf(run)).toContain(
      `The new token ID ${made.id} may be in ${VARIABLE} (the reply to its write was lost)`,
    );
    expectLibraryPromisesKept(run, [MAINTAINER_TOKEN], sim, madeSince(sim, old.id));
  });

  it('a GitHub secret stored before the reset: the new token stays active, named with it', async () => {
    const old = await existingToken(sim, 10);
    sim.addVariable({ project: PROJECT, key: 'DEPLOY_TOKEN', value: old.token, masked: true });
    github.loseReply('PUT', /\/actions\/secrets\/GITLAB_TOKEN$/, 'reset');
    const run = await renewInProcess(sim, [VARIABLE, SECRET], {
      github: { sim: github, token: GITHUB_WRITE_TOKEN },
      stores: noWait,
    });
    const [made] = madeSince(sim, old.id);
    const secret = github.secret('acme/app', 'GITLAB_TOKEN');
    expect(secret).toBe(made.token);
    expect(await works(sim, secret)).toBe(true);
    // The variable went back to the old token, which stays active too.
    expect(variableValue()).toBe(old.token);
    expect(old.active).toBe(true);
    expect(run.results[0].created?.token.id).toBe(made.id);
    const error = errorOf(run);
    expect(error).toContain(`${VARIABLE} put back as it was.`);
    expect(error).toContain(
      `The new token ID ${made.id} may be in ${SECRET} (the reply to its write was lost), so it stays active and is reported with the tokens made.`,
    );
    expect(error).toContain(`Token ID ${old.id}, which it was to replace, also stays active`);
    expectLibraryPromisesKept(
      run,
      [MAINTAINER_TOKEN, GITHUB_WRITE_TOKEN],
      sim,
      madeSince(sim, old.id),
    );
  });

  it('a GitHub secret behind a gateway that answered 502 after GitHub stored it: the same', async () => {
    const old = await existingToken(sim, 10);
    github.loseReply('PUT', /\/actions\/secrets\/GITLAB_TOKEN$/, 502);
    const run = await renewInProcess(sim, [SECRET], {
      github: { sim: github, token: GITHUB_WRITE_TOKEN },
      stores: noWait,
    });
    const [made] = madeSince(sim, old.id);
    expect(github.secret('acme/app', 'GITLAB_TOKEN')).toBe(made.token);
    expect(made.active).toBe(true);
    expect(errorOf(run)).toContain(`The new token ID ${made.id} may be in ${SECRET}`);
    expectLibraryPromisesKept(
      run,
      [MAINTAINER_TOKEN, GITHUB_WRITE_TOKEN],
      sim,
      madeSince(sim, old.id),
    );
  });

  it('a credential that rotated itself: the error says the secret whose reply was lost may hold it', async () => {
    const credential = await existingToken(sim, 10, 'ci bot');
    // The first PUT proves the secret writable; the reply to the second (the new secret) is lost.
    github.onRequestHandled = (request) => {
      if (request.method === 'PUT') github.loseReply('PUT', /\/actions\/secrets\/BOT_TOKEN$/);
    };
    const run = await cli(
      [
        ...['--base-url', sim.url, '--self-rotate', '--expires-at', '90d'],
        ...['--store-in', 'github-secret:acme/app:BOT_TOKEN'],
      ],
      {
        GITLAB_TOKEN: credential.token,
        GITHUB_TOKEN: GITHUB_WRITE_TOKEN,
        GITHUB_API_URL: github.url,
      },
    );
    expect(run.code).toBe(1);
    const [rotated] = madeSince(sim, credential.id);
    expect(rotated.active).toBe(true);
    expect(github.secret('acme/app', 'BOT_TOKEN')).toBe(rotated.token);
    expect(run.stderr).toContain(
      `The credential was rotated (new token ID ${rotated.id}; the old one no longer works): its new secret is in what --output printed (nothing without --output); it may also be in github-secret:acme/app:BOT_TOKEN (the reply to its write was lost).`,
    );
    expectPromisesKept([run], [credential.token, GITHUB_WRITE_TOKEN], sim, [rotated]);
  });
});
