/**
 * The post step after the main step (both in this process), against the simulator. The main step
 * journals each token in the state as it arrives (IDs, names, markers; no secret); the post step
 * revokes what it made (revoke: true), revokes lost requests' tokens it can prove its own, reports
 * only what GitLab confirmed, and never fails the job.
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

/** The journal entries of a main step's state. */
function journal(main: StepResult): Record<string, unknown>[] {
  return Object.entries(main.state)
    .filter(([key]) => key.startsWith('cgt-') && !['cgt-interrupted', 'cgt-reported'].includes(key))
    .map(([, value]) => JSON.parse(value) as Record<string, unknown>);
}

const deleteLine = (token: SimToken): string => `DELETE /api/v4/personal_access_tokens/${token.id}`;

/** Makes a token straight through the API, as another job (or a lost request) would have. */
async function tokenMadeElsewhere(name: string, description: string): Promise<SimToken> {
  const response = await fetch(`${sim.url}/api/v4/users/42/personal_access_tokens`, {
    method: 'POST',
    headers: { 'private-token': ADMIN_TOKEN, 'content-type': 'application/json' },
    body: JSON.stringify({ name, scopes: ['read_api'], description }),
  });
  expect(response.status).toBe(201);
  const { id } = (await response.json()) as { id: number };
  sim.requests.length = 0;
  return sim.tokens.find((token) => token.id === id) as SimToken;
}

describe('post step', () => {
  it('the main step journals IDs as tokens arrive; the post step revokes each token', async () => {
    const made = await makeTokens();
    const entries = journal(made.main);
    expect(entries.map((entry) => entry.id).sort()).toEqual(
      made.tokens.map((token) => token.id).sort(),
    );
    for (const entry of entries) {
      expect(entry).toMatchObject({ kind: 'personal', name: made.tokens[0].name });
    }
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
      expect(result.stdout).toContain(`Revoked token ID ${token.id}.`);
    }
    expect(commands(result.stdout, 'warning')).toEqual([]);
    expect(commands(result.stdout, 'error')).toEqual([]);
    expectNoLeaks(result);
  });

  it('a deleted token is a notice that it no longer exists, not a failure', async () => {
    const made = await makeTokens();
    const [gone, live] = made.tokens;
    sim.tokens.splice(sim.tokens.indexOf(gone), 1);
    const result = await post(made);
    expect(result.code).toBe(0);
    expect(commands(result.stdout, 'notice')).toEqual([
      `Token ID ${gone.id} no longer exists (deleted): nothing to revoke.`,
    ]);
    expect(commands(result.stdout, 'warning')).toEqual([]);
    expect(live.revoked).toBe(true);
    expectNoLeaks(result);
  });

  it.each([
    ["Grape's catch-all (a route this GitLab lacks)", { error: '404 Not Found' }],
    ['a web server in front (wrong relative root)', '<html><body>Not Found</body></html>'],
    ['a group that does not exist', { message: '404 Group Not Found' }],
  ])('a 404 from %s is a warning that the token may still be active', async (_, body) => {
    const made = await makeTokens({ 'user-id': '44' });
    const [token] = made.tokens;
    sim.addFault({
      method: 'DELETE',
      times: Infinity,
      fault: { kind: 'status', status: 404, body },
    });
    const result = await post(made);
    expect(result.code).toBe(0);
    const warnings = commands(result.stdout, 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`GitLab did not confirm revoking token ID ${token.id}`);
    expect(warnings[0]).toContain('may still be active');
    expect(commands(result.stdout, 'notice')).toEqual([]);
    expect(result.stdout).not.toMatch(/already revoked|no longer exists|Revoked token/);
    expect(token.active).toBe(true);
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
    expect(warnings[0]).toContain(`GitLab did not confirm revoking token ID ${stuck.id}`);
    expect(warnings[0]).toContain('revoke it by hand');
    expect(warnings[0]).toContain('500');
    expect(commands(result.stdout, 'error')).toEqual([]);
    expect(stuck.active).toBe(true);
    expect(live.revoked).toBe(true);
    expectNoLeaks(result);
  });

  it('"Not permitted to revoke" is explained as a permission problem', async () => {
    const made = await makeTokens({ 'user-id': '44' });
    sim.addFault({
      method: 'DELETE',
      fault: {
        kind: 'status',
        status: 400,
        body: { message: '400 Bad request - Not permitted to revoke' },
      },
    });
    const result = await post(made);
    const [warning] = commands(result.stdout, 'warning');
    expect(warning).toContain('may not manage this token');
    expect(made.tokens[0].active).toBe(true);
    expectNoLeaks(result);
  });

  it('a wrong credential is a warning per token, and the step still succeeds', async () => {
    const made = await makeTokens();
    const result = await post(made, { 'gitlab-token': WRONG_CREDENTIAL });
    expect(result.code).toBe(0);
    const warnings = commands(result.stdout, 'warning');
    expect(warnings).toHaveLength(made.tokens.length);
    for (const token of made.tokens) {
      const warning = warnings.find((line) => line.includes(`token ID ${token.id}:`));
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
    expect(warning).toContain(`token IDs made: ${made.tokens.map((token) => token.id).join(', ')}`);
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

  it('with revoke: false the post step sends nothing and prints nothing', async () => {
    const made = await makeTokens({ revoke: 'false' });
    expect(journal(made.main)).toHaveLength(made.tokens.length);
    const result = await post(made);
    expect(result.code).toBe(0);
    expect(sim.requests).toEqual([]);
    expect(result.stdout).toBe('');
    expect(made.tokens.every((token) => token.active)).toBe(true);
    expectNoLeaks(result);
  });

  it('with revoke: false after a main step that never reported, names the tokens left active', async () => {
    const made = await makeTokens({ revoke: 'false' });
    // As if the main step was stopped before it wrote its outputs (its mark is missing).
    const result = await runPostStep(made.main, {
      inputs: made.inputs,
      state: { 'cgt-interrupted': 'true', 'cgt-reported': '' },
    });
    expect(result.code).toBe(0);
    expect(sim.requests).toEqual([]);
    const [warning] = commands(result.stdout, 'warning');
    for (const token of made.tokens) expect(warning).toContain(String(token.id));
    expect(warning).toContain('stay active');
    expectNoLeaks(result);
  });

  it("revokes a lost request's token proven by its marker, and leaves a look-alike alone", async () => {
    const marker = '0123456789ab';
    const name = 'post lost request';
    const lost = await tokenMadeElsewhere(name, `[create-gitlab-token ${marker}]`);
    const other = await tokenMadeElsewhere(name, '[create-gitlab-token ba9876543210]');
    const result = await runPostStep({ state: {} } as StepResult, {
      inputs: inputsFor({ revoke: 'false' }),
      state: { [`cgt-${marker}`]: JSON.stringify({ kind: 'personal', user_id: 42, name, marker }) },
    });
    expect(result.code).toBe(0);
    expect(lost.revoked).toBe(true);
    expect(other.active).toBe(true);
    expect(result.stdout).toContain(
      `Token ID ${lost.id} was made by a request whose reply never came`,
    );
    expect(result.stdout).not.toContain(`Token ID ${other.id}`);
    expectNoLeaks(result);
  });

  it('an interrupted renewal: names the token being replaced, and never looks for or revokes it', async () => {
    const old = await tokenMadeElsewhere('post replaced', 'deploys');
    const result = await runPostStep({ state: {} } as StepResult, {
      inputs: inputsFor({ revoke: 'false' }),
      state: {
        'cgt-interrupted': 'true',
        [`cgt-repl${old.id}`]: JSON.stringify({
          kind: 'personal',
          user_id: 42,
          name: 'post replaced',
          replacing: old.id,
        }),
      },
    });
    expect(result.code).toBe(0);
    expect(old.active).toBe(true);
    expect(result.stdout).toContain(`The main step stopped while replacing token ID ${old.id}`);
    expect(sim.requests).toEqual([]);
    expectNoLeaks(result);
  });

  it('ignores state entries that are not its own or are malformed', async () => {
    const made = await makeTokens({ revoke: 'false' });
    for (const value of [
      'not json',
      '{"id":1}',
      '{"kind":"personal","user_id":42,"name":"x","id":"1"}',
      '{"kind":"personal","user_id":"../users/43","name":"x","id":1}',
      '{"kind":"service-account","user_id":90,"group_id":"../../x","name":"x","id":1}',
    ]) {
      const result = await runPostStep(made.main, {
        inputs: { ...made.inputs, revoke: 'true' },
        state: Object.fromEntries(Object.keys(made.main.state).map((key) => [key, value])),
      });
      expect(result.code).toBe(0);
      expect(sim.requests).toEqual([]);
    }
  });
});
