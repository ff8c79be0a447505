/**
 * The main step started in the background, as the runner starts it (same environment as
 * run-action.ts builds), so that a test can watch the simulator while it runs and send it the
 * runner's cancel signals (SIGINT, then SIGTERM). Its result is read when it exits.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ROOT,
  actionDefaults,
  childEnv,
  parseCommandFile,
  type StepOptions,
  type StepResult,
} from './run-action.js';

export interface RunningStep {
  /** Sends a signal to the step while it runs; false once it has exited. */
  signal(signal: NodeJS.Signals): boolean;
  /** True once the process has exited. */
  exited(): boolean;
  /** What the step printed so far. */
  stdout(): string;
  /** Resolves when the step has exited, with everything it left behind. */
  readonly done: Promise<StepResult>;
}

export function startMainStep(options: StepOptions = {}): RunningStep {
  const dir = mkdtempSync(join(tmpdir(), 'cgt-running-'));
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
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  for (const [name, value] of Object.entries(options.state ?? {})) env[`STATE_${name}`] = value;
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'index.js')], {
    env: childEnv({ ...env, ...options.env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let exited = false;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<StepResult>((resolvePromise, reject) => {
    child.on('error', (error) => {
      rmSync(dir, { recursive: true, force: true });
      reject(error);
    });
    child.on('close', (code) => {
      exited = true;
      try {
        const raw = {
          output: readFileSync(files.output, 'utf8'),
          state: readFileSync(files.state, 'utf8'),
          summary: readFileSync(files.summary, 'utf8'),
        };
        resolvePromise({
          code,
          stdout,
          stderr,
          outputs: parseCommandFile(raw.output),
          state: parseCommandFile(raw.state),
          summary: raw.summary,
          files: raw,
        });
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
  child.on('exit', () => (exited = true));
  return {
    signal: (signal) => !exited && child.exitCode === null && child.kill(signal),
    exited: () => exited,
    stdout: () => stdout,
    done,
  };
}

/** Resolves once `condition` holds, checking every `everyMs` (the test's timeout bounds it). */
export async function until(condition: () => boolean, everyMs = 10): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, everyMs));
}

export const pause = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));
