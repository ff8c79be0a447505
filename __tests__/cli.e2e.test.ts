/**
 * End-to-end: the bundled command-line entry (dist/cli/index.js) in a process of its own, for
 * what only a process shows: a stdout pipe nobody reads (EPIPE), and a cancel (SIGINT). The rest
 * of the CLI is tested in this process (cli.test.ts, cli-list.test.ts).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ADMIN_TOKEN, SEED_PROJECTS } from './simulator/gitlab-simulator.js';
import { expectNoSecretsIn, useSimulator } from './helpers/simulator-fixture.js';
import {
  CLI,
  checkRun,
  childEnv,
  runCli,
  runCliClosedStdout,
  watchRun,
} from './helpers/run-action.js';

/** Users 2001-2060, for the cancellation test. */
const MANY_USERS = Array.from({ length: 60 }, (_, i) => 2001 + i);
const sim = useSimulator({
  seed: (s) => {
    for (const id of MANY_USERS) s.addUser({ id, username: `cli-user-${id}` });
  },
});

describe('CLI: a closed stdout', () => {
  it.each(['json', 'token', 'dotenv'])(
    '--output %s into a closed pipe: exit 1, every token made named on stderr (never the secret)',
    async (format) => {
      const before = sim.tokens.length;
      const result = await runCliClosedStdout(
        ['--base-url', sim.url, '--user-id', '42,43,44', '--scopes', 'api', '--output', format],
        { GITLAB_TOKEN: ADMIN_TOKEN },
      );
      expect(result.code).toBe(1);
      const made = sim.tokens.slice(before);
      expect(made).toHaveLength(3);
      expect(result.stderr).toContain('the result could not be written to stdout (EPIPE)');
      for (const token of made) {
        expect(result.stderr).toContain(`token ID ${token.id} (user ${token.user_id})`);
        expect(result.stderr).toContain(`--id ${token.id}`);
      }
      expectNoSecretsIn({ stdout: '', stderr: result.stderr }, [ADMIN_TOKEN], [sim]);
    },
  );

  it('--help into a closed pipe does not exit 0', async () => {
    const result = await runCliClosedStdout(['--help']);
    expect(result.code).not.toBe(0);
  });
});

describe('CLI: cancel', () => {
  it('SIGINT stops new tokens, finishes those in flight, and reports every token made', async () => {
    sim.latencyMs = 100;
    const before = sim.tokens.length;
    const watch = watchRun();
    const child = spawn(
      process.execPath,
      [CLI, '--base-url', sim.url, '--user-id', MANY_USERS.join(','), '--scopes', 'api'],
      { env: childEnv({ GITLAB_TOKEN: ADMIN_TOKEN }), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    while (sim.tokens.length - before < 10) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    const code = await exited;
    expect(code).toBe(1);
    expect(stderr).toContain('received SIGINT: no new token is started');
    const made = sim.tokens.slice(before);
    expect(made.length).toBeLessThan(MANY_USERS.length);
    // Every token GitLab made is reported (requests in flight were let finish).
    for (const token of made) expect(stderr).toContain(`Created token ID ${token.id} for user`);
    expect(stderr).toContain('not started: the command was cancelled.');
    expectNoSecretsIn({ stdout, stderr }, [ADMIN_TOKEN], [sim]);
    checkRun(watch, { stdout, stderr }, [ADMIN_TOKEN]);
  });
});

describe('CLI: fleet, bundled', () => {
  it('applies a manifest, then plans it as up to date (--detailed-exitcode 0)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cgt-fleet-e2e-'));
    try {
      const file = join(dir, '.gitlab-tokens.yml');
      writeFileSync(
        file,
        'fleet: e2e\ntokens:\n  deploy-app:\n    kind: project\n    project: acme/app\n    scopes: [read_api]\n    expires-in: 30d\n    store-in: [gitlab-variable:acme/app:E2E_DEPLOY_TOKEN]\n',
      );
      const env = { GITLAB_TOKEN: ADMIN_TOKEN };
      const apply = await runCli(['fleet', 'apply', file, '--base-url', sim.url], env, {
        bundle: true,
      });
      expect(apply.code).toBe(0);
      const made = sim.tokens.filter((token) => token.active && token.name === 'deploy-app');
      expect(made).toHaveLength(1);
      expect(sim.variable({ project: SEED_PROJECTS.app }, 'E2E_DEPLOY_TOKEN')?.value).toBe(
        made[0].token,
      );
      const plan = await runCli(
        ['fleet', 'plan', file, '--base-url', sim.url, '--detailed-exitcode', '--output', 'json'],
        env,
        { bundle: true },
      );
      expect(plan.code).toBe(0);
      const report = JSON.parse(plan.stdout) as { entries: { id: string; action: string }[] };
      expect(report.entries).toEqual([
        expect.objectContaining({ id: 'deploy-app', action: 'none' }),
      ]);
      expectNoSecretsIn(apply, [ADMIN_TOKEN], [sim]);
      expectNoSecretsIn(plan, [ADMIN_TOKEN], [sim]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
