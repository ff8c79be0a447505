/**
 * End-to-end: the bundled post step (revoke: true) after the bundled main step, against the
 * simulator. It revokes every token made, reads only IDs from the state, and never fails the job.
 */
import { describe, expect, it } from '@jest/globals';
import { ADMIN_TOKEN, type SimToken } from './simulator/gitlab-simulator.js';
import { expectNoSecretsIn, useSimulator } from './helpers/simulator-fixture.js';
import {
  commands,
  requestLine,
  runMainStep,
  runPostStep,
  type StepResult,
} from './helpers/run-action.js';

const sim = useSimulator();

const WRONG_CREDENTIAL = 'glpat-FAKE-wrong-credential-post-7';

function inputsFor(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'base-url': sim.url,
    'gitlab-token': ADMIN_TOKEN,
    'user-id': '42\n@bob',
    scopes: 'read_api',
    revoke: 'true',
    ...extra,
  };
}

interface Made {
  main: StepResult;
  inputs: Record<string, string>;
  tokens: SimToken[];
}

/** Runs the main step and returns it with the simulator's records of the tokens it made. */
async function makeTokens(extra: Record<string, string> = {}): Promise<Made> {
  const inputs = inputsFor(extra);
  const before = sim.tokens.length;
  const main = await runMainStep({ inputs });
  expect(main.code).toBe(0);
  const tokens = sim.tokens.slice(before);
  expect(tokens.length).toBeGreaterThan(0);
  sim.requests.length = 0;
  return { main, inputs, tokens };
}

/** The runner runs the post step with the same inputs as the main step, and its state. */
function post(made: Made, extra: Record<string, string> = {}): Promise<StepResult> {
  return runPostStep(made.main, { inputs: { ...made.inputs, ...extra } });
}

function expectNoLeaks(result: StepResult, ...credentials: string[]): void {
  expectNoSecretsIn(result, [ADMIN_TOKEN, ...credentials], [sim]);
}

const deleteLine = (token: SimToken): string => `DELETE /api/v4/personal_access_tokens/${token.id}`;

describe('post step', () => {
  it('the main step saves token IDs only; the post step revokes each token', async () => {
    const made = await makeTokens();
    expect(Object.keys(made.main.state)).toEqual(['revoke-tokens']);
    expect(JSON.parse(made.main.state['revoke-tokens'])).toEqual(
      made.tokens.map((token) => ({ id: token.id, user_id: token.user_id })),
    );
    for (const token of made.tokens) expect(made.main.files.state).not.toContain(token.token);
    expect(made.main.files.state).not.toContain(ADMIN_TOKEN);
    expectNoLeaks(made.main);

    const result = await post(made);
    expect(result.code).toBe(0);
    expect(sim.requests.map(requestLine).sort()).toEqual(made.tokens.map(deleteLine).sort());
    expect(sim.requests.every((request) => request.headers['private-token'] === ADMIN_TOKEN)).toBe(
      true,
    );
    expect(made.tokens.every((token) => token.revoked && !token.active)).toBe(true);
    for (const token of made.tokens) {
      expect(result.stdout).toContain(`Revoked token ID ${token.id} of user ${token.user_id}.`);
    }
    expect(commands(result.stdout, 'warning')).toEqual([]);
    expect(commands(result.stdout, 'error')).toEqual([]);
    expectNoLeaks(result);
  });

  it('a token already revoked is a notice, not a failure', async () => {
    const made = await makeTokens();
    const [gone, live] = made.tokens;
    gone.revoked = true;
    gone.active = false;
    const result = await post(made);
    expect(result.code).toBe(0);
    expect(commands(result.stdout, 'notice')).toEqual([
      `Token ID ${gone.id} of user ${gone.user_id} was already revoked or deleted.`,
    ]);
    expect(commands(result.stdout, 'warning')).toEqual([]);
    expect(live.revoked).toBe(true);
    expectNoLeaks(result);
  });

  it('a server error is a warning that names the token to revoke by hand', async () => {
    const made = await makeTokens();
    const [stuck, live] = made.tokens;
    sim.addFault({
      method: 'DELETE',
      pathPattern: new RegExp(`/personal_access_tokens/${stuck.id}$`),
      times: Infinity,
      fault: { kind: 'status', status: 500 },
    });
    const result = await post(made);
    expect(result.code).toBe(0);
    const warnings = commands(result.stdout, 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`Could not revoke token ID ${stuck.id} of user ${stuck.user_id}`);
    expect(warnings[0]).toContain('revoke it by hand');
    expect(warnings[0]).toContain('500');
    expect(commands(result.stdout, 'error')).toEqual([]);
    expect(stuck.active).toBe(true);
    expect(live.revoked).toBe(true);
    expectNoLeaks(result);
  });

  it('a wrong credential is a warning per token, and the step still succeeds', async () => {
    const made = await makeTokens();
    const result = await post(made, { 'gitlab-token': WRONG_CREDENTIAL });
    expect(result.code).toBe(0);
    const warnings = commands(result.stdout, 'warning');
    expect(warnings).toHaveLength(made.tokens.length);
    for (const token of made.tokens) {
      const warning = warnings.find((line) => line.includes(`token ID ${token.id} `));
      expect(warning).toContain('401');
      expect(warning).toContain('revoke it by hand');
    }
    expect(made.tokens.every((token) => token.active)).toBe(true);
    expectNoLeaks(result, WRONG_CREDENTIAL);
  });

  it('an input the post step cannot use is a warning naming every ID', async () => {
    const made = await makeTokens();
    const result = await post(made, { 'base-url': 'http://gitlab.example.com' });
    expect(result.code).toBe(0);
    const [warning] = commands(result.stdout, 'warning');
    expect(warning).toContain(`token ID ${made.tokens.map((token) => token.id).join(', ')}`);
    expect(warning).toContain('Revoke them by hand');
    expect(sim.requests).toEqual([]);
    expectNoLeaks(result);
  });

  it('429 and a gateway error on DELETE are retried, then the token is revoked', async () => {
    const made = await makeTokens({ 'user-id': '44' });
    const [token] = made.tokens;
    sim.addFault({ method: 'DELETE', fault: { kind: 'rateLimit', retryAfterSeconds: 0 } });
    sim.addFault({ method: 'DELETE', fault: { kind: 'status', status: 503 } });
    const result = await post(made);
    expect(result.code).toBe(0);
    expect(sim.requests.map(requestLine)).toEqual([
      deleteLine(token),
      deleteLine(token),
      deleteLine(token),
    ]);
    expect(token.revoked).toBe(true);
    expect(commands(result.stdout, 'warning')).toEqual([]);
    expect(commands(result.stdout, 'notice')).toEqual([]);
    expectNoLeaks(result);
  });

  it('with revoke: false the main step saves no state and the post step sends nothing', async () => {
    const made = await makeTokens({ revoke: 'false' });
    expect(made.main.state).toEqual({});
    expect(made.main.files.state).toBe('');
    const result = await post(made);
    expect(result.code).toBe(0);
    expect(sim.requests).toEqual([]);
    expect(result.stdout).toBe('');
    expect(made.tokens.every((token) => token.active)).toBe(true);
    expectNoLeaks(result);
  });

  it('ignores a state that is not a list of IDs', async () => {
    const made = await makeTokens({ revoke: 'false' });
    for (const state of ['not json', '{"id":1}', '[{"id":"1","user_id":42}]']) {
      const result = await runPostStep(made.main, {
        inputs: made.inputs,
        state: { 'revoke-tokens': state },
      });
      expect(result.code).toBe(0);
      expect(sim.requests).toEqual([]);
    }
  });
});
