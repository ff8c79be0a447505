/**
 * Issue #20, "Dry run": `--dry-run` checks the flags, the credential, the targets, the store-in
 * targets and what is due, says what would be made, rotated, replaced, stored or revoked (one
 * line each on stderr), and changes nothing: the simulator sees GETs only. Exit 0 when it all
 * would work, 1 naming the check that failed. In-process, against the simulator.
 */
import { describe, expect, it } from '@jest/globals';
import {
  ADMIN_TOKEN,
  DEVELOPER_TOKEN,
  MAINTAINER_TOKEN,
  USER_TOKEN,
} from '../simulator/gitlab-simulator.js';
import { expectNoSecretsIn, useSimulator } from '../helpers/simulator-fixture.js';
import { runCli as cliHere, type CliResult as CliRun } from '../helpers/run-action.js';

const sim = useSimulator();
const CREDENTIALS = [ADMIN_TOKEN, MAINTAINER_TOKEN, DEVELOPER_TOKEN, USER_TOKEN];

function cli(args: string[], credential = ADMIN_TOKEN): Promise<CliRun> {
  return cliHere(['--base-url', sim.url, ...args], { GITLAB_TOKEN: credential });
}

/** A token made beforehand by the CLI (not a dry run), its ID returned. */
async function existing(
  args: string[],
  expiresAt: string,
  credential = ADMIN_TOKEN,
): Promise<number> {
  const result = await cli([...args, '--expires-at', expiresAt, '--output', 'json'], credential);
  expect(result.code).toBe(0);
  return (JSON.parse(result.stdout) as { id: number }[])[0].id;
}

/**
 * The dry run itself: the requests it makes are GETs only, no token is made or changed, no
 * variable written, and nothing secret is printed.
 */
async function dryRun(args: string[], credential = ADMIN_TOKEN): Promise<CliRun> {
  const tokens = JSON.stringify(sim.tokens);
  const variables = JSON.stringify(sim.variables ?? null);
  sim.requests.length = 0;
  const result = await cli([...args, '--dry-run'], credential);
  expect(sim.requests.length).toBeGreaterThan(0);
  expect(sim.requests.filter((request) => request.method !== 'GET')).toEqual([]);
  expect(JSON.stringify(sim.tokens)).toBe(tokens);
  expect(JSON.stringify(sim.variables ?? null)).toBe(variables);
  expectNoSecretsIn(result, CREDENTIALS, [sim]);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines[0]).toBe('Dry run: checking only; nothing is changed.');
  expect(lines[lines.length - 1]).toMatch(/^Dry run: .*; nothing was changed\.$/);
  return result;
}

describe('create --dry-run', () => {
  it('says what would be made, and makes nothing: exit 0, [] for --output json', async () => {
    const result = await dryRun([
      '--user-id',
      '@bob',
      '--scopes',
      'read_api',
      '--name',
      'ci-bot',
      '--expires-at',
      '7d',
      '--output',
      'json',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('[]\n');
    expect(result.stderr).toContain(
      'The credential works: it is user @root (ID 1), an administrator.',
    );
    expect(result.stderr).toContain('@bob is user 43.');
    expect(result.stderr).toMatch(
      /^Would create a token named "ci-bot" for user 43 \(scopes read_api; expiring \d{4}-\d{2}-\d{2}\)\.$/m,
    );
    expect(result.stderr).toContain('Dry run: every check passed; nothing was changed.');
    expect(sim.requests.map((request) => request.path)).toEqual(['/api/v4/user', '/api/v4/users']);
  });

  it('if-exists rotate with store-in: checks the target, finds the token due, and would replace it', async () => {
    const old = await existing(
      ['--project-id', 'acme/app', '--scopes', 'read_api', '--name', 'deploy-bot'],
      '5d',
      MAINTAINER_TOKEN,
    );
    const result = await dryRun(
      [
        '--project-id',
        'acme/app',
        '--scopes',
        'read_api',
        '--name',
        'deploy-bot',
        '--if-exists',
        'rotate',
        '--rotate-before',
        '30d',
        '--store-in',
        'gitlab-variable:acme/app:DEPLOY_TOKEN',
        '--expires-at',
        '',
      ],
      MAINTAINER_TOKEN,
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'The --store-in targets can be written: gitlab-variable:acme/app:DEPLOY_TOKEN.',
    );
    expect(result.stderr).toContain(`Would replace token ID ${old} "deploy-bot" (expires `);
    expect(result.stderr).toContain(
      `which was due for renewal: create a new one (scopes read_api; GitLab's default expiry, the instance's maximum where one is enforced), and store it in gitlab-variable:acme/app:DEPLOY_TOKEN, then revoke token ID ${old}.`,
    );
    expect(sim.tokens.find((token) => token.id === old)?.active).toBe(true);
  });

  it('if-exists rotate, not due: would leave the token as it is', async () => {
    const old = await existing(['--user-id', '44', '--scopes', 'api', '--name', 'fresh'], '90d');
    const result = await dryRun([
      '--user-id',
      '44',
      '--scopes',
      'api',
      '--name',
      'fresh',
      '--if-exists',
      'rotate',
      '--rotate-before',
      '30d',
      '--output',
      'token',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      new RegExp(
        `^token ID ${old} "fresh" \\(expires \\S+\\) of user 44 expires after \\S+ \\(--rotate-before\\): would leave it as it is`,
        'm',
      ),
    );
  });

  it('if-exists rotate, due, no store-in: would rotate (GitLab revokes the old one at once)', async () => {
    const old = await existing(['--user-id', '44', '--scopes', 'api', '--name', 'due'], '3d');
    const result = await dryRun([
      '--user-id',
      '44',
      '--scopes',
      'api',
      '--name',
      'due',
      '--if-exists',
      'rotate',
      '--expires-at',
      '30d',
      '--output',
      'json',
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      new RegExp(
        `^Would rotate token ID ${old} "due" \\(expires \\S+\\) of user 44 into a new secret expiring \\S+; GitLab revokes token ID ${old} at once\\.$`,
        'm',
      ),
    );
  });

  it('--self-rotate: reads the credential itself and would rotate it', async () => {
    const result = await dryRun(['--self-rotate', '--output', 'token'], USER_TOKEN);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /^Would rotate token ID \d+ .* of the credential itself into a new secret/m,
    );
    expect(sim.requests.map((request) => request.path)).toEqual([
      '/api/v4/personal_access_tokens/self',
    ]);
  });

  it.each([
    [
      'if-exists fail, and the token exists',
      async () => {
        await existing(['--user-id', '42', '--scopes', 'api', '--name', 'taken'], '10d');
        return ['--user-id', '42', '--scopes', 'api', '--name', 'taken', '--if-exists', 'fail'];
      },
      /^error: The user 42 already has an active token named "taken" \(ID \d+\) and --if-exists is fail/m,
    ],
    [
      'a username GitLab does not know',
      async () => ['--user-id', 'no-such-user', '--scopes', 'api'],
      /^error: GitLab has no user with the username "no-such-user"/m,
    ],
    [
      'a store-in target the credential cannot read',
      async () => [
        '--project-id',
        'acme/app',
        '--scopes',
        'read_api',
        '--store-in',
        'gitlab-variable:acme/app:NOPE',
      ],
      /^error: .*gitlab-variable:acme\/app:NOPE/m,
    ],
  ])('%s: exit 1 naming the check', async (_what, args, message) => {
    const credential = _what.startsWith('a store-in') ? DEVELOPER_TOKEN : ADMIN_TOKEN;
    const result = await dryRun(await args(), credential);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain('Dry run: 1 check failed; nothing was changed.');
  });

  it('a credential GitLab refuses: exit 1 after one check, nothing else tried', async () => {
    const result = await dryRun(
      ['--user-id', '42', '--scopes', 'api', '--output', 'json'],
      'glpat-FAKE-not-a-credential-0099',
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('[]\n');
    expect(result.stderr).toContain('401 Unauthorized to GET /user');
    expect(result.stderr).not.toContain('Would');
  });
});

describe('revoke --dry-run and rotate --dry-run', () => {
  it('revoke: looks each token up, would revoke the active one, and revokes nothing', async () => {
    const id = await existing(['--user-id', '42', '--scopes', 'api', '--name', 'to-revoke'], '10d');
    const result = await dryRun(['revoke', '--id', `${id},99999`]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      new RegExp(`^Would revoke token ID ${id} "to-revoke" \\(expires \\S+\\) of user 42\\.$`, 'm'),
    );
    expect(result.stderr).toContain('GitLab has no active token ID 99999: nothing to revoke');
    expect(sim.tokens.find((token) => token.id === id)?.active).toBe(true);
  });

  it('revoke through a target: the target\u2019s list', async () => {
    const id = await existing(
      ['--project-id', 'acme/app', '--scopes', 'read_api', '--name', 'p'],
      '10d',
      MAINTAINER_TOKEN,
    );
    const result = await dryRun(
      ['revoke', '--project-id', 'acme/app', '--id', String(id)],
      MAINTAINER_TOKEN,
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`Would revoke token ID ${id} "p"`);
    expect(result.stderr).toContain('of project acme/app.');
  });

  it('rotate: finds the token by name, would rotate it, and rotates nothing', async () => {
    const id = await existing(['--user-id', '43', '--scopes', 'api', '--name', 'to-rotate'], '10d');
    const result = await dryRun([
      'rotate',
      '--user-id',
      '43',
      '--name',
      'to-rotate',
      '--output',
      'json',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('[]\n');
    expect(result.stderr).toContain(`Would rotate token ID ${id} "to-rotate"`);
    expect(result.stderr).toContain(`GitLab revokes token ID ${id} at once.`);
  });

  it('rotate: a name with no token is a failed check (exit 1)', async () => {
    const result = await dryRun([
      'rotate',
      '--user-id',
      '43',
      '--name',
      'missing',
      '--output',
      'json',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: user 43 has no active token named "missing"');
    expect(result.stderr).toContain('Dry run: 1 check failed; nothing was changed.');
  });

  it('rotate still needs --output: a dry run checks the same command line (exit 2, nothing sent)', async () => {
    const result = await cli(['rotate', '--id', '5', '--dry-run']);
    expect(result.code).toBe(2);
    expect(sim.requests).toEqual([]);
  });
});
