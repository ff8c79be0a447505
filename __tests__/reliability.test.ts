/**
 * Reliability: lost replies are reconciled (no orphan or unreported token), redirects are never
 * followed, and every request is bounded by timeout-seconds. The main and post steps run against
 * the simulator with fault modes.
 */
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
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

const sim = useSimulator({ host: '127.0.0.1' });
/** A second instance on another host name: a redirect target that must never be contacted. */
const elsewhere = useSimulator({ host: 'localhost' });
let testNumber = 0;

/** A token name no other test uses, so each test sees only its own tokens. */
function uniqueName(): string {
  testNumber += 1;
  return `reliability test ${testNumber}`;
}

function run(
  inputs: Record<string, string>,
  env: Record<string, string> = {},
): Promise<StepResult> {
  return runMainStep({
    inputs: { 'base-url': sim.url, 'gitlab-token': ADMIN_TOKEN, ...inputs },
    env,
  });
}

function activeTokens(name: string, userId = 42): SimToken[] {
  return sim.tokens.filter((t) => t.active && t.name === name && t.user_id === userId);
}

function named(name: string): SimToken[] {
  return sim.tokens.filter((t) => t.name === name);
}

/** No secret (the credential, any token either simulator ever made) leaked anywhere. */
function expectNoLeaks(result: StepResult): void {
  expectNoSecretsIn(result, [ADMIN_TOKEN], [sim, elsewhere]);
}

const CREATE = /^\/api\/v4\/users\/42\/personal_access_tokens$/;
/** The list of a user's active tokens with that name, made since about the request. */
const listLine = (name: string): unknown => {
  const search = encodeURIComponent(name).replace(/%20/g, '\\+');
  return expect.stringMatching(
    new RegExp(
      `^GET /api/v4/personal_access_tokens\\?user_id=42&state=active&search=${search}&created_after=[^&]+&per_page=100&page=1$`,
    ),
  );
};

describe('a lost reply to the create POST is reconciled', () => {
  it.each<[string, Fault]>([
    ['a connection reset after the token was made', { kind: 'reset', afterCreate: true }],
    ['502 after the token was made', { kind: 'status', status: 502, afterCreate: true }],
    ['504 after the token was made', { kind: 'status', status: 504, afterCreate: true }],
  ])('%s: revokes the orphan, retries once, outputs the one active token', async (_, fault) => {
    const name = uniqueName();
    sim.addFault({ method: 'POST', pathPattern: CREATE, fault });
    const result = await run({ 'user-id': '42', scopes: 'read_api', name });
    expect(result.code).toBe(0);
    const [orphan, kept] = named(name);
    // Look (after a short wait for a late commit), revoke the proven orphan, retry, look again.
    expect(sim.requests.map(requestLine)).toEqual([
      'POST /api/v4/users/42/personal_access_tokens',
      listLine(name),
      `DELETE /api/v4/personal_access_tokens/${orphan.id}`,
      'POST /api/v4/users/42/personal_access_tokens',
      listLine(name),
    ]);
    expect(orphan.revoked).toBe(true);
    expect(activeTokens(name)).toEqual([kept]);
    expect(result.outputs.token).toBe(kept.token);
    expect(result.outputs.id).toBe(String(kept.id));
    expect(JSON.parse(result.outputs.tokens)).toHaveLength(1);
    expect(commands(result.stdout, 'warning').join('\n')).toContain(
      'The reply to the token request for user 42 was lost',
    );
    expect(result.stdout).toContain(`Revoked token ID ${orphan.id}, made by a request`);
    expectNoLeaks(result);
  });

  it('a reset before GitLab made anything: nothing to revoke, one retry', async () => {
    const name = uniqueName();
    sim.addFault({ method: 'POST', pathPattern: CREATE, fault: { kind: 'reset' } });
    const result = await run({ 'user-id': '42', scopes: 'api', name });
    expect(result.code).toBe(0);
    expect(sim.requests.map(requestLine)).toEqual([
      'POST /api/v4/users/42/personal_access_tokens',
      listLine(name),
      'POST /api/v4/users/42/personal_access_tokens',
      listLine(name),
    ]);
    expect(named(name)).toHaveLength(1);
    expect(activeTokens(name).map((t) => t.token)).toEqual([result.outputs.token]);
    expectNoLeaks(result);
  });

  it.each<[string, Fault]>([
    ['never answers', { kind: 'hang', afterCreate: true }],
    ['stalls in the middle of the reply', { kind: 'stall', status: 201, afterCreate: true }],
  ])('a server that made the token and %s: timeout, then reconciled', async (_, fault) => {
    const name = uniqueName();
    sim.addFault({ method: 'POST', pathPattern: CREATE, fault });
    const result = await run({ 'user-id': '42', scopes: 'api', name, 'timeout-seconds': '1' });
    expect(result.code).toBe(0);
    const [orphan, kept] = named(name);
    expect(orphan.revoked).toBe(true);
    expect(activeTokens(name)).toEqual([kept]);
    expect(result.outputs.token).toBe(kept.token);
    expectNoLeaks(result);
  });

  it('a reply lost twice: both tokens revoked, the step fails saying none is left', async () => {
    const name = uniqueName();
    sim.addFault({
      method: 'POST',
      pathPattern: CREATE,
      times: 2,
      fault: { kind: 'reset', afterCreate: true },
    });
    const result = await run({ 'user-id': '42', scopes: 'api', name });
    expect(result.code).toBe(1);
    expect(named(name)).toHaveLength(2);
    expect(activeTokens(name)).toEqual([]);
    expect(sim.requests.filter((r) => r.method === 'POST')).toHaveLength(2);
    expect(sim.requests.filter((r) => r.method === 'DELETE')).toHaveLength(2);
    const [error] = commands(result.stdout, 'error');
    expect(error).toContain(
      `the reply was lost twice; no token of this run named "${name}" was left active`,
    );
    expect(result.outputs.token).toBeUndefined();
    expect(JSON.parse(result.outputs.tokens)).toEqual([]);
    expectNoLeaks(result);
  });

  it('a lost reply whose token list cannot be read: fails and says to check by hand', async () => {
    const name = uniqueName();
    sim.addFault({
      method: 'POST',
      pathPattern: CREATE,
      fault: { kind: 'reset', afterCreate: true },
    });
    sim.addFault({ method: 'GET', fault: { kind: 'status', status: 500 } });
    const result = await run({ 'user-id': '42', scopes: 'api', name });
    expect(result.code).toBe(1);
    const [error] = commands(result.stdout, 'error');
    expect(error).toContain(`GitLab may have made a token named "${name}" for user 42`);
    expect(error).toContain('could not be listed to check: look for it and revoke it by hand');
    expect(error).toContain('500 Internal Server Error');
    expect(result.outputs.token).toBeUndefined();
    expectNoLeaks(result);
  });

  it('an orphan that cannot be revoked is named so a person can revoke it', async () => {
    const name = uniqueName();
    sim.addFault({
      method: 'POST',
      pathPattern: CREATE,
      fault: { kind: 'reset', afterCreate: true },
    });
    sim.addFault({ method: 'DELETE', fault: { kind: 'status', status: 500 } });
    const result = await run({ 'user-id': '42', scopes: 'api', name });
    expect(result.code).toBe(1);
    const [orphan] = named(name);
    expect(named(name)).toHaveLength(1);
    const [error] = commands(result.stdout, 'error');
    expect(error).toContain(
      `token ID ${orphan.id}, made by a request whose reply was lost, could not be revoked: revoke it by hand`,
    );
    expectNoLeaks(result);
  });

  it('a plain 500 is not retried; the check for a token it made finds none', async () => {
    const name = uniqueName();
    sim.addFault({ method: 'POST', pathPattern: CREATE, fault: { kind: 'status', status: 500 } });
    const result = await run({ 'user-id': '42', scopes: 'api', name });
    expect(result.code).toBe(1);
    expect(sim.requests.map(requestLine)).toEqual([
      'POST /api/v4/users/42/personal_access_tokens',
      listLine(name),
    ]);
    expect(commands(result.stdout, 'error')[0]).toContain('500 Internal Server Error');
    expect(named(name)).toEqual([]);
    expectNoLeaks(result);
  });

  it('a 500 after GitLab stored the token: not retried, and the token is revoked', async () => {
    const name = uniqueName();
    sim.addFault({
      method: 'POST',
      pathPattern: CREATE,
      fault: { kind: 'status', status: 500, afterCreate: true },
    });
    const result = await run({ 'user-id': '42', scopes: 'api', name });
    expect(result.code).toBe(1);
    const made = named(name);
    expect(made).toHaveLength(1);
    expect(made[0].active).toBe(false);
    expect(sim.requests.map(requestLine).filter((line) => line.startsWith('POST'))).toHaveLength(1);
    expect(sim.requests.map(requestLine)).toContain(
      `DELETE /api/v4/personal_access_tokens/${made[0].id}`,
    );
    expect(commands(result.stdout, 'error')[0]).toContain('500 Internal Server Error');
    expect(result.outputs.token).toBeUndefined();
    expectNoLeaks(result);
  });

  it('reconciling leaves alone an earlier token of the same name made with other scopes', async () => {
    const name = uniqueName();
    const earlier = await run({ 'user-id': '42', scopes: 'read_api', name });
    expect(earlier.code).toBe(0);
    sim.addFault({
      method: 'POST',
      pathPattern: CREATE,
      fault: { kind: 'status', status: 502, afterCreate: true },
    });
    const result = await run({ 'user-id': '42', scopes: 'api', name });
    expect(result.code).toBe(0);
    const active = named(name).filter((token) => token.active);
    expect(active.map((token) => token.id).sort()).toEqual(
      [Number(earlier.outputs.id), Number(result.outputs.id)].sort(),
    );
    expect(named(name)).toHaveLength(3);
    expectNoLeaks(earlier);
    expectNoLeaks(result);
  });

  it('a lost reply to a rotation: never sent again; a new token, and the unproven one named', async () => {
    const name = uniqueName();
    const first = await run({ 'user-id': '42', scopes: 'api', name });
    expect(first.code).toBe(0);
    sim.requests.length = 0;
    sim.addFault({
      method: 'POST',
      pathPattern: /\/rotate$/,
      fault: { kind: 'reset', afterCreate: true },
    });
    const result = await run({ 'user-id': '42', scopes: 'api', name, 'if-exists': 'rotate' });
    expect(result.code).toBe(0);
    const [original, rotated, fresh] = named(name);
    expect(sim.requests.filter((request) => request.path.endsWith('/rotate'))).toHaveLength(1);
    expect(original.active).toBe(false);
    expect(result.outputs.token).toBe(fresh.token);
    // The rotation's token keeps the old description, so nothing proves it this run's: named.
    expect(rotated.active).toBe(true);
    expect(commands(result.stdout, 'warning').join('\n')).toContain(
      `Token ID ${rotated.id} named "${name}" of user 42 was made around the time of a lost request`,
    );
    expectNoLeaks(first);
    expectNoLeaks(result);
  });
});

describe('redirects are never followed', () => {
  const target = (path: string): string => `${elsewhere.url}/api/v4${path}`;

  it.each([301, 302, 307, 308])(
    '%i on the create POST: fails naming the target; the other host gets nothing',
    async (status) => {
      const name = uniqueName();
      sim.addFault({
        method: 'POST',
        fault: { kind: 'redirect', status, location: target('/users/42/personal_access_tokens') },
      });
      const result = await run({ 'user-id': '42', scopes: 'api', name });
      expect(result.code).toBe(1);
      expect(elsewhere.url).toMatch(/^http:\/\/localhost:\d+$/);
      expect(elsewhere.requests).toEqual([]);
      expect(sim.requests).toHaveLength(1);
      const [error] = commands(result.stdout, 'error');
      expect(error).toContain(
        `GitLab answered ${status} redirecting POST /users/42/personal_access_tokens to ${target('/users/42/personal_access_tokens')}`,
      );
      expect(error).toContain(`set base-url to ${elsewhere.url}`);
      expect(named(name)).toEqual([]);
      expectNoLeaks(result);
    },
  );

  it('a redirect of the username look-up is not followed either', async () => {
    sim.addFault({
      method: 'GET',
      fault: { kind: 'redirect', location: target('/users?username=alice') },
    });
    const result = await run({ 'user-id': '@alice', scopes: 'api', name: uniqueName() });
    expect(result.code).toBe(1);
    expect(elsewhere.requests).toEqual([]);
    expect(commands(result.stdout, 'error')[0]).toContain(
      `redirecting GET /users?username=alice to ${target('/users?username=alice')}`,
    );
    expectNoLeaks(result);
  });

  it('the post step does not follow a redirect of the DELETE', async () => {
    const name = uniqueName();
    const main = await run({ 'user-id': '42', scopes: 'api', name, revoke: 'true' });
    expect(main.code).toBe(0);
    sim.addFault({
      method: 'DELETE',
      fault: { kind: 'redirect', location: target(`/personal_access_tokens/${main.outputs.id}`) },
    });
    const post = await runPostStep(main, {
      inputs: { 'base-url': sim.url, 'gitlab-token': ADMIN_TOKEN, revoke: 'true' },
    });
    expect(post.code).toBe(0);
    expect(elsewhere.requests).toEqual([]);
    const [warning] = commands(post.stdout, 'warning');
    expect(warning).toContain(`GitLab did not confirm revoking token ID ${main.outputs.id}`);
    expect(warning).toContain(`to ${target(`/personal_access_tokens/${main.outputs.id}`)}`);
    expect(activeTokens(name)).toHaveLength(1);
    expectNoLeaks(main);
    expectNoLeaks(post);
  });
});

describe('every request is bounded by timeout-seconds', () => {
  it('GitLab never answers the create: fails after the reconcile, naming the limit', async () => {
    const name = uniqueName();
    sim.addFault({ method: 'POST', pathPattern: CREATE, times: Infinity, fault: { kind: 'hang' } });
    const result = await run({ 'user-id': '42', scopes: 'api', name, 'timeout-seconds': '1' });
    expect(result.code).toBe(1);
    const [error] = commands(result.stdout, 'error');
    expect(error).toContain('the reply was lost twice');
    expect(error).toContain(
      `No answer to POST /users/42/personal_access_tokens to ${sim.url} within 1 seconds (timeout-seconds)`,
    );
    expect(named(name)).toEqual([]);
    expectNoLeaks(result);
  });

  /** A TCP server that accepts connections and never says a word; counts its connections. */
  async function withSilentServer(
    scheme: 'http' | 'https',
    test: (url: string, connections: () => number) => Promise<void>,
  ): Promise<void> {
    const sockets = new Set<net.Socket>();
    let connections = 0;
    const silent = net.createServer((socket) => {
      connections += 1;
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      await test(`${scheme}://127.0.0.1:${(silent.address() as AddressInfo).port}`, () =>
        connections);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  }

  it('a server that accepts the connection and never answers fails the step', async () => {
    await withSilentServer('http', async (url, connections) => {
      const result = await runMainStep({
        inputs: {
          'base-url': url,
          'gitlab-token': ADMIN_TOKEN,
          'user-id': '@alice',
          scopes: 'api',
          'timeout-seconds': '1',
        },
      });
      expect(result.code).toBe(1);
      expect(connections()).toBeGreaterThan(0);
      expect(commands(result.stdout, 'error')[0]).toContain(
        `No answer to GET /users?username=alice to ${url} within 1 seconds (timeout-seconds)`,
      );
      expectNoLeaks(result);
    });
  });

  it('a server that never starts TLS: the create was not sent, so nothing is reconciled', async () => {
    await withSilentServer('https', async (url, connections) => {
      const result = await runMainStep({
        inputs: {
          'base-url': url,
          'gitlab-token': ADMIN_TOKEN,
          'user-id': '42',
          scopes: 'api',
          'timeout-seconds': '1',
        },
      });
      expect(result.code).toBe(1);
      // One connection: no retry of a timeout, and no token list, since the POST never left.
      expect(connections()).toBe(1);
      const [error] = commands(result.stdout, 'error');
      expect(error).toContain(
        `No answer to POST /users/42/personal_access_tokens to ${url} within 1 seconds (timeout-seconds)`,
      );
      expect(error).toContain('the TLS handshake did not finish, so nothing was sent');
      expectNoLeaks(result);
    });
  });

  it('a reply that stops in the middle of its body fails the step', async () => {
    sim.addFault({ method: 'GET', times: Infinity, fault: { kind: 'stall' } });
    const result = await run({
      'user-id': '@alice',
      scopes: 'api',
      name: uniqueName(),
      'timeout-seconds': '1',
    });
    expect(result.code).toBe(1);
    expect(commands(result.stdout, 'error')[0]).toContain('No answer to GET /users?username=alice');
    expectNoLeaks(result);
  });

  it('the post step gives up on a hanging DELETE with a warning', async () => {
    const name = uniqueName();
    const main = await run({ 'user-id': '42', scopes: 'api', name, revoke: 'true' });
    expect(main.code).toBe(0);
    sim.addFault({ method: 'DELETE', times: Infinity, fault: { kind: 'hang' } });
    const post = await runPostStep(main, {
      inputs: {
        'base-url': sim.url,
        'gitlab-token': ADMIN_TOKEN,
        'timeout-seconds': '1',
        revoke: 'true',
      },
    });
    expect(post.code).toBe(0);
    const [warning] = commands(post.stdout, 'warning');
    expect(warning).toContain(`GitLab did not confirm revoking token ID ${main.outputs.id}`);
    expect(warning).toContain('within 1 seconds (timeout-seconds)');
    expectNoLeaks(post);
  });
});

describe('a reply that cannot be used fails that request, clearly', () => {
  const SWITCHING =
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n';

  it('an endless 201 body to the create: read no further than 1 MiB, reconciled as lost', async () => {
    const name = uniqueName();
    sim.addFault({
      method: 'POST',
      pathPattern: CREATE,
      fault: { kind: 'endless', status: 201, afterCreate: true },
    });
    const result = await run({ 'user-id': '42', scopes: 'api', name });
    expect(result.code).toBe(0);
    const [orphan, kept] = named(name);
    expect(orphan.revoked).toBe(true);
    expect(activeTokens(name)).toEqual([kept]);
    expect(result.outputs.token).toBe(kept.token);
    expect(commands(result.stdout, 'warning').join('\n')).toContain(
      'The reply to the token request for user 42 was lost',
    );
    expectNoLeaks(result);
  });

  it('a 150 MB error body: each reply is cut at 1 MiB and the step fails saying so', async () => {
    const name = uniqueName();
    sim.addFault({
      method: 'POST',
      pathPattern: CREATE,
      times: Infinity,
      fault: { kind: 'huge', status: 500, bytes: 150 * 1024 * 1024 },
    });
    const result = await run({ 'user-id': '42', scopes: 'api', name });
    expect(result.code).toBe(1);
    const [error] = commands(result.stdout, 'error');
    expect(error).toContain('the reply was lost twice');
    expect(error).toContain(
      `The reply to POST /users/42/personal_access_tokens from ${sim.url} is larger than 1 MiB`,
    );
    expect(activeTokens(name)).toEqual([]);
    expectNoLeaks(result);
  });

  it('101 Switching Protocols to a look-up: fails with a message, no crash', async () => {
    sim.addFault({ method: 'GET', times: Infinity, fault: { kind: 'raw', data: SWITCHING } });
    const result = await run({ 'user-id': '@alice', scopes: 'api', name: uniqueName() });
    expect(result.code).toBe(1);
    expect(commands(result.stdout, 'error')[0]).toContain(
      `GET /users?username=alice to ${sim.url} was answered 101 Switching Protocols`,
    );
    expectNoLeaks(result);
  });

  it('101 Switching Protocols after the token was made: reconciled as lost', async () => {
    const name = uniqueName();
    sim.addFault({
      method: 'POST',
      pathPattern: CREATE,
      fault: { kind: 'raw', data: SWITCHING, afterCreate: true },
    });
    const result = await run({ 'user-id': '42', scopes: 'api', name });
    expect(result.code).toBe(0);
    const [orphan, kept] = named(name);
    expect(orphan.revoked).toBe(true);
    expect(activeTokens(name)).toEqual([kept]);
    expect(result.outputs.token).toBe(kept.token);
    expectNoLeaks(result);
  });
});
