/**
 * NODE_DEBUG makes Node and undici print what they do to stderr. The transport is undici 6, which
 * under NODE_DEBUG=undici (or fetch) prints each connection and request line (method, origin,
 * path), while http, https, net and tls print Node's own sockets' doings; checked for issue #17,
 * none of them printed a request header. But a header holds the PRIVATE-TOKEN credential and the
 * proxy's Basic credentials, what each section prints is Node's and undici's to change (Node's
 * http client printed whole headers), and Node reads NODE_DEBUG once, when it starts, so changing
 * process.env later changes nothing. The entry points therefore run themselves again in a child
 * process whose NODE_DEBUG keeps only the sections that never see a connection, and pass on its
 * exit code.
 */
import type * as ChildProcesses from 'node:child_process';
import { createRequire } from 'node:module';

/** Sections whose debug output can hold request headers or connection options. */
const UNSAFE_SECTIONS = ['http', 'https', 'http2', 'net', 'tls', 'undici', 'fetch', 'tunnel'];

/** Node's matcher for one NODE_DEBUG entry: case-insensitive, `*` is a wildcard. */
function entryPattern(entry: string): RegExp {
  const source = entry.replace(/[|\\{}()[\]^$+?.]/g, '\\$&').replaceAll('*', '.*');
  return new RegExp(`^${source}$`, 'i');
}

export interface SafeNodeDebug {
  /** the NODE_DEBUG to run with ('' for none) */
  kept: string;
  /** the entries taken out */
  removed: string[];
}

/** NODE_DEBUG without the entries that enable an unsafe section; undefined when it is safe. */
export function safeNodeDebug(value: string | undefined): SafeNodeDebug | undefined {
  if (!value) return undefined;
  // Node splits on commas only, and matches each entry against a section's whole name.
  const entries = value.split(',');
  const unsafe = (entry: string): boolean => {
    const pattern = entryPattern(entry);
    return UNSAFE_SECTIONS.some((section) => pattern.test(section));
  };
  const removed = entries.filter(unsafe);
  if (removed.length === 0) return undefined;
  return { kept: entries.filter((entry) => !unsafe(entry)).join(','), removed };
}

/**
 * When NODE_DEBUG would print secrets: warns, runs this process's script again without those
 * sections, and resolves to the child's exit code. Resolves to undefined when NODE_DEBUG is safe
 * and this process should go on.
 */
export function rerunWithSafeNodeDebug(
  warn: (message: string) => void,
): Promise<number | undefined> {
  const safe = safeNodeDebug(process.env.NODE_DEBUG);
  if (!safe) return Promise.resolve(undefined);
  warn(
    `NODE_DEBUG=${safe.removed.join(',')} would print the GitLab credential and proxy credentials to the log: running without ${safe.removed.length === 1 ? 'it' : 'them'}.`,
  );
  const env = { ...process.env };
  if (safe.kept) env.NODE_DEBUG = safe.kept;
  else delete env.NODE_DEBUG;
  // Loaded only here: a run whose NODE_DEBUG is safe never needs node:child_process.
  const { spawn } = createRequire(import.meta.url)('node:child_process') as typeof ChildProcesses;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
      env,
      stdio: 'inherit',
    });
    const forward = (signal: NodeJS.Signals): void => {
      child.kill(signal);
    };
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
    for (const signal of signals) process.on(signal, forward);
    const done = (code: number): void => {
      for (const signal of signals) process.off(signal, forward);
      resolve(code);
    };
    child.once('error', (error) => {
      process.stderr.write(`Could not start Node again without NODE_DEBUG: ${error.message}\n`);
      done(1);
    });
    child.once('exit', (code, signal) => done(code ?? (signal ? 1 : 0)));
  });
}
