/**
 * Issue #20, "CLI conventions": -h is --help; `<command> --help` prints that command's help only;
 * the bare --help a short overview; a usage error is one line and where the help is, never the
 * whole usage; --output json is always a JSON value ([] when nothing was made). In-process,
 * against the simulator.
 */
import { describe, expect, it } from '@jest/globals';
import { ADMIN_TOKEN, USER_TOKEN } from '../simulator/gitlab-simulator.js';
import { expectNoSecretsIn, useSimulator } from '../helpers/simulator-fixture.js';
import { runCli as cliHere, type CliResult as CliRun } from '../helpers/run-action.js';
import { HELP, OVERVIEW } from '../../src/cli/usage.js';

const sim = useSimulator();

function cli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return cliHere(['--base-url', sim.url, ...args], { GITLAB_TOKEN: ADMIN_TOKEN, ...env });
}

/** Every active token made since `from` is on stdout (--output json) or named on stderr. */
function expectAllReported(from: number, result: CliRun): void {
  const printed = result.stdout.trim().startsWith('[')
    ? (JSON.parse(result.stdout) as { id: number }[]).map((token) => token.id)
    : [];
  const unreported = sim.tokens
    .slice(from)
    .filter((token) => token.active)
    .filter((token) => !printed.includes(token.id))
    .filter((token) => !new RegExp(`token ID ${token.id}\\b`).test(result.stderr));
  expect(unreported.map((token) => token.id)).toEqual([]);
}

describe('help', () => {
  it.each([['--help'], ['-h']])(
    '%s prints the short overview on stdout and exits 0',
    async (flag) => {
      const result = await cliHere([flag]);
      expect(result).toEqual({ code: 0, stdout: `${OVERVIEW}\n`, stderr: '' });
      for (const command of ['create', 'rotate', 'revoke', 'list']) {
        expect(result.stdout).toMatch(new RegExp(`^  ${command} {2,}\\S`, 'm'));
      }
      expect(result.stdout).toContain('GITLAB_TOKEN');
      expect(result.stdout).toMatch(/^Exit codes: 0 /m);
      expect(result.stdout).toContain("Run 'create-gitlab-token <command> --help'");
      expect(result.stdout.split('\n').length).toBeLessThan(45);
    },
  );

  it.each(['create', 'rotate', 'revoke', 'list'] as const)(
    '%s --help (and -h) prints that command\u2019s help only',
    async (command) => {
      for (const flag of ['--help', '-h']) {
        const result = await cliHere([command, flag]);
        expect(result).toEqual({ code: 0, stdout: `${HELP[command]}\n`, stderr: '' });
      }
      const help = HELP[command];
      // Its usage block names this command only.
      const usage = help.split('\n\n')[0];
      expect(usage).toMatch(/^Usage:\n/);
      const shown = command === 'create' ? '[create]' : command;
      for (const line of usage.split('\n').filter((text) => text.includes('create-gitlab-token'))) {
        expect(line).toContain(`create-gitlab-token ${shown} `);
      }
      expect(help).toMatch(/^Exit codes: 0 /m);
    },
  );

  it('help with other flags is still the help, and sends nothing', async () => {
    const result = await cli(['rotate', '--id', '5', '--output', 'json', '-h']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${HELP.rotate}\n`);
    expect(sim.requests).toEqual([]);
  });

  it('rotate --help says GitLab revokes the old token at once, and points to create --if-exists rotate --store-in', () => {
    expect(HELP.rotate).toContain('revokes the old one at once');
    expect(HELP.rotate).toMatch(/--if-exists rotate \\\n\s+--store-in/);
  });

  it('list --help says a bare number of days is days', () => {
    expect(HELP.list).toContain('30 and 30d both mean 30');
  });
});

describe('a usage error is one line, and where the help is', () => {
  it.each([
    [
      ['--user-id', '42', '--scopes', 'api', '--frobnicate'],
      "Unknown option '--frobnicate'",
      'create ',
    ],
    [['--user-id', '42'], '--scopes: required', 'create '],
    [
      ['--user-id', '42', '--scopes', 'api', '--output', 'xml'],
      '--output: expected json, token',
      'create ',
    ],
    [
      ['create', '--user-id', '42', '--scopes', 'api', '--if-exists', 'maybe'],
      '--if-exists: expected',
      'create ',
    ],
    [['revoke'], '--id: expected one or more numeric token IDs', 'revoke '],
    [
      ['revoke', '--id', '5', '--impersonation'],
      '--user-id: required with --impersonation',
      'revoke ',
    ],
    [['list', '--expiring-within', '0'], '--expiring-within: expected a number of days', 'list '],
    [['list', '--dry-run'], '--dry-run: goes without list', 'list '],
    [['rotate', '--id', '5'], '--output: required', 'rotate '],
    [['rotate', '--frobnicate'], "Unknown option '--frobnicate'", 'rotate '],
    [['destroy', '--user-id', '42'], 'unknown command "destroy"', ''],
  ])('%j: exit 2, nothing sent', async (args, message, command) => {
    const result = await cli(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^create-gitlab-token: /);
    expect(lines[0]).toContain(message);
    expect(lines[0]).not.toContain('To specify a positional argument');
    expect(lines[1]).toBe(`Run 'create-gitlab-token ${command}--help' for usage.`);
    expect(sim.requests).toEqual([]);
  });

  it('several problems: one line each, all reported together', async () => {
    const result = await cli(['--user-id', 'bad user', '--expires-at', 'soon']);
    expect(result.code).toBe(2);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines.slice(0, -1).every((line) => line.startsWith('create-gitlab-token: --'))).toBe(
      true,
    );
    expect(lines.length).toBeGreaterThanOrEqual(4);
    expect(result.stderr).toContain('--scopes: required');
    expect(result.stderr).toContain('--expires-at: expected');
    expect(lines[lines.length - 1]).toBe("Run 'create-gitlab-token create --help' for usage.");
  });
});

describe('--output json is always a JSON value', () => {
  it('[] when a renewal is not due (rotate-before)', async () => {
    const from = sim.tokens.length;
    const args = [
      '--user-id',
      '43',
      '--scopes',
      'api',
      '--name',
      'not-due',
      '--if-exists',
      'rotate',
    ];
    const first = await cli([...args, '--expires-at', '60d', '--output', 'json']);
    expect(first.code).toBe(0);
    const [made] = JSON.parse(first.stdout) as { id: number }[];
    const second = await cli([...args, '--rotate-before', '30d', '--output', 'json']);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe('[]\n');
    expect(second.stderr).toContain(`Token ID ${made.id} expires`);
    expect(second.stderr).toContain('not rotated');
    expectAllReported(from, first);
    expectNoSecretsIn({ stdout: '', stderr: first.stderr }, [ADMIN_TOKEN], [sim]);
    expectNoSecretsIn(second, [ADMIN_TOKEN], [sim]);
  });

  it('[] when GitLab refused, with exit 1 and the reason on stderr', async () => {
    const from = sim.tokens.length;
    const result = await cli(['--user-id', '43', '--scopes', 'api', '--output', 'json'], {
      GITLAB_TOKEN: USER_TOKEN,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('[]\n');
    expect(result.stderr).toContain('403 Forbidden');
    expect(sim.tokens.length).toBe(from);
    expectNoSecretsIn(result, [USER_TOKEN], [sim]);
  });

  it('token and dotenv print nothing when nothing was made', async () => {
    for (const output of ['token', 'dotenv']) {
      const result = await cli(['--user-id', '43', '--scopes', 'api', '--output', output], {
        GITLAB_TOKEN: USER_TOKEN,
      });
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
    }
  });
});
