// Checks the GitLab simulator and the test proxy themselves (not the action): HTTP against the
// started simulator, per GitLab version. The expectations cite GitLab's source like the
// simulator's modules do.
import { describe, expect, it } from '@jest/globals';
import * as http from 'node:http';
import * as net from 'node:net';
import { ConnectProxy } from './simulator/connect-proxy.js';
import {
  ADMIN_MODE_TOKEN,
  ADMIN_TOKEN,
  DEVELOPER_TOKEN,
  GROUP_OWNER_TOKEN,
  MAINTAINER_TOKEN,
  SEED_GROUPS,
  SEED_PROJECTS,
  SEED_USERS,
  USER_TOKEN,
  type SimToken,
} from './simulator/gitlab-simulator.js';
import { useSimulator } from './helpers/simulator-fixture.js';

const READ_API_TOKEN = 'glpat-FAKE-read-api-only-00005';
const REPO_TOKEN = 'glpat-FAKE-read-repo-only-00006';
const REVOKED_TOKEN = 'glpat-FAKE-revoked-credential-7';
const EXPIRED_TOKEN = 'glpat-FAKE-expired-credential-8';
const BLOCKED_TOKEN = 'glpat-FAKE-blocked-user-token-9';
const FREE_OWNER_TOKEN = 'glpat-FAKE-free-group-owner-10';
const BLOCKED_USER = 77;
const FREE_GROUP = 70;
const FREE_SA = 91;

const sim = useSimulator({
  seed: (s) => {
    s.addUser({ id: BLOCKED_USER, username: 'blocked', state: 'blocked' });
    s.addUser({ id: FREE_SA, username: 'service_account_free' });
    s.addGroup({
      id: FREE_GROUP,
      fullPath: 'freebies',
      ownerIds: [SEED_USERS.owner],
      serviceAccountIds: [FREE_SA],
      plan: 'free',
    });
    s.addCredential(READ_API_TOKEN, SEED_USERS.alice, ['read_api']);
    s.addCredential(REPO_TOKEN, SEED_USERS.alice, ['read_repository']);
    s.addCredential(REVOKED_TOKEN, SEED_USERS.alice, ['api']);
    s.revokeCredential(REVOKED_TOKEN);
    s.addCredential(EXPIRED_TOKEN, SEED_USERS.alice, ['api'], { expiresAt: '2020-01-01' });
    s.addCredential(BLOCKED_TOKEN, BLOCKED_USER, ['api']);
    s.addCredential(FREE_OWNER_TOKEN, SEED_USERS.owner, ['api']);
  },
});
const api = (): string => `${sim.url}/api/v4`;

function inDays(days: number): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

interface Res {
  status: number;
  json: unknown;
  text: string;
  headers: Headers;
}

async function call(
  method: string,
  path: string,
  token: string | null,
  body?: unknown,
  root = api(),
): Promise<Res> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers['PRIVATE-TOKEN'] = token;
  const res = await fetch(`${root}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: 'manual',
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? (JSON.parse(text) as unknown) : null;
  } catch {
    json = null;
  }
  return { status: res.status, json, text, headers: res.headers };
}

type TokenJson = SimToken & Record<string, unknown>;

async function createFor(
  userId: number,
  body: Record<string, unknown> = {},
  token = ADMIN_TOKEN,
): Promise<TokenJson> {
  const res = await call('POST', `/users/${userId}/personal_access_tokens`, token, {
    name: 'ci',
    scopes: ['api'],
    ...body,
  });
  expect(res.status).toBe(201);
  return res.json as TokenJson;
}

const SA_TOKENS = `/groups/${SEED_GROUPS.acme}/service_accounts/${SEED_USERS.serviceAccount}/personal_access_tokens`;

describe('version model', () => {
  it('defaults to a current 18.x, switches per test and is restored after each', async () => {
    expect(sim.version.version).toMatch(/^18\.\d+\.\d+-ee$/);
    sim.setVersion('17.10');
    expect(sim.version.version).toBe('17.10.0-ee');
    expect((await call('GET', '/version', ADMIN_TOKEN)).json).toMatchObject({
      version: '17.10.0-ee',
    });
    sim.version.version = '16.0.0-ee';
    expect(sim.atLeast('16.0')).toBe(true);
    expect(sim.atLeast('16.1')).toBe(false);
  });

  it('is back to the default in the next test', () => {
    expect(sim.version.version).toMatch(/^18\./);
  });
});

describe('clock and Date header', () => {
  it('answers with the simulator clock, skewed by clockOffsetMs, also in created_at', async () => {
    sim.clockOffsetMs = -3 * 3600 * 1000;
    const res = await call('GET', '/version', ADMIN_TOKEN);
    const served = Date.parse(res.headers.get('date') ?? '');
    expect(Math.abs(served - (Date.now() - 3 * 3600 * 1000))).toBeLessThan(5000);
    const made = await createFor(SEED_USERS.carol);
    expect(Math.abs(Date.parse(made.created_at) - served)).toBeLessThan(5000);
  });

  it('sends a Date header on every reply, errors and faults included', async () => {
    expect((await call('GET', '/nope', null)).headers.get('date')).toBeTruthy();
    sim.addFault({ fault: { kind: 'status', status: 502 } });
    expect((await call('GET', '/version', ADMIN_TOKEN)).headers.get('date')).toBeTruthy();
  });
});

describe('routing (lib/api/api.rb)', () => {
  it('answers the catch-all {"error":"404 Not Found"} for unknown routes, without auth', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['POST', '/users/42/not_a_thing'],
      ['PUT', '/personal_access_tokens/1'],
    ] as const) {
      const res = await call(method, path, null);
      expect(res).toMatchObject({ status: 404, json: { error: '404 Not Found' } });
    }
  });

  it('a path outside /api/v4 reaches the Rails router: sign-in redirect or the HTML 404', async () => {
    const wrongRoot = await call(
      'POST',
      '/users/42/personal_access_tokens',
      ADMIN_TOKEN,
      {},
      `${sim.url}/gitlab/api/v4`,
    );
    expect(wrongRoot.status).toBe(302);
    expect(wrongRoot.headers.get('location')).toBe(`${sim.url}/users/sign_in`);
    expect(wrongRoot.headers.get('content-type')).toContain('text/html');
    sim.outsideApi = 'not-found-page';
    const page = await call('GET', '/whatever', ADMIN_TOKEN, undefined, sim.url);
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).toContain('<!DOCTYPE html>');
  });

  it('API v3 is gone (410)', async () => {
    const res = await call('GET', '/user', ADMIN_TOKEN, undefined, `${sim.url}/api/v3`);
    expect(res).toMatchObject({
      status: 410,
      json: { error: 'API V3 is no longer supported. Use API V4 instead.' },
    });
  });

  it('a malformed JSON body is a Grape 400 before authentication', async () => {
    const res = await fetch(`${api()}/users/42/personal_access_tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'message body does not match declared format' });
  });
});

describe('authentication (auth_finders.rb, api_guard.rb)', () => {
  it('an unknown token: 401 {"message":"401 Unauthorized"}; no token: the same', async () => {
    for (const token of ['glpat-FAKE-unknown-credential-1', null]) {
      const res = await call('GET', '/user', token);
      expect(res).toMatchObject({ status: 401, json: { message: '401 Unauthorized' } });
    }
  });

  it('revoked and expired tokens: 401 invalid_token with WWW-Authenticate', async () => {
    const revoked = await call('GET', '/user', REVOKED_TOKEN);
    expect(revoked.status).toBe(401);
    expect(revoked.json).toEqual({
      error: 'invalid_token',
      error_description: 'Token was revoked. You have to re-authorize from the user.',
    });
    expect(revoked.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const expired = await call('GET', '/user', EXPIRED_TOKEN);
    expect(expired.json).toEqual({
      error: 'invalid_token',
      error_description: 'Token is expired. You can either do re-authorization or token refresh.',
    });
    expect(expired.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="Protected by OAuth 2.0"/,
    );
  });

  it('a token created by the API expires at 00:00 UTC on expires_at', async () => {
    const made = await createFor(SEED_USERS.carol, { expires_at: inDays(1) });
    expect((await call('GET', '/user', made.token)).status).toBe(200);
    sim.clockOffsetMs = 86_400_000;
    expect((await call('GET', '/user', made.token)).json).toMatchObject({ error: 'invalid_token' });
  });

  it('a missing scope: 403 insufficient_scope naming the endpoint scopes', async () => {
    const post = await call('POST', '/users/42/personal_access_tokens', READ_API_TOKEN, {});
    expect(post).toMatchObject({
      status: 403,
      json: {
        error: 'insufficient_scope',
        error_description:
          'The request requires higher privileges than provided by the access token.',
        scope: 'api',
      },
    });
    const get = await call('GET', '/personal_access_tokens', REPO_TOKEN);
    expect(get.json).toMatchObject({ scope: 'api read_api' });
    expect((await call('GET', '/personal_access_tokens', READ_API_TOKEN)).status).toBe(200);
  });

  it('a blocked user: 403 "Your account has been blocked."', async () => {
    expect((await call('GET', '/user', BLOCKED_TOKEN)).json).toEqual({
      message: '403 Forbidden - Your account has been blocked.',
    });
  });

  it('PRIVATE-TOKEN, Authorization: Bearer and private_token all authenticate', async () => {
    const bearer = await fetch(`${api()}/user`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(bearer.status).toBe(200);
    expect((await call('GET', `/user?private_token=${ADMIN_TOKEN}`, null)).status).toBe(200);
  });

  it('/user shows is_admin only to administrators', async () => {
    expect((await call('GET', '/user', ADMIN_TOKEN)).json).toMatchObject({ id: 1, is_admin: true });
    expect((await call('GET', '/user', USER_TOKEN)).json).not.toHaveProperty('is_admin');
  });
});

describe('POST /users/:id/personal_access_tokens (lib/api/users.rb)', () => {
  const path = `/users/${SEED_USERS.alice}/personal_access_tokens`;

  it('creates a token (201) that expires after the maximum lifetime by default', async () => {
    const res = await call('POST', path, ADMIN_TOKEN, {
      name: 'ci',
      scopes: ['api', 'read_repository'],
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      name: 'ci',
      user_id: 42,
      scopes: ['api', 'read_repository'],
      active: true,
      revoked: false,
      description: null,
      expires_at: inDays(365),
    });
    expect(Object.keys(res.json as object)).toEqual([
      'id',
      'name',
      'revoked',
      'created_at',
      'description',
      'scopes',
      'user_id',
      'last_used_at',
      'active',
      'expires_at',
      'token',
    ]);
    expect((res.json as { token: string }).token).toMatch(/^glpat-[A-Za-z0-9_-]{20}$/);
  });

  it('checks in GitLab order: 401, 403, 400 params, 404 user, 422 model', async () => {
    const ok = { name: 'x', scopes: ['api'] };
    expect((await call('POST', '/users/999/personal_access_tokens', null, {})).status).toBe(401);
    expect(await call('POST', '/users/999/personal_access_tokens', USER_TOKEN, {})).toMatchObject({
      status: 403,
      json: { message: '403 Forbidden' },
    });
    expect(
      await call('POST', '/users/999/personal_access_tokens', ADMIN_TOKEN, { scopes: ['api'] }),
    ).toMatchObject({
      status: 400,
      json: { error: 'name is missing' },
    });
    expect((await call('POST', path, ADMIN_TOKEN, { name: 'x', scopes: ['nope'] })).json).toEqual({
      error: 'scopes does not have a valid value',
    });
    expect((await call('POST', path, ADMIN_TOKEN, { name: 'x' })).json).toEqual({
      error: 'scopes is missing, scopes does not have a valid value',
    });
    expect((await call('POST', path, ADMIN_TOKEN, { ...ok, expires_at: 'soon' })).json).toEqual({
      error: 'expires_at is invalid',
    });
    expect(await call('POST', '/users/999/personal_access_tokens', ADMIN_TOKEN, ok)).toMatchObject({
      status: 404,
      json: { message: '404 User Not Found' },
    });
    const far = inDays(400);
    expect(await call('POST', path, ADMIN_TOKEN, { ...ok, expires_at: far })).toMatchObject({
      status: 422,
      json: { message: `Expiration date must be before ${inDays(365)}` },
    });
    expect(await call('POST', path, ADMIN_TOKEN, { name: ' ', scopes: [] })).toMatchObject({
      status: 422,
      json: { message: "Name can't be blank and Scopes can't be blank" },
    });
  });

  it('accepts a date in the past (the model has no future-date check): an inactive token', async () => {
    const made = await createFor(SEED_USERS.alice, { expires_at: inDays(-1) });
    expect(made).toMatchObject({ active: false, expires_at: inDays(-1) });
  });

  it('Admin Mode: an administrator token needs the admin_mode scope', async () => {
    sim.adminMode = true;
    expect((await call('POST', path, ADMIN_TOKEN, { name: 'x', scopes: ['api'] })).status).toBe(
      403,
    );
    expect(
      (await call('POST', path, ADMIN_MODE_TOKEN, { name: 'x', scopes: ['api'] })).status,
    ).toBe(201);
  });

  it('GitLab.com has no administrators', async () => {
    sim.gitlabDotCom = true;
    expect((await call('POST', path, ADMIN_TOKEN, { name: 'x', scopes: ['api'] })).status).toBe(
      403,
    );
  });

  it('requireExpiry = false (17.3+): no expires_at means no expiry; ignored before 17.3', async () => {
    sim.requireExpiry = false;
    expect((await createFor(SEED_USERS.alice)).expires_at).toBeNull();
    expect((await createFor(SEED_USERS.alice, { expires_at: inDays(800) })).expires_at).toBe(
      inDays(800),
    );
    sim.setVersion('17.2');
    expect((await createFor(SEED_USERS.alice)).expires_at).toBe(inDays(365));
  });

  it('description is stored and returned from 17.7; older versions drop it and have no key', async () => {
    const current = await createFor(SEED_USERS.alice, { description: 'for CI' });
    expect(current.description).toBe('for CI');
    sim.setVersion('17.6');
    const old = await createFor(SEED_USERS.alice, { description: 'for CI' });
    expect(old).not.toHaveProperty('description');
    expect(sim.tokens.find((t) => t.id === old.id)?.description).toBeNull();
    expect(
      (await call('POST', path, ADMIN_TOKEN, { name: 'x', scopes: ['api'], description: 5 }))
        .status,
    ).toBe(201);
  });

  it('the self_rotate scope exists from 17.9', async () => {
    sim.setVersion('17.6');
    expect(
      (await call('POST', path, ADMIN_TOKEN, { name: 'x', scopes: ['self_rotate'] })).json,
    ).toEqual({
      error: 'scopes does not have a valid value',
    });
    sim.setVersion('17.9');
    expect(
      (await call('POST', path, ADMIN_TOKEN, { name: 'x', scopes: ['self_rotate'] })).status,
    ).toBe(201);
  });
});

describe('GET /personal_access_tokens (lib/api/personal_access_tokens.rb, the finder)', () => {
  it('paginates by offset: 20 a page by default, at most 100, id ascending, X-* and Link headers', async () => {
    const user = 300;
    sim.addUser({ id: user, username: 'pager' });
    for (let i = 0; i < 25; i++) await createFor(user, { name: `page-${i}` });
    const first = await call('GET', `/personal_access_tokens?user_id=${user}`, ADMIN_TOKEN);
    const ids = (first.json as TokenJson[]).map((t) => t.id);
    expect(ids).toHaveLength(20);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(
      Object.fromEntries(
        ['x-page', 'x-per-page', 'x-next-page', 'x-prev-page', 'x-total', 'x-total-pages'].map(
          (h) => [h, first.headers.get(h)],
        ),
      ),
    ).toEqual({
      'x-page': '1',
      'x-per-page': '20',
      'x-next-page': '2',
      'x-prev-page': '',
      'x-total': '25',
      'x-total-pages': '2',
    });
    expect(first.headers.get('link')).toContain('rel="next"');
    const second = await call('GET', `/personal_access_tokens?user_id=${user}&page=2`, ADMIN_TOKEN);
    expect((second.json as TokenJson[]).length).toBe(5);
    expect(second.headers.get('x-next-page')).toBe('');
    expect(second.headers.get('link')).toMatch(/rel="prev".*rel="first".*rel="last"/);
    const big = await call(
      'GET',
      `/personal_access_tokens?user_id=${user}&per_page=500`,
      ADMIN_TOKEN,
    );
    expect(big.headers.get('x-per-page')).toBe('100');
    expect((await call('GET', '/personal_access_tokens?page=x', ADMIN_TOKEN)).json).toEqual({
      error: 'page is invalid',
    });
  });

  it("another user's tokens: 401 for a non-administrator and for an admin without admin_mode", async () => {
    expect(await call('GET', '/personal_access_tokens?user_id=43', USER_TOKEN)).toMatchObject({
      status: 401,
      json: { message: '401 Unauthorized' },
    });
    expect((await call('GET', '/personal_access_tokens?user_id=42', USER_TOKEN)).status).toBe(200);
    sim.adminMode = true;
    expect((await call('GET', '/personal_access_tokens?user_id=43', ADMIN_TOKEN)).status).toBe(401);
    expect((await call('GET', '/personal_access_tokens?user_id=43', ADMIN_MODE_TOKEN)).status).toBe(
      200,
    );
    sim.adminMode = false;
    expect(await call('GET', '/personal_access_tokens?user_id=999', ADMIN_TOKEN)).toMatchObject({
      status: 404,
      json: { message: '404 Not Found' },
    });
  });

  it('search is fuzzy: words of 3+ characters each in the name, shorter ones dropped', async () => {
    const user = 301;
    sim.addUser({ id: user, username: 'searcher' });
    for (const name of ['deploy prod', 'Deploy-Staging', 'ci', 'ci-bot'])
      await createFor(user, { name });
    const names = async (q: string): Promise<string[]> =>
      (
        (
          await call(
            'GET',
            `/personal_access_tokens?user_id=${user}&search=${encodeURIComponent(q)}`,
            ADMIN_TOKEN,
          )
        ).json as TokenJson[]
      ).map((t) => t.name);
    expect(await names('deploy')).toEqual(['deploy prod', 'Deploy-Staging']);
    expect(await names('ploy prod')).toEqual(['deploy prod']);
    expect(await names('deploy x')).toEqual(['deploy prod', 'Deploy-Staging']);
    expect(await names('ci')).toEqual(['ci']);
    expect(await names('CI')).toEqual(['ci']);
  });

  it('filters by state, revoked and created_after; a token expiring today is neither active nor inactive', async () => {
    const user = 302;
    sim.addUser({ id: user, username: 'filterer' });
    const a = await createFor(user, { name: 'a' });
    const b = await createFor(user, { name: 'b' });
    const today = await createFor(user, { name: 'today', expires_at: inDays(0) });
    await call('DELETE', `/personal_access_tokens/${b.id}`, ADMIN_TOKEN);
    const q = async (query: string): Promise<number[]> =>
      (
        (await call('GET', `/personal_access_tokens?user_id=${user}&${query}`, ADMIN_TOKEN))
          .json as TokenJson[]
      ).map((t) => t.id);
    expect(await q('state=active')).toEqual([a.id]);
    expect(await q('state=inactive')).toEqual([b.id]);
    expect(await q('revoked=true')).toEqual([b.id]);
    expect(await q('revoked=false')).toEqual([a.id, today.id]);
    expect(
      await q(`created_after=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`),
    ).toEqual([]);
    expect((await call('GET', '/personal_access_tokens?state=gone', ADMIN_TOKEN)).json).toEqual({
      error: 'state does not have a valid value',
    });
  });

  it('sort and expires_* filters exist in 18.3+, are ignored before', async () => {
    const user = 303;
    sim.addUser({ id: user, username: 'sorter' });
    const late = await createFor(user, { name: 'late', expires_at: inDays(30) });
    const soon = await createFor(user, { name: 'soon', expires_at: inDays(3) });
    const q = async (query: string): Promise<number[]> =>
      (
        (await call('GET', `/personal_access_tokens?user_id=${user}&${query}`, ADMIN_TOKEN))
          .json as TokenJson[]
      ).map((t) => t.id);
    expect(await q('sort=expires_asc')).toEqual([soon.id, late.id]);
    expect(await q(`expires_before=${inDays(10)}`)).toEqual([soon.id]);
    sim.setVersion('17.11');
    expect(await q('sort=expires_asc')).toEqual([late.id, soon.id]);
    expect(await q(`expires_before=${inDays(10)}`)).toEqual([late.id, soon.id]);
  });

  it('administrators see impersonation tokens; their owners do not', async () => {
    const imp = await call('POST', '/users/44/impersonation_tokens', ADMIN_TOKEN, {
      name: 'imp',
      scopes: ['api'],
      expires_at: inDays(5),
    });
    const id = (imp.json as TokenJson).id;
    const adminIds = (
      (await call('GET', '/personal_access_tokens?user_id=44', ADMIN_TOKEN)).json as TokenJson[]
    ).map((t) => t.id);
    expect(adminIds).toContain(id);
    const carol = (imp.json as TokenJson).token;
    const ownIds = ((await call('GET', '/personal_access_tokens', carol)).json as TokenJson[]).map(
      (t) => t.id,
    );
    expect(ownIds).not.toContain(id);
  });
});

describe('DELETE /personal_access_tokens/:id (RevokeService)', () => {
  it('204, also for a token already revoked; 404 "404 Not found" for a missing one', async () => {
    const made = await createFor(SEED_USERS.bob);
    expect((await call('DELETE', `/personal_access_tokens/${made.id}`, ADMIN_TOKEN)).status).toBe(
      204,
    );
    expect((await call('DELETE', `/personal_access_tokens/${made.id}`, ADMIN_TOKEN)).status).toBe(
      204,
    );
    expect(sim.tokens.find((t) => t.id === made.id)).toMatchObject({
      revoked: true,
      active: false,
    });
    expect(await call('DELETE', '/personal_access_tokens/987654', ADMIN_TOKEN)).toMatchObject({
      status: 404,
      json: { message: '404 Not found' },
    });
  });

  it('someone else\'s token without admin rights: 400 "400 Bad request"', async () => {
    const made = await createFor(SEED_USERS.bob);
    expect(await call('DELETE', `/personal_access_tokens/${made.id}`, USER_TOKEN)).toMatchObject({
      status: 400,
      json: { message: '400 Bad request' },
    });
  });

  it('self: any scope may revoke its own token', async () => {
    const made = await createFor(SEED_USERS.bob, { scopes: ['read_repository'] });
    expect((await call('DELETE', '/personal_access_tokens/self', made.token)).status).toBe(204);
    expect((await call('GET', '/user', made.token)).json).toMatchObject({ error: 'invalid_token' });
  });
});

describe('POST /personal_access_tokens/:id/rotate (RotateService)', () => {
  it('200: the old token revoked, the new one keeps name, description and scopes, one week', async () => {
    const made = await createFor(SEED_USERS.bob, {
      name: 'Rot',
      description: 'd',
      scopes: ['read_api'],
    });
    const res = await call('POST', `/personal_access_tokens/${made.id}/rotate`, ADMIN_TOKEN);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      name: 'Rot',
      description: 'd',
      scopes: ['read_api'],
      expires_at: inDays(7),
    });
    expect(sim.tokens.find((t) => t.id === made.id)?.revoked).toBe(true);
    expect(sim.tokens.find((t) => t.id === (res.json as TokenJson).id)?.previous_id).toBe(made.id);
    expect(
      await call('POST', `/personal_access_tokens/${made.id}/rotate`, ADMIN_TOKEN),
    ).toMatchObject({
      status: 400,
      json: { message: '400 Bad request - Token already revoked' },
    });
  });

  it("another user's token: 401 for a non-administrator; a missing one: 404 for an admin", async () => {
    const made = await createFor(SEED_USERS.bob);
    expect(
      (await call('POST', `/personal_access_tokens/${made.id}/rotate`, USER_TOKEN)).status,
    ).toBe(401);
    expect(await call('POST', '/personal_access_tokens/987654/rotate', ADMIN_TOKEN)).toMatchObject({
      status: 404,
      json: { message: '404 Not Found' },
    });
  });

  it('expires_at is honoured from 16.6 and ignored in 16.0 to 16.5; the route starts in 16.0', async () => {
    const a = await createFor(SEED_USERS.bob);
    const at = inDays(20);
    expect(
      (
        await call('POST', `/personal_access_tokens/${a.id}/rotate`, ADMIN_TOKEN, {
          expires_at: at,
        })
      ).json,
    ).toMatchObject({ expires_at: at });
    sim.setVersion('16.5');
    const b = await createFor(SEED_USERS.bob);
    expect(
      (
        await call('POST', `/personal_access_tokens/${b.id}/rotate`, ADMIN_TOKEN, {
          expires_at: at,
        })
      ).json,
    ).toMatchObject({ expires_at: inDays(7) });
    sim.setVersion('15.11');
    expect(
      (await call('POST', `/personal_access_tokens/${b.id}/rotate`, ADMIN_TOKEN)).json,
    ).toEqual({ error: '404 Not Found' });
  });

  it('reuse detection (16.3+): a rotated token used on a rotate path revokes its successors', async () => {
    const a = await createFor(SEED_USERS.bob);
    const b = (await call('POST', `/personal_access_tokens/${a.id}/rotate`, ADMIN_TOKEN))
      .json as TokenJson;
    // any other request with the old token is a plain 401
    expect((await call('GET', '/user', a.token)).status).toBe(401);
    expect(sim.tokens.find((t) => t.id === b.id)?.revoked).toBe(false);
    const replay = await call('POST', `/personal_access_tokens/${a.id}/rotate`, a.token);
    expect(replay.json).toMatchObject({
      error: 'invalid_token',
      error_description: expect.stringContaining('revoked'),
    });
    expect(sim.tokens.find((t) => t.id === b.id)?.revoked).toBe(true);

    sim.setVersion('16.2');
    const c = await createFor(SEED_USERS.bob);
    const d = (await call('POST', `/personal_access_tokens/${c.id}/rotate`, ADMIN_TOKEN))
      .json as TokenJson;
    await call('POST', `/personal_access_tokens/${c.id}/rotate`, c.token);
    expect(sim.tokens.find((t) => t.id === d.id)?.revoked).toBe(false);
  });
});

describe('POST /personal_access_tokens/self/rotate (self_rotation.rb)', () => {
  it('16.10+: rotates the calling token; with self_rotate from 17.9', async () => {
    const made = await createFor(SEED_USERS.bob, { scopes: ['self_rotate'] });
    const res = await call('POST', '/personal_access_tokens/self/rotate', made.token, {
      expires_at: inDays(9),
    });
    expect(res).toMatchObject({
      status: 200,
      json: { expires_at: inDays(9), scopes: ['self_rotate'] },
    });
    const next = (res.json as TokenJson).token;
    sim.setVersion('17.6');
    expect((await call('POST', '/personal_access_tokens/self/rotate', next)).json).toMatchObject({
      error: 'insufficient_scope',
    });
  });

  it('before 16.10 `self` falls to :id/rotate: admins 404, others 401', async () => {
    sim.setVersion('16.5');
    expect((await call('POST', '/personal_access_tokens/self/rotate', ADMIN_TOKEN)).json).toEqual({
      message: '404 Not Found',
    });
    expect((await call('POST', '/personal_access_tokens/self/rotate', USER_TOKEN)).status).toBe(
      401,
    );
  });

  it('an auth-proxy session is not a personal access token: 405', async () => {
    sim.anonymousUserId = SEED_USERS.alice;
    expect((await call('POST', '/personal_access_tokens/self/rotate', null)).json).toEqual({
      message: '405 Method Not Allowed',
    });
  });
});

describe('impersonation tokens (lib/api/users.rb)', () => {
  it('admin only; created without a default expiry: model errors are a 400 field map', async () => {
    expect(
      (await call('POST', '/users/44/impersonation_tokens', USER_TOKEN, { name: 'i' })).status,
    ).toBe(403);
    expect(
      await call('POST', '/users/44/impersonation_tokens', ADMIN_TOKEN, {
        name: 'i',
        scopes: ['api'],
      }),
    ).toMatchObject({
      status: 400,
      json: { message: { expires_at: ["can't be blank"] } },
    });
    expect(
      await call('POST', '/users/999/impersonation_tokens', ADMIN_TOKEN, { name: 'i' }),
    ).toMatchObject({
      status: 404,
      json: { message: '404 User Not Found' },
    });
  });

  it('creates (201, impersonation: true), lists, shows and revokes them', async () => {
    const res = await call('POST', '/users/44/impersonation_tokens', ADMIN_TOKEN, {
      name: 'imp',
      scopes: 'api,read_user',
      expires_at: inDays(3),
    });
    expect(res).toMatchObject({
      status: 201,
      json: { impersonation: true, scopes: ['api', 'read_user'], active: true },
    });
    const id = (res.json as TokenJson).id;
    const list = await call('GET', '/users/44/impersonation_tokens?state=active', ADMIN_TOKEN);
    expect((list.json as TokenJson[]).map((t) => t.id)).toContain(id);
    expect(list.headers.get('x-total')).toBeTruthy();
    expect(
      (await call('GET', `/users/44/impersonation_tokens/${id}`, ADMIN_TOKEN)).json,
    ).toMatchObject({ id });
    expect((await call('DELETE', `/users/44/impersonation_tokens/${id}`, ADMIN_TOKEN)).status).toBe(
      204,
    );
    expect(await call('GET', '/users/44/impersonation_tokens/987654', ADMIN_TOKEN)).toMatchObject({
      status: 404,
      json: { message: '404 Impersonation Token Not Found' },
    });
  });
});

describe('group service accounts (ee/lib/api/group_service_accounts.rb)', () => {
  it("creates a token for the group's service account (201), by id or URL-encoded path", async () => {
    const res = await call('POST', SA_TOKENS, GROUP_OWNER_TOKEN, { name: 'bot', scopes: ['api'] });
    expect(res).toMatchObject({ status: 201, json: { user_id: 90, expires_at: inDays(365) } });
    const byPath = await call(
      'POST',
      `/groups/acme/service_accounts/90/personal_access_tokens`,
      ADMIN_TOKEN,
      { name: 'bot', scopes: ['api'] },
    );
    expect(byPath.status).toBe(201);
  });

  it('404 Group, 403 non-owner or Free plan, 400 params, 404 User, in that order', async () => {
    expect(
      await call(
        'POST',
        '/groups/999/service_accounts/90/personal_access_tokens',
        GROUP_OWNER_TOKEN,
        {},
      ),
    ).toMatchObject({
      status: 404,
      json: { message: '404 Group Not Found' },
    });
    expect((await call('POST', SA_TOKENS, USER_TOKEN, {})).json).toEqual({
      message: '403 Forbidden',
    });
    expect(
      (
        await call(
          'POST',
          `/groups/${FREE_GROUP}/service_accounts/${FREE_SA}/personal_access_tokens`,
          FREE_OWNER_TOKEN,
          { name: 'x', scopes: ['api'] },
        )
      ).status,
    ).toBe(403);
    expect(
      (
        await call(
          'POST',
          `/groups/7/service_accounts/42/personal_access_tokens`,
          GROUP_OWNER_TOKEN,
          {},
        )
      ).json,
    ).toEqual({
      error: 'name is missing, scopes is missing, scopes does not have a valid value',
    });
    expect(
      (
        await call(
          'POST',
          `/groups/7/service_accounts/42/personal_access_tokens`,
          GROUP_OWNER_TOKEN,
          { name: 'x', scopes: ['api'] },
        )
      ).json,
    ).toEqual({
      message: '404 User Not Found',
    });
  });

  it("a subgroup keeps its Owner's rights but not the top-level group's account: 404 User", async () => {
    const sub = `/groups/${encodeURIComponent('acme/platform')}/service_accounts/90/personal_access_tokens`;
    expect(
      await call('POST', sub, GROUP_OWNER_TOKEN, { name: 'bot', scopes: ['api'] }),
    ).toMatchObject({
      status: 404,
      json: { message: '404 User Not Found' },
    });
    sim.setVersion('16.5');
    expect(
      (await call('POST', sub, GROUP_OWNER_TOKEN, { name: 'bot', scopes: ['api'] })).json,
    ).toEqual({ message: '404 Not Found' });
  });

  it('routes by version: create/rotate 16.1, revoke 17.10, list 17.11, else the catch-all', async () => {
    const made = (await call('POST', SA_TOKENS, GROUP_OWNER_TOKEN, { name: 'v', scopes: ['api'] }))
      .json as TokenJson;
    sim.setVersion('16.0');
    expect(
      (await call('POST', SA_TOKENS, GROUP_OWNER_TOKEN, { name: 'v', scopes: ['api'] })).json,
    ).toEqual({ error: '404 Not Found' });
    sim.setVersion('17.9');
    expect((await call('DELETE', `${SA_TOKENS}/${made.id}`, GROUP_OWNER_TOKEN)).json).toEqual({
      error: '404 Not Found',
    });
    sim.setVersion('17.10');
    expect((await call('GET', SA_TOKENS, GROUP_OWNER_TOKEN)).json).toEqual({
      error: '404 Not Found',
    });
    expect(await call('DELETE', `${SA_TOKENS}/987654`, GROUP_OWNER_TOKEN)).toMatchObject({
      status: 404,
      json: { message: '404 Personal Access Token Not Found' },
    });
    expect((await call('DELETE', `${SA_TOKENS}/${made.id}`, GROUP_OWNER_TOKEN)).status).toBe(204);
    expect((await call('DELETE', `${SA_TOKENS}/${made.id}`, GROUP_OWNER_TOKEN)).status).toBe(204);
    sim.setVersion('17.11');
    const list = await call('GET', `${SA_TOKENS}?state=inactive`, GROUP_OWNER_TOKEN);
    expect((list.json as TokenJson[]).map((t) => t.id)).toContain(made.id);
    expect(list.headers.get('x-page')).toBe('1');
  });

  it('rotate: expires_at from 17.9 (one week before); a token of someone else: 404 Not Found', async () => {
    const at = inDays(30);
    sim.setVersion('17.6');
    const a = (await call('POST', SA_TOKENS, GROUP_OWNER_TOKEN, { name: 'r', scopes: ['api'] }))
      .json as TokenJson;
    expect(
      (await call('POST', `${SA_TOKENS}/${a.id}/rotate`, GROUP_OWNER_TOKEN, { expires_at: at }))
        .json,
    ).toMatchObject({ expires_at: inDays(7) });
    sim.setVersion('17.9');
    const b = (await call('POST', SA_TOKENS, GROUP_OWNER_TOKEN, { name: 'r', scopes: ['api'] }))
      .json as TokenJson;
    expect(
      (await call('POST', `${SA_TOKENS}/${b.id}/rotate`, GROUP_OWNER_TOKEN, { expires_at: at }))
        .json,
    ).toMatchObject({ expires_at: at });
    const other = await createFor(SEED_USERS.bob);
    expect((await call('POST', `${SA_TOKENS}/${other.id}/rotate`, GROUP_OWNER_TOKEN)).json).toEqual(
      { message: '404 Not Found' },
    );
  });
});

describe('faults', () => {
  it('rate limits like Rack::Attack; afterCreate faults answer after storing the token', async () => {
    sim.addFault({ method: 'GET', pathPattern: /\/version$/, fault: { kind: 'rateLimit' } });
    const limited = await call('GET', '/version', ADMIN_TOKEN);
    expect(limited).toMatchObject({ status: 429, text: 'Retry later\n' });
    expect(limited.headers.get('retry-after')).toBe('0');
    expect(limited.headers.get('content-type')).toBe('text/plain');
    sim.addFault({
      pathPattern: /personal_access_tokens$/,
      fault: { kind: 'status', status: 502, afterCreate: true },
    });
    const before = sim.tokens.length;
    expect(
      (
        await call('POST', '/users/44/personal_access_tokens', ADMIN_TOKEN, {
          name: 'l',
          scopes: ['api'],
        })
      ).status,
    ).toBe(502);
    expect(sim.tokens.length).toBe(before + 1);
  });

  it('commitDelayMs: the token appears only after the fault answer (a late commit)', async () => {
    sim.addFault({
      method: 'POST',
      fault: { kind: 'status', status: 504, afterCreate: true, commitDelayMs: 150 },
    });
    const before = sim.tokens.length;
    expect(
      (
        await call('POST', '/users/44/personal_access_tokens', ADMIN_TOKEN, {
          name: 'late',
          scopes: ['api'],
        })
      ).status,
    ).toBe(504);
    expect(sim.tokens.length).toBe(before);
    while (sim.tokens.length === before) await new Promise((r) => setTimeout(r, 10));
    expect(sim.tokens.length).toBe(before + 1);
    expect(sim.tokens.at(-1)?.name).toBe('late');
  });

  it("commitOn 'next-request': the token appears just before the next request is handled", async () => {
    sim.addFault({
      method: 'POST',
      fault: { kind: 'status', status: 504, afterCreate: true, commitOn: 'next-request' },
    });
    const before = sim.tokens.length;
    const body = { name: 'late next', scopes: ['api'] };
    expect((await call('POST', '/users/44/personal_access_tokens', ADMIN_TOKEN, body)).status).toBe(
      504,
    );
    expect(sim.tokens.length).toBe(before);
    const listed = await call(
      'GET',
      '/personal_access_tokens?user_id=44&search=late+next',
      ADMIN_TOKEN,
    );
    expect((listed.json as { name: string }[]).map((token) => token.name)).toEqual(['late next']);
    expect(sim.tokens.length).toBe(before + 1);
  });

  it('commitOn a promise: the token appears once it settles', async () => {
    let commit = (): void => undefined;
    const committed = new Promise<void>((resolve) => (commit = resolve));
    sim.addFault({
      method: 'POST',
      fault: { kind: 'status', status: 504, afterCreate: true, commitOn: committed },
    });
    const before = sim.tokens.length;
    const body = { name: 'late gate', scopes: ['api'] };
    expect((await call('POST', '/users/44/personal_access_tokens', ADMIN_TOKEN, body)).status).toBe(
      504,
    );
    await call('GET', '/version', ADMIN_TOKEN);
    expect(sim.tokens.length).toBe(before);
    commit();
    await committed;
    await Promise.resolve();
    expect(sim.tokens.at(-1)?.name).toBe('late gate');
  });

  it('hang until a promise settles: the token is stored, then the connection is reset', async () => {
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    sim.addFault({ method: 'POST', fault: { kind: 'hang', afterCreate: true, until: released } });
    const before = sim.tokens.length;
    const reply = call('POST', '/users/44/personal_access_tokens', ADMIN_TOKEN, {
      name: 'hung',
      scopes: ['api'],
    }).then(
      () => 'answered',
      () => 'lost',
    );
    while (sim.tokens.length === before) await new Promise((r) => setTimeout(r, 10));
    expect(sim.tokens.at(-1)?.name).toBe('hung');
    release();
    expect(await reply).toBe('lost');
  });

  it('raw writes bytes to the socket, here after creating the token', async () => {
    sim.addFault({
      method: 'POST',
      fault: {
        kind: 'raw',
        afterCreate: true,
        data: 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
      },
    });
    const before = sim.tokens.length;
    const { port } = new URL(sim.url);
    const received = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => {
        const body = JSON.stringify({ name: 'raw', scopes: ['api'] });
        socket.write(
          `POST /api/v4/users/44/personal_access_tokens HTTP/1.1\r\nHost: x\r\nPRIVATE-TOKEN: ${ADMIN_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
        );
      });
      let data = '';
      socket.on('data', (c: Buffer) => (data += c.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(received.startsWith('HTTP/1.1 101 Switching Protocols')).toBe(true);
    expect(sim.tokens.length).toBe(before + 1);
  });

  it('huge sends exactly N bytes; endless never ends', async () => {
    sim.addFault({ method: 'GET', fault: { kind: 'huge', bytes: 300_000 } });
    const huge = await call('GET', '/version', ADMIN_TOKEN);
    expect(huge.text.length).toBe(300_000);
    expect(huge.text.startsWith('{"message":"')).toBe(true);
    sim.addFault({ method: 'GET', fault: { kind: 'endless', status: 200 } });
    const got = await new Promise<number>((resolve, reject) => {
      const req = http.get(`${api()}/version`, (res) => {
        let n = 0;
        res.on('data', (c: Buffer) => {
          n += c.length;
          if (n > 1_000_000) {
            req.destroy();
            resolve(n);
          }
        });
      });
      req.on('error', (e) =>
        e.message.includes('aborted') || e.message.includes('socket hang up')
          ? undefined
          : reject(e),
      );
    });
    expect(got).toBeGreaterThan(1_000_000);
  });
});

describe('ConnectProxy', () => {
  it('forwards and records a plain-HTTP absolute-URI request', async () => {
    const proxy = new ConnectProxy();
    const proxyUrl = new URL(await proxy.start());
    try {
      const target = `${api()}/version`;
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request(
          {
            host: proxyUrl.hostname,
            port: proxyUrl.port,
            path: target,
            headers: { 'PRIVATE-TOKEN': ADMIN_TOKEN },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(200);
      expect(proxy.requests).toEqual([target]);
      expect(proxy.connects).toEqual([]);
    } finally {
      await proxy.stop();
    }
  });
});

const PRAT = `/projects/${SEED_PROJECTS.app}/access_tokens`;
const GRAT = `/groups/${SEED_GROUPS.acme}/access_tokens`;
const FREE_PROJECT = 71;

async function resourceToken(
  body: Record<string, unknown> = {},
  token = MAINTAINER_TOKEN,
  base = PRAT,
): Promise<TokenJson> {
  const res = await call('POST', base, token, { name: 'bot', scopes: ['api'], ...body });
  expect(res.status).toBe(201);
  return res.json as TokenJson;
}

describe('project and group access tokens (lib/api/resource_access_tokens.rb)', () => {
  it('creates a bot member and its token (201); the token authenticates as the bot', async () => {
    const made = await resourceToken({ name: 'deploy', scopes: ['read_api', 'read_repository'] });
    expect(made).toMatchObject({
      name: 'deploy',
      scopes: ['read_api', 'read_repository'],
      access_level: 40,
      resource_type: 'project',
      resource_id: 70,
      active: true,
      revoked: false,
      expires_at: inDays(365),
    });
    expect(made.token).toMatch(/^glpat-/);
    const bot = (await call('GET', `/users/${made.user_id}`, ADMIN_TOKEN)).json as {
      username: string;
      name: string;
    };
    expect(bot.username).toMatch(/^project_70_bot_[0-9a-f]{32}$/);
    expect(bot.name).toBe('deploy');
    expect((await call('GET', '/user', made.token)).json).toMatchObject({ id: made.user_id });
    const byPath = await resourceToken(
      { access_level: 20 },
      MAINTAINER_TOKEN,
      '/projects/acme%2Fapp/access_tokens',
    );
    expect(byPath).toMatchObject({ access_level: 20, resource_id: 70 });
    const group = await resourceToken({}, GROUP_OWNER_TOKEN, GRAT);
    expect(group).toMatchObject({ resource_type: 'group', resource_id: 7, access_level: 40 });
    const groupBot = (await call('GET', `/users/${group.user_id}`, ADMIN_TOKEN)).json as {
      username: string;
    };
    expect(groupBot.username).toMatch(/^group_7_bot_[0-9a-f]{32}$/);
  });

  it('checks in GitLab order: 401, 400 params, 404 project/group, 400 permission, 400 level, 400 model', async () => {
    expect(await call('POST', PRAT, null, {})).toMatchObject({
      status: 401,
      json: { message: '401 Unauthorized' },
    });
    expect((await call('POST', '/projects/999/access_tokens', MAINTAINER_TOKEN, {})).json).toEqual({
      error: 'name is missing, scopes is missing, scopes does not have a valid value',
    });
    // resource_bot_scopes: no read_user (nor admin scopes); access_level `values:`
    expect(
      (
        await call('POST', PRAT, MAINTAINER_TOKEN, {
          name: 'x',
          scopes: ['read_user'],
          access_level: 35,
        })
      ).json,
    ).toEqual({
      error: 'scopes does not have a valid value, access_level does not have a valid value',
    });
    const ok = { name: 'x', scopes: ['api'] };
    expect(await call('POST', '/projects/999/access_tokens', MAINTAINER_TOKEN, ok)).toMatchObject({
      status: 404,
      json: { message: '404 Project Not Found' },
    });
    // a private project the caller is no member of is not found either
    expect((await call('POST', PRAT, USER_TOKEN, ok)).json).toEqual({
      message: '404 Project Not Found',
    });
    expect(await call('POST', '/groups/999/access_tokens', GROUP_OWNER_TOKEN, ok)).toMatchObject({
      status: 404,
      json: { message: '404 Group Not Found' },
    });
    // CreateService failures are bad_request!(message): 400, not 403
    expect(await call('POST', PRAT, DEVELOPER_TOKEN, ok)).toMatchObject({
      status: 400,
      json: {
        message: '400 Bad request - User does not have permission to create project access token',
      },
    });
    expect((await call('POST', GRAT, MAINTAINER_TOKEN, ok)).json).toEqual({
      message: '400 Bad request - User does not have permission to create group access token',
    });
    expect((await call('POST', PRAT, MAINTAINER_TOKEN, { ...ok, access_level: 50 })).json).toEqual({
      message:
        '400 Bad request - Access level of the token contains permissions not held by the creating user',
    });
    const max = inDays(365);
    expect(
      (await call('POST', PRAT, MAINTAINER_TOKEN, { ...ok, expires_at: inDays(400) })).json,
    ).toEqual({
      message: `400 Bad request - Expiration date must be before ${max}`,
    });
    // the group's Owner inherits Owner in its projects
    expect((await resourceToken({ access_level: 50 }, GROUP_OWNER_TOKEN)).access_level).toBe(50);
  });

  it('before 18.0 (inferred): the older access-level messages; Planner (15) exists from 17.7', async () => {
    sim.setVersion('17.6');
    const ok = { name: 'x', scopes: ['api'] };
    expect((await call('POST', PRAT, MAINTAINER_TOKEN, { ...ok, access_level: 50 })).json).toEqual({
      message: '400 Bad request - Could not provision owner access to project access token',
    });
    expect((await call('POST', GRAT, DEVELOPER_TOKEN, ok)).json).toEqual({
      message: '400 Bad request - User does not have permission to create group access token',
    });
    expect((await call('POST', PRAT, MAINTAINER_TOKEN, { ...ok, access_level: 15 })).json).toEqual({
      error: 'access_level does not have a valid value',
    });
    sim.setVersion('17.7');
    expect((await resourceToken({ access_level: 15 })).access_level).toBe(15);
  });

  it('expiry: the maximum lifetime by default; none when not required (17.3+), not before', async () => {
    sim.requireExpiry = false;
    expect((await resourceToken()).expires_at).toBeNull();
    sim.setVersion('17.2');
    expect((await resourceToken()).expires_at).toBe(inDays(365));
  });

  it('description from 17.2 (shown with the token entity from 17.7); resource_* fields 18.3+', async () => {
    sim.setVersion('17.6');
    const old = await resourceToken({ description: 'ci' });
    expect(old).not.toHaveProperty('description');
    expect(old).not.toHaveProperty('resource_type');
    expect((sim.tokens.find((t) => t.id === old.id) as SimToken).description).toBe('ci');
    sim.setVersion('17.1');
    const dropped = await resourceToken({ description: 'ci' });
    expect((sim.tokens.find((t) => t.id === dropped.id) as SimToken).description).toBeNull();
  });

  it('GitLab.com Free: no project/group access tokens (400 create, 401 list); self-managed Free: yes', async () => {
    sim.addProject({ id: FREE_PROJECT, fullPath: 'freebies/tool', namespaceId: FREE_GROUP });
    const path = `/projects/${FREE_PROJECT}/access_tokens`;
    expect((await resourceToken({}, FREE_OWNER_TOKEN, path)).access_level).toBe(40);
    sim.gitlabDotCom = true;
    expect(
      (await call('POST', path, FREE_OWNER_TOKEN, { name: 'x', scopes: ['api'] })).json,
    ).toEqual({
      message: '400 Bad request - User does not have permission to create project access token',
    });
    expect((await call('GET', path, FREE_OWNER_TOKEN)).status).toBe(401);
    expect((await resourceToken({}, GROUP_OWNER_TOKEN)).access_level).toBe(40);
  });

  it('a bot may not create tokens (project_bot_access)', async () => {
    const made = await resourceToken();
    expect((await call('POST', PRAT, made.token, { name: 'x', scopes: ['api'] })).json).toEqual({
      message: '400 Bad request - User does not have permission to create project access token',
    });
  });

  it('GET one: 200 with access_level; 401 below Maintainer; 404 by version', async () => {
    const made = await resourceToken({ access_level: 30 });
    expect((await call('GET', `${PRAT}/${made.id}`, MAINTAINER_TOKEN)).json).toMatchObject({
      id: made.id,
      access_level: 30,
      user_id: made.user_id,
    });
    expect((await call('GET', `${PRAT}/${made.id}`, DEVELOPER_TOKEN)).status).toBe(401);
    expect((await call('GET', `${PRAT}/999999`, MAINTAINER_TOKEN)).json).toEqual({
      message: '404 project Access Token Not Found',
    });
    // a token of another resource is not found here
    expect((await call('GET', `${GRAT}/${made.id}`, GROUP_OWNER_TOKEN)).json).toEqual({
      message: '404 group Access Token Not Found',
    });
    sim.setVersion('17.6');
    expect((await call('GET', `${PRAT}/999999`, MAINTAINER_TOKEN)).json).toEqual({
      message: '404 Could not find project access token with token_id: 999999 Not Found',
    });
  });

  it('list: every token of the bots before 17.2 (state ignored), state from 17.2, finder filters 18.3+', async () => {
    sim.setVersion('17.0');
    const a = await resourceToken({ name: 'list-a' });
    const rotated = await call('POST', `${PRAT}/${a.id}/rotate`, MAINTAINER_TOKEN);
    expect(rotated.status).toBe(200);
    const ids = async (q = ''): Promise<number[]> =>
      ((await call('GET', `${PRAT}${q}`, MAINTAINER_TOKEN)).json as TokenJson[]).map((t) => t.id);
    expect(await ids('?state=active&per_page=100')).toContain(a.id);
    sim.setVersion('17.2');
    expect(await ids('?state=active&per_page=100')).not.toContain(a.id);
    expect(await ids('?state=inactive&per_page=100')).toContain(a.id);
    expect(
      (await call('GET', `/projects/999/access_tokens?state=x`, MAINTAINER_TOKEN)).json,
    ).toEqual({
      error: 'state does not have a valid value',
    });
    expect((await call('GET', PRAT, DEVELOPER_TOKEN)).json).toEqual({
      message: '401 Unauthorized',
    });
    sim.setVersion('18.3');
    const found = (await call('GET', `${PRAT}?search=list-a&state=active`, MAINTAINER_TOKEN))
      .json as TokenJson[];
    expect(found.map((t) => t.name)).toEqual(['list-a']);
    expect(found[0]).toMatchObject({ access_level: 40, resource_type: 'project' });
    const page = await call('GET', `${PRAT}?per_page=1`, MAINTAINER_TOKEN);
    expect(page.headers.get('x-per-page')).toBe('1');
    sim.setVersion('18.2');
    // before 18.3 (inferred) only `state` is declared: search is ignored
    expect((await ids('?search=list-a&state=active&per_page=100')).length).toBeGreaterThan(1);
  });

  it('revoke 17.9+: 204 (again 204), the bot and its membership stay, the token is revoked', async () => {
    const made = await resourceToken({ name: 'gone' });
    expect((await call('DELETE', `${PRAT}/${made.id}`, DEVELOPER_TOKEN)).json).toEqual({
      message: '400 Bad request - Developer cannot delete gone',
    });
    expect((await call('DELETE', `${PRAT}/${made.id}`, MAINTAINER_TOKEN)).status).toBe(204);
    expect((await call('DELETE', `${PRAT}/${made.id}`, MAINTAINER_TOKEN)).status).toBe(204);
    expect((await call('GET', `${PRAT}/${made.id}`, MAINTAINER_TOKEN)).json).toMatchObject({
      revoked: true,
      access_level: 40,
    });
    expect((await call('GET', '/user', made.token)).json).toMatchObject({ error: 'invalid_token' });
    expect((await call('DELETE', `${PRAT}/999999`, DEVELOPER_TOKEN)).status).toBe(404);
  });

  it('revoke before 17.9: the bot is deleted with its tokens (then 404; the secret is unknown)', async () => {
    sim.setVersion('17.6');
    const made = await resourceToken({ name: 'deleted' });
    expect((await call('DELETE', `${PRAT}/${made.id}`, MAINTAINER_TOKEN)).status).toBe(204);
    expect((await call('DELETE', `${PRAT}/${made.id}`, MAINTAINER_TOKEN)).status).toBe(404);
    expect((await call('GET', '/user', made.token)).json).toEqual({ message: '401 Unauthorized' });
    expect((await call('GET', `/users/${made.user_id}`, ADMIN_TOKEN)).status).toBe(404);
  });

  it('rotate: 200, same name/description/scopes/level, one week; revoked 400; 401/404 without rights', async () => {
    const made = await resourceToken({
      name: 'rot',
      description: 'd',
      scopes: ['api'],
      access_level: 30,
    });
    const res = await call('POST', `${PRAT}/${made.id}/rotate`, MAINTAINER_TOKEN);
    expect(res).toMatchObject({
      status: 200,
      json: {
        name: 'rot',
        description: 'd',
        scopes: ['api'],
        access_level: 30,
        user_id: made.user_id,
        expires_at: inDays(7),
      },
    });
    expect((await call('POST', `${PRAT}/${made.id}/rotate`, MAINTAINER_TOKEN)).json).toEqual({
      message: '400 Bad request - Token already revoked',
    });
    expect((await call('POST', `${PRAT}/${made.id}/rotate`, DEVELOPER_TOKEN)).json).toEqual({
      message: '401 Unauthorized',
    });
    expect((await call('POST', `${PRAT}/999999/rotate`, ADMIN_TOKEN)).json).toEqual({
      message: '404 Not Found',
    });
    const owners = await resourceToken({ access_level: 50 }, GROUP_OWNER_TOKEN);
    expect((await call('POST', `${PRAT}/${owners.id}/rotate`, MAINTAINER_TOKEN)).json).toEqual({
      message:
        '400 Bad request - Not eligible to rotate tokens with permissions not held by the user',
    });
    sim.setVersion('17.6');
    expect((await call('POST', `${PRAT}/${owners.id}/rotate`, MAINTAINER_TOKEN)).json).toEqual({
      message:
        '400 Bad request - Not eligible to rotate token with access level higher than the user',
    });
  });

  it('rotate: the route starts in 16.0; expires_at honoured from 16.6', async () => {
    const at = inDays(30);
    sim.setVersion('15.11');
    const made = await resourceToken();
    expect((await call('POST', `${PRAT}/${made.id}/rotate`, MAINTAINER_TOKEN)).json).toEqual({
      error: '404 Not Found',
    });
    sim.setVersion('16.5');
    const a = (
      await call('POST', `${PRAT}/${made.id}/rotate`, MAINTAINER_TOKEN, { expires_at: at })
    ).json as TokenJson;
    expect(a.expires_at).toBe(inDays(7));
    sim.setVersion('16.6');
    expect(
      (await call('POST', `${PRAT}/${a.id}/rotate`, MAINTAINER_TOKEN, { expires_at: at })).json,
    ).toMatchObject({ expires_at: at });
  });

  it('self/rotate (17.9): a bot rotates its own token with api or self_rotate; reuse detection', async () => {
    const made = await resourceToken({ scopes: ['self_rotate'] });
    // a human's token: 405
    expect((await call('POST', `${PRAT}/self/rotate`, MAINTAINER_TOKEN)).status).toBe(405);
    // the bot's token on another resource: 401
    expect((await call('POST', `${GRAT}/self/rotate`, made.token)).status).toBe(401);
    const res = await call('POST', `${PRAT}/self/rotate`, made.token);
    expect(res).toMatchObject({
      status: 200,
      json: { user_id: made.user_id, scopes: ['self_rotate'] },
    });
    const next = res.json as TokenJson;
    // the old secret on a rotate path revokes the whole family (16.3+)
    expect((await call('POST', `${PRAT}/self/rotate`, made.token)).status).toBe(401);
    expect((await call('GET', '/personal_access_tokens/self', next.token)).json).toMatchObject({
      error: 'invalid_token',
    });
    const api = await resourceToken({ scopes: ['api'] }, GROUP_OWNER_TOKEN, GRAT);
    expect((await call('POST', `${GRAT}/self/rotate`, api.token)).status).toBe(200);
    // before 17.9 `self` is a :token_id a bot may not manage: 401
    sim.setVersion('17.6');
    const old = await resourceToken();
    expect((await call('POST', `${PRAT}/self/rotate`, old.token)).json).toEqual({
      message: '401 Unauthorized',
    });
  });
});
