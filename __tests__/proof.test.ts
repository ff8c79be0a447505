/**
 * A lost reply's token is revoked only when it is proven this run's (its request's marker in the
 * description, or the step's own unique default name), whatever the server's clock says and
 * however late GitLab commits it; a token that nothing proves (another job's, or one GitLab kept
 * no description for) is named in a warning and left alone. The steps run in this process; the
 * other job that runs while ours waits is the bundle, in a process of its own. Replies are lost
 * and tokens committed late when the test says, not after a fixed time.
 */
import { describe, expect, it } from '@jest/globals';
import { ADMIN_TOKEN, type Fault, type SimToken } from './simulator/gitlab-simulator.js';
import { expectNoSecretsIn, useSimulator } from './helpers/simulator-fixture.js';
import {
  commands,
  requestLine,
  runMainStep,
  runPostStep,
  type StepResult,
} from './helpers/run-action.js';
import { startMainStep, until } from './helpers/running-step.js';
import { expectNothingUnreported, journalOf, markerOf } from './helpers/promises.js';

const sim = useSimulator();
let testNumber = 0;

function uniqueName(): string {
  testNumber += 1;
  return `proof test ${testNumber}`;
}

function inputs(extra: Record<string, string>): Record<string, string> {
  return {
    'base-url': sim.url,
    'gitlab-token': ADMIN_TOKEN,
    'user-id': '42',
    scopes: 'read_api',
    ...extra,
  };
}

function named(name: string): SimToken[] {
  return sim.tokens.filter((token) => token.name === name && token.user_id === 42);
}

function active(name: string): SimToken[] {
  return named(name).filter((token) => token.active);
}

function expectNoLeaks(result: StepResult): void {
  expectNoSecretsIn(result, [ADMIN_TOKEN], [sim]);
}

const CREATE = /^\/api\/v4\/users\/42\/personal_access_tokens$/;
const deleted = (token: SimToken): boolean =>
  sim.requests.some(
    (request) => requestLine(request) === `DELETE /api/v4/personal_access_tokens/${token.id}`,
  );

/** Makes a token straight through the API, as another job (or a person) would. */
async function tokenMadeElsewhere(name: string, description?: string): Promise<SimToken> {
  const response = await fetch(`${sim.url}/api/v4/users/42/personal_access_tokens`, {
    method: 'POST',
    headers: { 'private-token': ADMIN_TOKEN, 'content-type': 'application/json' },
    body: JSON.stringify({ name, scopes: ['read_api'], description }),
  });
  expect(response.status).toBe(201);
  const { id } = (await response.json()) as { id: number };
  return sim.tokens.find((token) => token.id === id) as SimToken;
}

/** A promise the test settles: when a hung reply is lost, when a late token is committed. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/**
 * The run's first request is stored by GitLab, then its reply hangs until the returned function
 * is called, and is lost (the connection is reset).
 */
function loseFirstReply(): () => void {
  const { opened, open } = gate();
  sim.addFault({
    method: 'POST',
    pathPattern: CREATE,
    fault: { kind: 'hang', afterCreate: true, until: opened },
  });
  return open;
}

describe('another job’s token of the same name is never revoked', () => {
  it('made by a second run while our request hangs: named in a warning, left active, also by the post step', async () => {
    const name = uniqueName();
    const lose = loseFirstReply();
    const ours = startMainStep({ inputs: inputs({ name, revoke: 'true' }) });
    await until(() => named(name).length >= 1);
    const [orphan] = named(name);
    // Another job, same name, same user, while our reply is lost.
    const other = await runMainStep({ inputs: inputs({ name }), bundle: true });
    expect(other.code).toBe(0);
    const theirs = sim.tokens.find((token) => token.id === Number(other.outputs.id)) as SimToken;
    expect(markerOf(theirs)).not.toBe(markerOf(orphan));

    lose();
    const main = await ours.done;
    expect(main.code).toBe(0);
    expect(orphan.revoked).toBe(true);
    expect(theirs.active).toBe(true);
    expect(deleted(theirs)).toBe(false);
    expect(commands(main.stdout, 'warning').join('\n')).toContain(
      `Token ID ${theirs.id} named "${name}" of user 42 was made around the time of a lost request, but nothing proves this run made it`,
    );
    const kept = active(name).filter((token) => token.id !== theirs.id);
    expect(kept.map((token) => token.token)).toEqual([main.outputs.token]);
    expectNothingUnreported(
      named(name).filter((token) => token.id !== theirs.id),
      main,
    );
    expectNoLeaks(main);
    expectNoLeaks(other);

    const post = await runPostStep(main, { inputs: inputs({ name, revoke: 'true' }) });
    expect(post.code).toBe(0);
    expect(theirs.active).toBe(true);
    expect(deleted(theirs)).toBe(false);
    expect(active(name)).toEqual([theirs]);
    expectNoLeaks(post);
  });

  it('made by a person (no description) while our request hangs: named, left active', async () => {
    const name = uniqueName();
    const lose = loseFirstReply();
    const ours = startMainStep({ inputs: inputs({ name }) });
    await until(() => named(name).length >= 1);
    const [orphan] = named(name);
    const theirs = await tokenMadeElsewhere(name);
    lose();
    const main = await ours.done;
    expect(main.code).toBe(0);
    expect(orphan.revoked).toBe(true);
    expect(theirs.active).toBe(true);
    expect(deleted(theirs)).toBe(false);
    expect(commands(main.stdout, 'warning').join('\n')).toContain(
      `Token ID ${theirs.id} named "${name}" of user 42 was made around the time of a lost request`,
    );
    expect(
      active(name)
        .map((token) => token.id)
        .sort(),
    ).toEqual([theirs.id, Number(main.outputs.id)].sort());
    expectNoLeaks(main);
  });
});

describe('the server’s clock is off', () => {
  it.each<[string, number, Fault]>([
    ['10 minutes behind, reply reset (no Date)', -600_000, { kind: 'reset', afterCreate: true }],
    ['10 minutes ahead, reply reset (no Date)', 600_000, { kind: 'reset', afterCreate: true }],
    ['10 minutes behind, 502', -600_000, { kind: 'status', status: 502, afterCreate: true }],
    ['10 minutes ahead, 502', 600_000, { kind: 'status', status: 502, afterCreate: true }],
  ])('%s: the lost reply’s token is still found and revoked', async (_, offset, fault) => {
    sim.clockOffsetMs = offset;
    const name = uniqueName();
    sim.addFault({ method: 'POST', pathPattern: CREATE, fault });
    const main = await runMainStep({ inputs: inputs({ name }) });
    expect(main.code).toBe(0);
    const [orphan, kept] = named(name);
    expect(orphan.revoked).toBe(true);
    expect(active(name)).toEqual([kept]);
    expect(main.outputs.token).toBe(kept.token);
    expectNothingUnreported(named(name), main);
    expectNoLeaks(main);
  });

  it.each([
    ['behind', -600_000],
    ['ahead', 600_000],
  ])('10 minutes %s: a late commit after the step is found by the post step', async (_, offset) => {
    sim.clockOffsetMs = offset;
    const name = uniqueName();
    const commit = gate();
    sim.addFault({
      method: 'POST',
      pathPattern: CREATE,
      fault: { kind: 'status', status: 504, afterCreate: true, commitOn: commit.opened },
    });
    const main = await runMainStep({ inputs: inputs({ name }) });
    expect(main.code).toBe(0);
    commit.open();
    await until(() => named(name).length === 2);
    const late = named(name).find((token) => token.id !== Number(main.outputs.id)) as SimToken;
    expect(late.active).toBe(true);
    const post = await runPostStep(main, { inputs: inputs({ name }) });
    expect(post.code).toBe(0);
    expect(late.revoked).toBe(true);
    expect(active(name).map((token) => token.token)).toEqual([main.outputs.token]);
    expectNoLeaks(main);
    expectNoLeaks(post);
  });
});

describe('GitLab 17.6 keeps no description', () => {
  it('with the default (unique) name: the orphan is proven by its name and revoked', async () => {
    sim.setVersion('17.6');
    sim.addFault({
      method: 'POST',
      pathPattern: CREATE,
      fault: { kind: 'status', status: 502, afterCreate: true },
    });
    const main = await runMainStep({ inputs: inputs({}) });
    expect(main.code).toBe(0);
    const name = main.outputs.name;
    expect(name).toMatch(/^GitHub Actions octo-org\/octo-repo run 4242/);
    const [orphan, kept] = named(name);
    expect(orphan.description).toBeNull();
    expect(orphan.revoked).toBe(true);
    expect(active(name)).toEqual([kept]);
    expect(main.outputs.token).toBe(kept.token);
    expectNothingUnreported(named(name), main);
    expectNoLeaks(main);
  });

  it('with an explicit shared name: the unproven candidate is named, not revoked', async () => {
    sim.setVersion('17.6');
    const name = uniqueName();
    sim.addFault({
      method: 'POST',
      pathPattern: CREATE,
      fault: { kind: 'status', status: 502, afterCreate: true },
    });
    const main = await runMainStep({ inputs: inputs({ name, revoke: 'true' }) });
    expect(main.code).toBe(0);
    const [candidate, kept] = named(name);
    expect(candidate.active).toBe(true);
    expect(deleted(candidate)).toBe(false);
    expect(main.outputs.token).toBe(kept.token);
    expect(commands(main.stdout, 'warning').join('\n')).toContain(
      `Token ID ${candidate.id} named "${name}" of user 42 was made around the time of a lost request, but nothing proves this run made it`,
    );
    expectNothingUnreported(named(name), main);
    expectNoLeaks(main);

    // The post step revokes what the run made, and still cannot prove the candidate.
    const post = await runPostStep(main, { inputs: inputs({ name, revoke: 'true' }) });
    expect(post.code).toBe(0);
    expect(kept.revoked).toBe(true);
    expect(candidate.active).toBe(true);
    expectNoLeaks(post);
  });
});

describe('a late commit', () => {
  it('a 504 whose token is committed late, before the step looks again: revoked by the main step itself', async () => {
    const name = uniqueName();
    sim.addFault({
      method: 'POST',
      pathPattern: CREATE,
      fault: { kind: 'status', status: 504, afterCreate: true, commitOn: 'next-request' },
    });
    const main = await runMainStep({ inputs: inputs({ name }) });
    expect(main.code).toBe(0);
    const [late, kept] = named(name);
    expect(late.revoked).toBe(true);
    expect(deleted(late)).toBe(true);
    expect(active(name)).toEqual([kept]);
    expect(main.outputs.token).toBe(kept.token);
    expect(main.stdout).toContain(`Revoked token ID ${late.id}, made by a request whose reply`);
    expectNothingUnreported(named(name), main);
    expectNoLeaks(main);
  });

  it('committed after the step ended: the post step finds it by its marker and revokes it', async () => {
    const name = uniqueName();
    const commit = gate();
    sim.addFault({
      method: 'POST',
      pathPattern: CREATE,
      fault: { kind: 'status', status: 504, afterCreate: true, commitOn: commit.opened },
    });
    const main = await runMainStep({ inputs: inputs({ name, revoke: 'false' }) });
    expect(main.code).toBe(0);
    // The step's own checks saw nothing: its only token is the one it reports.
    expect(named(name).map((token) => token.token)).toEqual([main.outputs.token]);
    const pending = journalOf(main).filter((entry) => entry.id === undefined);
    expect(pending).toHaveLength(1);
    commit.open();
    await until(() => named(name).length === 2);
    const late = named(name).find((token) => token.id !== Number(main.outputs.id)) as SimToken;
    expect(markerOf(late)).toBe(pending[0].marker);
    expect(late.active).toBe(true);

    const post = await runPostStep(main, { inputs: inputs({ name, revoke: 'false' }) });
    expect(post.code).toBe(0);
    expect(late.revoked).toBe(true);
    expect(post.stdout).toContain(
      `Token ID ${late.id} was made by a request whose reply never came`,
    );
    expect(active(name).map((token) => token.token)).toEqual([main.outputs.token]);
    expectNoLeaks(main);
    expectNoLeaks(post);
  });
});
