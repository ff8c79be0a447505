/**
 * The main step started in the background, as the runner starts it (same environment as
 * run-action.ts builds), so that a test can watch the simulator while it runs and send it the
 * runner's cancel signals (SIGINT, then SIGTERM). Its result is read when it exits.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { MAIN, collectStep, prepareStep, type StepOptions, type StepResult } from './run-action.js';

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
  const prepared = prepareStep(options, 'cgt-running-');
  const child = spawn(process.execPath, [MAIN], {
    env: prepared.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let exited = false;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<StepResult>((resolvePromise, reject) => {
    child.on('error', (error) => {
      rmSync(prepared.dir, { recursive: true, force: true });
      reject(error);
    });
    child.on('close', (code) => {
      exited = true;
      try {
        resolvePromise(collectStep(prepared, { code, stdout, stderr }));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
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
