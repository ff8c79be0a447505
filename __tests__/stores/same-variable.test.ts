/**
 * Issue #18, item 13: one CI/CD variable named twice (its project by numeric ID and by path) is
 * one target. Once the check has resolved the targets, two that are one variable are refused,
 * before any token is made.
 */
import { describe, expect, it } from '@jest/globals';
import { MAINTAINER_TOKEN } from '../simulator/gitlab-simulator.js';
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
retireTokensBeforeEach(sim);

const BY_PATH = 'gitlab-variable:acme/app:DEPLOY_TOKEN';
const BY_ID = `gitlab-variable:${PROJECT}:DEPLOY_TOKEN`;

const tokenRequests = (): string[] =>
  sim.requests
    .filter((request) => request.path.includes('/access_tokens') && request.method !== 'GET')
    .map((request) => `${request.method} ${request.path}`);

describe('store-in: one variable named by project ID and by path', () => {
  it('is refused after the check, before a token is made (a variable not created yet)', async () => {
    const old = await existingToken(sim, 10);
    const run = await cli(renewArgs(sim, [BY_PATH, BY_ID]), cliEnv());
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${BY_ID}: it is the same variable as ${BY_PATH}`);
    expect(run.stderr).toContain(`project ${PROJECT}`);
    expect(run.stderr).toContain('Nothing was changed: no token was made or rotated.');
    expect(tokenRequests()).toEqual([]);
    expect(madeSince(sim, old.id)).toEqual([]);
    expect(old.active).toBe(true);
    expect(sim.variablesOf({ project: PROJECT })).toEqual([]);
    expectPromisesKept([run], [MAINTAINER_TOKEN], sim, madeSince(sim, old.id));
  });

  it('is refused when the variable exists (its scope given on one line, found on the other); two scopes are two', async () => {
    const old = await existingToken(sim, 10);
    sim.addVariable({ project: PROJECT, key: 'DEPLOY_TOKEN', value: old.token, masked: true });
    const run = await cli(renewArgs(sim, [`${BY_ID}:*`, BY_PATH]), cliEnv());
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${BY_PATH}: it is the same variable as ${BY_ID}:*`);
    expect(tokenRequests()).toEqual([]);
    expect(sim.variable({ project: PROJECT }, 'DEPLOY_TOKEN')?.value).toBe(old.token);
    sim.clearVariables();
    // Two scopes of the key are two variables: both written, the project not even looked up.
    sim.requests.length = 0;
    const other = await cli(
      renewArgs(sim, [`${BY_PATH}:production`, `${BY_ID}:staging`]),
      cliEnv(),
    );
    expect(other.stderr).not.toContain('same variable');
    expect(other.code).toBe(0);
    expect(
      sim.requests.filter((request) => request.path === '/api/v4/projects/acme%2Fapp'),
    ).toEqual([]);
    const [made] = madeSince(sim, old.id);
    for (const scope of ['production', 'staging']) {
      expect(sim.variable({ project: PROJECT }, 'DEPLOY_TOKEN', scope)?.value).toBe(made.token);
    }
    expectPromisesKept([run, other], [MAINTAINER_TOKEN], sim, madeSince(sim, old.id));
  });
});
