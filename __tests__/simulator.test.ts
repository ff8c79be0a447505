// Checks the GitLab simulator and the test proxy themselves (not the action).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as http from 'node:http';
import { ConnectProxy } from './simulator/connect-proxy.js';
import {
  ADMIN_TOKEN,
  GROUP_OWNER_TOKEN,
  GitLabSimulator,
  SEED_USERS,
  USER_TOKEN,
} from './simulator/gitlab-simulator.js';

const sim = new GitLabSimulator();
let api = '';

function inDays(days: number): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

async function call(
  method: string,
  path: string,
  token: string | null,
  body?: unknown,
): Promise<{ status: number; json: unknown; headers: Headers }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers['PRIVATE-TOKEN'] = token;
  const res = await fetch(`${api}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: 'manual',
  });
  const text = await res.text();
  return {
    status: res.status,
    json: text ? (JSON.parse(text) as unknown) : null,
    headers: res.headers,
  };
}

beforeAll(async () => {
  sim.seedDefaults();
  api = `${await sim.start()}/api/v4`;
});

afterAll(async () => {
  await sim.stop();
});

describe('GitLabSimulator', () => {
  it('creates a token for a user (201) with a default expiry', async () => {
    const res = await call(
      'POST',
      `/users/${SEED_USERS.alice}/personal_access_tokens`,
      ADMIN_TOKEN,
      {
        name: 'ci',
        scopes: ['api', 'read_repository'],
      },
    );
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      name: 'ci',
      user_id: 42,
      scopes: ['api', 'read_repository'],
      active: true,
      revoked: false,
      expires_at: inDays(365),
    });
    expect((res.json as { token: string }).token).toMatch(/^glpat-[A-Za-z0-9_-]{20}$/);
    expect(sim.requests.at(-1)?.body).toEqual({ name: 'ci', scopes: ['api', 'read_repository'] });
  });

  it('answers 401, 403 and 404 like GitLab', async () => {
    const body = { name: 'x', scopes: ['api'] };
    expect((await call('POST', '/users/42/personal_access_tokens', null, body)).json).toEqual({
      message: '401 Unauthorized',
    });
    expect((await call('POST', '/users/42/personal_access_tokens', USER_TOKEN, body)).status).toBe(
      403,
    );
    const missing = await call('POST', '/users/999/personal_access_tokens', ADMIN_TOKEN, body);
    expect(missing).toMatchObject({ status: 404, json: { message: '404 User Not Found' } });
  });

  it('validates the body with 400s', async () => {
    const bad = await call('POST', '/users/42/personal_access_tokens', ADMIN_TOKEN, {
      name: 'x',
      scopes: ['nope'],
    });
    expect(bad).toMatchObject({
      status: 400,
      json: { error: 'scopes does not have a valid value' },
    });
    const past = await call('POST', '/users/42/personal_access_tokens', ADMIN_TOKEN, {
      name: 'x',
      scopes: ['api'],
      expires_at: inDays(-1),
    });
    expect(past.json).toEqual({ message: { expires_at: ['must be in the future'] } });
  });

  it('lists, rotates and revokes tokens', async () => {
    const created = await call('POST', '/users/43/personal_access_tokens', ADMIN_TOKEN, {
      name: 'Unique-Name-123',
      scopes: ['read_api'],
    });
    const id = (created.json as { id: number }).id;
    const list = await call(
      'GET',
      '/personal_access_tokens?user_id=43&search=unique-name&state=active',
      ADMIN_TOKEN,
    );
    expect(list.json).toEqual([expect.objectContaining({ id, name: 'Unique-Name-123' })]);
    expect((list.json as Record<string, unknown>[])[0]).not.toHaveProperty('token');

    const rotated = await call('POST', `/personal_access_tokens/${id}/rotate`, ADMIN_TOKEN);
    expect(rotated.status).toBe(200);
    const newId = (rotated.json as { id: number }).id;
    expect(newId).not.toBe(id);
    expect(rotated.json).toMatchObject({ name: 'Unique-Name-123', expires_at: inDays(7) });
    expect((await call('POST', `/personal_access_tokens/${id}/rotate`, ADMIN_TOKEN)).status).toBe(
      400,
    );

    expect((await call('DELETE', `/personal_access_tokens/${newId}`, ADMIN_TOKEN)).status).toBe(
      204,
    );
    expect((await call('DELETE', `/personal_access_tokens/${newId}`, ADMIN_TOKEN)).status).toBe(
      404,
    );
    expect(sim.tokens.find((t) => t.id === newId)).toMatchObject({ revoked: true, active: false });
  });

  it('creates a group service-account token by URL-encoded path', async () => {
    const res = await call(
      'POST',
      `/groups/acme/service_accounts/${SEED_USERS.serviceAccount}/personal_access_tokens`,
      GROUP_OWNER_TOKEN,
      { name: 'bot', scopes: ['api'] },
    );
    expect(res).toMatchObject({ status: 201, json: { user_id: 90 } });
    const sub = await call(
      'POST',
      `/groups/${encodeURIComponent('acme/platform')}/service_accounts/90/personal_access_tokens`,
      GROUP_OWNER_TOKEN,
      { name: 'bot', scopes: ['api'] },
    );
    expect(sub.status).toBe(403);
  });

  it('injects faults, afterCreate ones after storing the token', async () => {
    sim.addFault({ method: 'GET', pathPattern: /\/version$/, fault: { kind: 'rateLimit' } });
    const limited = await call('GET', '/version', ADMIN_TOKEN);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('0');
    sim.addFault({
      pathPattern: /personal_access_tokens$/,
      fault: { kind: 'status', status: 502, afterCreate: true },
    });
    const before = sim.tokens.length;
    const lost = await call('POST', '/users/44/personal_access_tokens', ADMIN_TOKEN, {
      name: 'l',
      scopes: ['api'],
    });
    expect(lost.status).toBe(502);
    expect(sim.tokens.length).toBe(before + 1);
  });
});

describe('ConnectProxy', () => {
  it('forwards and records a plain-HTTP absolute-URI request', async () => {
    const proxy = new ConnectProxy();
    const proxyUrl = new URL(await proxy.start());
    try {
      const target = `${api}/version`;
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
