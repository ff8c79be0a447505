/**
 * The command-line entry (src/cli/main.ts's runCli, in this process) against the simulator. A
 * closed stdout and a cancel need a process: cli.e2e.test.ts.
 */
import { describe, expect, it } from '@jest/globals';
import {
  ADMIN_TOKEN,
  GROUP_OWNER_TOKEN,
  SEED_GROUPS,
  SEED_USERS,
  USER_TOKEN,
} from './simulator/gitlab-simulator.js';
import { expectNoSecretsIn, useSimulator } from './helpers/simulator-fixture.js';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requestLine, runCli } from './helpers/run-action.js';

type CliResult = Awaited<ReturnType<typeof runCli>>;

const sim = useSimulator();

function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runCli(['--base-url', sim.url, ...args], { GITLAB_TOKEN: ADMIN_TOKEN, ...env });
}

/** stderr never holds a secret; stdout only when `--output` asked for the token. */
function expectNoLeaks(
  result: CliResult,
  stdoutMayHoldToken: boolean,
  credential = ADMIN_TOKEN,
): void {
  const checked = stdoutMayHoldToken ? { stdout: '', stderr: result.stderr } : result;
  expectNoSecretsIn(checked, [credential], [sim]);
  if (stdoutMayHoldToken) expect(result.stdout).not.toContain(credential);
}

/** Runs a POSIX shell command line; resolves with its stdout. */
function sh(script: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('sh', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolvePromise(out) : reject(new Error(`sh: ${code}`)),
    );
  });
}

/**
 * The action's words, which mean nothing on a command line: `${{ … }}`, a workflow's secrets, an
 * input named without the `--` of its flag (`user-id`, not `--user-id`).
 */
const ACTION_INPUT =
  /(?<![-\w])(gitlab-token|user-id|group-id|project-id|access-level|if-exists|expires-at|rotate-before|self-rotate|skip-auth|base-url|allow-insecure-http|timeout-seconds|max-concurrency|max-wait-seconds)\b/;
function expectNoActionWords(text: string): void {
  expect(text).not.toContain('${{');
  expect(text).not.toMatch(/secrets\./);
  expect(text).not.toContain('the secret');
  expect(text).not.toMatch(/\bstep\b/);
  expect(text).not.toMatch(ACTION_INPUT);
}

const lastToken = (): (typeof sim.tokens)[number] => sim.tokens[sim.tokens.length - 1];
const USAGE = 'Usage:\n  create-gitlab-token [create]';

describe('CLI: create', () => {
  it('--output json prints every token as JSON on stdout, messages on stderr', async () => {
    const result = await cli(['--user-id', '42', '--scopes', 'api,read_api', '--output', 'json']);
    expect(result.code).toBe(0);
    expect(sim.requests.map(requestLine)).toEqual(['POST /api/v4/users/42/personal_access_tokens']);
    const made = lastToken();
    expect(JSON.parse(result.stdout)).toEqual([
      {
        type: 'personal',
        target: null,
        user_id: 42,
        id: made.id,
        name: made.name,
        token: made.token,
        scopes: ['api', 'read_api'],
        expires_at: made.expires_at,
      },
    ]);
    expect(result.stderr).toContain(`Created token ID ${made.id} for user 42`);
    expectNoLeaks(result, true);
  });

  it('--output token prints only the secret', async () => {
    const result = await cli(['--user-id', '42', '--scopes', 'read_api', '--output', 'token']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${lastToken().token}\n`);
    expectNoLeaks(result, true);
  });

  it('--output dotenv prints KEY=value lines for a GitLab CI dotenv report', async () => {
    const result = await cli([
      '--user-id',
      '@alice',
      '--scopes',
      'read_api',
      '--expires-at',
      '1d',
      '--output',
      'dotenv',
    ]);
    expect(result.code).toBe(0);
    const made = lastToken();
    expect(result.stdout).toBe(
      `GITLAB_NEW_TOKEN=${made.token}\nGITLAB_NEW_TOKEN_ID=${made.id}\n` +
        `GITLAB_NEW_TOKEN_USER_ID=42\nGITLAB_NEW_TOKEN_EXPIRES_AT=${made.expires_at}\n`,
    );
    expectNoLeaks(result, true);
  });

  it('--output dotenv: a reply whose token a shell would run is refused, and nothing runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cgt-dotenv-'));
    const mark = join(dir, 'pwned');
    const hostile = `glpat-FAKE$(touch\${IFS}${mark})x0010`;
    try {
      sim.addFault({
        method: 'POST',
        pathPattern: /personal_access_tokens$/,
        fault: {
          kind: 'status',
          status: 201,
          body: {
            id: 9010,
            user_id: 42,
            name: 'n',
            token: hostile,
            scopes: ['api'],
            expires_at: `2031-01-01'; touch ${mark}; '\`touch ${mark}\``,
            created_at: new Date().toISOString(),
          },
        },
      });
      const result = await cli(['--user-id', '42', '--scopes', 'api', '--output', 'dotenv']);
      // Not a token GitLab mints: the reply counts as lost, is looked into, and the retry works.
      expect(result.code).toBe(0);
      expect(result.stderr).toContain('without a usable token: no token value');
      const made = lastToken();
      const file = join(dir, 'token.env');
      writeFileSync(file, result.stdout);
      const read = await sh(
        `. "${file}"; printf '%s\\n' "$GITLAB_NEW_TOKEN" "$GITLAB_NEW_TOKEN_ID" "$GITLAB_NEW_TOKEN_EXPIRES_AT"`,
      );
      expect(read.split('\n')).toEqual([made.token, String(made.id), made.expires_at, '']);
      expect(existsSync(mark)).toBe(false);
      expect(result.stdout).not.toContain('touch');
      expectNoSecretsIn({ stdout: '', stderr: result.stderr }, [ADMIN_TOKEN, hostile], [sim]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--output dotenv: a value with a line break cannot add a variable', async () => {
    sim.addFault({
      method: 'POST',
      pathPattern: /personal_access_tokens$/,
      fault: {
        kind: 'status',
        status: 201,
        body: {
          id: 9011,
          user_id: 42,
          name: 'n',
          token: 'glpat-FAKE-line-break-0011',
          scopes: ['api'],
          expires_at: '2031-01-01\nEVIL=1',
          created_at: new Date().toISOString(),
        },
      },
    });
    const result = await cli(['--user-id', '42', '--scopes', 'api', '--output', 'dotenv']);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n').filter(Boolean);
    expect(lines.map((line) => line.split('=')[0])).toEqual([
      'GITLAB_NEW_TOKEN',
      'GITLAB_NEW_TOKEN_ID',
      'GITLAB_NEW_TOKEN_USER_ID',
      'GITLAB_NEW_TOKEN_EXPIRES_AT',
    ]);
    expect(result.stdout).not.toContain('EVIL');
    const stderr = { stdout: '', stderr: result.stderr };
    expectNoSecretsIn(stderr, [ADMIN_TOKEN, 'glpat-FAKE-line-break-0011'], [sim]);
  });

  it('without --output, stdout stays empty and nothing leaks', async () => {
    const result = await cli(['--user-id', '42', '--scopes', 'read_api']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(lastToken().active).toBe(true);
    expect(result.stderr).toContain(`Created token ID ${lastToken().id}`);
    expectNoLeaks(result, false);
  });

  it('takes GITLAB_TOKEN from the environment and names the token after the GitLab CI pipeline', async () => {
    const result = await cli(['--user-id', '43', '--scopes', 'read_api'], {
      GITLAB_TOKEN: ADMIN_TOKEN,
      GITHUB_REPOSITORY: '',
      CI_PROJECT_PATH: 'acme/app',
      CI_PIPELINE_ID: '777',
    });
    expect(result.code).toBe(0);
    expect(sim.requests[0].headers['private-token']).toBe(ADMIN_TOKEN);
    expect((sim.requests[0].body as { name: string }).name).toMatch(
      /^GitLab CI acme\/app pipeline 777 [0-9a-f]{6}$/,
    );
    expectNoLeaks(result, false);
  });

  it('--gitlab-token works but warns that other processes can see it', async () => {
    const result = await runCli(
      ['--base-url', sim.url, '--gitlab-token', ADMIN_TOKEN, '--user-id', '42', '--scopes', 'api'],
      {},
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('warning: --gitlab-token is visible to other processes');
    expectNoLeaks(result, false);
  });

  it('group service accounts and --if-exists rotate', async () => {
    const args = [
      '--group-id',
      'acme',
      '--user-id',
      String(SEED_USERS.serviceAccount),
      '--scopes',
      'read_api',
      '--name',
      'cli-rerun',
      '--if-exists',
      'rotate',
    ];
    const env = { GITLAB_TOKEN: GROUP_OWNER_TOKEN };
    const first = await cli([...args, '--output', 'token'], env);
    expect(first.code).toBe(0);
    const old = lastToken();
    // A rotation's new secret must go somewhere (issue #18): --output token prints it.
    const second = await cli([...args, '--output', 'token'], env);
    expect(second.code).toBe(0);
    const rotated = lastToken();
    expect(second.stderr).toContain(`Rotated token ID ${old.id} into token ID ${rotated.id}`);
    expect(old.active).toBe(false);
    expect(rotated.active).toBe(true);
    expect(first.stdout).toBe(`${old.token}\n`);
    expect(second.stdout).toBe(`${rotated.token}\n`);
    expectNoLeaks(first, true, GROUP_OWNER_TOKEN);
    expectNoLeaks(second, true, GROUP_OWNER_TOKEN);
  });

  it('--if-exists fail exits 1 naming the existing token', async () => {
    const first = await cli(['--user-id', '44', '--scopes', 'api', '--name', 'cli-fail']);
    const existing = lastToken();
    const count = sim.tokens.length;
    const second = await cli([
      '--user-id',
      '44',
      '--scopes',
      'api',
      '--name',
      'cli-fail',
      '--if-exists',
      'fail',
      '--output',
      'json',
    ]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`(ID ${existing.id})`);
    // --output json is always a JSON value: nothing was made.
    expect(second.stdout).toBe('[]\n');
    expect(sim.tokens).toHaveLength(count);
    expectNoLeaks(first, false);
    expectNoLeaks(second, false);
  });
});

describe('CLI: exit codes', () => {
  it.each([
    [['--user-id', '42', '--scopes', 'api', '--frobnicate'], "Unknown option '--frobnicate'"],
    [['--user-id', '42'], '--scopes: required'],
    [['--user-id', '42', '--scopes', 'api', '--output', 'xml'], '--output: expected json, token'],
    [['--user-id', '42', '--scopes', 'api', '--expires-at', 'soon'], '--expires-at: expected'],
    [['--user-id', '42', '--scopes', 'api', '--if-exists', 'maybe'], '--if-exists: expected'],
    [['destroy', '--user-id', '42'], 'unknown command "destroy"'],
    [['revoke'], '--id: expected one or more numeric token IDs'],
    [['revoke', '--id', '12x'], '--id: expected one or more numeric token IDs'],
    [['revoke', '--id', '0'], '--id: expected one or more numeric token IDs'],
    [['revoke', '--id', '9007199254740993'], '--id: expected one or more numeric token IDs'],
    [
      ['revoke', '--id', '5', '--group-id', 'acme', '--user-id', '9e1'],
      '--user-id: expected the numeric',
    ],
    [
      ['revoke', '--id', '5', '--project-id', 'a/b', '--user-id', '4'],
      '--project-id: goes without --user-id and --group-id',
    ],
    [['revoke', '--id', '5', '--impersonation'], '--user-id: required with --impersonation'],
  ])('2 and a one-line error for %j, before any request', async (args, message) => {
    const result = await cli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toContain(USAGE);
    expect(result.stderr).toMatch(
      /^Run 'create-gitlab-token (create |revoke )?--help' for usage\.$/m,
    );
    expect(result.stdout).toBe('');
    expect(sim.requests).toEqual([]);
    expectNoLeaks(result, false);
  });

  it('2 without a credential', async () => {
    const result = await runCli(['--base-url', sim.url, '--user-id', '42', '--scopes', 'api']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'GITLAB_TOKEN: required: set the GITLAB_TOKEN environment variable to an administrator token',
    );
    expectNoActionWords(result.stderr);
    expect(sim.requests).toEqual([]);
  });

  it('1 when GitLab refuses, with the explanation on stderr and [] on stdout', async () => {
    const result = await cli(['--user-id', '43', '--scopes', 'api', '--output', 'json'], {
      GITLAB_TOKEN: USER_TOKEN,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('[]\n');
    expect(result.stderr).toContain('403 Forbidden');
    expect(result.stderr).toContain('@alice, who is not an administrator');
    expectNoLeaks(result, false, USER_TOKEN);
  });

  it('1 when GitLab is unreachable', async () => {
    const result = await runCli(
      [
        '--base-url',
        'http://127.0.0.1:9',
        '--user-id',
        '42',
        '--scopes',
        'api',
        '--output',
        'token',
      ],
      { GITLAB_TOKEN: ADMIN_TOKEN },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('connection was refused');
    expect(result.stdout).toBe('');
    expectNoLeaks(result, false);
  });

  it('--version prints the version on stdout and exits 0', async () => {
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    // `unreleased` between releases, X.Y.Z (or X.Y.Z-pre) in a release.
    expect(result.stdout).toMatch(
      /^create-gitlab-token (unreleased|\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?)\n$/,
    );
  });

  it('--help prints the usage on stdout and exits 0', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(USAGE);
    expect(result.stdout).toContain('Exit codes: 0');
  });
});

describe('CLI: revoke', () => {
  it('revoke --id revokes; a second time is not a failure', async () => {
    const made = await cli(['--user-id', '42', '--scopes', 'api', '--output', 'json']);
    const token = lastToken();
    sim.requests.length = 0;
    const revoked = await cli(['revoke', '--id', String(token.id)]);
    expect(revoked.code).toBe(0);
    expect(sim.requests.map(requestLine)).toEqual([
      `DELETE /api/v4/personal_access_tokens/${token.id}`,
    ]);
    expect(token.active).toBe(false);
    expect(revoked.stderr).toContain(`Revoked token ID ${token.id}.`);
    expect(revoked.stdout).toBe('');
    const again = await cli(['revoke', '--id', String(token.id)]);
    expect(again.code).toBe(0);
    // GitLab answers 204 for a token already revoked (PersonalAccessTokens::RevokeService).
    expect(again.stderr).toContain(`Revoked token ID ${token.id}.`);
    expectNoLeaks(made, true);
    expectNoLeaks(revoked, false);
    expectNoLeaks(again, false);
  });

  it('revoke several IDs through the group endpoint', async () => {
    const sa = String(SEED_USERS.serviceAccount);
    const env = { GITLAB_TOKEN: GROUP_OWNER_TOKEN };
    const args = ['--group-id', String(SEED_GROUPS.acme), '--user-id', sa, '--scopes', 'api'];
    const one = await cli(args, env);
    const first = lastToken();
    const two = await cli(args, env);
    const second = lastToken();
    sim.requests.length = 0;
    const revoked = await cli(
      ['revoke', '--group-id', 'acme', '--user-id', sa, '--id', `${first.id},${second.id}`],
      env,
    );
    expect(revoked.code).toBe(0);
    expect(sim.requests.map(requestLine).sort()).toEqual(
      [first.id, second.id]
        .map(
          (id) => `DELETE /api/v4/groups/acme/service_accounts/${sa}/personal_access_tokens/${id}`,
        )
        .sort(),
    );
    expect([first.active, second.active]).toEqual([false, false]);
    for (const result of [one, two, revoked]) expectNoLeaks(result, false, GROUP_OWNER_TOKEN);
  });

  it("revoke --user-id checks the token is that user's before revoking it", async () => {
    await cli(['--user-id', '42', '--scopes', 'api']);
    const alices = lastToken();
    const wrong = await cli(['revoke', '--user-id', '43', '--id', String(alices.id)]);
    expect(wrong.stderr).toContain(`GitLab has no token ID ${alices.id} for this target`);
    expect(alices.active).toBe(true);
    const right = await cli(['revoke', '--user-id', '42', '--id', String(alices.id)]);
    expect(right.code).toBe(0);
    expect(alices.active).toBe(false);
    expectNoLeaks(wrong, false);
    expectNoLeaks(right, false);
  });

  it("revoke of another user's token without admin rights: a permission problem, not a success", async () => {
    await cli(['--user-id', '43', '--scopes', 'api']);
    const token = lastToken();
    const refused = await cli(['revoke', '--id', String(token.id)], { GITLAB_TOKEN: USER_TOKEN });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('400 Bad Request');
    expect(refused.stderr).toContain('may not manage this token');
    expect(token.active).toBe(true);
    expectNoLeaks(refused, false, USER_TOKEN);
  });

  it('revoke exits 1 when GitLab refuses', async () => {
    const made = await cli(['--user-id', '42', '--scopes', 'api']);
    const token = lastToken();
    const refused = await cli(['revoke', '--id', String(token.id)], {
      GITLAB_TOKEN: 'glpat-FAKE-wrong-credential-77',
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `GitLab did not confirm revoking token ID ${token.id}; it may still be active`,
    );
    expect(refused.stderr).toContain('401 Unauthorized');
    expect(token.active).toBe(true);
    expectNoLeaks(made, false);
    expectNoLeaks(refused, false, 'glpat-FAKE-wrong-credential-77');
  });
});

describe('CLI: messages name flags and variables, never action inputs', () => {
  const WRONG = 'glpat-FAKE-wrong-credential-78';

  it('without a credential, in a GitLab CI job: a masked, protected CI/CD variable', async () => {
    const result = await runCli(['--base-url', sim.url, '--user-id', '42', '--scopes', 'api'], {
      GITLAB_CI: 'true',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'GITLAB_TOKEN: required: set GITLAB_TOKEN from a masked, protected CI/CD variable',
    );
    expectNoActionWords(result.stderr);
    expect(sim.requests).toEqual([]);
  });

  it('several invalid flags: each named as a flag, in the words of a command', async () => {
    const result = await cli([
      '--user-id',
      '42,42',
      '--project-id',
      'a/b',
      '--access-level',
      'maintainer',
      '--scopes',
      'api',
      '--if-exists',
      'rotate',
      '--rotate-before',
      'soon',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      '--project-id: goes without --user-id (a project access token is for the project',
    );
    expect(result.stderr).toContain('--rotate-before: expected a number of days');
    expect(result.stderr).toContain('--name: required with --if-exists rotate:');
    expectNoActionWords(result.stderr);
    expect(sim.requests).toEqual([]);
  });

  it('a credential GitLab refuses, in a GitLab CI job: update the CI/CD variable', async () => {
    const result = await cli(['--user-id', '42', '--scopes', 'api'], {
      GITLAB_TOKEN: WRONG,
      GITLAB_CI: 'true',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('401 Unauthorized');
    expect(result.stderr).toContain(
      'The GITLAB_TOKEN is wrong, expired or revoked: create a new token for an administrator ' +
        'with the api scope and update the masked, protected CI/CD variable that holds it.',
    );
    expectNoActionWords(result.stderr);
    expectNoLeaks(result, false, WRONG);
  });

  it('GitLab refusing a flag: a missing user names --user-id', async () => {
    const result = await cli(['--user-id', 'nobody-here', '--scopes', 'api']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'GitLab has no user with the username "nobody-here": check --user-id.',
    );
    expectNoActionWords(result.stderr);
    expectNoLeaks(result, false);
  });

  it('an existing token with --if-exists fail: the remedy is a flag', async () => {
    const name = `cli-words-${Date.now()}`;
    const first = await cli(['--user-id', '42', '--scopes', 'api', '--name', name]);
    expect(first.code).toBe(0);
    const second = await cli([
      '--user-id',
      '42',
      '--scopes',
      'api',
      '--name',
      name,
      '--if-exists',
      'fail',
    ]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(
      'and --if-exists is fail: revoke it, choose another name, or set --if-exists rotate.',
    );
    expectNoActionWords(second.stderr);
    expectNoLeaks(second, false);
  });
});
