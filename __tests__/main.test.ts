/** The main step (in this process) against the simulator, one user per step. */
import { describe, expect, it } from '@jest/globals';
import { ADMIN_MODE_TOKEN, ADMIN_TOKEN, USER_TOKEN } from './simulator/gitlab-simulator.js';
import { journalOf } from './helpers/promises.js';
import { expectNoSecretsIn, useSimulator } from './helpers/simulator-fixture.js';
import {
  commands,
  maskedFirst,
  requestLine,
  runMainStep,
  type StepResult,
} from './helpers/run-action.js';

const sim = useSimulator();

function run(
  inputs: Record<string, string>,
  env: Record<string, string> = {},
): Promise<StepResult> {
  return runMainStep({
    inputs: { 'base-url': sim.url, 'gitlab-token': ADMIN_TOKEN, ...inputs },
    env,
  });
}

/** Every run that makes a token: masked first, never printed elsewhere. */
function expectNoLeaks(result: StepResult, credential = ADMIN_TOKEN): void {
  expectNoSecretsIn(result, [credential], [sim]);
}

describe('main step', () => {
  it('creates a token for a numeric user ID with exactly one request', async () => {
    const expiry = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    const result = await run({
      'user-id': '42',
      scopes: 'api, read_repository',
      'expires-at': '30d',
      description: 'bot',
    });
    expect(result.code).toBe(0);
    expect(sim.requests.map(requestLine)).toEqual(['POST /api/v4/users/42/personal_access_tokens']);
    const request = sim.requests[0];
    expect(request.headers['private-token']).toBe(ADMIN_TOKEN);
    // The default name is unique to the step; the description carries the request's marker.
    const name = (request.body as { name: string }).name;
    expect(name).toMatch(/^GitHub Actions octo-org\/octo-repo run 4242\.1 [0-9a-f]{6}$/);
    expect(request.body).toEqual({
      name,
      scopes: ['api', 'read_repository'],
      expires_at: expiry,
      description: expect.stringMatching(/^bot \[create-gitlab-token [0-9a-f]{12}\]$/),
    });
    const made = sim.tokens[sim.tokens.length - 1];
    expect(result.outputs).toEqual({
      token: made.token,
      id: String(made.id),
      name,
      'user-id': '42',
      scopes: 'api,read_repository',
      'expires-at': expiry,
      'created-at': made.created_at,
      rotated: 'false',
      tokens: JSON.stringify([
        {
          type: 'personal',
          target: null,
          user_id: 42,
          id: made.id,
          name: made.name,
          token: made.token,
          scopes: ['api', 'read_repository'],
          expires_at: expiry,
        },
      ]),
    });
    expect(maskedFirst(result.stdout, made.token)).toBe(true);
    expect(maskedFirst(result.stdout, ADMIN_TOKEN)).toBe(true);
    expect(result.summary).toContain(`<td>${made.id}</td>`);
    // The journal: one entry, IDs and names only, for the post step.
    expect(journalOf(result)).toEqual([
      expect.objectContaining({ kind: 'personal', user_id: 42, id: made.id, name }),
    ]);
    expect(result.state['cgt-reported']).toBe('true');
    expectNoLeaks(result);
  });

  it('writes one debug line per request: method, path, status; never a header or a body', async () => {
    const result = await run({ 'user-id': '@alice', scopes: 'read_api', name: 'debug me' });
    expect(result.code).toBe(0);
    expect(commands(result.stdout, 'debug')).toEqual([
      expect.stringMatching(/^GET \/users\?… answered 200 \(\d+ ms, attempt 1\)$/),
      expect.stringMatching(
        /^POST \/users\/42\/personal_access_tokens answered 201 \(\d+ ms, attempt 1\)$/,
      ),
    ]);
    expectNoLeaks(result);
  });

  it('resolves a username with one look-up, then creates', async () => {
    const result = await run({
      'user-id': '@alice',
      scopes: 'read_api',
      name: 'ci bot',
      'expires-at': '',
    });
    expect(result.code).toBe(0);
    expect(sim.requests.map(requestLine)).toEqual([
      'GET /api/v4/users?username=alice',
      'POST /api/v4/users/42/personal_access_tokens',
    ]);
    expect(result.outputs['user-id']).toBe('42');
    expect(result.outputs.name).toBe('ci bot');
    expect(sim.requests[1].body).not.toHaveProperty('expires_at');
    expectNoLeaks(result);
  });

  it('takes the credential from GITLAB_TOKEN and accepts a relative root with /api/v4/', async () => {
    const result = await runMainStep({
      inputs: { 'base-url': `${sim.url}/api/v4/`, 'user-id': '43', scopes: 'api' },
      env: { GITLAB_TOKEN: ADMIN_TOKEN },
    });
    expect(result.code).toBe(0);
    expect(sim.requests[0].headers['private-token']).toBe(ADMIN_TOKEN);
    expect(maskedFirst(result.stdout, ADMIN_TOKEN)).toBe(true);
    expectNoLeaks(result);
  });

  it('sends no credential header with skip-auth', async () => {
    sim.anonymousUserId = 1;
    try {
      const result = await runMainStep({
        inputs: { 'base-url': sim.url, 'skip-auth': 'true', 'user-id': '42', scopes: 'api' },
      });
      expect(result.code).toBe(0);
      expect(sim.requests[0].headers['private-token']).toBeUndefined();
      expect(sim.requests[0].headers.authorization).toBeUndefined();
      expectNoLeaks(result);
    } finally {
      sim.anonymousUserId = null;
    }
  });

  it.each([
    [{ 'user-id': '' }, 'user-id: required'],
    [{ 'user-id': 'a b' }, 'user-id: "a b" is neither a numeric user ID nor a username'],
    [{ scopes: '' }, 'scopes: required'],
    [{ scopes: 'API!' }, 'scopes: "API!" is not a scope name'],
    [{ 'expires-at': '2020-01-01' }, 'expires-at: 2020-01-01 is not in the future'],
    [{ 'expires-at': '2099-02-30' }, 'expires-at: 2099-02-30 is not a calendar date'],
    [{ 'expires-at': 'soon' }, 'expires-at: expected a date as YYYY-MM-DD'],
    [{ revoke: 'yes' }, 'revoke: expected true or false, got "yes"'],
    [{ 'base-url': 'gitlab.example.com' }, 'base-url: expected an absolute URL'],
    [
      { 'base-url': 'http://gitlab.example.com' },
      'base-url: uses plain http to gitlab.example.com',
    ],
    [
      { 'base-url': 'https://root:pw@gitlab.example.com' },
      'base-url: must not contain a user name or password',
    ],
    [{ 'gitlab-token': '' }, 'gitlab-token: required'],
    [{ name: 'x'.repeat(256) }, 'name: at most 255 characters, got 256'],
    [{ 'timeout-seconds': '0' }, 'timeout-seconds: expected a number from 1 to 3600'],
  ])('rejects %j before any request', async (inputs, message) => {
    const result = await run({ 'user-id': '42', scopes: 'api', ...inputs });
    expect(result.code).toBe(1);
    expect(commands(result.stdout, 'error').join('\n')).toContain(message);
    expect(sim.requests).toEqual([]);
    expect(sim.tokens.filter((t) => t.active)).toHaveLength(
      sim.tokens.filter((t) => t.active).length,
    );
    expect(result.outputs).toEqual({});
    expectNoLeaks(result);
  });

  it('lists every input problem at once', async () => {
    const result = await run({ 'user-id': '', scopes: '', 'skip-auth': 'maybe' });
    const error = commands(result.stdout, 'error')[0];
    expect(error).toContain('skip-auth: expected true or false');
    expect(error).toContain('user-id: required');
    expect(error).toContain('scopes: required');
  });

  describe('GitLab errors become messages that say what to do', () => {
    it('401: wrong, expired or revoked credential', async () => {
      const result = await run({
        'user-id': '42',
        scopes: 'api',
        'gitlab-token': 'glpat-FAKE-wrong-credential-9',
      });
      expect(result.code).toBe(1);
      const [error] = commands(result.stdout, 'error');
      expect(error).toContain('GitLab answered 401 Unauthorized');
      expect(error).toContain('GitLab said \\"401 Unauthorized\\"'.replace(/\\/g, ''));
      expect(error).toContain('wrong, expired or revoked');
      // After the failure, one look at who the credential is (it is nobody).
      expect(sim.requests.map(requestLine)).toEqual([
        'POST /api/v4/users/42/personal_access_tokens',
        'GET /api/v4/user',
      ]);
      expectNoLeaks(result, 'glpat-FAKE-wrong-credential-9');
    });

    it('422 model error: names expires-at and quotes GitLab', async () => {
      sim.addFault({
        method: 'POST',
        fault: {
          kind: 'status',
          status: 422,
          body: { message: 'Expiration date must be before 2027-11-27' },
        },
      });
      const result = await run({ 'user-id': '42', scopes: 'api', 'expires-at': '400d' });
      expect(result.code).toBe(1);
      const [error] = commands(result.stdout, 'error');
      expect(error).toContain('422 Unprocessable Entity');
      expect(error).toContain('Expiration date must be before 2027-11-27');
      expect(error).toContain('check expires-at');
      // A model error means nothing was stored: no look for a token.
      expect(sim.requests).toHaveLength(1);
      expectNoLeaks(result);
    });

    it('403 insufficient_scope says which scope the credential lacks', async () => {
      sim.addFault({
        method: 'POST',
        fault: {
          kind: 'status',
          status: 403,
          body: {
            error: 'insufficient_scope',
            error_description:
              'The request requires higher privileges than provided by the access token.',
            scope: 'api',
          },
        },
      });
      const result = await run({ 'user-id': '42', scopes: 'api' });
      const [error] = commands(result.stdout, 'error');
      expect(error).toContain('lacks the "api" scope');
      expect(error).toContain('requires higher privileges');
      expect(error).not.toContain('Admin Mode');
      expectNoLeaks(result);
    });

    it('401 invalid_token quotes why: revoked or expired', async () => {
      sim.addFault({
        method: 'POST',
        fault: {
          kind: 'status',
          status: 401,
          body: {
            error: 'invalid_token',
            error_description:
              'Token is expired. You can either do re-authorization or token refresh.',
          },
        },
      });
      const result = await run({ 'user-id': '42', scopes: 'api' });
      const [error] = commands(result.stdout, 'error');
      expect(error).toContain('Token is expired.');
      expect(error).toContain('no longer valid');
      expectNoLeaks(result);
    });

    it('403 from a non-administrator names the user', async () => {
      const result = await run({ 'user-id': '43', scopes: 'api', 'gitlab-token': USER_TOKEN });
      expect(result.code).toBe(1);
      const [error] = commands(result.stdout, 'error');
      expect(error).toContain('403 Forbidden');
      expect(error).toContain('belongs to @alice, who is not an administrator');
      expect(sim.requests.map(requestLine)).toEqual([
        'POST /api/v4/users/43/personal_access_tokens',
        'GET /api/v4/user',
      ]);
      expectNoLeaks(result, USER_TOKEN);
    });

    it('403 from an administrator under Admin Mode asks for admin_mode', async () => {
      sim.adminMode = true;
      const refused = await run({ 'user-id': '42', scopes: 'api' });
      expect(commands(refused.stdout, 'error')[0]).toContain('add the admin_mode scope');
      const allowed = await run({
        'user-id': '42',
        scopes: 'api',
        'gitlab-token': ADMIN_MODE_TOKEN,
      });
      expect(allowed.code).toBe(0);
      expectNoLeaks(allowed, ADMIN_MODE_TOKEN);
    });

    it('404: no such user', async () => {
      const result = await run({ 'user-id': '999', scopes: 'api' });
      expect(commands(result.stdout, 'error')[0]).toContain('404 User Not Found');
      expect(commands(result.stdout, 'error')[0]).toContain('check user-id');
    });

    it('unknown username', async () => {
      const result = await run({ 'user-id': 'nobody', scopes: 'api' });
      expect(commands(result.stdout, 'error')[0]).toContain('no user with the username "nobody"');
      expect(sim.requests).toHaveLength(1);
    });

    it('400: quotes GitLab on an unknown scope', async () => {
      const result = await run({ 'user-id': '42', scopes: 'api,frobnicate' });
      const [error] = commands(result.stdout, 'error');
      expect(error).toContain('400 Bad Request');
      expect(error).toContain('scopes does not have a valid value');
      expect(error).toContain('check scopes');
    });

    it('422: quotes GitLab on an expiry past the instance maximum', async () => {
      const result = await run({ 'user-id': '42', scopes: 'api', 'expires-at': '2099-01-01' });
      expect(result.code).toBe(1);
      const [error] = commands(result.stdout, 'error');
      expect(error).toContain('422 Unprocessable Entity');
      expect(error).toContain('Expiration date must be before');
      expect(error).toContain('check expires-at');
    });

    it('500 is reported, not retried', async () => {
      sim.addFault({ method: 'POST', fault: { kind: 'status', status: 500 } });
      const result = await run({ 'user-id': '42', scopes: 'api', name: 'five hundred' });
      expect(commands(result.stdout, 'error')[0]).toContain('500 Internal Server Error');
      expect(commands(result.stdout, 'error')[0]).toContain('problem on the GitLab side');
      // One POST, never repeated; then a look for a token GitLab may have stored anyway.
      expect(sim.requests.map(requestLine)).toEqual([
        'POST /api/v4/users/42/personal_access_tokens',
        expect.stringMatching(
          /^GET \/api\/v4\/personal_access_tokens\?user_id=42&state=active&search=five\+hundred&created_after=[^&]+&per_page=100&page=1$/,
        ),
      ]);
    });

    it('GitLab.com: no admin API, use group service accounts', async () => {
      sim.gitlabDotCom = true;
      const result = await run({ 'user-id': '42', scopes: 'api' });
      expect(result.code).toBe(1);
      expect(commands(result.stdout, 'error')[0]).toContain('403 Forbidden');
    });
  });
});
