/**
 * End-to-end: GitHub's @github/local-action runs the sources (src/main.ts, then src/post/main.ts
 * with --post) against the simulator, as `npm run local-action` does, with the inputs of
 * .env.example (base-url and gitlab-token pointed at the simulator). It runs on the Node 24 of
 * the `node` devDependency: local-action is tested on Node 22 and 24 only.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { ADMIN_TOKEN, SEED_USERS } from './simulator/gitlab-simulator.js';
import { expectNoSecretsIn, useSimulator } from './helpers/simulator-fixture.js';
import { checkRun, childEnv, requestLine, ROOT, watchRun } from './helpers/run-action.js';

const NODE24 = join(ROOT, 'node_modules', 'node', 'bin', 'node');
const LOCAL_ACTION = join(
  ROOT,
  'node_modules',
  '@github',
  'local-action',
  'bin',
  'local-action.js',
);

const sim = useSimulator();
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** .env.example's lines, with the given inputs' values replaced (each must be in the file). */
function dotenvFromExample(replace: Record<string, string>): string {
  const example = readFileSync(join(ROOT, '.env.example'), 'utf8');
  const seen = new Set<string>();
  const text = example
    .split('\n')
    .map((line) => {
      const key = /^([A-Z_][A-Z0-9_-]*)=/i.exec(line)?.[1];
      if (key === undefined || !(key in replace)) return line;
      seen.add(key);
      return `${key}=${replace[key]}`;
    })
    .join('\n');
  expect([...seen].sort()).toEqual(Object.keys(replace).sort());
  return text;
}

/** `local-action run . src/main.ts <env> --post <absolute src/post/main.ts>` from the root. */
function runLocalAction(
  dotenv: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'cgt-local-action-'));
  dirs.push(dir);
  const envFile = join(dir, '.env');
  writeFileSync(envFile, dotenv, { mode: 0o600 });
  const args = [LOCAL_ACTION, 'run', '.', 'src/main.ts', envFile];
  args.push('--post', join(ROOT, 'src', 'post', 'main.ts'));
  // local-action starts `npm exec tsx`, whose `node` is the first on PATH: Node 24 too.
  const env = childEnv({ PATH: `${dirname(NODE24)}${delimiter}${process.env.PATH ?? ''}` });
  return new Promise((resolve, reject) => {
    const child = spawn(NODE24, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('@github/local-action', () => {
  it('runs the main step, which makes a token, and the post step, which revokes it', async () => {
    const before = sim.tokens.length;
    const watch = watchRun();
    const result = await runLocalAction(
      dotenvFromExample({ 'INPUT_BASE-URL': sim.url, 'INPUT_GITLAB-TOKEN': ADMIN_TOKEN }),
    );
    const made = sim.tokens.slice(before);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    // The main step made one token, for .env.example's user, with its inputs...
    expect(made).toHaveLength(1);
    const [token] = made;
    expect(token).toMatchObject({ user_id: SEED_USERS.alice, scopes: ['read_api'] });
    expect(token.description).toMatch(/^local-action run \[create-gitlab-token [0-9a-f]{12}\]$/);
    expect(result.stdout).toContain(`::set-output name=id::${token.id}`);
    // ...and the post step found it in the main step's journal and revoked it (revoke: true).
    expect(sim.requests.map(requestLine)).toEqual([
      `POST /api/v4/users/${SEED_USERS.alice}/personal_access_tokens`,
      `DELETE /api/v4/personal_access_tokens/${token.id}`,
    ]);
    expect(token).toMatchObject({ revoked: true, active: false });
    expect(result.stdout).toContain(`Revoked token ID ${token.id}.`);
    // Neither the credential nor the token is printed (local-action's setOutput skips an output
    // that holds a secret, as GitHub does).
    expect(result.stdout).toContain('Skip output token since it may contain secret.');
    expectNoSecretsIn(result, [ADMIN_TOKEN], [sim]);
    checkRun(watch, result, [ADMIN_TOKEN]);
  }, 120_000);
});
