/**
 * Runs an entry point (runMain, runPost, runCli) in this process as if it were a process of its
 * own: process.env holds exactly the run's environment, process.stdout and process.stderr are
 * captured, and the exit code is what process.exitCode says at the end (or what runCli returns).
 * Everything is put back afterwards, and a run that leaves something behind fails the test:
 * signal listeners (tokens/cancel.ts's watchSignals), a changed exit code. @actions/core's job
 * summary keeps the first file it found and what it could not write, so both are reset before
 * each run. Two runs cannot overlap (they would share process.env and stdout): a test that needs
 * two at once starts one of them as a child process (`bundle: true`).
 */
import type { Waits } from '../../src/util/waits.js';

export interface Captured {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** What is running in this process now, if anything. */
let running: Promise<unknown> | undefined;

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Replaces process.env's contents (not the object: modules keep a reference to it). */
function setEnvironment(env: Record<string, string | undefined>): void {
  for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
}

/** Sends what is written to `stream` to `sink` instead; returns the undo. */
function capture(stream: NodeJS.WriteStream, sink: (text: string) => void): () => void {
  const own = Object.prototype.hasOwnProperty.call(stream, 'write');
  const original = stream.write;
  stream.write = ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown): boolean => {
    sink(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') process.nextTick(() => (done as () => void)());
    return true;
  }) as typeof stream.write;
  return () => {
    if (own) stream.write = original;
    else delete (stream as { write?: unknown }).write;
  };
}

/** Before each run: what the modules of the sources keep between runs in one process. */
async function resetModules(): Promise<void> {
  const core = await import('@actions/core');
  core.summary.emptyBuffer();
  (core.summary as unknown as { _filePath?: string })._filePath = undefined;
}

/**
 * Runs `run` with `env` as the whole of process.env and the output captured. Its result is the
 * exit code (a number returned, else process.exitCode); an error it throws is what Node would
 * print for an uncaught one, with exit code 1. `onStdout` sees stdout as it is written.
 */
export function inProcess(
  env: Record<string, string>,
  run: () => Promise<number | void>,
  onStdout?: (text: string) => void,
): Promise<Captured> {
  if (running) {
    throw new Error(
      'Two in-process runs at once would share process.env and stdout: start one of them with { bundle: true }.',
    );
  }
  const done = runAlone(env, run, onStdout);
  running = done;
  return done.finally(() => (running = undefined));
}

async function runAlone(
  env: Record<string, string>,
  run: () => Promise<number | void>,
  onStdout?: (text: string) => void,
): Promise<Captured> {
  const savedEnv = { ...process.env };
  const savedExitCode = process.exitCode;
  const listeners = SIGNALS.map((signal) => process.listeners(signal));
  await resetModules();
  let stdout = '';
  let stderr = '';
  setEnvironment(env);
  process.exitCode = undefined;
  const restoreStdout = capture(process.stdout, (text) => {
    stdout += text;
    onStdout?.(text);
  });
  const restoreStderr = capture(process.stderr, (text) => (stderr += text));
  let code: number;
  try {
    const returned = await run();
    code = typeof returned === 'number' ? returned : Number(process.exitCode ?? 0);
  } catch (error) {
    stderr += `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`;
    code = 1;
  } finally {
    restoreStdout();
    restoreStderr();
    setEnvironment(savedEnv);
    process.exitCode = savedExitCode;
  }
  const left = SIGNALS.flatMap((signal, i) =>
    process.listeners(signal).filter((listener) => !listeners[i].includes(listener)),
  );
  if (left.length > 0) {
    SIGNALS.forEach((signal, i) => {
      for (const listener of process.listeners(signal)) {
        if (!listeners[i].includes(listener)) process.off(signal, listener);
      }
    });
    throw new Error(`The run left ${left.length} signal listener(s) behind.`);
  }
  return { code, stdout, stderr };
}

export interface CliRunOptions {
  waits: Waits;
}

/** src/cli/index.ts's work in this process: runCli with an io object that collects the output. */
export async function runCliInProcess(
  args: string[],
  env: Record<string, string>,
  options: CliRunOptions,
): Promise<Captured> {
  let out = '';
  let err = '';
  const captured = await inProcess(env, async () => {
    const { runCli } = await import('../../src/cli/main.js');
    return runCli(
      args,
      process.env,
      {
        stdout: async (text) => {
          out += text;
        },
        stderr: (text) => {
          err += text;
        },
      },
      { waits: options.waits },
    );
  });
  // The CLI writes through its io only; anything else on the process's streams is kept too.
  return { code: captured.code, stdout: out + captured.stdout, stderr: err + captured.stderr };
}
