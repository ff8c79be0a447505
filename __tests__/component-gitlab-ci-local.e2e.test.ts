/**
 * End-to-end: the GitLab CI/CD component run by `gitlab-ci-local` (GitLab's own pipeline rules
 * read by another program: `include:` of templates/create-token.yml with `inputs:`, the
 * `spec:inputs` interpolation, `variables:`, `script`, `after_script`), against the simulator,
 * downloading dist/cli/index.js from a local server. component.e2e runs the same shell lines
 * with `sh`; this one checks that GitLab's interpretation of the YAML gives those lines.
 *
 * gitlab-ci-local needs Node 22+ (it is run with the Node 24 of node_modules/node) and `rsync`
 * (it copies the project with rsync before every run, whatever the executor); `.ci/run` installs
 * rsync where it is missing. `--force-shell-executor` runs the job here instead of in the image.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN_TOKEN } from './simulator/gitlab-simulator.js';
import { expectNoSecretsIn, useSimulator } from './helpers/simulator-fixture.js';
import { CLI, checkRun, childEnv, ROOT, watchRun } from './helpers/run-action.js';
import { closeServer } from './simulator/close-server.js';

const NODE_24 = join(ROOT, 'node_modules', 'node', 'bin', 'node');
const GITLAB_CI_LOCAL = join(ROOT, 'node_modules', 'gitlab-ci-local', 'dist', 'index.js');
const JOB = 'mint-token';

const sim = useSimulator();

let cliServer: Server;
const cliSockets = new Set<Duplex>();
let cliUrl = '';
let downloads = 0;
const cliSha256 = createHash('sha256').update(readFileSync(CLI)).digest('hex');

beforeAll(async () => {
  cliServer = createServer((_, res) => {
    downloads += 1;
    res.end(readFileSync(CLI));
  });
  cliServer.on('connection', (socket) => cliSockets.add(socket));
  await new Promise<void>((resolve) => cliServer.listen(0, '127.0.0.1', resolve));
  const address = cliServer.address();
  cliUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/cli.js`;
});
afterAll(() => closeServer(cliServer, cliSockets));

/** A YAML string, double-quoted (JSON's quoting is YAML's). */
const q = (value: string): string => JSON.stringify(value);

interface PipelineRun {
  code: number | null;
  /** gitlab-ci-local's stdout and stderr: the job log as a runner would show it */
  stdout: string;
  stderr: string;
  /** the job's own log (gitlab-ci-local's output/<job>.log) */
  log: string;
  /** what the user's commands saw, one value a line */
  seen: string;
  /** the files left in the project directory (gitlab-ci-local's own state aside) */
  left: string[];
}

/**
 * A project whose .gitlab-ci.yml includes the component (a local include: the component's own
 * file, with inputs), run by gitlab-ci-local as a GitLab CI job would be.
 */
async function runPipeline(inputs: Record<string, string>, script: string[]): Promise<PipelineRun> {
  const watch = watchRun();
  const project = mkdtempSync(join(tmpdir(), 'cgt-gcl-project-'));
  const outside = mkdtempSync(join(tmpdir(), 'cgt-gcl-seen-'));
  try {
    mkdirSync(join(project, 'templates'));
    cpSync(
      join(ROOT, 'templates', 'create-token.yml'),
      join(project, 'templates', 'create-token.yml'),
    );
    const given: Record<string, string> = {
      'job-name': JOB,
      'cli-url': cliUrl,
      'cli-sha256': cliSha256,
      'base-url': sim.url,
      ...inputs,
    };
    const yaml = [
      'include:',
      '  - local: templates/create-token.yml',
      '    inputs:',
      ...Object.entries(given).map(([key, value]) => `      ${key}: ${q(value)}`),
      '      script:',
      ...script.map((line) => `        - ${q(line)}`),
      '',
    ].join('\n');
    writeFileSync(join(project, '.gitlab-ci.yml'), yaml);
    // gitlab-ci-local reads the project as a git repository: a local include must be committed.
    const git = (...args: string[]): Promise<unknown> =>
      run(
        'git',
        ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args],
        project,
        childEnv({}),
      );
    await git('init', '-q', '-b', 'main', '.');
    await git('add', '.');
    await git('commit', '-q', '-m', 'pipeline');
    const seen = join(outside, 'seen');
    const variables = {
      // What a runner sets, and what gitlab-ci-local does not (its GITLAB_CI is "false").
      GITLAB_CI: 'true',
      CI_PROJECT_DIR: project,
      CI_PROJECT_PATH: 'acme/app',
      // The masked, protected CI/CD variable of the credential.
      CREATE_GITLAB_TOKEN_CREDENTIAL: ADMIN_TOKEN,
      CGT_TEST_SEEN: seen,
    };
    const args = [
      GITLAB_CI_LOCAL,
      // It wants a relative path: the child runs in the project.
      '--cwd',
      '.',
      '--force-shell-executor',
      '--no-artifacts-to-source',
      ...Object.entries(variables).flatMap(([key, value]) => ['--variable', `${key}=${value}`]),
      // Set on purpose, as a runner would: no warning about overriding them.
      '--ignore-predefined-vars',
      'GITLAB_CI,CI_PROJECT_DIR,CI_PROJECT_PATH',
      JOB,
    ];
    // The job's `node` is Node 24, as in the component's default image.
    const env = childEnv({
      PATH: `${join(ROOT, 'node_modules', 'node', 'bin')}:${process.env.PATH}`,
    });
    // Not a GitHub Actions run.
    for (const key of Object.keys(env)) if (key.startsWith('GITHUB_')) delete env[key];
    const result = await run(NODE_24, args, project, env);
    const logFile = join(project, '.gitlab-ci-local', 'output', `${JOB}.log`);
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
    // The job's log is the CLI's stderr: no secret, and every token it made named.
    checkRun(watch, { stdout: result.stdout, stderr: `${result.stderr}${log}` }, [ADMIN_TOKEN]);
    return {
      ...result,
      log,
      seen: existsSync(seen) ? readFileSync(seen, 'utf8') : '',
      left: readdirSync(project).filter(
        (file) => !['.git', '.gitlab-ci-local', '.gitlab-ci.yml', 'templates'].includes(file),
      ),
    };
  } finally {
    rmSync(project, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
}

function run(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/** The user's commands: write what they see to a file outside the project (never to the log). */
const RECORD = [
  'printf \'%s\\n\' "$GITLAB_NEW_TOKEN" "$GITLAB_NEW_TOKEN_ID" "$GITLAB_NEW_TOKEN_USER_ID" > "$CGT_TEST_SEEN"',
];

describe('GitLab CI/CD component, run by gitlab-ci-local', () => {
  it('rsync is there (gitlab-ci-local copies the project with it before any job)', async () => {
    const which = await run('sh', ['-c', 'command -v rsync'], ROOT, childEnv({}));
    expect(which.code).toBe(0);
  });

  it('mints the token, hands it to the script, revokes it in after_script, deletes the CLI', async () => {
    const before = downloads;
    const result = await runPipeline({ 'user-id': '42', scopes: 'read_api' }, RECORD);
    expect(result.stdout).toContain('PASS  mint-token');
    expect(result.code).toBe(0);
    expect(downloads).toBe(before + 1);
    const token = sim.tokens[sim.tokens.length - 1];
    // The default name is the job's, from GitLab's variables.
    expect(token.name).toMatch(/^GitLab CI acme\/app pipeline \S+ job \S+ [0-9a-f]{6}$/);
    expect(token.scopes).toEqual(['read_api']);
    expect(result.seen).toBe(`${token.token}\n${token.id}\n42\n`);
    expect(token.active).toBe(false);
    expect(sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /api/v4/users/42/personal_access_tokens',
      // revoke --user-id first checks that the token is that user's
      `GET /api/v4/personal_access_tokens/${token.id}`,
      `DELETE /api/v4/personal_access_tokens/${token.id}`,
    ]);
    expect(result.log).toContain(`Revoked token ID ${token.id}.`);
    // Neither the credential nor the new token is in the log (gitlab-ci-local masks nothing).
    expectNoSecretsIn(result, [ADMIN_TOKEN], [sim]);
    expectNoSecretsIn({ stdout: result.log, stderr: '' }, [ADMIN_TOKEN], [sim]);
    expect(result.left).toEqual([]);
  });

  it('a failing script: after_script still revokes the token and deletes the CLI', async () => {
    const result = await runPipeline({ 'user-id': '42', scopes: 'read_api' }, [
      ...RECORD,
      'exit 3',
    ]);
    expect(result.code).not.toBe(0);
    const token = sim.tokens[sim.tokens.length - 1];
    expect(result.seen).toBe(`${token.token}\n${token.id}\n42\n`);
    expect(token.active).toBe(false);
    expect(result.log).toContain(`Revoked token ID ${token.id}.`);
    expectNoSecretsIn(result, [ADMIN_TOKEN], [sim]);
    expectNoSecretsIn({ stdout: result.log, stderr: '' }, [ADMIN_TOKEN], [sim]);
    expect(result.left).toEqual([]);
  });

  it('an invalid input: the CLI answers in GitLab words, nothing is sent', async () => {
    const result = await runPipeline(
      { 'user-id': '42', scopes: 'read_api', 'if-exists': 'rotate' },
      RECORD,
    );
    expect(result.code).not.toBe(0);
    expect(result.log).toContain('--name: required with --if-exists rotate');
    expect(result.log).not.toContain('${{');
    expect(sim.requests).toEqual([]);
    expect(result.seen).toBe('');
    expect(result.left).toEqual([]);
  });
});
