/**
 * Issue #18, item 3: GitHub's environment secrets (and the environment public key) need the
 * "Environments" permission as well as "Secrets" (github/docs fine-grained-pat-permissions.json).
 * A token with Secrets alone writes repository secrets but gets 403 on an environment's; the
 * advice names both permissions.
 */
import { describe, expect, it } from '@jest/globals';
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

/** Fine-grained: Secrets read and write on every repository, no Environments permission. */
const SECRETS_ONLY_TOKEN = 'github_pat_FAKEsecretsonly0000000000000000';

const sim = useSimulator();
const github = useGitHubSimulator({
  seed: (gh) => gh.addToken(SECRETS_ONLY_TOKEN, 'write', {}, { environments: null }),
});
retireTokensBeforeEach(sim);

const REPO_SECRET = 'github-secret:acme/app:GITLAB_TOKEN';
const ENV_SECRET = 'github-secret:acme/app:production:GITLAB_TOKEN';

describe('store-in: an environment secret and the Environments permission', () => {
  it('a token without it is refused at the check, and the advice names Secrets and Environments', async () => {
    const old = await existingToken(sim, 10);
    const github403 = await cli(
      renewArgs(sim, [REPO_SECRET, ENV_SECRET]),
      cliEnv({ sim: github, token: SECRETS_ONLY_TOKEN }),
    );
    expect(github403.code).toBe(1);
    const error = github403.stderr;
    expect(error).toContain(`${ENV_SECRET}: GitHub answered 403`);
    expect(error).toContain(
      'a fine-grained token needs both the Secrets and the Environments repository permissions (read and write)',
    );
    expect(error).toContain('Nothing was changed: no token was made or rotated.');
    expect(madeSince(sim, old.id)).toEqual([]);
    expect(old.active).toBe(true);

    // The same token writes the repository's own secret: Secrets alone is enough there.
    const repoOnly = await cli(
      renewArgs(sim, [REPO_SECRET]),
      cliEnv({ sim: github, token: SECRETS_ONLY_TOKEN }),
    );
    expect(repoOnly.code).toBe(0);
    const [made] = madeSince(sim, old.id);
    expect(github.secret('acme/app', 'GITLAB_TOKEN')).toBe(made.token);
    expectPromisesKept(
      [github403, repoOnly],
      [MAINTAINER_TOKEN, SECRETS_ONLY_TOKEN],
      sim,
      madeSince(sim, old.id),
    );
  });
});
