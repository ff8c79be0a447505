/**
 * Issue #20: outside any CI the default token name says where it came from (the host and the
 * user, and when), never "GitHub Actions local run …"; inside a GitHub Actions or GitLab CI job
 * it stays unique to that job. In-process, against the simulator.
 */
import { hostname } from 'node:os';
import { describe, expect, it } from '@jest/globals';
import { ADMIN_TOKEN } from '../simulator/gitlab-simulator.js';
import { expectNoSecretsIn, useSimulator } from '../helpers/simulator-fixture.js';
import { runCli as cliHere } from '../helpers/run-action.js';
import { defaultName } from '../../src/inputs/request.js';

const sim = useSimulator();

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function nameOf(env: Record<string, string>): Promise<string> {
  const result = await cliHere(
    ['--base-url', sim.url, '--user-id', '42', '--scopes', 'read_api', '--expires-at', '1d'],
    // The harness plays a GitHub Actions job by default: these runs say which CI, if any.
    {
      GITLAB_TOKEN: ADMIN_TOKEN,
      GITHUB_REPOSITORY: '',
      GITHUB_RUN_ID: '',
      GITHUB_ACTIONS: '',
      ...env,
    },
  );
  expect(result.code).toBe(0);
  const made = sim.tokens[sim.tokens.length - 1];
  // The one token made is named on stderr (no --output: nothing on stdout).
  expect(result.stderr).toContain(`Created token ID ${made.id} for user 42`);
  expect(result.stdout).toBe('');
  expectNoSecretsIn(result, [ADMIN_TOKEN], [sim]);
  return made.name;
}

describe('the default name outside any CI', () => {
  it('names the host, the user and the time, and ends in 6 random hex digits', async () => {
    const name = await nameOf({ USER: 'fake-dev' });
    expect(name).toMatch(
      new RegExp(
        `^create-gitlab-token on ${escape(hostname())} by fake-dev \\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z [0-9a-f]{6}$`,
      ),
    );
    expect(name).not.toMatch(/GitHub Actions|local run/);
  });

  it('stays within GitLab\u2019s 255 characters, one line, whatever the user name', () => {
    const name = defaultName({ USER: `very\nlong-${'x'.repeat(400)}` });
    expect([...name].length).toBeLessThanOrEqual(255);
    expect(name).not.toMatch(/[\n\r]/);
    expect(name).toMatch(/ by verylong-x+ .*Z [0-9a-f]{6}$/);
  });

  it('is unique to each run', () => {
    const names = new Set([1, 2, 3].map(() => defaultName({ USER: 'fake-dev' })));
    expect(names.size).toBe(3);
  });
});

describe('the default name in CI stays the job\u2019s', () => {
  it.each([
    [
      { GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'o/r', GITHUB_RUN_ID: '7' },
      /^GitHub Actions o\/r run 7\.1 [0-9a-f]{6}$/,
    ],
    [
      { GITLAB_CI: 'true', CI_PROJECT_PATH: 'acme/app', CI_PIPELINE_ID: '9', CI_JOB_ID: '3' },
      /^GitLab CI acme\/app pipeline 9 job 3 [0-9a-f]{6}$/,
    ],
  ])('%j', async (env, expected) => {
    // GITLAB_CI=true would send the credential to CI_SERVER_URL: --base-url is given.
    expect(await nameOf({ ...env, USER: 'fake-dev' })).toMatch(expected);
  });
});
