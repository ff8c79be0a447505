/**
 * `max-wait-seconds` bounds the time spent waiting out GitLab's rate limits. When GitLab keeps
 * answering 429 the step ends (no hang), starts no new user, fails saying how many tokens it made
 * and which users are left, and reports every token it did make.
 */
import { describe, expect, it } from '@jest/globals';
import { ADMIN_TOKEN, type SimToken } from './simulator/gitlab-simulator.js';
import { expectNoSecretsIn, useSimulator } from './helpers/simulator-fixture.js';
import { commands, runMainStep, runPostStep, type StepResult } from './helpers/run-action.js';
import { expectNothingUnreported, outputIds } from './helpers/promises.js';

const sim = useSimulator();
let testNumber = 0;

function uniqueName(): string {
  testNumber += 1;
  return `rate budget test ${testNumber}`;
}

const USERS = [42, 43, 44, 55];

function inputs(name: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'base-url': sim.url,
    'gitlab-token': ADMIN_TOKEN,
    'user-id': USERS.join('\n'),
    scopes: 'read_api',
    name,
    'max-wait-seconds': '1',
    'max-concurrency': '1',
    ...extra,
  };
}

function named(name: string): SimToken[] {
  return sim.tokens.filter((token) => token.name === name);
}

function expectNoLeaks(result: StepResult): void {
  expectNoSecretsIn(result, [ADMIN_TOKEN], [sim]);
}

function budgetFailure(result: StepResult): string {
  const line = commands(result.stdout, 'error').find((error) =>
    error.startsWith('GitLab kept rate-limiting past the step’s budget (max-wait-seconds)'),
  );
  expect(line).toBeDefined();
  return line ?? '';
}

describe('the rate-limit budget (max-wait-seconds)', () => {
  it('every create answers a GitLab 429: the step ends, fails naming what was made and the users left', async () => {
    const name = uniqueName();
    sim.addFault({
      method: 'POST',
      pathPattern: /^\/api\/v4\/users\/\d+\/personal_access_tokens$/,
      times: Infinity,
      fault: { kind: 'rateLimit', retryAfterSeconds: 1 },
    });
    const result = await runMainStep({ inputs: inputs(name) });
    expect(result.code).toBe(1);
    const failure = budgetFailure(result);
    expect(failure).toContain('0 of 4 tokens were made');
    expect(failure).toContain('not started: user 43, user 44, user 55.');
    expect(JSON.parse(result.outputs.tokens)).toEqual([]);
    expect(named(name)).toEqual([]);
    // No user after the budget was spent got a request.
    const asked = sim.requests
      .filter((request) => request.method === 'POST')
      .map((request) => request.path);
    expect(new Set(asked)).toEqual(new Set(['/api/v4/users/42/personal_access_tokens']));
    expectNoLeaks(result);
  }, 60_000);

  it('one token made before GitLab starts rate-limiting: it is in the outputs and the failure', async () => {
    const name = uniqueName();
    sim.addFault({
      method: 'POST',
      pathPattern: /^\/api\/v4\/users\/(43|44|55)\/personal_access_tokens$/,
      times: Infinity,
      fault: { kind: 'rateLimit', retryAfterSeconds: 1 },
    });
    const result = await runMainStep({ inputs: inputs(name, { revoke: 'true' }) });
    expect(result.code).toBe(1);
    const [made] = named(name);
    expect(named(name)).toHaveLength(1);
    expect(made.user_id).toBe(42);
    expect(result.outputs.token).toBe(made.token);
    expect(outputIds(result)).toEqual([made.id]);
    const failure = budgetFailure(result);
    expect(failure).toContain('1 of 4 tokens were made');
    expect(failure).toContain('not started: user 44, user 55.');
    expectNothingUnreported(named(name), result);
    expectNoLeaks(result);

    sim.clearFaults();
    const post = await runPostStep(result, { inputs: inputs(name, { revoke: 'true' }) });
    expect(post.code).toBe(0);
    expect(made.revoked).toBe(true);
    expectNoLeaks(post);
  }, 60_000);

  it('a lost create whose token list is rate-limited past the budget: the step ends; the post step revokes the token', async () => {
    const name = uniqueName();
    sim.addFault({
      method: 'POST',
      pathPattern: /^\/api\/v4\/users\/42\/personal_access_tokens$/,
      fault: { kind: 'status', status: 502, afterCreate: true },
    });
    sim.addFault({
      method: 'GET',
      times: Infinity,
      fault: { kind: 'rateLimit', retryAfterSeconds: 1 },
    });
    const result = await runMainStep({ inputs: inputs(name, { 'user-id': '42' }) });
    expect(result.code).toBe(1);
    const [orphan] = named(name);
    expect(named(name)).toHaveLength(1);
    expect(orphan.active).toBe(true);
    expect(commands(result.stdout, 'error').join('\n')).toContain(
      `GitLab may have made a token named "${name}" for user 42`,
    );
    // Not in the outputs, but journalled as a request whose reply never came.
    expectNothingUnreported(named(name), result);
    expectNoLeaks(result);

    sim.clearFaults();
    const post = await runPostStep(result, { inputs: inputs(name, { 'user-id': '42' }) });
    expect(post.code).toBe(0);
    expect(orphan.revoked).toBe(true);
    expectNoLeaks(post);
  }, 60_000);

  /**
   * A Rack::Attack 429 ("Retry later", RateLimit-* headers) means GitLab did nothing: once
   * max-wait-seconds is spent it is not taken for a lost reply (no list, no second create).
   */
  it('a GitLab limiter 429 past the budget is not taken for a lost reply', async () => {
    const name = uniqueName();
    sim.addFault({
      method: 'POST',
      pathPattern: /^\/api\/v4\/users\/42\/personal_access_tokens$/,
      times: Infinity,
      fault: { kind: 'rateLimit', retryAfterSeconds: 1 },
    });
    const result = await runMainStep({ inputs: inputs(name, { 'user-id': '42' }) });
    expect(result.code).toBe(1);
    const requests = sim.requests.map((request) => `${request.method} ${request.path}`);
    // The 429 was retried within the budget; then nothing more is sent.
    expect(requests).toEqual([
      'POST /api/v4/users/42/personal_access_tokens',
      'POST /api/v4/users/42/personal_access_tokens',
    ]);
    expect(result.stdout).not.toContain('was lost');
    expectNoLeaks(result);
  }, 60_000);
});

describe('a persistent rate limit is the credential\u2019s (issue #18)', () => {
  it('once one request has used its attempts, no new user starts and no 429 is retried', async () => {
    const name = uniqueName();
    const users = Array.from({ length: 20 }, (_, i) => 6000 + i);
    for (const id of users) sim.addUser({ id, username: `limited-${id}` });
    sim.addFault({
      method: 'POST',
      pathPattern: /^\/api\/v4\/users\/\d+\/personal_access_tokens$/,
      times: Infinity,
      fault: { kind: 'rateLimit', retryAfterSeconds: 0 },
    });
    const result = await runMainStep({
      inputs: inputs(name, {
        'user-id': users.join('\n'),
        'max-wait-seconds': '300',
        'max-concurrency': '4',
      }),
    });
    expect(result.code).toBe(1);
    const posts = sim.requests.filter((request) => request.method === 'POST').length;
    // One request uses its 10 attempts; the 3 beside it stop at their next 429; nobody else starts.
    expect(posts).toBeLessThanOrEqual(10 + 3 * 10);
    expect(posts).toBeLessThan(users.length * 10);
    expect(named(name)).toEqual([]);
    expect(budgetFailure(result)).toMatch(/not started: user 60\d\d/);
    expectNoLeaks(result);
  });
});
