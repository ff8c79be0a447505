/**
 * Issue #20: `create-gitlab-token rotate (--id ID | --name NAME) [TARGET] --output FORMAT`, like
 * `glab token rotate`, through each kind's rotate endpoint. In-process, against the simulator:
 * GitLab revokes the old token at once, so the new secret must be printed; a lost reply is never
 * sent again; nothing secret reaches stderr, and every active token made is reported.
 */
import { describe, expect, it } from '@jest/globals';
import {
  ADMIN_TOKEN,
  MAINTAINER_TOKEN,
  USER_TOKEN,
  type SimToken,
} from '../simulator/gitlab-simulator.js';
import { expectNoSecretsIn, useSimulator } from '../helpers/simulator-fixture.js';
import { runCli as cliHere, type CliResult as CliRun } from '../helpers/run-action.js';
import { requestLine } from '../helpers/run-action.js';
import { runCli } from '../../src/cli/main.js';

const sim = useSimulator();

function cli(args: string[], credential = ADMIN_TOKEN): Promise<CliRun> {
  return cliHere(['--base-url', sim.url, ...args], { GITLAB_TOKEN: credential });
}

const byId = (id: number): SimToken | undefined => sim.tokens.find((token) => token.id === id);

/** A token made by the CLI itself (as a user would have made it), its ID returned. */
async function made(args: string[], credential = ADMIN_TOKEN): Promise<number> {
  const result = await cli([...args, '--expires-at', '10d', '--output', 'json'], credential);
  expect(result.code).toBe(0);
  return (JSON.parse(result.stdout) as { id: number }[])[0].id;
}

/**
 * Every active token made since `from` is printed (stdout, --output json) or named on stderr;
 * no secret on stderr, none on stdout unless `printed` is the one --output asked for.
 */
function expectReportedAndNoLeaks(from: number, result: CliRun, printed?: string): void {
  const ids = result.stdout.trim().startsWith('[')
    ? (JSON.parse(result.stdout) as { id: number }[]).map((token) => token.id)
    : [];
  const unreported = sim.tokens
    .slice(from)
    .filter((token) => token.active && !ids.includes(token.id))
    .filter((token) => !new RegExp(`token ID ${token.id}\\b`).test(result.stderr))
    .filter((token) => printed === undefined || !result.stdout.includes(token.token));
  expect(unreported.map((token) => token.id)).toEqual([]);
  const stdout = printed === undefined ? result.stdout : result.stdout.replace(printed, '');
  expectNoSecretsIn({ stdout, stderr: result.stderr }, [ADMIN_TOKEN, MAINTAINER_TOKEN], [sim]);
}

describe('rotate a token', () => {
  it('--id, a user\u2019s personal access token: the new secret on stdout, the old one revoked', async () => {
    const old = await made(['--user-id', '42', '--scopes', 'api', '--name', 'deploy']);
    const from = sim.tokens.length;
    sim.requests.length = 0;
    const result = await cli([
      'rotate',
      '--user-id',
      '42',
      '--id',
      String(old),
      '--expires-at',
      '30d',
      '--output',
      'json',
    ]);
    expect(result.code).toBe(0);
    const [rotated] = JSON.parse(result.stdout) as { id: number; name: string; token: string }[];
    expect(rotated).toMatchObject({ type: 'personal', user_id: 42, name: 'deploy' });
    expect(byId(old)?.active).toBe(false);
    expect(byId(rotated.id)).toMatchObject({ active: true, previous_id: old });
    expect(result.stderr).toContain(
      `Rotated token ID ${old} into token ID ${rotated.id} for user 42`,
    );
    const posts = sim.requests.filter((request) => request.method !== 'GET').map(requestLine);
    expect(posts).toEqual([`POST /api/v4/personal_access_tokens/${old}/rotate`]);
    expectReportedAndNoLeaks(from, result, rotated.token);
  });

  it('--name, a project access token, into dotenv', async () => {
    const old = await made(
      ['--project-id', 'acme/app', '--scopes', 'read_api', '--name', 'bot'],
      MAINTAINER_TOKEN,
    );
    const from = sim.tokens.length;
    const result = await cli(
      [
        'rotate',
        '--project-id',
        'acme/app',
        '--name',
        'bot',
        '--output',
        'dotenv',
        '--expires-at',
        '',
      ],
      MAINTAINER_TOKEN,
    );
    expect(result.code).toBe(0);
    const successor = sim.tokens.find((token) => token.previous_id === old);
    expect(successor?.active).toBe(true);
    expect(result.stdout).toContain(`GITLAB_NEW_TOKEN=${successor?.token}\n`);
    expect(result.stdout).toContain(`GITLAB_NEW_TOKEN_ID=${successor?.id}\n`);
    expect(byId(old)?.active).toBe(false);
    // With an empty --expires-at GitLab chooses; the CLI says what it chose.
    expect(result.stderr).toContain(`token ID ${successor?.id} expires`);
    expectReportedAndNoLeaks(from, result, successor?.token);
  });

  it('an impersonation token, by --id with --user-id and --impersonation', async () => {
    const old = await made([
      '--user-id',
      '43',
      '--impersonation',
      '--scopes',
      'api',
      '--name',
      'imp',
    ]);
    const from = sim.tokens.length;
    const result = await cli([
      'rotate',
      '--user-id',
      '43',
      '--impersonation',
      '--id',
      String(old),
      '--output',
      'token',
    ]);
    expect(result.code).toBe(0);
    const successor = sim.tokens.find((token) => token.previous_id === old);
    expect(successor).toMatchObject({ active: true, impersonation: true });
    expect(result.stdout).toBe(`${successor?.token}\n`);
    expectReportedAndNoLeaks(from, result, successor?.token);
  });

  it('no target: the credential\u2019s own user\u2019s token, found by name', async () => {
    const old = await made(['--user-id', '42', '--scopes', 'api', '--name', 'alice-own']);
    const from = sim.tokens.length;
    const result = await cli(['rotate', '--name', 'alice-own', '--output', 'json'], USER_TOKEN);
    expect(result.code).toBe(0);
    const [rotated] = JSON.parse(result.stdout) as { id: number; token: string }[];
    expect(byId(rotated.id)).toMatchObject({ user_id: 42, previous_id: old, active: true });
    expect(sim.requests.some((request) => request.path === '/api/v4/user')).toBe(true);
    expectReportedAndNoLeaks(from, result, rotated.token);
    expect(result.stderr).not.toContain(USER_TOKEN);
  });
});

describe('rotate refuses, and changes nothing', () => {
  it('without --output: exit 2 before any request (the new secret would go nowhere)', async () => {
    const result = await cli(['rotate', '--id', '5']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^create-gitlab-token: --output: required: json, token or dotenv/,
    );
    expect(sim.requests).toEqual([]);
  });

  it.each([
    [['--id', '5', '--name', 'x'], '--name: goes without --id'],
    [[], '--id: required'],
    [['--id', '5', '--id', '6'], '--id: rotate takes one token'],
    [['--id', 'x5'], '--id: expected a numeric token ID'],
    [['--id', '5', '--scopes', 'api'], '--scopes: goes without rotate'],
    [['--id', '5', '--store-in', 'gitlab-variable:acme/app:T'], '--store-in: goes without rotate'],
    [['--id', '5', '--self-rotate'], '--self-rotate: goes without rotate'],
    [['--id', '5', '--user-id', 'alice'], '--user-id: expected the numeric user ID'],
    [['--id', '5', '--expires-at', 'soon'], '--expires-at: expected'],
  ])('%j: exit 2 before any request', async (args, message) => {
    const result = await cli(['rotate', ...args, '--output', 'json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe('');
    expect(sim.requests).toEqual([]);
  });

  it('no active token of that name: exit 1, [] on stdout, nothing rotated', async () => {
    const result = await cli([
      'rotate',
      '--user-id',
      '44',
      '--name',
      'nobody-has-it',
      '--output',
      'json',
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('[]\n');
    expect(result.stderr).toContain('user 44 has no active token named "nobody-has-it"');
    expect(result.stderr).toContain("'create-gitlab-token list --user-id 44'");
    expect(sim.requests.filter((request) => request.method !== 'GET')).toEqual([]);
  });

  it('several of that name: exit 1 naming each, nothing rotated', async () => {
    const first = await made(['--user-id', '44', '--scopes', 'api', '--name', 'twice']);
    const second = await made(['--user-id', '44', '--scopes', 'api', '--name', 'twice']);
    sim.requests.length = 0;
    const result = await cli(['rotate', '--user-id', '44', '--name', 'twice', '--output', 'token']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('user 44 has 2 active tokens named "twice"');
    expect(result.stderr).toContain(`ID ${first} (expires `);
    expect(result.stderr).toContain(`ID ${second} (expires `);
    expect(result.stderr).toContain('Rotate one by --id');
    expect(sim.requests.filter((request) => request.method !== 'GET')).toEqual([]);
    expect([byId(first)?.active, byId(second)?.active]).toEqual([true, true]);
  });

  it('a token ID of another user: exit 1, not rotated', async () => {
    const theirs = await made(['--user-id', '43', '--scopes', 'api', '--name', 'bobs']);
    sim.requests.length = 0;
    const result = await cli([
      'rotate',
      '--user-id',
      '42',
      '--id',
      String(theirs),
      '--output',
      'json',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`user 42 has no active token ID ${theirs}`);
    expect(sim.requests.filter((request) => request.method !== 'GET')).toEqual([]);
    expect(byId(theirs)?.active).toBe(true);
  });
});

describe('a lost reply is never sent again', () => {
  it('the connection drops after the request: the outcome is unknown, and how to check', async () => {
    const old = await made(['--user-id', '42', '--scopes', 'api', '--name', 'lost-reply']);
    const from = sim.tokens.length;
    sim.requests.length = 0;
    sim.addFault({ method: 'POST', pathPattern: /\/rotate$/, fault: { kind: 'reset' } });
    const result = await cli([
      'rotate',
      '--user-id',
      '42',
      '--id',
      String(old),
      '--output',
      'json',
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('[]\n');
    expect(result.stderr).toContain('whether GitLab rotated it is unknown');
    expect(result.stderr).toContain('a rotation is never sent twice');
    expect(result.stderr).toContain("Check with 'create-gitlab-token list --user-id 42'");
    expect(sim.requests.filter((request) => request.method === 'POST')).toHaveLength(1);
    expectReportedAndNoLeaks(from, result);
  });

  it('GitLab rotated it but the reply was lost: the advised list shows the successor', async () => {
    const old = await made(['--user-id', '42', '--scopes', 'api', '--name', 'rotated-unseen']);
    const from = sim.tokens.length;
    sim.addFault({
      method: 'POST',
      pathPattern: /\/rotate$/,
      fault: { kind: 'status', status: 502, afterCreate: true },
    });
    const result = await cli([
      'rotate',
      '--user-id',
      '42',
      '--id',
      String(old),
      '--output',
      'token',
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('is unknown');
    expect(byId(old)?.active).toBe(false);
    // What the message says to run: the successor is listed (by ID, never with its secret).
    const listed = await cli(['list', '--user-id', '42', '--output', 'json']);
    expect(listed.code).toBe(0);
    const successor = sim.tokens.find((token) => token.previous_id === old);
    const names = JSON.parse(listed.stdout) as { id: number; name: string }[];
    expect(names).toContainEqual(
      expect.objectContaining({ id: successor?.id, name: 'rotated-unseen' }),
    );
    expect(names.map((token) => token.id)).not.toContain(old);
    expectReportedAndNoLeaks(from, { ...listed, stderr: `${result.stderr}${listed.stderr}` });
  });
});

describe('after the rotation, stdout is closed', () => {
  it('exit 1, the new token named (never its secret), with the command that rotates it again', async () => {
    const old = await made(['--user-id', '42', '--scopes', 'api', '--name', 'piped']);
    const from = sim.tokens.length;
    let stderr = '';
    const code = await runCli(
      ['rotate', '--base-url', sim.url, '--user-id', '42', '--id', String(old), '--output', 'json'],
      { GITLAB_TOKEN: ADMIN_TOKEN },
      {
        stdout: () => Promise.reject(Object.assign(new Error('closed'), { code: 'EPIPE' })),
        stderr: (text) => {
          stderr += text;
        },
      },
    );
    expect(code).toBe(1);
    const successor = sim.tokens.find((token) => token.previous_id === old);
    expect(stderr).toContain(
      `token ID ${successor?.id}, rotated from token ID ${old} (no longer active), reached nobody`,
    );
    expect(stderr).toContain(
      `create-gitlab-token rotate --user-id 42 --id ${successor?.id} --output json`,
    );
    expectReportedAndNoLeaks(from, { code, stdout: '', stderr });
  });
});
