/**
 * Issue #18, item 12: a renewal that is not due stores nothing; a store-in target that does not
 * exist yet then holds nothing its consumers can use until the next renewal. The run says so,
 * naming it (and only it).
 */
import { describe, expect, it } from '@jest/globals';
import { GITHUB_WRITE_TOKEN } from '../simulator/github-simulator.js';
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
} from './store-fixture.js';

const sim = useSimulator();
const github = useGitHubSimulator();
retireTokensBeforeEach(sim);

const PRESENT = 'gitlab-variable:acme/app:DEPLOY_TOKEN';
const ABSENT = 'gitlab-variable:acme/app:NEW_TOKEN';
const SECRET = 'github-secret:acme/app:GITLAB_TOKEN';
const ENV_SECRET = 'github-secret:acme/app:production:GITLAB_TOKEN';

describe('store-in: a renewal that is not due', () => {
  it('warns of each target that does not exist yet, naming it, and changes nothing', async () => {
    const current = await existingToken(sim, 60);
    // An earlier renewal stored the token in the environment secret; the repository secret and
    // NEW_TOKEN were added to store-in since.
    const seed = await cli(
      renewArgs(sim, [ENV_SECRET], ['--rotate-before', '90d']),
      cliEnv({ sim: github, token: GITHUB_WRITE_TOKEN }),
    );
    expect(seed.code).toBe(0);
    const [stored] = madeSince(sim, current.id);
    sim.addVariable({ project: PROJECT, key: 'DEPLOY_TOKEN', value: stored.token, masked: true });
    sim.requests.length = 0;
    github.requests.length = 0;

    const run = await cli(
      renewArgs(sim, [PRESENT, ABSENT, SECRET, ENV_SECRET], ['--rotate-before', '30d']),
      cliEnv({ sim: github, token: GITHUB_WRITE_TOKEN }),
    );
    expect(run.code).toBe(0);
    const warnings = run.stderr.split('\n').filter((line) => line.startsWith('warning:'));
    expect(warnings).toEqual([
      `warning: --store-in: ${ABSENT}, ${SECRET} do not exist yet, and token ID ${stored.id} is not due, so nothing was stored: consumers find no token there until the next renewal. Store the current token there by hand, or renew now (a --rotate-before that reaches its expiry).`,
    ]);
    expect(sim.requests.filter((request) => request.method !== 'GET')).toEqual([]);
    expect(github.requests.filter((request) => request.method !== 'GET')).toEqual([]);
    expect(sim.variable({ project: PROJECT }, 'NEW_TOKEN')).toBeUndefined();
    expect(github.secret('acme/app', 'GITLAB_TOKEN')).toBeUndefined();
    expectPromisesKept([seed, run], [MAINTAINER_TOKEN, GITHUB_WRITE_TOKEN], sim, [
      ...madeSince(sim, current.id),
    ]);
  });
});
