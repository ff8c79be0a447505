/**
 * `self-rotate` and `rotate-before` for the credential itself, through the action's main step: the
 * credential rotates into a new one (output and masked), only when due, never twice after a lost
 * reply, with GitLab's refusals explained.
 */
import { describe, expect, it } from '@jest/globals';
import { ADMIN_TOKEN, type SimToken } from './simulator/gitlab-simulator.js';
import { expectNoSecretsIn, useSimulator } from './helpers/simulator-fixture.js';
import { commands, maskedFirst, runMainStep, type StepResult } from './helpers/run-action.js';

const sim = useSimulator();
const days = (n: number): string =>
  new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

/** A personal access token of alice's, made through the API, to act as the credential. */
async function credential(expiresInDays: number, scopes = ['api']): Promise<SimToken> {
  const response = await fetch(`${sim.url}/api/v4/users/42/personal_access_tokens`, {
    method: 'POST',
    headers: { 'private-token': ADMIN_TOKEN, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'ci credential', scopes, expires_at: days(expiresInDays) }),
  });
  expect(response.status).toBe(201);
  const { id } = (await response.json()) as { id: number };
  sim.requests.length = 0;
  return sim.tokens.find((token) => token.id === id) as SimToken;
}

function run(secret: string, inputs: Record<string, string> = {}): Promise<StepResult> {
  return runMainStep({
    inputs: { 'base-url': sim.url, 'gitlab-token': secret, 'self-rotate': 'true', ...inputs },
  });
}

const lastToken = (): SimToken => sim.tokens[sim.tokens.length - 1];

describe('self-rotate', () => {
  it('the credential rotates itself: one request, the new secret output and masked', async () => {
    const old = await credential(10);
    const result = await run(old.token, { 'expires-at': '90d' });
    expect(result.code).toBe(0);
    expect(sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /api/v4/personal_access_tokens/self',
      'POST /api/v4/personal_access_tokens/self/rotate',
    ]);
    const fresh = lastToken();
    expect(old.active).toBe(false);
    expect(fresh.active).toBe(true);
    expect(result.outputs.token).toBe(fresh.token);
    expect(result.outputs.rotated).toBe('true');
    expect(result.outputs['expires-at']).toBe(days(90));
    expect(maskedFirst(result.stdout, fresh.token)).toBe(true);
    // The new secret works.
    const me = await fetch(`${sim.url}/api/v4/user`, { headers: { 'private-token': fresh.token } });
    expect(me.status).toBe(200);
    expectNoSecretsIn(result, [old.token], [sim]);
  });

  it('with rotate-before: not due, nothing changes and no secret is output', async () => {
    const current = await credential(60);
    const result = await run(current.token, { 'rotate-before': '30d' });
    expect(result.code).toBe(0);
    expect(sim.requests.map((r) => r.method)).toEqual(['GET']);
    expect(current.active).toBe(true);
    expect(result.outputs.rotated).toBe('false');
    expect(result.outputs.id).toBe(String(current.id));
    expect(result.outputs.token).toBeUndefined();
    expectNoSecretsIn(result, [current.token], [sim]);
  });

  it('with rotate-before: due, rotated', async () => {
    const current = await credential(5);
    const result = await run(current.token, { 'rotate-before': '30d', 'expires-at': '60d' });
    expect(result.code).toBe(0);
    expect(current.active).toBe(false);
    expect(result.outputs.rotated).toBe('true');
    expectNoSecretsIn(result, [current.token], [sim]);
  });

  it('a lost reply is never sent again; the step says whether the credential still works', async () => {
    const old = await credential(10);
    sim.addFault({
      method: 'POST',
      pathPattern: /\/self\/rotate$/,
      fault: { kind: 'status', status: 502, afterCreate: true },
    });
    const result = await run(old.token);
    expect(result.code).toBe(1);
    expect(sim.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    const [error] = commands(result.stdout, 'error');
    expect(error).toContain('no longer works: GitLab rotated (or revoked) it');
    expect(error).toContain(`token ID ${old.id}`);
    expectNoSecretsIn(result, [old.token], [sim]);
  });

  it('before GitLab 16.10, says the version it needs', async () => {
    sim.setVersion('16.9');
    const old = await credential(10);
    const result = await run(old.token);
    expect(result.code).toBe(1);
    expect(commands(result.stdout, 'error')[0]).toContain('needs GitLab 16.10 or later');
    expect(old.active).toBe(true);
    expectNoSecretsIn(result, [old.token], [sim]);
  });

  it('refuses target inputs and revoke before any request', async () => {
    const result = await run('glpat-FAKE-self-rotate-combo-0001', {
      'user-id': '42',
      scopes: 'api',
      revoke: 'true',
    });
    expect(result.code).toBe(1);
    const errors = commands(result.stdout, 'error').join('\n');
    expect(errors).toContain('user-id: goes without self-rotate');
    expect(errors).toContain('scopes: goes without self-rotate');
    expect(errors).toContain('revoke: goes without self-rotate');
    expect(sim.requests).toEqual([]);
  });
});
