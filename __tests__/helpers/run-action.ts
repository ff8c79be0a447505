/**
 * Runs the action's steps and the CLI as the runner and a shell do: INPUT_* variables with
 * action.yml's defaults, GITHUB_OUTPUT / GITHUB_STATE / GITHUB_STEP_SUMMARY files, then the post
 * step with the main step's state as STATE_*; the CLI with its arguments and environment.
 *
 * By default a run is in this process (in-process.ts): the sources' entry points (runMain,
 * runPost, runCli) with that environment, their stdout and stderr captured, and no fixed waits.
 * `bundle: true` runs dist/ in a child process instead, for the few end-to-end tests of the
 * bundles, signals and start-up.
 *
 * After every run, expectPromisesKept checks that no secret (a credential it was handed, any
 * credential or token of the file's simulators) was printed anywhere but on its `::add-mask::`
 * line, and that every active token it made is reported.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { SimToken } from '../simulator/gitlab-simulator.js';
import type { Waits } from '../../src/util/waits.js';
import { environmentProxySecrets } from '../../src/http/proxy.js';
import { expectPromisesKept, type RunRecord } from './promises.js';
import { watchedSimulators } from './watched.js';
import { inProcess, runCliInProcess } from './in-process.js';

export { commands, findLeaks, maskedFirst, requestLine } from './log.js';

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

/** No fixed waits: a lost reply is looked into at once, a retry is sent at once. */
export const NO_WAITS: Waits = { settleMs: 0, retryBaseDelayMs: 0 };

let defaults: Record<string, string> | undefined;

/** action.yml's input defaults, read with a small parser (the file's layout is ours). */
export function actionDefaults(): Record<string, string> {
  if (defaults) return { ...defaults };
  const yaml = readFileSync(join(ROOT, 'action.yml'), 'utf8');
  const section = yaml.split(/^inputs:\s*$/m)[1]?.split(/^\S/m)[0] ?? '';
  const found: Record<string, string> = {};
  let current: string | undefined;
  for (const line of section.split('\n')) {
    const input = /^ {2}([a-z][a-z0-9-]*):\s*$/.exec(line);
    if (input) current = input[1];
    const value = /^ {4}default:\s*(.*)$/.exec(line);
    if (value && current) found[current] = value[1].replace(/^'(.*)'$/, '$1');
  }
  defaults = found;
  return { ...found };
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

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface StepOptions {
  inputs?: Record<string, string>;
  /** extra environment (GITLAB_TOKEN, HTTPS_PROXY, ...) */
  env?: Record<string, string>;
  /** STATE_* values for the post step */
  state?: Record<string, string>;
  /** skip action.yml defaults (to test what the runner would never send) */
  noDefaults?: boolean;
  /** run the bundle (dist/) in a child process instead of the sources in this one */
  bundle?: boolean;
  /** in this process: the waits (default NO_WAITS) */
  waits?: Waits;
}

export interface CliOptions {
  /** run dist/cli/index.js in a child process instead of the sources in this one */
  bundle?: boolean;
  /** in this process: the waits (default NO_WAITS) */
  waits?: Waits;
}

/** The environment the tests started with: in-process runs change process.env for a while. */
const STARTING_ENV: Record<string, string> = Object.fromEntries(
  Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined),
);

const BASE_ENV: Record<string, string> = {
  GITHUB_REPOSITORY: 'octo-org/octo-repo',
  GITHUB_RUN_ID: '4242',
  GITHUB_ACTIONS: 'true',
  RUNNER_TEMP: tmpdir(),
};

/** A run's whole environment: the tests', without what a runner or a shell would set, and `extra`. */
export function childEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(STARTING_ENV)) {
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
  /** the step's whole environment: runner files, INPUT_*, STATE_* and `options.env` */
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

/** What a run is checked against afterwards: the file's simulators' tokens before it started. */
export interface RunWatch {
  before: Set<SimToken>;
}

export function watchRun(): RunWatch {
  return { before: new Set(watchedSimulators().flatMap((sim) => sim.tokens)) };
}

/**
 * The promises kept by a run (expectPromisesKept): `secrets` are what it was handed, besides
 * every credential and token of the file's simulators.
 */
export function checkRun(
  watch: RunWatch,
  result: RunRecord,
  secrets: (string | undefined)[],
  stdoutHoldsTokens = false,
): void {
  const sims = watchedSimulators();
  const made = sims.flatMap((sim) => sim.tokens).filter((token) => !watch.before.has(token));
  expectPromisesKept(result, {
    secrets: [
      ...secrets.filter((secret): secret is string => !!secret),
      ...sims.flatMap((sim) => sim.credentialSecrets()),
    ],
    sims,
    made,
    stdoutHoldsTokens,
  });
}

/** The secrets a step is handed: its credentials and a proxy URL's password. */
export function stepSecrets(env: Record<string, string>): string[] {
  return [
    env['INPUT_GITLAB-TOKEN'],
    env['INPUT_GITHUB-TOKEN'],
    env.GITLAB_TOKEN,
    env.GITHUB_TOKEN,
    ...environmentProxySecrets(env),
  ].filter((secret): secret is string => !!secret);
}

/** Runs a step, in this process or (bundle) as a child process; `onStdout` sees its log live. */
export async function runStep(
  entry: 'main' | 'post',
  options: StepOptions,
  onStdout?: (text: string) => void,
): Promise<StepResult> {
  const prepared = prepareStep(options);
  const watch = watchRun();
  let run;
  try {
    if (options.bundle) {
      run = await spawnNode(entry === 'main' ? MAIN : POST, [], prepared.env);
    } else {
      const waits = options.waits ?? NO_WAITS;
      run = await inProcess(
        prepared.env,
        async () => {
          if (entry === 'main') {
            const { runMain } = await import('../../src/action/main.js');
            await runMain({ waits });
          } else {
            const { runPost } = await import('../../src/action/post.js');
            await runPost({ waits });
          }
        },
        onStdout,
      );
    }
  } catch (error) {
    rmSync(prepared.dir, { recursive: true, force: true });
    throw error;
  }
  const result = collectStep(prepared, run);
  checkRun(watch, result, stepSecrets(prepared.env));
  return result;
}

export function runMainStep(options: StepOptions = {}): Promise<StepResult> {
  return runStep('main', options);
}

/** The post step, handed the main step's state as the runner does. */
export function runPostStep(main: StepResult, options: StepOptions = {}): Promise<StepResult> {
  return runStep('post', { ...options, state: { ...main.state, ...options.state } });
}

/** The value of `--flag value` or `--flag=value` in `args`. */
function flagValue(args: string[], flag: string): string | undefined {
  const at = args.indexOf(flag);
  if (at >= 0) return args[at + 1];
  return args.find((arg) => arg.startsWith(`${flag}=`))?.slice(flag.length + 1);
}

/** Checks a CLI run: stdout may hold the new tokens only when `create --output` asked. */
function checkCli(
  watch: RunWatch,
  args: string[],
  env: Record<string, string>,
  result: { stdout: string; stderr: string },
): void {
  const command = args.find((arg) => ['create', 'revoke', 'list'].includes(arg)) ?? 'create';
  const output = flagValue(args, '--output');
  const printsTokens = command === 'create' && ['json', 'token', 'dotenv'].includes(output ?? '');
  const secrets = [
    flagValue(args, '--gitlab-token'),
    flagValue(args, '--github-token'),
    env.GITLAB_TOKEN,
    env.GITHUB_TOKEN,
    ...environmentProxySecrets(env),
  ];
  checkRun(watch, result, secrets, printsTokens);
}

/** The CLI with these arguments and extra environment, as a shell would run it. */
export async function runCli(
  args: string[],
  env: Record<string, string> = {},
  options: CliOptions = {},
): Promise<CliResult> {
  const full = childEnv(env);
  const watch = watchRun();
  const result = options.bundle
    ? await spawnNode(CLI, args, full)
    : await runCliInProcess(args, full, { waits: options.waits ?? NO_WAITS });
  checkCli(watch, args, full, result);
  return result;
}

/**
 * dist/cli/index.js with nobody reading its stdout (as `| head -c1` leaves it once head has
 * exited): the read end is closed at once, so every write to stdout fails with EPIPE. A process
 * of its own: what the test is about is the bundle's handling of its real stdout.
 */
export async function runCliClosedStdout(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stderr: string }> {
  const full = childEnv(env);
  const watch = watchRun();
  const result = await new Promise<{ code: number | null; stderr: string }>(
    (resolvePromise, reject) => {
      const child = spawn(process.execPath, [CLI, ...args], {
        env: full,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.destroy();
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code) => resolvePromise({ code, stderr }));
    },
  );
  checkCli(watch, args, full, { stdout: '', stderr: result.stderr });
  return result;
}
