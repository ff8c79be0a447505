/** `if-exists` (create, rotate, fail) for user tokens, so re-runs do not pile up. */
import { describe, expect, it } from '@jest/globals';
import { ADMIN_TOKEN } from './simulator/gitlab-simulator.js';
import { expectNoSecretsIn, useSimulator } from './helpers/simulator-fixture.js';
import {
  commands,
  maskedFirst,
  requestLine,
  runMainStep,
  type StepResult,
} from './helpers/run-action.js';

const sim = useSimulator();

function run(inputs: Record<string, string>): Promise<StepResult> {
  return runMainStep({
    inputs: {
      'base-url': sim.url,
      'gitlab-token': ADMIN_TOKEN,
      'user-id': '43',
      scopes: 'read_api',
      ...inputs,
    },
  });
}

function expectNoLeaks(result: StepResult): void {
  expectNoSecretsIn(result, [ADMIN_TOKEN], [sim]);
}

const lastToken = (): (typeof sim.tokens)[number] => sim.tokens[sim.tokens.length - 1];
const activeNamed = (name: string): number[] =>
  sim.tokens.filter((token) => token.active && token.name === name).map((token) => token.id);
const listLine = (name: string, userId = 43): string =>
  `GET /api/v4/personal_access_tokens?user_id=${userId}&state=active&search=${name}&per_page=100&page=1`;
/** An administrator's list mixes in impersonation tokens: their IDs are asked for when it matters. */
const impersonationLine = (userId = 43): string =>
  `GET /api/v4/users/${userId}/impersonation_tokens?state=active&per_page=100&page=1`;
const days = (n: number): string =>
  new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

describe('if-exists', () => {
  it('rotate: one list and one rotate request, the new secret output and masked', async () => {
    const first = await run({ name: 'rerun-rotate', 'expires-at': '5d' });
    expect(first.code).toBe(0);
    const old = lastToken();
    sim.requests.length = 0;

    const second = await run({ name: 'rerun-rotate', 'expires-at': '9d', 'if-exists': 'rotate' });
    expect(second.code).toBe(0);
    expect(sim.requests.map(requestLine)).toEqual([
      listLine('rerun-rotate'),
      impersonationLine(),
      `POST /api/v4/personal_access_tokens/${old.id}/rotate`,
    ]);
    expect(sim.requests[2].body).toEqual({ expires_at: days(9) });
    const rotated = lastToken();
    expect(rotated.id).not.toBe(old.id);
    expect(rotated.token).not.toBe(old.token);
    expect(old.active).toBe(false);
    expect(activeNamed('rerun-rotate')).toEqual([rotated.id]);
    expect(second.outputs.token).toBe(rotated.token);
    expect(second.outputs.id).toBe(String(rotated.id));
    expect(second.outputs['expires-at']).toBe(days(9));
    expect(maskedFirst(second.stdout, rotated.token)).toBe(true);
    expect(second.stdout).toContain(`Rotated token ID ${old.id} into token ID ${rotated.id}`);
    expect(second.stdout).not.toContain(old.token);
    expectNoLeaks(first);
    expectNoLeaks(second);
  });

  it('rotate: re-runs keep exactly one active token', async () => {
    for (let run_ = 0; run_ < 3; run_++) {
      const result = await run({ name: 'rerun-many', 'if-exists': 'rotate' });
      expect(result.code).toBe(0);
      expectNoLeaks(result);
    }
    expect(activeNamed('rerun-many')).toHaveLength(1);
    expect(sim.tokens.filter((token) => token.name === 'rerun-many')).toHaveLength(3);
  });

  it('rotate: with no token of that name, lists then creates', async () => {
    const result = await run({ name: 'rerun-fresh', 'if-exists': 'rotate' });
    expect(result.code).toBe(0);
    expect(sim.requests.map(requestLine)).toEqual([
      listLine('rerun-fresh'),
      'POST /api/v4/users/43/personal_access_tokens',
    ]);
    expect(result.outputs.token).toBe(lastToken().token);
    expectNoLeaks(result);
  });

  it('rotate: a same-name token of another user is not touched', async () => {
    const alices = await run({ name: 'rerun-shared', 'user-id': '42' });
    const alice = lastToken();
    const bobs = await run({ name: 'rerun-shared', 'if-exists': 'rotate' });
    expect(bobs.code).toBe(0);
    expect(alice.active).toBe(true);
    expect(lastToken().user_id).toBe(43);
    expectNoLeaks(alices);
    expectNoLeaks(bobs);
  });

  it('rotate: a token with other scopes is replaced, not rotated into more rights', async () => {
    const first = await run({ name: 'rerun-scopes', scopes: 'api' });
    const old = lastToken();
    sim.requests.length = 0;
    const second = await run({ name: 'rerun-scopes', scopes: 'read_api', 'if-exists': 'rotate' });
    expect(second.code).toBe(0);
    const made = lastToken();
    expect(sim.requests.map(requestLine)).toEqual([
      listLine('rerun-scopes'),
      impersonationLine(),
      'POST /api/v4/users/43/personal_access_tokens',
      `DELETE /api/v4/personal_access_tokens/${old.id}`,
    ]);
    expect(made.scopes).toEqual(['read_api']);
    expect(second.outputs.scopes).toBe('read_api');
    expect(activeNamed('rerun-scopes')).toEqual([made.id]);
    expectNoLeaks(first);
    expectNoLeaks(second);
  });

  it('fail: names the existing token ID and creates nothing', async () => {
    const first = await run({ name: 'rerun-fail' });
    const existing = lastToken();
    sim.requests.length = 0;
    const count = sim.tokens.length;

    const second = await run({ name: 'rerun-fail', 'if-exists': 'fail' });
    expect(second.code).toBe(1);
    expect(sim.requests.map(requestLine)).toEqual([listLine('rerun-fail'), impersonationLine()]);
    const [error] = commands(second.stdout, 'error');
    expect(error).toContain(`(ID ${existing.id})`);
    expect(error).toContain('"rerun-fail"');
    expect(error).toContain('if-exists: rotate');
    expect(commands(second.stdout, 'error')).toHaveLength(1);
    expect(sim.tokens).toHaveLength(count);
    expect(existing.active).toBe(true);
    expect(second.outputs.token).toBeUndefined();
    expectNoLeaks(first);
    expectNoLeaks(second);
  });

  it('fail: without a token of that name, creates one', async () => {
    const result = await run({ name: 'rerun-fail-fresh', 'if-exists': 'FAIL' });
    expect(result.code).toBe(0);
    expect(sim.requests.map(requestLine)).toEqual([
      listLine('rerun-fail-fresh'),
      'POST /api/v4/users/43/personal_access_tokens',
    ]);
    expectNoLeaks(result);
  });

  it('create (the default) sends no list request and makes another token', async () => {
    const first = await run({ name: 'rerun-create' });
    sim.requests.length = 0;
    const second = await run({ name: 'rerun-create' });
    expect(second.code).toBe(0);
    expect(sim.requests.map(requestLine)).toEqual(['POST /api/v4/users/43/personal_access_tokens']);
    expect(activeNamed('rerun-create')).toHaveLength(2);
    expectNoLeaks(first);
    expectNoLeaks(second);
  });

  it('a replaced token whose revoke GitLab did not confirm is not called rotated', async () => {
    await run({ name: 'rerun-replace-stuck', scopes: 'api' });
    const old = lastToken();
    sim.addFault({ method: 'DELETE', times: Infinity, fault: { kind: 'status', status: 503 } });
    const result = await run({
      name: 'rerun-replace-stuck',
      scopes: 'read_api',
      'if-exists': 'rotate',
    });
    expect(result.code).toBe(0);
    expect(old.active).toBe(true);
    expect(result.stdout).toContain(
      `to replace token ID ${old.id}, which GitLab did not confirm revoking (it may still be active)`,
    );
    expect(result.stdout).not.toContain(`Rotated token ID ${old.id}`);
    expectNoLeaks(result);
  });

  it('rejects an unknown mode before any request', async () => {
    const result = await run({ 'if-exists': 'replace' });
    expect(result.code).toBe(1);
    expect(commands(result.stdout, 'error')[0]).toContain(
      'if-exists: expected create, rotate or fail, got "replace"',
    );
    expect(sim.requests).toEqual([]);
  });

  it('rejects if-exists without a name: the default name is unique to each run', async () => {
    const result = await run({ 'if-exists': 'rotate' });
    expect(result.code).toBe(1);
    expect(commands(result.stdout, 'error')[0]).toContain('name: required with if-exists: rotate');
    expect(sim.requests).toEqual([]);
  });

  it('rotate: a lost rotation is never sent again; a new token replaces the old one', async () => {
    const first = await run({ name: 'rerun-lost' });
    const old = lastToken();
    sim.requests.length = 0;
    sim.addFault({
      method: 'POST',
      pathPattern: /\/rotate$/,
      fault: { kind: 'status', status: 502, afterCreate: true },
    });
    const second = await run({ name: 'rerun-lost', 'if-exists': 'rotate' });
    expect(second.code).toBe(0);
    const rotations = sim.requests.filter((request) => request.path.endsWith('/rotate'));
    expect(rotations).toHaveLength(1);
    const successor = sim.tokens.find(
      (token) => token.name === 'rerun-lost' && token.id > old.id && token.id < lastToken().id,
    );
    expect(old.active).toBe(false);
    expect(second.outputs.id).toBe(String(lastToken().id));
    expect(second.outputs.token).toBe(lastToken().token);
    // The lost rotation's token cannot be proven this run's: it is named, not revoked.
    expect(successor?.active).toBe(true);
    const warnings = commands(second.stdout, 'warning').join('\n');
    expect(warnings).toContain(`Token ID ${successor?.id} named "rerun-lost"`);
    expect(warnings).toContain('never sent twice');
    expectNoLeaks(first);
    expectNoLeaks(second);
  });

  it('rotate: follows the pages of a long list and rotates the newest token', async () => {
    const name = 'rerun-many-pages';
    for (let i = 0; i < 105; i++) {
      const response = await fetch(`${sim.url}/api/v4/users/43/personal_access_tokens`, {
        method: 'POST',
        headers: { 'private-token': ADMIN_TOKEN, 'content-type': 'application/json' },
        body: JSON.stringify({ name, scopes: ['read_api'] }),
      });
      expect(response.status).toBe(201);
    }
    const newest = lastToken();
    sim.requests.length = 0;
    const result = await run({ name, 'if-exists': 'rotate' });
    expect(result.code).toBe(0);
    expect(sim.requests.map(requestLine)).toContain(listLine(name).replace(/&page=1$/, '&page=2'));
    expect(newest.active).toBe(false);
    expect(sim.requests.map(requestLine)).toContain(
      `POST /api/v4/personal_access_tokens/${newest.id}/rotate`,
    );
    expect(activeNamed(name)).toHaveLength(105);
    expectNoLeaks(result);
  });

  it('rotate without expires-at says GitLab gives one week, and outputs its date', async () => {
    await run({ name: 'rerun-week', 'expires-at': '30d' });
    const result = await run({ name: 'rerun-week', 'if-exists': 'rotate', 'expires-at': '' });
    expect(result.code).toBe(0);
    expect(result.outputs['expires-at']).toBe(days(7));
    expect(result.stdout).toContain('one week');
    expectNoLeaks(result);
  });

  it('an administrator without admin_mode under Admin Mode: the list says to add admin_mode', async () => {
    sim.adminMode = true;
    const result = await run({ name: 'rerun-admin-mode', 'if-exists': 'rotate' });
    expect(result.code).toBe(1);
    const [error] = commands(result.stdout, 'error');
    expect(error).toContain('401 Unauthorized');
    expect(error).toContain('add the admin_mode scope');
    expect(error).not.toContain('wrong, expired or revoked');
    expect(sim.requests.map(requestLine)).toEqual([
      listLine('rerun-admin-mode'),
      'GET /api/v4/user',
    ]);
    expectNoLeaks(result);
  });

  it('leaves an impersonation token of the same name alone', async () => {
    const made = await fetch(`${sim.url}/api/v4/users/43/impersonation_tokens`, {
      method: 'POST',
      headers: { 'private-token': ADMIN_TOKEN, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'rerun-impersonation',
        scopes: ['read_api'],
        expires_at: days(5),
      }),
    });
    expect(made.status).toBe(201);
    const impersonation = lastToken();
    sim.requests.length = 0;
    const result = await run({ name: 'rerun-impersonation', 'if-exists': 'rotate' });
    expect(result.code).toBe(0);
    expect(sim.requests.map(requestLine)).toEqual([
      listLine('rerun-impersonation'),
      impersonationLine(),
      'POST /api/v4/users/43/personal_access_tokens',
    ]);
    expect(impersonation.active).toBe(true);
    expectNoLeaks(result);
  });

  it('a rotation keeps the old description, and says so when another was asked for', async () => {
    await run({ name: 'rerun-description', description: 'first' });
    const result = await run({
      name: 'rerun-description',
      description: 'second',
      'if-exists': 'rotate',
    });
    expect(result.code).toBe(0);
    expect(lastToken().description).toMatch(/^first \[create-gitlab-token [0-9a-f]{12}\]$/);
    expect(commands(result.stdout, 'warning').join('\n')).toContain(
      'keeps the description of the token it was rotated from',
    );
    expectNoLeaks(result);
  });

  it('16.5: a rotation ignores expires-at; the warning names both dates', async () => {
    sim.setVersion('16.5');
    await run({ name: 'rerun-old-rotate', 'expires-at': '5d' });
    const result = await run({
      name: 'rerun-old-rotate',
      'expires-at': '20d',
      'if-exists': 'rotate',
    });
    expect(result.code).toBe(0);
    expect(result.outputs['expires-at']).toBe(days(7));
    const warning = commands(result.stdout, 'warning').find((line) => line.includes(days(20)));
    expect(warning).toContain(`expires ${days(7)}, not ${days(20)} as requested`);
    expectNoLeaks(result);
  });

  it('17.6: a description GitLab drops is warned about', async () => {
    sim.setVersion('17.6');
    const result = await run({ name: 'rerun-old-description', description: 'deploy bot' });
    expect(result.code).toBe(0);
    expect(commands(result.stdout, 'warning').join('\n')).toContain(
      'GitLab ignored the description of token ID',
    );
    expectNoLeaks(result);
  });

  it('an instance that does not enforce expiry: a token without expiry is warned about', async () => {
    sim.requireExpiry = false;
    const result = await run({ name: 'rerun-no-expiry', 'expires-at': '' });
    expect(result.code).toBe(0);
    expect(result.outputs['expires-at']).toBe('');
    expect(commands(result.stdout, 'warning').join('\n')).toContain('has no expiry date');
    expectNoLeaks(result);
  });

  describe('rotate-before', () => {
    it('a token not due is left as it is: rotated=false, its ID and expiry, no secret', async () => {
      await run({ name: 'renew-not-due', 'expires-at': '60d' });
      const current = lastToken();
      sim.requests.length = 0;
      const count = sim.tokens.length;
      const result = await run({
        name: 'renew-not-due',
        'if-exists': 'rotate',
        'rotate-before': '30d',
        'expires-at': '90d',
      });
      expect(result.code).toBe(0);
      expect(sim.tokens).toHaveLength(count);
      expect(current.active).toBe(true);
      expect(sim.requests.filter((request) => request.method !== 'GET')).toEqual([]);
      expect(result.outputs.rotated).toBe('false');
      expect(result.outputs.id).toBe(String(current.id));
      expect(result.outputs['expires-at']).toBe(days(60));
      expect(result.outputs.token).toBeUndefined();
      expect(JSON.parse(result.outputs.tokens)).toEqual([]);
      expect(result.stdout).toContain(`Token ID ${current.id} expires ${days(60)}`);
      expect(result.summary).toContain('(not due: left as it is)');
      expectNoLeaks(result);
    });

    it('a token due within the window is rotated: rotated=true, the new secret', async () => {
      await run({ name: 'renew-due', 'expires-at': '10d' });
      const current = lastToken();
      const result = await run({
        name: 'renew-due',
        'if-exists': 'rotate',
        'rotate-before': '30d',
        'expires-at': '90d',
      });
      expect(result.code).toBe(0);
      expect(current.active).toBe(false);
      expect(result.outputs.rotated).toBe('true');
      expect(result.outputs.token).toBe(lastToken().token);
      expect(result.outputs['expires-at']).toBe(days(90));
      expectNoLeaks(result);
    });

    it('needs if-exists: rotate, and a number of days', async () => {
      const result = await run({ name: 'renew-bad', 'rotate-before': '30' });
      expect(result.code).toBe(1);
      const errors = commands(result.stdout, 'error').join('\n');
      expect(errors).toContain('rotate-before: expected a number of days');
      const alone = await run({ name: 'renew-bad', 'rotate-before': '30d' });
      expect(commands(alone.stdout, 'error').join('\n')).toContain(
        'rotate-before: goes with if-exists: rotate',
      );
      expect(sim.requests).toEqual([]);
    });
  });
});
