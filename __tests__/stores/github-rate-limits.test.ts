/**
 * Issue #18, item 5: GitHub's rate limits ("Rate limits for the REST API") were reported as a
 * missing Secrets permission. They are waited out within max-wait-seconds, as GitLab's are:
 * primary (403 or 429, `x-ratelimit-remaining: 0`) until `x-ratelimit-reset`; secondary
 * `retry-after` seconds, else at least a minute, doubling. When the budget is spent, the message
 * names the rate limit. Waits go through the injected sleep: no test waits for real.
 */
import { describe, expect, it } from '@jest/globals';
import { GITHUB_WRITE_TOKEN } from '../simulator/github-simulator.js';
import { MAINTAINER_TOKEN } from '../simulator/gitlab-simulator.js';
import { useGitHubSimulator } from '../helpers/github-simulator-fixture.js';
import { useSimulator } from '../helpers/simulator-fixture.js';
import {
  errorOf,
  existingToken,
  expectLibraryPromisesKept,
  madeSince,
  renewInProcess,
  retireTokensBeforeEach,
} from './store-fixture.js';

const sim = useSimulator();
const github = useGitHubSimulator();
retireTokensBeforeEach(sim);

const SECRET = 'github-secret:acme/app:GITLAB_TOKEN';
const PUBLIC_KEY = /\/actions\/secrets\/public-key$/;
const PUT_SECRET = /\/actions\/secrets\/GITLAB_TOKEN$/;

/** A renewal into SECRET whose waits are recorded, not waited. */
async function renew(values: Record<string, string> = {}) {
  const waits: number[] = [];
  const run = await renewInProcess(sim, [SECRET], {
    github: { sim: github, token: GITHUB_WRITE_TOKEN },
    values,
    stores: { settleMs: 0, sleep: (ms) => (waits.push(ms), Promise.resolve()) },
  });
  return { run, waits };
}

const credentials = [MAINTAINER_TOKEN, GITHUB_WRITE_TOKEN];

describe('store-in: GitHub rate limits', () => {
  it('a primary limit at the check is waited out until its reset, then the renewal goes on', async () => {
    const old = await existingToken(sim, 10);
    github.rateLimit('primary', { method: 'GET', pathPattern: PUBLIC_KEY, resetInSeconds: 5 });
    const { run, waits } = await renew();
    expect(errorOf(run)).toBe('');
    const [made] = madeSince(sim, old.id);
    expect(github.secret('acme/app', 'GITLAB_TOKEN')).toBe(made.token);
    expect(old.active).toBe(false);
    // Until the reset (whole seconds on GitHub's clock), not before.
    expect(waits[0]).toBeGreaterThanOrEqual(4000);
    expect(waits[0]).toBeLessThanOrEqual(6000);
    expectLibraryPromisesKept(run, credentials, sim, madeSince(sim, old.id));
  });

  it('a secondary limit on the write (429, retry-after) is waited out and the write sent again', async () => {
    const old = await existingToken(sim, 10);
    github.rateLimit('secondary', {
      method: 'PUT',
      pathPattern: PUT_SECRET,
      status: 429,
      retryAfterSeconds: 7,
    });
    const { run, waits } = await renew();
    expect(errorOf(run)).toBe('');
    const [made] = madeSince(sim, old.id);
    expect(github.secret('acme/app', 'GITLAB_TOKEN')).toBe(made.token);
    expect(waits[0]).toBe(7000);
    expect(github.requests.filter((request) => request.method === 'PUT')).toHaveLength(2);
    expectLibraryPromisesKept(run, credentials, sim, madeSince(sim, old.id));
  });

  it('a secondary limit without retry-after waits a minute, then twice that', async () => {
    const old = await existingToken(sim, 10);
    github.rateLimit('secondary', { method: 'PUT', pathPattern: PUT_SECRET, times: 2 });
    const { run, waits } = await renew({ 'max-wait-seconds': '600' });
    expect(errorOf(run)).toBe('');
    expect(waits.slice(0, 2)).toEqual([60_000, 120_000]);
    const [made] = madeSince(sim, old.id);
    expect(github.secret('acme/app', 'GITLAB_TOKEN')).toBe(made.token);
    expectLibraryPromisesKept(run, credentials, sim, madeSince(sim, old.id));
  });

  it('a limit that outlasts max-wait-seconds fails the check, naming the rate limit', async () => {
    const old = await existingToken(sim, 10);
    github.rateLimit('primary', { pathPattern: PUBLIC_KEY, resetInSeconds: 3600 });
    const { run, waits } = await renew({ 'max-wait-seconds': '60' });
    expect(waits).toEqual([]);
    const error = errorOf(run);
    expect(error).toContain(`${SECRET}: GitHub answered 403`);
    expect(error).toContain(
      "GitHub's rate limit refused it once (the primary rate limit: no requests left until it resets); the step waits such limits out only within max-wait-seconds: run again later, or raise max-wait-seconds.",
    );
    expect(error).not.toContain('may not write');
    expect(error).toContain('Nothing was changed');
    expect(madeSince(sim, old.id)).toEqual([]);
    expectLibraryPromisesKept(run, credentials, sim, madeSince(sim, old.id));
  });

  it('a secondary limit that outlasts the budget at the write: rolled back, the limit named', async () => {
    const old = await existingToken(sim, 10);
    github.rateLimit('secondary', {
      method: 'PUT',
      pathPattern: PUT_SECRET,
      retryAfterSeconds: 900,
    });
    const { run } = await renew({ 'max-wait-seconds': '60' });
    const [made] = madeSince(sim, old.id);
    expect(made.active).toBe(false);
    expect(old.active).toBe(true);
    const error = errorOf(run);
    expect(error).toContain("GitHub's rate limit refused it once (a secondary rate limit)");
    expect(error).toContain(`The new token ID ${made.id} was revoked, so nothing changed.`);
    expectLibraryPromisesKept(run, credentials, sim, madeSince(sim, old.id));
  });
});
