/**
 * `npm run local-action [ENV_FILE]`: runs the TypeScript sources with GitHub's
 * @github/local-action (src/main.ts, then src/post/main.ts), with the inputs of ENV_FILE: `.env`
 * when there is one, otherwise `.env.example`, which points at the bundled GitLab API simulator.
 *
 * When the file's INPUT_BASE-URL is plain http to 127.0.0.1 on a port that nothing serves, the
 * bundled simulator is started there for the run (with its fake administrator credential), so the
 * first try works on a fresh clone; afterwards the requests it received and the tokens left active
 * are printed. Any other base-url (a test instance of yours) is used as it is.
 *
 * local-action is tested on Node 22 and 24, so it runs on the Node 24 of the `node`
 * devDependency, first on PATH (it starts `npm exec tsx`, whose `node` is the first on PATH).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { delimiter, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GitLabSimulator } from '../__tests__/simulator/gitlab-simulator.js';
import { requestLine } from '../__tests__/helpers/log.js';

export interface LocalActionRun {
  code: number | null;
  /** the simulator that served the run, if one was started */
  simulator?: GitLabSimulator;
}

export interface LocalActionOptions {
  /** the repository's root (default: the working directory) */
  root?: string;
  /** where local-action's output goes (default: this process's) */
  stdio?: 'inherit' | 'pipe';
  /** called with local-action's output when stdio is 'pipe' */
  onOutput?: (stdout: string, stderr: string) => void;
  /** the environment local-action runs in (default: this process's) */
  env?: NodeJS.ProcessEnv;
}

/** The value of one `KEY=value` line of a dotenv file, or undefined. */
export function dotenvValue(text: string, key: string): string | undefined {
  for (const line of text.split('\n')) {
    const match = /^([^#=\s][^=]*)=(.*)$/.exec(line.trim());
    if (match && match[1] === key) return match[2].trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return undefined;
}

/** A loopback port of plain http that nothing listens on: the simulator's to take. */
async function simulatorPort(baseUrl: string | undefined): Promise<number | undefined> {
  if (baseUrl === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' || url.hostname !== '127.0.0.1' || url.port === '') return undefined;
  const port = Number(url.port);
  const taken = await new Promise<boolean>((done) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
  return taken ? undefined : port;
}

export async function runLocalAction(
  envFile: string,
  options: LocalActionOptions = {},
): Promise<LocalActionRun> {
  const root = options.root ?? process.cwd();
  const text = readFileSync(envFile, 'utf8');
  const port = await simulatorPort(dotenvValue(text, 'INPUT_BASE-URL'));
  let simulator: GitLabSimulator | undefined;
  if (port !== undefined) {
    simulator = new GitLabSimulator();
    simulator.seedDefaults();
    const url = await simulator.start('127.0.0.1', { port });
    if ((options.stdio ?? 'inherit') === 'inherit') {
      console.log(`The bundled GitLab API simulator serves ${url} for this run.\n`);
    }
  }
  const node = join(root, 'node_modules', 'node', 'bin', 'node');
  const localAction = join(
    root,
    'node_modules',
    '@github',
    'local-action',
    'bin',
    'local-action.js',
  );
  const args = [localAction, 'run', '.', 'src/main.ts', envFile];
  args.push('--post', join(root, 'src', 'post', 'main.ts'));
  const env = { ...(options.env ?? process.env) };
  env.PATH = `${dirname(node)}${delimiter}${env.PATH ?? ''}`;
  try {
    const code = await new Promise<number | null>((done, fail) => {
      const child = spawn(node, args, {
        cwd: root,
        env,
        stdio: ['ignore', options.stdio ?? 'inherit', options.stdio ?? 'inherit'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', fail);
      child.on('close', (status) => {
        options.onOutput?.(stdout, stderr);
        done(status);
      });
    });
    return { code, simulator };
  } finally {
    if (simulator) {
      await simulator.stop();
      if ((options.stdio ?? 'inherit') === 'inherit') {
        console.log('\nRequests the simulator received:');
        for (const request of simulator.requests) console.log(`  ${requestLine(request)}`);
        const active = simulator.tokens.filter((token) => token.active).length;
        console.log(`Tokens left active: ${active}`);
      }
    }
  }
}

/** Run as a script: the env file given, else .env, else .env.example. */
if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? '')).href) {
  const root = process.cwd();
  const envFile = process.argv[2] ?? (existsSync(join(root, '.env')) ? '.env' : '.env.example');
  console.log(`Inputs from ${envFile}.`);
  const { code } = await runLocalAction(resolve(root, envFile), { root });
  process.exitCode = code ?? 1;
}
