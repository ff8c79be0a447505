/**
 * Runs the bundled entry points as the runner does: INPUT_* variables with action.yml's defaults,
 * GITHUB_OUTPUT / GITHUB_STATE / GITHUB_STEP_SUMMARY files, then the post step with STATE_*.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The repository root: the nearest folder up with action.yml (also when compiled into build/). */
function findRoot(start: string): string {
  for (let dir = start; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'action.yml'))) return dir;
  }
  return process.cwd();
}

export const ROOT = findRoot(import.meta.dirname ?? process.cwd());
export const MAIN = join(ROOT, 'dist', 'index.js');
const POST = join(ROOT, 'dist', 'post', 'index.js');
export const CLI = join(ROOT, 'dist', 'cli', 'index.js');

/** action.yml's input defaults, read with a small parser (the file's layout is ours). */
export function actionDefaults(): Record<string, string> {
  const yaml = readFileSync(join(ROOT, 'action.yml'), 'utf8');
  const section = yaml.split(/^inputs:\s*$/m)[1]?.split(/^\S/m)[0] ?? '';
  const defaults: Record<string, string> = {};
  let current: string | undefined;
  for (const line of section.split('\n')) {
    const input = /^ {2}([a-z][a-z0-9-]*):\s*$/.exec(line);
    if (input) current = input[1];
    const value = /^ {4}default:\s*(.*)$/.exec(line);
    if (value && current) defaults[current] = value[1].replace(/^'(.*)'$/, '$1');
  }
  return defaults;
}

/** Parses the `name<<delimiter` (and plain `name=value`) file-command format. */
export function parseCommandFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) body.push(lines[i]);
      if (i >= lines.length) throw new Error(`unterminated value for ${name}`);
      values[name] = body.join('\n');
    } else if (line.includes('=')) {
      values[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return values;
}

export interface StepResult {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
  /** raw file contents, for leak checks */
  files: { output: string; state: string; summary: string };
}

export interface StepOptions {
  inputs?: Record<string, string>;
  /** extra environment (GITLAB_TOKEN, HTTPS_PROXY, ...) */
  env?: Record<string, string>;
  /** STATE_* values for the post step */
  state?: Record<string, string>;
  /** skip action.yml defaults (to test what the runner would never send) */
  noDefaults?: boolean;
}

const BASE_ENV: Record<string, string> = {
  GITHUB_REPOSITORY: 'octo-org/octo-repo',
  GITHUB_RUN_ID: '4242',
  GITHUB_ACTIONS: 'true',
  RUNNER_TEMP: tmpdir(),
};

export function childEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (/^(INPUT_|STATE_|GITHUB_|GITLAB_TOKEN$|GITLAB_CI$|HTTPS?_PROXY$|NO_PROXY$)/i.test(key))
      continue;
    env[key] = value;
  }
  // jest's own flags would slow the child down and change nothing.
  delete env.NODE_OPTIONS;
  return { ...env, ...BASE_ENV, ...extra };
}

export function spawnNode(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/** A step's runner files (in a folder of its own) and the environment that names them. */
export interface PreparedStep {
  dir: string;
  files: { output: string; state: string; summary: string };
  /** the child's whole environment: runner files, INPUT_*, STATE_* and `options.env` */
  env: Record<string, string>;
}

/** Lays out what the runner hands a step: empty command files, inputs, state. */
export function prepareStep(options: StepOptions, prefix = 'cgt-step-'): PreparedStep {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const files = {
    output: join(dir, 'output'),
    state: join(dir, 'state'),
    summary: join(dir, 'summary'),
  };
  for (const file of Object.values(files)) writeFileSync(file, '');
  const inputs = { ...(options.noDefaults ? {} : actionDefaults()), ...options.inputs };
  const env: Record<string, string> = {
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary,
  };
  // The runner upper-cases input names and keeps their hyphens.
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  for (const [name, value] of Object.entries(options.state ?? {})) env[`STATE_${name}`] = value;
  return { dir, files, env: childEnv({ ...env, ...options.env }) };
}

/** Reads what the step left in its runner files, then removes their folder. */
export function collectStep(
  prepared: PreparedStep,
  run: { code: number | null; stdout: string; stderr: string },
): StepResult {
  try {
    const raw = {
      output: readFileSync(prepared.files.output, 'utf8'),
      state: readFileSync(prepared.files.state, 'utf8'),
      summary: readFileSync(prepared.files.summary, 'utf8'),
    };
    return {
      ...run,
      outputs: parseCommandFile(raw.output),
      state: parseCommandFile(raw.state),
      summary: raw.summary,
      files: raw,
    };
  } finally {
    rmSync(prepared.dir, { recursive: true, force: true });
  }
}

async function runStep(script: string, options: StepOptions): Promise<StepResult> {
  const prepared = prepareStep(options);
  let run;
  try {
    run = await spawnNode(script, [], prepared.env);
  } catch (error) {
    rmSync(prepared.dir, { recursive: true, force: true });
    throw error;
  }
  return collectStep(prepared, run);
}

export function runMainStep(options: StepOptions = {}): Promise<StepResult> {
  return runStep(MAIN, options);
}

/** The post step, handed the main step's state as the runner does. */
export function runPostStep(main: StepResult, options: StepOptions = {}): Promise<StepResult> {
  return runStep(POST, { ...options, state: { ...main.state, ...options.state } });
}

export function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return spawnNode(CLI, args, childEnv(env));
}

/**
 * The CLI with nobody reading its stdout (as `| head -c1` leaves it once head has exited): the
 * read end is closed at once, so every write to stdout fails with EPIPE.
 */
export function runCliClosedStdout(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: childEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stderr }));
  });
}

/** Lines of the log that are workflow commands of the given kind (error, warning, ...). */
export function commands(stdout: string, kind: string): string[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith(`::${kind}`))
    .map((line) => line.replace(/^::[^:]*::/, ''));
}

/**
 * Asserts that no secret appears anywhere in what a step leaves behind, except on its own
 * `::add-mask::` line. Outputs may hold the token (that is their job) and are not checked.
 */
export function findLeaks(
  result: { stdout: string; stderr: string; files?: { state: string; summary: string } },
  secrets: string[],
): string[] {
  const leaks: string[] = [];
  for (const secret of secrets.filter((s) => s.length > 0)) {
    for (const line of result.stdout.split('\n')) {
      if (line.includes(secret) && line !== `::add-mask::${secret}`) leaks.push(`stdout: ${line}`);
    }
    if (result.stderr.includes(secret)) leaks.push(`stderr holds ${secret.slice(0, 6)}…`);
    if (result.files?.state.includes(secret)) leaks.push(`state holds ${secret.slice(0, 6)}…`);
    if (result.files?.summary.includes(secret)) leaks.push(`summary holds ${secret.slice(0, 6)}…`);
  }
  return leaks;
}

/** True when the secret was masked before any other line could print it. */
export function maskedFirst(stdout: string, secret: string): boolean {
  const lines = stdout.split('\n');
  const mask = lines.indexOf(`::add-mask::${secret}`);
  return mask >= 0 && lines.findIndex((line) => line.includes(secret)) === mask;
}

/** `METHOD /path?query` of a recorded request, for comparing request sequences. */
export function requestLine(request: {
  method: string;
  path: string;
  query: Record<string, string>;
}): string {
  const query = new URLSearchParams(request.query).toString();
  return `${request.method} ${request.path}${query ? `?${query}` : ''}`;
}
