/**
 * What GitLab (or something in front of it) sends is data. A create reply that carries no usable
 * token after GitLab stored one leaves exactly one active token, the one in the outputs; a reply
 * without scopes does not break the outputs; IDs in a list or a rotate reply never reach a URL or a
 * log line unless they are positive integers.
 */
import { describe, expect, it } from '@jest/globals';
import { ADMIN_TOKEN, type Fault, type SimToken } from './simulator/gitlab-simulator.js';
import { expectNoSecretsIn, useSimulator } from './helpers/simulator-fixture.js';
import { commands, runMainStep, type StepResult } from './helpers/run-action.js';
import { expectNothingUnreported } from './helpers/promises.js';

const sim = useSimulator();
let testNumber = 0;

function uniqueName(): string {
  testNumber += 1;
  return `replies test ${testNumber}`;
}

/** Secret-looking values the faults themselves send: they must not be printed either. */
const REPLY_SECRET = 'glpat-FAKE-reply-secret-000000001';
const NO_SCOPES_SECRET = 'glpat-FAKE-no-scopes-secret-00002';

function run(extra: Record<string, string>): Promise<StepResult> {
  return runMainStep({
    inputs: {
      'base-url': sim.url,
      'gitlab-token': ADMIN_TOKEN,
      'user-id': '42',
      scopes: 'read_api',
      ...extra,
    },
  });
}

function named(name: string): SimToken[] {
  return sim.tokens.filter((token) => token.name === name && token.user_id === 42);
}

function active(name: string): SimToken[] {
  return named(name).filter((token) => token.active);
}

function expectNoLeaks(result: StepResult): void {
  expectNoSecretsIn(result, [ADMIN_TOKEN, REPLY_SECRET, NO_SCOPES_SECRET], [sim]);
}

const CREATE = /^\/api\/v4\/users\/42\/personal_access_tokens$/;

const record = {
  name: 'replies',
  user_id: 42,
  revoked: false,
  active: true,
  created_at: '2030-01-01T00:00:00.000Z',
  expires_at: '2030-01-02',
  scopes: ['read_api'],
};

describe('a create reply without a usable token, after GitLab stored the token', () => {
  it.each<[string, Fault]>([
    [
      'an HTML 200 page',
      {
        kind: 'status',
        status: 200,
        body: '<!DOCTYPE html><html><head><title>Sign in · GitLab</title></head><body>x</body></html>',
        headers: { 'content-type': 'text/html; charset=utf-8' },
        afterCreate: true,
      },
    ],
    [
      'JSON without `token`',
      { kind: 'status', status: 201, body: { ...record, id: 999_001 }, afterCreate: true },
    ],
    [
      'JSON with id "12abc"',
      {
        kind: 'status',
        status: 201,
        body: { ...record, id: '12abc', token: REPLY_SECRET },
        afterCreate: true,
      },
    ],
    [
      'JSON whose token is shell syntax',
      {
        kind: 'status',
        status: 201,
        body: { ...record, id: 999_002, token: 'glpat-$(touch /tmp/x)' },
        afterCreate: true,
      },
    ],
    ['JSON null', { kind: 'status', status: 201, body: null, afterCreate: true }],
    ['204 No Content', { kind: 'status', status: 204, afterCreate: true }],
    ['503', { kind: 'status', status: 503, afterCreate: true }],
    [
      'a 429 without RateLimit headers (a proxy’s)',
      {
        kind: 'status',
        status: 429,
        body: { message: '429 Too Many Requests' },
        afterCreate: true,
      },
    ],
  ])('%s: exactly one active token remains, the one in the outputs', async (_, fault) => {
    const name = uniqueName();
    sim.addFault({ method: 'POST', pathPattern: CREATE, fault });
    const result = await run({ name });
    expect(result.code).toBe(0);
    const [orphan, kept] = named(name);
    expect(orphan.revoked).toBe(true);
    expect(active(name)).toEqual([kept]);
    expect(result.outputs.token).toBe(kept.token);
    expect(result.outputs.id).toBe(String(kept.id));
    expect(JSON.parse(result.outputs.tokens)).toHaveLength(1);
    expect(commands(result.stdout, 'warning').join('\n')).toContain(
      'The reply to the token request for user 42 was lost',
    );
    expect(result.stdout).not.toContain('999001');
    expect(result.stdout).not.toContain('12abc');
    expectNothingUnreported(named(name), result);
    expectNoLeaks(result);
  });
});

describe('a reply whose scopes are missing or malformed', () => {
  it.each<[string, Record<string, unknown>]>([
    ['no `scopes`', {}],
    ['`scopes: null`', { scopes: null }],
    ['`scopes` a string', { scopes: 'api' }],
    ['`scopes` with non-strings', { scopes: [1, null, 'read_api', { a: 1 }] }],
  ])('%s: the outputs are written, nothing crashes', async (_, scopes) => {
    const name = uniqueName();
    const withoutScopes: Record<string, unknown> = { ...record };
    delete withoutScopes.scopes;
    sim.addFault({
      method: 'POST',
      pathPattern: CREATE,
      fault: {
        kind: 'status',
        status: 201,
        body: { ...withoutScopes, name, id: 999_100, token: NO_SCOPES_SECRET, ...scopes },
      },
    });
    const result = await run({ name });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.outputs.token).toBe(NO_SCOPES_SECRET);
    expect(result.outputs.id).toBe('999100');
    const [token] = JSON.parse(result.outputs.tokens) as { scopes: unknown }[];
    expect(Array.isArray(token.scopes)).toBe(true);
    expect((token.scopes as unknown[]).every((scope) => typeof scope === 'string')).toBe(true);
    expect(result.summary).toContain('999100');
    expectNoLeaks(result);
  });
});

describe('text fields of a reply are data', () => {
  it('a create reply whose name, dates, description and scopes carry workflow commands: no line becomes a command', async () => {
    const name = uniqueName();
    const poison = '\n::warning::pwned\r\n::error::pwned';
    sim.addFault({
      method: 'POST',
      pathPattern: CREATE,
      fault: {
        kind: 'status',
        status: 201,
        body: {
          ...record,
          id: 999_200,
          token: NO_SCOPES_SECRET,
          name: `${name}${poison}`,
          created_at: `2030-01-01${poison}`,
          expires_at: `2030-01-02${poison}`,
          description: `d${poison}`,
          scopes: ['read_api', `api${poison}`],
        },
      },
    });
    const result = await run({ name });
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').filter((line) => line.includes('pwned'))).toEqual([]);
    expect(result.summary.split('\n').filter((line) => /^::/.test(line))).toEqual([]);
    expectNoLeaks(result);
  });
});

describe('IDs from GitLab are data', () => {
  /** Every path a personal token run may send, with a numeric token ID. */
  const ALLOWED =
    /^\/api\/v4\/(users\/42\/personal_access_tokens|personal_access_tokens|personal_access_tokens\/\d+(\/rotate)?|users\/42\/impersonation_tokens)$/;
  const LIST = /^\/api\/v4\/personal_access_tokens$/;

  const badItems = (name: string): Record<string, unknown>[] =>
    ['../users/43', '5\n::warning::pwned', -1, 1.5, 0, 1e21, '1043', null].map((id) => ({
      ...record,
      name,
      id,
    }));

  function expectOnlyTokenRoutes(result: StepResult): void {
    for (const request of sim.requests) expect(request.path).toMatch(ALLOWED);
    expect(sim.requests.some((request) => request.path.includes('/users/43'))).toBe(false);
    expect(result.stdout).not.toContain('pwned');
    expect(result.stderr).not.toContain('pwned');
    expect(commands(result.stdout, 'warning').join('\n')).not.toContain('../');
  }

  it('a rotate-list of only malformed IDs: nothing is rotated or revoked; a new token is made', async () => {
    const name = uniqueName();
    sim.addFault({
      method: 'GET',
      pathPattern: LIST,
      times: Infinity,
      fault: { kind: 'status', status: 200, body: badItems(name) },
    });
    const result = await run({ name, 'if-exists': 'rotate' });
    expect(result.code).toBe(0);
    expectOnlyTokenRoutes(result);
    expect(sim.requests.filter((request) => request.method === 'DELETE')).toEqual([]);
    expect(sim.requests.filter((request) => request.path.endsWith('/rotate'))).toEqual([]);
    expect(active(name).map((token) => token.token)).toEqual([result.outputs.token]);
    expectNoLeaks(result);
  });

  it('malformed IDs next to a real token: only the real one is rotated', async () => {
    const name = uniqueName();
    const first = await run({ name });
    expect(first.code).toBe(0);
    const [existing] = named(name);
    const listed = [...badItems(name), { ...record, name, id: existing.id }];
    sim.requests.length = 0;
    sim.addFault({
      method: 'GET',
      pathPattern: LIST,
      times: Infinity,
      fault: { kind: 'status', status: 200, body: listed },
    });
    const result = await run({ name, 'if-exists': 'rotate' });
    expect(result.code).toBe(0);
    expectOnlyTokenRoutes(result);
    expect(sim.requests.filter((request) => request.path.endsWith('/rotate'))).toHaveLength(1);
    expect(existing.revoked).toBe(true);
    expect(active(name).map((token) => token.token)).toEqual([result.outputs.token]);
    expectNoLeaks(first);
    expectNoLeaks(result);
  });

  it.each(['../users/43', '5\n::warning::pwned', -1, 1.5])(
    'a rotate reply with id %j (after GitLab rotated): a lost rotation, never a request to that ID',
    async (id) => {
      const name = uniqueName();
      const first = await run({ name });
      expect(first.code).toBe(0);
      const [existing] = named(name);
      sim.requests.length = 0;
      sim.addFault({
        method: 'POST',
        pathPattern: /\/rotate$/,
        fault: {
          kind: 'status',
          status: 200,
          body: { ...record, name, id, token: REPLY_SECRET },
          afterCreate: true,
        },
      });
      const result = await run({ name, 'if-exists': 'rotate' });
      expect(result.code).toBe(0);
      expectOnlyTokenRoutes(result);
      expect(sim.requests.filter((request) => request.path.endsWith('/rotate'))).toHaveLength(1);
      expect(existing.revoked).toBe(true);
      const outputToken = named(name).find((token) => token.token === result.outputs.token);
      expect(outputToken?.active).toBe(true);
      // The rotation GitLab made keeps the old description: unproven, so named, not revoked.
      expectNothingUnreported(
        named(name).filter((token) => token.id !== existing.id),
        result,
      );
      expectNoLeaks(first);
      expectNoLeaks(result);
    },
  );
});
