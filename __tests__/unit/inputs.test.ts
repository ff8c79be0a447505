/** Unit tests for the inputs of a run (parseRunInputs): every input's accepted forms and its problems. */
import { describe, expect, it } from '@jest/globals';
import { InputError } from '../../src/inputs/problems.js';
import { MARKER_LENGTH } from '../../src/util/marker.js';
import { parseConnectionInputs } from '../../src/inputs/connection.js';
import { parseRunInputs as parseInputs } from '../../src/tokens/inputs.js';

const NOW = new Date('2026-11-27T12:00:00Z');
const CREDENTIAL = 'glpat-FAKE-unit-credential-01';

function reader(values: Record<string, string>): (name: string) => string {
  return (name) => values[name] ?? '';
}

function parse(values: Record<string, string>, env: Record<string, string> = {}) {
  return parseInputs(
    reader({ 'gitlab-token': CREDENTIAL, 'user-id': '42', scopes: 'api', ...values }),
    { GITHUB_REPOSITORY: 'o/r', GITHUB_RUN_ID: '7', ...env },
    NOW,
  );
}

function problems(values: Record<string, string>, env: Record<string, string> = {}): string[] {
  try {
    parse(values, env);
  } catch (error) {
    if (error instanceof InputError) return error.problems;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('parseInputs', () => {
  it('applies the defaults', () => {
    const inputs = parse({});
    expect(inputs.name).toMatch(/^GitHub Actions o\/r run 7\.1 [0-9a-f]{6}$/);
    expect(inputs).toEqual({
      apiUrl: 'https://gitlab.com/api/v4',
      instanceUrl: 'https://gitlab.com',
      instanceFrom: 'default',
      credential: CREDENTIAL,
      timeoutMs: 30_000,
      insecureHttp: false,
      targets: [{ kind: 'personal', user: { id: 42 } }],
      targetInput: 'user-id',
      groupId: undefined,
      accessLevel: undefined,
      scopes: ['api'],
      name: inputs.name,
      uniqueName: true,
      expiresAt: undefined,
      description: undefined,
      // revoke left empty: a token made for this job is revoked when the job ends
      revoke: true,
      maxConcurrency: 8,
      ifExists: 'create',
      maxWaitMs: 300_000,
      stores: [],
    });
  });

  it('makes the default name unique to the run, its attempt, the job and the step', () => {
    const env = { GITHUB_RUN_ATTEMPT: '3', GITHUB_JOB: 'deploy' };
    const names = [1, 2, 3].map(() => parse({}, env).name);
    for (const name of names)
      expect(name).toMatch(/^GitHub Actions o\/r run 7\.3 deploy [0-9a-f]{6}$/);
    expect(new Set(names).size).toBe(3);
    expect(parse({ name: 'fixed' })).toMatchObject({ name: 'fixed', uniqueName: false });
  });

  it('needs a name with if-exists rotate or fail', () => {
    expect(problems({ 'if-exists': 'rotate' })).toEqual([
      expect.stringContaining('name: required with if-exists: rotate'),
    ]);
    expect(parse({ 'if-exists': 'fail', name: 'n' }).ifExists).toBe('fail');
  });

  it('keeps room in the description for the marker', () => {
    const room = 255 - MARKER_LENGTH;
    expect(parse({ description: 'x'.repeat(room) }).description).toHaveLength(room);
    expect(problems({ description: 'x'.repeat(room + 1) })[0]).toContain(
      `description: at most ${room}`,
    );
  });

  it.each([
    ['https://gitlab.example.com', 'https://gitlab.example.com/api/v4'],
    ['https://gitlab.example.com/', 'https://gitlab.example.com/api/v4'],
    ['https://gitlab.example.com/api/v4', 'https://gitlab.example.com/api/v4'],
    ['https://gitlab.example.com/api/v4/', 'https://gitlab.example.com/api/v4'],
    ['https://example.com/gitlab', 'https://example.com/gitlab/api/v4'],
    ['https://example.com/gitlab//', 'https://example.com/gitlab/api/v4'],
    ['  https://example.com:8443/gitlab/api/v4  ', 'https://example.com:8443/gitlab/api/v4'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080/api/v4'],
    ['http://localhost', 'http://localhost/api/v4'],
    ['http://[::1]:3000/', 'http://[::1]:3000/api/v4'],
  ])('normalises base-url %j', (baseUrl, apiUrl) => {
    expect(parse({ 'base-url': baseUrl }).apiUrl).toBe(apiUrl);
  });

  it('allows plain http to a remote host only when asked, and says so', () => {
    expect(problems({ 'base-url': 'http://gitlab.example.com' })[0]).toMatch(
      /^base-url: uses plain http to gitlab\.example\.com/,
    );
    const inputs = parse({
      'base-url': 'http://gitlab.example.com',
      'allow-insecure-http': 'TRUE',
    });
    expect(inputs.insecureHttp).toBe(true);
  });

  it.each([
    ['ftp://gitlab.example.com', 'base-url: expected an https:// URL'],
    ['https://user:pass@gitlab.example.com', 'base-url: must not contain a user name or password'],
    ['https://gitlab.example.com/?private_token=x', 'base-url: must not contain a query'],
    ['not a url', 'base-url: expected an absolute URL'],
  ])('rejects base-url %j', (baseUrl, message) => {
    expect(problems({ 'base-url': baseUrl })[0]).toContain(message);
  });

  it('falls back to GITLAB_TOKEN, and needs no credential with skip-auth', () => {
    expect(parse({ 'gitlab-token': '' }, { GITLAB_TOKEN: CREDENTIAL }).credential).toBe(CREDENTIAL);
    expect(parse({ 'gitlab-token': '', 'skip-auth': 'true' }).credential).toBeUndefined();
    expect(parse({ 'skip-auth': 'True' }).credential).toBeUndefined();
    expect(problems({ 'gitlab-token': '' })[0]).toMatch(/^gitlab-token: required/);
  });

  it('never echoes a malformed credential', () => {
    const [problem] = problems({ 'gitlab-token': 'glpat-FAKE two words' });
    expect(problem).toBe(
      'gitlab-token: contains spaces or control characters: copy the token again',
    );
  });

  it('reads users: IDs, usernames with or without @, newlines and commas', () => {
    expect(parse({ 'user-id': '42\n@alice, bob,,\n' }).targets).toEqual([
      { kind: 'personal', user: { id: 42 } },
      { kind: 'personal', user: { username: 'alice' } },
      { kind: 'personal', user: { username: 'bob' } },
    ]);
  });

  it('refuses a user listed twice (one token per user and step)', () => {
    expect(problems({ 'user-id': '42\n@alice, bob\n42\n@Alice' })).toEqual([
      'user-id: "42" is listed twice: each user gets one token per step',
      'user-id: "@Alice" is listed twice: each user gets one token per step',
    ]);
  });

  it.each([
    ['', 'user-id: required'],
    [' , \n ', 'user-id: required'],
    ['0', 'user-id: "0" is neither a numeric user ID nor a username'],
    ['-1', 'user-id: "-1" is neither'],
    ['a/b', 'user-id: "a/b" is neither'],
    ['@', 'user-id: "@" is neither'],
    ['99999999999999999999', 'user-id: "99999999999999999999" is neither'],
  ])('rejects user-id %j', (userId, message) => {
    expect(problems({ 'user-id': userId })[0]).toContain(message);
  });

  it('reads scopes separated by commas, spaces and newlines', () => {
    expect(parse({ scopes: 'api, read_repository\nread_api  api' }).scopes).toEqual([
      'api',
      'read_repository',
      'read_api',
    ]);
  });

  it('passes an unknown but well-formed scope on to GitLab', () => {
    expect(parse({ scopes: 'read_future_thing' }).scopes).toEqual(['read_future_thing']);
  });

  it.each([
    ['', 'scopes: required'],
    ['api;rm', 'scopes: "api;rm" is not a scope name'],
    ['Api', 'scopes: "Api" is not a scope name'],
  ])('rejects scopes %j', (scopes, message) => {
    expect(problems({ scopes })[0]).toContain(message);
  });

  it.each([
    ['2026-11-28', '2026-11-28'],
    ['2027-02-28', '2027-02-28'],
    ['1d', '2026-11-28'],
    ['30d', '2026-12-27'],
    ['365D', '2027-11-27'],
  ])('reads expires-at %j', (raw, date) => {
    expect(parse({ 'expires-at': raw }).expiresAt).toBe(date);
  });

  it.each([
    ['2026-11-27', 'is not in the future'],
    ['2020-01-01', 'is not in the future'],
    ['2027-02-29', 'is not a calendar date'],
    ['2027-13-01', 'is not a calendar date'],
    ['0d', 'expected a number of days from 1 to 3650'],
    ['27/11/2027', 'expected a date as YYYY-MM-DD'],
    ['tomorrow', 'expected a date as YYYY-MM-DD'],
  ])('rejects expires-at %j', (raw, message) => {
    expect(problems({ 'expires-at': raw })[0]).toMatch(new RegExp(`^expires-at: .*${message}`));
  });

  it('limits names to 255 characters counted as characters, not bytes', () => {
    expect(parse({ name: 'é'.repeat(255) }).name).toHaveLength(255);
    expect(problems({ name: 'é'.repeat(256) })).toEqual(['name: at most 255 characters, got 256']);
  });

  it('rejects a name with a line break without echoing it raw', () => {
    const [problem] = problems({ name: 'a\n::warning::b' });
    expect(problem).toBe(
      'name: must be one line without control characters, got "a\\n::warning::b"',
    );
  });

  it.each(['yes', '1', 'on', 'truee', 'f'])('rejects %j as a boolean', (value) => {
    expect(problems({ revoke: value })).toEqual([`revoke: expected true or false, got "${value}"`]);
  });

  it('reads booleans in any case, trimmed as core.getInput does', () => {
    expect(parse({ revoke: ' TRUE ' }).revoke).toBe(true);
    expect(parse({ revoke: 'False' }).revoke).toBe(false);
  });

  it('reads numbers in range only', () => {
    expect(parse({ 'timeout-seconds': '2.5', 'max-concurrency': '32' })).toMatchObject({
      timeoutMs: 2500,
      maxConcurrency: 32,
    });
    expect(problems({ 'max-concurrency': '33' })).toEqual([
      'max-concurrency: expected a whole number from 1 to 32, got "33"',
    ]);
    expect(problems({ 'max-concurrency': '2.5' })[0]).toContain('expected a whole number');
    expect(problems({ 'timeout-seconds': '-1' })[0]).toContain(
      'timeout-seconds: expected a number',
    );
  });

  it('reads group-id and if-exists', () => {
    expect(parse({ 'group-id': 'acme/platform', 'if-exists': 'Rotate', name: 'n' })).toMatchObject({
      groupId: 'acme/platform',
      ifExists: 'rotate',
    });
    expect(parse({ 'group-id': '7' }).groupId).toBe('7');
    expect(problems({ 'group-id': 'a b' })[0]).toContain('group-id: expected a numeric group ID');
    expect(problems({ 'group-id': 'acme/../x' })[0]).toContain('group-id: expected');
    expect(problems({ 'if-exists': 'replace' })).toEqual([
      'if-exists: expected create, rotate or fail, got "replace"',
    ]);
  });

  it('reports every problem at once', () => {
    expect(
      problems({ 'user-id': '', scopes: '', revoke: 'x', 'expires-at': 'x', 'gitlab-token': '' }),
    ).toHaveLength(5);
  });
});

describe('parseConnectionInputs', () => {
  it('needs only the connection inputs', () => {
    expect(
      parseConnectionInputs(
        reader({ 'base-url': 'https://h/gitlab/', 'gitlab-token': CREDENTIAL }),
        {},
      ),
    ).toEqual({
      apiUrl: 'https://h/gitlab/api/v4',
      instanceUrl: 'https://h/gitlab',
      instanceFrom: 'base-url',
      credential: CREDENTIAL,
      timeoutMs: 30_000,
      insecureHttp: false,
      maxWaitMs: 300_000,
    });
  });
});

describe('the kind of token, from the target inputs', () => {
  const kinds = (values: Record<string, string>): unknown =>
    parse({ 'user-id': '', ...values }).targets;

  it('picks each kind from the inputs set', () => {
    expect(kinds({ 'user-id': '42' })).toEqual([{ kind: 'personal', user: { id: 42 } }]);
    expect(kinds({ 'user-id': '42', impersonation: 'true', 'expires-at': '30d' })).toEqual([
      { kind: 'impersonation', user: { id: 42 } },
    ]);
    // GitLab gives an impersonation token no default expiry (lib/api/users.rb).
    expect(problems({ 'user-id': '42', impersonation: 'true' })).toEqual([
      expect.stringMatching(/^expires-at: required with impersonation: true/),
    ]);
    expect(kinds({ 'user-id': '42', 'group-id': 'acme' })).toEqual([
      { kind: 'service-account', user: { id: 42 }, groupId: 'acme' },
    ]);
    expect(kinds({ 'project-id': '7, acme/app\n/acme/tools/' })).toEqual([
      { kind: 'project', projectId: '7' },
      { kind: 'project', projectId: 'acme/app' },
      { kind: 'project', projectId: 'acme/tools' },
    ]);
    expect(kinds({ 'group-id': 'acme/platform' })).toEqual([
      { kind: 'group', groupId: 'acme/platform' },
    ]);
  });

  it('reads access levels by name and number, for project and group tokens', () => {
    expect(
      parse({ 'user-id': '', 'project-id': '7', 'access-level': 'Reporter' }).accessLevel,
    ).toBe(20);
    expect(parse({ 'user-id': '', 'group-id': 'g', 'access-level': '50' }).accessLevel).toBe(50);
    expect(parse({ 'user-id': '', 'project-id': '7' }).accessLevel).toBeUndefined();
  });

  it.each([
    [{ 'project-id': '7', 'user-id': '42' }, 'project-id: goes without user-id'],
    [{ 'project-id': '7', 'group-id': 'g' }, 'project-id: goes without group-id'],
    [{ 'project-id': '7', impersonation: 'true' }, 'impersonation: is for a user'],
    [{ 'group-id': 'g', impersonation: 'true' }, 'impersonation: is for a user'],
    [
      { 'user-id': '42', 'group-id': 'g', impersonation: 'true' },
      'impersonation: goes without group-id',
    ],
    [{ 'user-id': '42', 'access-level': 'developer' }, 'access-level: is for project and group'],
    [{ 'project-id': '7', 'access-level': 'admin' }, 'access-level: expected guest, planner'],
    [{ 'project-id': '7', 'access-level': '35' }, 'access-level: expected guest, planner'],
    [{ 'project-id': 'just-a-name' }, 'project-id: "just-a-name" is neither'],
    [{ 'project-id': '7,7' }, 'project-id: "7" is listed twice'],
    [{ 'project-id': ', ,' }, 'project-id: required'],
    [{ 'user-id': '' }, 'user-id: required'],
  ])('refuses %j before any request', (values, problem) => {
    expect(problems({ 'user-id': '', ...values }).join('\n')).toContain(problem);
  });
});
