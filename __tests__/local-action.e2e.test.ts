/**
 * End-to-end: `npm run local-action` (scripts/local-action.ts) runs the sources with GitHub's
 * @github/local-action (src/main.ts, then src/post/main.ts with --post) on the inputs of
 * .env.example as it is, except for the simulator's port: the script starts the bundled GitLab
 * API simulator on the file's 127.0.0.1 port, the main step makes a token, the post step revokes
 * it, and local-action shows the outputs. It runs on the Node 24 of the `node` devDependency:
 * local-action is tested on Node 22 and 24 only.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { ADMIN_TOKEN, SEED_USERS } from './simulator/gitlab-simulator.js';
import { expectNoSecretsIn } from './helpers/simulator-fixture.js';
import { childEnv, requestLine, ROOT } from './helpers/run-action.js';
import { dotenvValue, runLocalAction } from '../scripts/local-action.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A port nothing listens on (taken, then let go). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('npm run local-action', () => {
  it('.env.example points at the bundled simulator, with its fake administrator credential', () => {
    const example = readFileSync(join(ROOT, '.env.example'), 'utf8');
    expect(dotenvValue(example, 'INPUT_BASE-URL')).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(dotenvValue(example, 'INPUT_GITLAB-TOKEN')).toBe(ADMIN_TOKEN);
  });

  it('starts the simulator, makes a token, revokes it in the post step, and shows the outputs', async () => {
    const port = await freePort();
    const example = readFileSync(join(ROOT, '.env.example'), 'utf8');
    const dir = mkdtempSync(join(tmpdir(), 'cgt-local-action-'));
    dirs.push(dir);
    const envFile = join(dir, '.env');
    writeFileSync(
      envFile,
      example.replace(/^INPUT_BASE-URL=.*$/m, `INPUT_BASE-URL=http://127.0.0.1:${port}`),
      { mode: 0o600 },
    );
    let stdout = '';
    let stderr = '';
    const run = await runLocalAction(envFile, {
      root: ROOT,
      stdio: 'pipe',
      env: childEnv({}),
      onOutput: (out, err) => {
        stdout = out;
        stderr = err;
      },
    });
    const sim = run.simulator;
    if (!sim) throw new Error('the script did not start the simulator');
    expect({ code: run.code, stderr }).toEqual({ code: 0, stderr: '' });
    // The main step made one token, for .env.example's user, with its inputs...
    expect(sim.tokens).toHaveLength(1);
    const [token] = sim.tokens;
    expect(token).toMatchObject({ user_id: SEED_USERS.alice, scopes: ['read_api'] });
    expect(token.description).toMatch(/^local-action run \[create-gitlab-token [0-9a-f]{12}\]$/);
    // ...and the post step found it in the main step's journal and revoked it (revoke: true).
    expect(sim.requests.map(requestLine)).toEqual([
      `POST /api/v4/users/${SEED_USERS.alice}/personal_access_tokens`,
      `DELETE /api/v4/personal_access_tokens/${token.id}`,
    ]);
    expect(token).toMatchObject({ revoked: true, active: false });
    expect(stdout).toContain(`Revoked token ID ${token.id}.`);
    // local-action shows the outputs, less those that hold a secret (as GitHub does).
    expect(stdout).toContain('Action Outputs');
    expect(stdout).toMatch(new RegExp(`'id'\\s*│ '${token.id}'`));
    expect(stdout).toContain('Skip output token since it may contain secret.');
    expectNoSecretsIn({ stdout, stderr }, [ADMIN_TOKEN], [sim]);
  }, 120_000);
});
