/**
 * End-to-end: a cancelled run. The runner cancels a step with SIGINT, then SIGTERM a few seconds
 * later. The bundled main step (a process of its own, which the signals are sent to), making
 * tokens for 200 users, is cancelled half-way; whatever it made must be reported (outputs, the
 * journal in the state, a warning), and the post step (in this process) must leave no token of
 * the run active (revoke: true) or name them (revoke: false), while revoking the tokens of
 * requests whose reply never came.
 */
import { describe, expect, it } from '@jest/globals';
import { ADMIN_TOKEN, type SimToken } from './simulator/gitlab-simulator.js';
import { expectNoSecretsIn, useSimulator } from './helpers/simulator-fixture.js';
import { commands, runMainStep, runPostStep, type StepResult } from './helpers/run-action.js';
import { pause, startMainStep, until } from './helpers/running-step.js';
import {
  expectNothingUnreported,
  journalOf,
  markerOf,
  namedIds,
  outputIds,
} from './helpers/promises.js';

const FIRST_USER = 2000;
const USERS = Array.from({ length: 200 }, (_, i) => FIRST_USER + i);

const sim = useSimulator({
  seed: (s) => {
    for (const id of USERS) s.addUser({ id, username: `bulk-user-${id}` });
  },
});

let testNumber = 0;
function uniqueName(): string {
  testNumber += 1;
  return `cancel test ${testNumber}`;
}

function inputs(name: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'base-url': sim.url,
    'gitlab-token': ADMIN_TOKEN,
    'user-id': USERS.join('\n'),
    scopes: 'read_api',
    name,
    'max-concurrency': '4',
    ...extra,
  };
}

function tokensNamed(name: string): SimToken[] {
  return sim.tokens.filter((token) => token.name === name && USERS.includes(token.user_id));
}

function expectNoLeaks(result: StepResult): void {
  expectNoSecretsIn(result, [ADMIN_TOKEN], [sim]);
}

/** Users whose create request was sent (the simulator saw a POST for them). */
function usersAsked(): Set<number> {
  const asked = new Set<number>();
  for (const request of sim.requests) {
    const match = /^\/api\/v4\/users\/(\d+)\/personal_access_tokens$/.exec(request.path);
    if (request.method === 'POST' && match) asked.add(Number(match[1]));
  }
  return asked;
}

/** The failure line of a cancelled run, and the users it says were not started. */
function cancelReport(main: StepResult): { made: number; total: number; notStarted: number[] } {
  const line = commands(main.stdout, 'error').find((error) =>
    error.startsWith('The step was cancelled:'),
  );
  expect(line).toBeDefined();
  const match =
    /^The step was cancelled: (\d+) of (\d+) tokens were made .*; not started: (.*)\.$/.exec(
      line ?? '',
    );
  expect(match).not.toBeNull();
  const [, made, total, left] = match ?? ['', '0', '0', ''];
  const notStarted = left.split(', ').map((label) => Number(/^user (\d+)$/.exec(label)?.[1]));
  return { made: Number(made), total: Number(total), notStarted };
}

/**
 * Starts the main step, waits until the simulator has made `made` tokens of the run, then
 * cancels it as the runner does and waits for it to exit.
 */
async function cancelAfter(
  name: string,
  made: number,
  signals: { signal: NodeJS.Signals; afterMs: number }[],
  extra: Record<string, string> = {},
): Promise<{ main: StepResult; inputs: Record<string, string> }> {
  const stepInputs = inputs(name, extra);
  const step = startMainStep({ inputs: stepInputs, bundle: true });
  await until(() => tokensNamed(name).length >= made || step.exited());
  for (const { signal, afterMs } of signals) {
    await pause(afterMs);
    step.signal(signal);
  }
  return { main: await step.done, inputs: stepInputs };
}

describe('a cancelled run', () => {
  it('SIGINT then SIGTERM: reports what it made and who was not started; the post step revokes every token of the run', async () => {
    sim.latencyMs = 50;
    const name = uniqueName();
    const { main, inputs: stepInputs } = await cancelAfter(
      name,
      40,
      [
        { signal: 'SIGINT', afterMs: 0 },
        { signal: 'SIGTERM', afterMs: 100 },
      ],
      { revoke: 'true' },
    );
    expect(main.code).not.toBe(0);
    expect(main.state['cgt-interrupted']).toBe('true');
    expect(commands(main.stdout, 'warning').join('\n')).toMatch(/Received SIG(INT|TERM)/);

    const report = cancelReport(main);
    const made = outputIds(main);
    expect(report.total).toBe(200);
    expect(report.made).toBe(made.length);
    expect(made.length).toBeGreaterThanOrEqual(40);
    expect(made.length).toBeLessThan(200);
    // Not started: exactly the users no create request was sent for.
    const asked = usersAsked();
    expect(report.notStarted.sort()).toEqual(USERS.filter((id) => !asked.has(id)).sort());

    // Every active token of the run is in the journal: by ID, or by its pending request's marker.
    const entries = journalOf(main);
    const ids = new Set(entries.flatMap((entry) => (entry.id ? [entry.id] : [])));
    const pending = new Set(entries.flatMap((entry) => (entry.id ? [] : [entry.marker])));
    for (const token of tokensNamed(name).filter((t) => t.active)) {
      expect(ids.has(token.id) || pending.has(markerOf(token))).toBe(true);
    }
    for (const id of made) expect(ids.has(id)).toBe(true);
    expectNothingUnreported(tokensNamed(name), main);
    expectNoLeaks(main);

    sim.latencyMs = 0;
    const post = await runPostStep(main, { inputs: stepInputs });
    expect(post.code).toBe(0);
    expect(tokensNamed(name).filter((token) => token.active)).toEqual([]);
    expect(commands(post.stdout, 'warning')).toEqual([]);
    expectNoLeaks(post);
  }, 60_000);

  it('revoke: false: the post step names the tokens made and revokes only those of requests whose reply never came', async () => {
    sim.latencyMs = 50;
    const name = uniqueName();
    // Two users' creates are stored, then never answered: in flight when the signals come.
    sim.addFault({
      method: 'POST',
      pathPattern: new RegExp(`^/api/v4/users/(${FIRST_USER + 3}|${FIRST_USER + 7})/`),
      times: 2,
      fault: { kind: 'hang', afterCreate: true },
    });
    const { main, inputs: stepInputs } = await cancelAfter(name, 30, [
      { signal: 'SIGINT', afterMs: 0 },
      { signal: 'SIGTERM', afterMs: 300 },
    ]);
    expect(main.code).not.toBe(0);
    const report = cancelReport(main);
    const made = outputIds(main);
    expect(report.made).toBe(made.length);
    const hung = sim.tokens.filter(
      (token) => token.name === name && [FIRST_USER + 3, FIRST_USER + 7].includes(token.user_id),
    );
    expect(hung).toHaveLength(2);
    for (const token of hung) expect(made).not.toContain(token.id);
    expectNothingUnreported(tokensNamed(name), main);
    expectNoLeaks(main);

    sim.latencyMs = 0;
    const post = await runPostStep(main, { inputs: stepInputs });
    expect(post.code).toBe(0);
    // The lost requests' tokens (nobody holds their secret) are revoked by their markers.
    for (const token of hung) expect(token.revoked).toBe(true);
    // The tokens made stay active, named in a warning.
    const warning = commands(post.stdout, 'warning').join('\n');
    expect(warning).toContain('stay active');
    for (const id of made) {
      expect(sim.tokens.find((token) => token.id === id)?.active).toBe(true);
      expect(warning).toMatch(new RegExp(`\\b${id}\\b`));
    }
    // Nothing else was revoked: every revoked token of the run is a lost request's.
    const revoked = tokensNamed(name).filter((token) => token.revoked);
    expect(revoked.map((token) => token.id).sort()).toEqual(
      tokensNamed(name)
        .filter((token) => !made.includes(token.id))
        .map((token) => token.id)
        .sort(),
    );
    expectNoLeaks(post);
  }, 60_000);

  it('SIGTERM alone with creates in flight: their late tokens are revoked by the post step by their markers', async () => {
    sim.latencyMs = 50;
    const name = uniqueName();
    const hungUsers = [FIRST_USER + 1, FIRST_USER + 2];
    sim.addFault({
      method: 'POST',
      pathPattern: new RegExp(`^/api/v4/users/(${hungUsers.join('|')})/`),
      times: 2,
      fault: { kind: 'hang', afterCreate: true },
    });
    const { main, inputs: stepInputs } = await cancelAfter(
      name,
      20,
      [{ signal: 'SIGTERM', afterMs: 0 }],
      { revoke: 'true' },
    );
    expect(main.code).not.toBe(0);
    expect(main.state['cgt-interrupted']).toBe('true');
    const hung = tokensNamed(name).filter((token) => hungUsers.includes(token.user_id));
    expect(hung).toHaveLength(2);
    // Their requests are journalled as pending, with the marker their tokens carry.
    const pending = journalOf(main).filter((entry) => entry.id === undefined);
    for (const token of hung) {
      expect(pending.map((entry) => entry.marker)).toContain(markerOf(token));
    }
    expect(cancelReport(main).made).toBe(outputIds(main).length);
    expectNothingUnreported(tokensNamed(name), main);
    expectNoLeaks(main);

    sim.latencyMs = 0;
    const post = await runPostStep(main, { inputs: stepInputs });
    expect(post.code).toBe(0);
    for (const token of hung) {
      expect(token.revoked).toBe(true);
      expect(post.stdout).toContain(
        `Token ID ${token.id} was made by a request whose reply never came`,
      );
    }
    expect(tokensNamed(name).filter((token) => token.active)).toEqual([]);
    expectNoLeaks(post);
  }, 60_000);

  /**
   * A 429's wait (Retry-After, the shared pause, the backoff) is cut by SIGTERM: the runner sends
   * SIGKILL 2.5 s later, and the step must have reported by then.
   */
  it('SIGTERM while the step waits out a 429: the step ends and reports', async () => {
    const name = uniqueName();
    sim.addFault({
      method: 'POST',
      pathPattern: /^\/api\/v4\/users\/\d+\/personal_access_tokens$/,
      times: Infinity,
      fault: { kind: 'rateLimit', retryAfterSeconds: 30 },
    });
    const step = startMainStep({
      inputs: inputs(name, {
        'user-id': `${FIRST_USER}\n${FIRST_USER + 1}`,
        'max-concurrency': '1',
      }),
      bundle: true,
    });
    await until(() => sim.requests.some((request) => request.method === 'POST') || step.exited());
    step.signal('SIGINT');
    await pause(200);
    step.signal('SIGTERM');
    // Far less than the 30 s the step was told to wait, far more than a prompt exit needs.
    const ended = await Promise.race([step.done.then(() => true), pause(10_000).then(() => false)]);
    if (!ended) step.signal('SIGKILL');
    const main = await step.done;
    expect(ended).toBe(true);
    expect(main.code).not.toBe(0);
    expect(cancelReport(main)).toEqual({ made: 0, total: 2, notStarted: [FIRST_USER + 1] });
    expect(tokensNamed(name)).toEqual([]);
    expectNoLeaks(main);
  }, 60_000);

  it('killed (SIGINT, SIGTERM, SIGKILL) while waiting out a 429: the journal still hands the post step the token made', async () => {
    const name = uniqueName();
    const waiting = FIRST_USER + 1;
    sim.addFault({
      method: 'POST',
      pathPattern: new RegExp(`^/api/v4/users/${waiting}/personal_access_tokens$`),
      times: Infinity,
      fault: { kind: 'rateLimit', retryAfterSeconds: 30 },
    });
    const stepInputs = inputs(name, {
      'user-id': `${FIRST_USER}\n${waiting}`,
      'max-concurrency': '1',
    });
    const step = startMainStep({ inputs: stepInputs, bundle: true });
    await until(
      () =>
        sim.requests.some((request) => request.path.includes(`/users/${waiting}/`)) ||
        step.exited(),
    );
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
      step.signal(signal);
      await pause(300);
    }
    const main = await step.done;
    expect(main.code).not.toBe(0);
    const [made] = tokensNamed(name);
    expect(tokensNamed(name)).toHaveLength(1);
    expect(journalOf(main).map((entry) => entry.id)).toContain(made.id);
    expect(main.state['cgt-interrupted']).toBe('true');
    expectNoLeaks(main);

    sim.clearFaults();
    const named = await runPostStep(main, { inputs: { ...stepInputs, revoke: 'false' } });
    expect(named.code).toBe(0);
    expect(commands(named.stdout, 'warning').join('\n')).toMatch(
      new RegExp(`stay active.*token ID ${made.id}\\b`),
    );
    expect(made.active).toBe(true);
    const revoked = await runPostStep(main, { inputs: { ...stepInputs, revoke: 'true' } });
    expect(revoked.code).toBe(0);
    expect(made.revoked).toBe(true);
    expectNoLeaks(named);
    expectNoLeaks(revoked);
  }, 60_000);

  /**
   * A rotation is journalled before it is sent: cancelled while GitLab has rotated the token but
   * not yet answered, the successor (whose secret nobody holds) is named by ID by the post step.
   */
  it('SIGTERM during a rotation GitLab already made: the new token is reported by ID or revoked', async () => {
    const name = uniqueName();
    const user = FIRST_USER + 50;
    const first = await runMainStep({
      inputs: inputs(name, { 'user-id': String(user), 'max-concurrency': '1' }),
    });
    expect(first.code).toBe(0);
    const [existing] = tokensNamed(name);
    sim.addFault({
      method: 'POST',
      pathPattern: /\/rotate$/,
      fault: { kind: 'hang', afterCreate: true },
    });
    const stepInputs = inputs(name, {
      'user-id': String(user),
      'if-exists': 'rotate',
      revoke: 'true',
    });
    const step = startMainStep({ inputs: stepInputs, bundle: true });
    await until(() => tokensNamed(name).length === 2 || step.exited());
    const rotated = tokensNamed(name)[1];
    expect(existing.revoked).toBe(true);
    step.signal('SIGINT');
    await pause(200);
    step.signal('SIGTERM');
    const main = await step.done;
    expect(main.code).not.toBe(0);
    expectNoLeaks(main);
    const post = await runPostStep(main, { inputs: stepInputs });
    expect(post.code).toBe(0);
    expectNoLeaks(post);
    const named = [...namedIds(main.stdout), ...namedIds(post.stdout)];
    expect(rotated.revoked || named.includes(rotated.id)).toBe(true);
  }, 60_000);

  /**
   * A main step killed outright (SIGKILL: the OOM killer, a crash) never marks that it reported
   * its tokens, so the post step names them (revoke: false) or revokes them (revoke: true).
   */
  it('SIGKILL without a prior signal, revoke: false: the post step names every token made', async () => {
    sim.latencyMs = 50;
    const name = uniqueName();
    const { main, inputs: stepInputs } = await cancelAfter(name, 20, [
      { signal: 'SIGKILL', afterMs: 0 },
    ]);
    expect(main.code).not.toBe(0);
    expect(main.outputs.tokens).toBeUndefined();
    const made = journalOf(main).flatMap((entry) => (entry.id ? [entry.id] : []));
    expect(made.length).toBeGreaterThan(10);
    expectNoLeaks(main);

    sim.latencyMs = 0;
    const post = await runPostStep(main, { inputs: stepInputs });
    expect(post.code).toBe(0);
    expectNoLeaks(post);
    const named = namedIds(post.stdout);
    for (const token of tokensNamed(name).filter((t) => t.active)) {
      expect(named.has(token.id)).toBe(true);
    }
  }, 60_000);
});
