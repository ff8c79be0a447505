/**
 * The main step started in the background, so that a test can watch the simulator while it runs
 * (same environment as run-action.ts builds). In this process by default; with `bundle: true`
 * as the runner starts it, a child process running dist/index.js, which can be sent the runner's
 * cancel signals (SIGINT, then SIGTERM). Its result is read when it ends.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import {
  MAIN,
  checkRun,
  collectStep,
  prepareStep,
  runStep,
  stepSecrets,
  watchRun,
  type StepOptions,
  type StepResult,
} from './run-action.js';

export interface RunningStep {
  /** Sends a signal to the step's process while it runs; false once it has exited. */
  signal(signal: NodeJS.Signals): boolean;
  /** True once the step has ended. */
  exited(): boolean;
  /** What the step printed so far. */
  stdout(): string;
  /** Resolves when the step has ended, with everything it left behind. */
  readonly done: Promise<StepResult>;
}

export function startMainStep(options: StepOptions = {}): RunningStep {
  return options.bundle ? startBundle(options) : startInProcess(options);
}

function startInProcess(options: StepOptions): RunningStep {
  let stdout = '';
  let exited = false;
  const done = runStep('main', options, (text) => (stdout += text));
  void done.then(
    () => (exited = true),
    () => (exited = true),
  );
  return {
    signal: () => {
      throw new Error('Signals go to a process: start the step with { bundle: true }.');
    },
    exited: () => exited,
    stdout: () => stdout,
    done,
  };
}

function startBundle(options: StepOptions): RunningStep {
  const prepared = prepareStep(options, 'cgt-running-');
  const watch = watchRun();
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
        const result = collectStep(prepared, { code, stdout, stderr });
        checkRun(watch, result, stepSecrets(prepared.env));
        resolvePromise(result);
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
