/** End-to-end: `if-exists` (create, rotate, fail) for user tokens, so re-runs do not pile up. */
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
  `GET /api/v4/personal_access_tokens?user_id=${userId}&state=active&search=${name}&per_page=100`;
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
      `POST /api/v4/personal_access_tokens/${old.id}/rotate`,
    ]);
    expect(sim.requests[1].body).toEqual({ expires_at: days(9) });
    const rotated = lastToken();
    expect(rotated.id).not.toBe(old.id);
    expect(rotated.token).not.toBe(old.token);
    expect(old.active).toBe(false);
    expect(activeNamed('rerun-rotate')).toEqual([rotated.id]);
    expect(second.outputs.token).toBe(rotated.token);
    expect(second.outputs.id).toBe(String(rotated.id));
    expect(second.outputs['expires-at']).toBe(days(9));
    expect(maskedFirst(second.stdout, rotated.token)).toBe(true);
    expect(second.stdout).toContain(`Rotated token ${old.id} into token ID ${rotated.id}`);
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
    expect(sim.requests.map(requestLine)).toEqual([listLine('rerun-fail')]);
    const [error] = commands(second.stdout, 'error');
    expect(error).toContain(`(ID ${existing.id})`);
    expect(error).toContain('"rerun-fail"');
    expect(error).toContain('if-exists: rotate');
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

  it('rejects an unknown mode before any request', async () => {
    const result = await run({ 'if-exists': 'replace' });
    expect(result.code).toBe(1);
    expect(commands(result.stdout, 'error')[0]).toContain(
      'if-exists: expected create, rotate or fail, got "replace"',
    );
    expect(sim.requests).toEqual([]);
  });

  it('rotate: a rotate whose reply is lost leaves one active token, reported', async () => {
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
    const active = activeNamed('rerun-lost');
    expect(active).toHaveLength(1);
    expect(old.active).toBe(false);
    expect(second.outputs.id).toBe(String(active[0]));
    expectNoLeaks(first);
    expectNoLeaks(second);
  });
});
