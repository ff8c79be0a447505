/**
 * Issue #18, item 6: GitHub Enterprise Server before 3.9 has an environment's secrets only
 * under `/repositories/{repository_id}/environments/{environment_name}/secrets/...` (from 3.2).
 * After a 404 by owner/repo, the step looks the repository's ID up (GET /repos/{owner}/{repo})
 * and uses that form; before 3.2 there are no environment secrets, and the 404 says so.
 */
import { describe, expect, it } from '@jest/globals';
import { GITHUB_WRITE_TOKEN } from '../simulator/github-simulator.js';
import { MAINTAINER_TOKEN } from '../simulator/gitlab-simulator.js';
import { useGitHubSimulator } from '../helpers/github-simulator-fixture.js';
import { useSimulator } from '../helpers/simulator-fixture.js';
import {
  cli,
  cliEnv,
  existingToken,
  expectPromisesKept,
  madeSince,
  renewArgs,
  retireTokensBeforeEach,
} from './store-fixture.js';

const sim = useSimulator();
const ghes38 = useGitHubSimulator({ simulator: { prefix: '/api/v3', ghesVersion: '3.8' } });
const ghes31 = useGitHubSimulator({ simulator: { prefix: '/api/v3', ghesVersion: '3.1' } });
const dotcom = useGitHubSimulator();
retireTokensBeforeEach(sim);

const ENV_SECRET = 'github-secret:acme/app:production:GITLAB_TOKEN';
const REPO_SECRET = 'github-secret:acme/app:GITLAB_TOKEN';

const paths = (gh: { requests: { method: string; path: string }[] }): string[] =>
  gh.requests.map((request) => `${request.method} ${request.path}`);

describe('store-in: environment secrets on older GitHub Enterprise Server', () => {
  it('3.8: the environment secret is written by repository ID; github.com keeps the usual route', async () => {
    const old = await existingToken(sim, 10);
    const run = await cli(
      renewArgs(sim, [ENV_SECRET, REPO_SECRET]),
      cliEnv({ sim: ghes38, token: GITHUB_WRITE_TOKEN }),
    );
    expect(run.stderr).not.toContain('error');
    expect(run.code).toBe(0);
    const [made] = madeSince(sim, old.id);
    expect(ghes38.secret('acme/app', 'GITLAB_TOKEN', 'production')).toBe(made.token);
    expect(ghes38.secret('acme/app', 'GITLAB_TOKEN')).toBe(made.token);
    const byId = paths(ghes38).filter((line) => line.includes('/repositories/'));
    expect(byId).toEqual([
      expect.stringMatching(
        /^GET \/api\/v3\/repositories\/\d+\/environments\/production\/secrets\/public-key$/,
      ),
      expect.stringMatching(
        /^PUT \/api\/v3\/repositories\/\d+\/environments\/production\/secrets\/GITLAB_TOKEN$/,
      ),
    ]);
    expect(paths(ghes38)).toContain('GET /api/v3/repos/acme/app');
    // github.com (and GHES 3.9+): the usual route, no look-up.
    const onDotcom = await cli(
      renewArgs(sim, [ENV_SECRET], ['--rotate-before', '100d']),
      cliEnv({ sim: dotcom, token: GITHUB_WRITE_TOKEN }),
    );
    expect(onDotcom.code).toBe(0);
    expect(paths(dotcom)).toEqual([
      'GET /repos/acme/app/environments/production/secrets/public-key',
      'PUT /repos/acme/app/environments/production/secrets/GITLAB_TOKEN',
    ]);
    expectPromisesKept(
      [run, onDotcom],
      [MAINTAINER_TOKEN, GITHUB_WRITE_TOKEN],
      sim,
      madeSince(sim, old.id),
    );
  });

  it('3.1: no environment secrets at all: refused at the check, the 404 advice says why', async () => {
    const old = await existingToken(sim, 10);
    const run = await cli(
      renewArgs(sim, [ENV_SECRET]),
      cliEnv({ sim: ghes31, token: GITHUB_WRITE_TOKEN }),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${ENV_SECRET}: GitHub answered 404`);
    expect(run.stderr).toContain('GitHub Enterprise Server before 3.2 has no environment secrets');
    expect(run.stderr).toContain('Nothing was changed');
    expect(madeSince(sim, old.id)).toEqual([]);
    expectPromisesKept([run], [MAINTAINER_TOKEN, GITHUB_WRITE_TOKEN], sim, madeSince(sim, old.id));
  });
});
