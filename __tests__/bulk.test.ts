/**
 * The main step with several users (bounded concurrency, partial failure, rate limits) and the job
 * summary, against the simulator; the post step revokes what was made.
 */
import { describe, expect, it } from '@jest/globals';
import { ADMIN_TOKEN, type SimToken } from './simulator/gitlab-simulator.js';
import { journalOf } from './helpers/promises.js';
import { expectNoSecretsIn, tokenSecrets, useSimulator } from './helpers/simulator-fixture.js';
import {
  commands,
  maskedFirst,
  requestLine,
  runMainStep,
  runPostStep,
  type StepResult,
} from './helpers/run-action.js';
import type { TokenOutput } from '../src/tokens/outputs.js';

/** Extra users for the concurrency tests: IDs 300..323, usernames bulk-300 .. bulk-323. */
const EXTRA_USERS = Array.from({ length: 24 }, (_, i) => 300 + i);

/** After each test, latencyMs and peakInFlight are back to 0. */
const sim = useSimulator({
  seed: (s) => {
    for (const id of EXTRA_USERS) s.addUser({ id, username: `bulk-${id}` });
  },
});

const TOKENS_PATH = /^\/api\/v4\/users\/\d+\/personal_access_tokens$/;

function inputsFor(extra: Record<string, string>): Record<string, string> {
  return { 'base-url': sim.url, 'gitlab-token': ADMIN_TOKEN, scopes: 'read_api', ...extra };
}

function run(extra: Record<string, string>): Promise<StepResult> {
  return runMainStep({ inputs: inputsFor(extra) });
}

/** Tokens the simulator made since `before` (its list only grows). */
function madeSince(before: number): SimToken[] {
  return sim.tokens.slice(before);
}

/** Every run that makes a token: nothing secret anywhere but the mask lines (and outputs). */
function expectNoLeaks(result: StepResult, credential = ADMIN_TOKEN): void {
  expect(tokenSecrets(sim).length).toBeGreaterThan(0);
  expectNoSecretsIn(result, [credential], [sim]);
}

function tokensOutput(result: StepResult): TokenOutput[] {
  return JSON.parse(result.outputs.tokens) as TokenOutput[];
}

/** The cells of every row of the summary's table (header first), as text. */
function summaryRows(summary: string): string[][] {
  return [...summary.matchAll(/<tr>(.*?)<\/tr>/gs)].map((row) =>
    [...row[1].matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/gs)].map((cell) => cell[1]),
  );
}

function countBy<T>(items: T[], key: (item: T) => number): Map<number, number> {
  const counts = new Map<number, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

describe('several users', () => {
  it('mixes IDs and usernames (newlines and commas), one token each, all in tokens', async () => {
    const before = sim.tokens.length;
    const result = await run({ 'user-id': '42, @bob\ncarol\n\n 55 ', name: 'bulk mix' });
    expect(result.code).toBe(0);
    const made = madeSince(before);
    expect(made.map((token) => token.user_id).sort()).toEqual([42, 43, 44, 55]);
    const lines = sim.requests.map(requestLine);
    expect(lines.filter((line) => line.startsWith('GET')).sort()).toEqual([
      'GET /api/v4/users?username=bob',
      'GET /api/v4/users?username=carol',
    ]);
    expect(lines.filter((line) => line.startsWith('POST'))).toHaveLength(4);

    const tokens = tokensOutput(result);
    // Outputs keep the order of user-id, whatever order the requests finished in.
    expect(tokens.map((token) => token.user_id)).toEqual([42, 43, 44, 55]);
    for (const token of tokens) {
      const stored = made.find((candidate) => candidate.id === token.id);
      expect(token).toEqual({
        type: 'personal',
        target: null,
        user_id: stored?.user_id,
        id: stored?.id,
        name: 'bulk mix',
        token: stored?.token,
        scopes: ['read_api'],
        expires_at: stored?.expires_at,
      });
    }
    expect(result.outputs.token).toBe(tokens[0].token);
    expect(result.outputs.id).toBe(String(tokens[0].id));
    expect(result.outputs['user-id']).toBe('42');
    for (const token of made) expect(maskedFirst(result.stdout, token.token)).toBe(true);
    expect(maskedFirst(result.stdout, ADMIN_TOKEN)).toBe(true);
    expect(commands(result.stdout, 'error')).toEqual([]);
    expect(journalOf(result)).toHaveLength(4);
    expectNoLeaks(result);
  });

  it('a user listed twice is refused before any request', async () => {
    const result = await run({ 'user-id': '43, 43\n@carol\n@Carol' });
    expect(result.code).toBe(1);
    expect(commands(result.stdout, 'error')[0]).toContain('"43" is listed twice');
    expect(sim.requests).toEqual([]);
  });

  it('a username and an ID of the same user: one token, the other refused by name', async () => {
    const before = sim.tokens.length;
    const result = await run({ 'user-id': '42\n@alice\n43', 'max-concurrency': '1' });
    expect(result.code).toBe(1);
    expect(madeSince(before).map((token) => token.user_id)).toEqual([42, 43]);
    const errors = commands(result.stdout, 'error');
    expect(errors[0]).toContain('user @alice: user 42 is already asked for as user 42');
    expect(tokensOutput(result).map((token) => token.user_id)).toEqual([42, 43]);
    expectNoLeaks(result);
  });

  describe('partial failure', () => {
    it('fails the step, reports each user, still outputs (and revokes) the tokens made', async () => {
      const before = sim.tokens.length;
      const inputs = inputsFor({ 'user-id': '42\n@nobody\n999\n@bob', revoke: 'true' });
      const result = await runMainStep({ inputs });
      expect(result.code).toBe(1);

      const errors = commands(result.stdout, 'error');
      expect(errors).toHaveLength(3);
      expect(errors.find((line) => line.includes('"nobody"'))).toContain('user @nobody');
      expect(errors.find((line) => line.includes('user 999'))).toContain('404 User Not Found');
      expect(errors[2]).toContain('2 of 4 tokens could not be created (user @nobody, user 999)');
      expect(errors[2]).toContain('will be revoked when the job ends');

      const made = madeSince(before);
      expect(made.map((token) => token.user_id).sort()).toEqual([42, 43]);
      const tokens = tokensOutput(result);
      expect(tokens.map((token) => token.user_id)).toEqual([42, 43]);
      expect(tokens.map((token) => token.token).sort()).toEqual(
        made.map((token) => token.token).sort(),
      );
      for (const token of made) expect(maskedFirst(result.stdout, token.token)).toBe(true);

      // The state's journal names the made tokens by ID only.
      expect(
        journalOf(result)
          .map((entry) => entry.id)
          .sort(),
      ).toEqual(tokens.map((token) => token.id).sort());
      expectNoLeaks(result);

      sim.requests.length = 0;
      const post = await runPostStep(result, { inputs });
      expect(post.code).toBe(0);
      expect(sim.requests.map(requestLine).sort()).toEqual(
        made.map((token) => `DELETE /api/v4/personal_access_tokens/${token.id}`).sort(),
      );
      expect(made.every((token) => token.revoked && !token.active)).toBe(true);
      expect(commands(post.stdout, 'warning')).toEqual([]);
      expectNoLeaks(post);
    });

    it.each([
      [
        'nested arrays under a message field',
        `{"message":{"name":${'['.repeat(10_000)}"x"${']'.repeat(10_000)}}}`,
      ],
      ['nested arrays without a message', `{"error":${'['.repeat(10_000)}1${']'.repeat(10_000)}}`],
    ])('a 20 KB deeply nested error body (%s) fails that user only', async (_, body) => {
      const users = EXTRA_USERS.slice(0, 6);
      const before = sim.tokens.length;
      sim.addFault({
        method: 'POST',
        pathPattern: new RegExp(`/users/${users[2]}/personal_access_tokens$`),
        fault: { kind: 'status', status: 422, body },
      });
      const result = await run({ 'user-id': users.join('\n'), revoke: 'true' });
      expect(result.code).toBe(1);
      expect(result.stderr).not.toMatch(/RangeError|call stack/i);
      const made = madeSince(before);
      const others = users.filter((id) => id !== users[2]);
      expect(made.map((token) => token.user_id).sort()).toEqual(others);
      expect(tokensOutput(result).map((token) => token.user_id)).toEqual(others);
      const state = journalOf(result);
      expect(state.map((entry) => entry.id).sort()).toEqual(made.map((t) => t.id).sort());
      const errors = commands(result.stdout, 'error');
      expect(errors.find((line) => line.startsWith(`user ${users[2]}:`))).toContain(
        '422 Unprocessable Entity',
      );
      expect(errors.join('\n')).toContain(`1 of 6 tokens could not be created (user ${users[2]})`);
      for (const line of errors) expect(line.length).toBeLessThan(2000);
      expectNoLeaks(result);
    });

    it('names every failed user in the summary and marks the step failed', async () => {
      const result = await run({ 'user-id': '@nobody, 44' });
      expect(result.code).toBe(1);
      const rows = summaryRows(result.summary);
      expect(rows).toHaveLength(3);
      expect(rows[1]).toEqual([
        'personal',
        'user @nobody',
        'failed (see the log)',
        '-',
        '-',
        '-',
        '-',
        '-',
      ]);
      expect(rows[2][1]).toBe('user 44 (ID 44)');
      expect(tokensOutput(result).map((token) => token.user_id)).toEqual([44]);
      expectNoLeaks(result);
    });
  });

  describe('max-concurrency', () => {
    it.each(['0', '33', '-1', '2.5', 'eight'])('rejects %j before any request', async (value) => {
      const before = sim.tokens.length;
      const result = await run({ 'user-id': '42, 43', 'max-concurrency': value });
      expect(result.code).toBe(1);
      expect(commands(result.stdout, 'error').join('\n')).toContain(
        `max-concurrency: expected a whole number from 1 to 32, got "${value}"`,
      );
      expect(sim.requests).toEqual([]);
      expect(sim.tokens.length).toBe(before);
    });

    it.each([
      ['1', 1],
      ['3', 3],
      ['32', 32],
    ])('max-concurrency %s: at most %i requests in flight', async (value, limit) => {
      sim.latencyMs = 100;
      const users = EXTRA_USERS.slice(0, 12);
      const before = sim.tokens.length;
      const result = await run({ 'user-id': users.join('\n'), 'max-concurrency': value });
      expect(result.code).toBe(0);
      expect(sim.peakInFlight).toBeLessThanOrEqual(limit);
      // Not serialised either: with 12 users and 100 ms per reply the limit is reached.
      expect(sim.peakInFlight).toBe(Math.min(limit, users.length));
      expect(madeSince(before).map((token) => token.user_id)).toHaveLength(12);
      expectNoLeaks(result);
    });

    it('defaults to 8', async () => {
      sim.latencyMs = 100;
      const result = await run({ 'user-id': EXTRA_USERS.join(',') });
      expect(result.code).toBe(0);
      expect(sim.peakInFlight).toBe(8);
      expect(tokensOutput(result)).toHaveLength(EXTRA_USERS.length);
      expectNoLeaks(result);
    });
  });

  describe('rate limits slow a bulk run down instead of failing it', () => {
    it.each([0, 1])(
      'the first creates answer 429 with Retry-After %i: one token per user, none lost',
      async (retryAfterSeconds) => {
        const users = EXTRA_USERS.slice(0, 10);
        sim.addFault({
          method: 'POST',
          pathPattern: TOKENS_PATH,
          times: 6,
          fault: { kind: 'rateLimit', retryAfterSeconds },
        });
        const before = sim.tokens.length;
        const result = await run({ 'user-id': users.join('\n'), 'max-concurrency': '4' });
        expect(result.code).toBe(0);
        const made = madeSince(before);
        expect([...countBy(made, (token) => token.user_id)].sort()).toEqual(
          users.map((id) => [id, 1]),
        );
        const tokens = tokensOutput(result);
        expect(tokens.map((token) => token.user_id)).toEqual(users);
        expect(new Set(tokens.map((token) => token.id)).size).toBe(users.length);
        expect(new Set(tokens.map((token) => token.token)).size).toBe(users.length);
        // Each 429 was answered by one more POST, never by more.
        expect(sim.requests.filter((request) => request.method === 'POST')).toHaveLength(16);
        expect(commands(result.stdout, 'error')).toEqual([]);
        expectNoLeaks(result);
      },
    );

    it('429 without a usable Retry-After backs off and retries, look-ups included', async () => {
      sim.addFault({
        method: 'GET',
        times: 2,
        fault: { kind: 'status', status: 429, body: { message: 'Retry later' } },
      });
      sim.addFault({
        method: 'POST',
        pathPattern: TOKENS_PATH,
        times: 1,
        fault: { kind: 'status', status: 429, headers: { 'retry-after': 'soon' } },
      });
      const before = sim.tokens.length;
      const result = await run({ 'user-id': '@alice\n@bob\n44' });
      expect(result.code).toBe(0);
      expect(
        madeSince(before)
          .map((token) => token.user_id)
          .sort(),
      ).toEqual([42, 43, 44]);
      // The POST's 429 did not come from GitLab's limiters (no RateLimit headers): it may have
      // come after GitLab acted, so the user's tokens are checked before the retry and after it.
      const gets = sim.requests.filter((request) => request.method === 'GET');
      expect(gets).toHaveLength(6);
      expect(
        gets.filter((request) => request.path === '/api/v4/personal_access_tokens'),
      ).toHaveLength(2);
      expect(sim.requests.filter((request) => request.method === 'POST')).toHaveLength(4);
      expectNoLeaks(result);
    });
  });
});

describe('job summary', () => {
  it('lists user, name, ID, scopes, expiry and whether it will be revoked; never the secret', async () => {
    const expiry = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    const before = sim.tokens.length;
    const result = await run({
      'user-id': '42\n@carol',
      scopes: 'read_api, read_repository',
      name: 'nightly <sync> & co',
      'expires-at': '7d',
      revoke: 'true',
    });
    expect(result.code).toBe(0);
    const [alice, carol] = tokensOutput(result);
    expect(result.summary).toContain('GitLab tokens');
    expect(summaryRows(result.summary)).toEqual([
      [
        'Kind',
        'For',
        'Token name',
        'ID',
        'Scopes',
        'Access level',
        'Expires',
        'Revoked when the job ends',
      ],
      [
        'personal',
        'user 42 (ID 42)',
        'nightly &#60;sync&#62; &#38; co',
        String(alice.id),
        'read_api, read_repository',
        '-',
        expiry,
        'yes',
      ],
      [
        'personal',
        'user @carol (ID 44)',
        'nightly &#60;sync&#62; &#38; co',
        String(carol.id),
        'read_api, read_repository',
        '-',
        expiry,
        'yes',
      ],
    ]);
    for (const token of madeSince(before)) expect(result.summary).not.toContain(token.token);
    expectNoLeaks(result);
  });

  it('says "no" when the tokens outlive the job, and the instance default for no expiry', async () => {
    const result = await run({ 'user-id': '43', revoke: 'false', 'expires-at': '' });
    expect(result.code).toBe(0);
    const rows = summaryRows(result.summary);
    expect(rows[1][1]).toBe('user 43 (ID 43)');
    expect(rows[1][7]).toBe('no');
    // GitLab applied its default, and the summary shows the date it returned.
    expect(rows[1][6]).toBe(tokensOutput(result)[0].expires_at);
    expectNoLeaks(result);
  });
});
