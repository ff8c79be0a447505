/**
 * Issue #18, item 14: `.` and `..` in a github-secret target would be resolved by the URL and
 * send github-token to other API paths. They are refused when store-in is parsed, before any
 * request, as GitLab paths are.
 */
import { describe, expect, it } from '@jest/globals';
import { parseStoreIn } from '../../src/stores/targets.js';
import { GITHUB_WRITE_TOKEN } from '../simulator/github-simulator.js';
import { MAINTAINER_TOKEN } from '../simulator/gitlab-simulator.js';
import { useGitHubSimulator } from '../helpers/github-simulator-fixture.js';
import { useSimulator } from '../helpers/simulator-fixture.js';
import { cli, cliEnv, expectPromisesKept, renewArgs } from './store-fixture.js';

const sim = useSimulator();
const github = useGitHubSimulator();

const DOTTED = [
  'github-secret:acme/..:GITLAB_TOKEN',
  'github-secret:acme/.:GITLAB_TOKEN',
  'github-secret:acme/app:..:GITLAB_TOKEN',
  'github-secret:acme/app:.:GITLAB_TOKEN',
];

describe('store-in: dot segments in github-secret targets', () => {
  it.each(DOTTED)('parsing refuses %s', (line) => {
    const { targets, problems } = parseStoreIn(line);
    expect(targets).toEqual([]);
    expect(problems).toEqual([expect.stringContaining(line)]);
  });

  it('names that merely hold dots are still targets', () => {
    const { targets, problems } = parseStoreIn(
      'github-secret:acme/.github:TOKEN\ngithub-secret:acme/app:v1..2:TOKEN',
    );
    expect(problems).toEqual([]);
    expect(targets).toHaveLength(2);
  });

  it('the CLI refuses them before any request to GitLab or GitHub', async () => {
    const run = await cli(
      renewArgs(sim, DOTTED),
      cliEnv({ sim: github, token: GITHUB_WRITE_TOKEN }),
    );
    expect(run.code).toBe(2);
    for (const line of DOTTED) expect(run.stderr).toContain(line);
    expect(github.requests).toEqual([]);
    expect(sim.requests).toEqual([]);
    expectPromisesKept([run], [MAINTAINER_TOKEN, GITHUB_WRITE_TOKEN], sim, []);
  });
});
