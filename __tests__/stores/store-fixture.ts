/**
 * What the store-in tests under __tests__/stores/ share: both simulators, the CLI run in-process
 * (runCli with an io that keeps what it writes), a project bot token made as an earlier run
 * would have, and the promise checks: no secret printed, no active token left unreported.
 */
import { beforeEach, expect } from '@jest/globals';
import { runCli } from '../../src/cli/main.js';
import { clientFor } from '../../src/gitlab/client.js';
import { failureDescriber } from '../../src/messages/describe-error.js';
import { SecretStores, type StoreOptions } from '../../src/stores/index.js';
import { parseRunInputs } from '../../src/tokens/inputs.js';
import { createTokens, type TokenResult } from '../../src/tokens/many.js';
import {
  MAINTAINER_TOKEN,
  SEED_PROJECTS,
  type GitLabSimulator,
  type SimToken,
} from '../simulator/gitlab-simulator.js';
import type { GitHubSimulator } from '../simulator/github-simulator.js';
import { findLeaks } from '../helpers/run-action.js';
import { tokenSecrets } from '../helpers/simulator-fixture.js';

export const PROJECT = SEED_PROJECTS.app;
export const NAME = 'deploy bot';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI in this process: stdout and stderr kept as text. */
export async function cli(argv: string[], env: Record<string, string>): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, env, {
    stdout: (text) => {
      stdout += text;
      return Promise.resolve();
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

/** Each test starts with no bot token of earlier tests active (the simulator keeps its tokens). */
export function retireTokensBeforeEach(sim: GitLabSimulator): void {
  beforeEach(() => {
    for (const token of sim.tokens) {
      token.revoked = true;
      token.active = false;
    }
  });
}

const days = (n: number): string =>
  new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

/** The project's bot token an earlier run made, expiring in `expiresInDays`. */
export async function existingToken(
  sim: GitLabSimulator,
  expiresInDays: number,
  name = NAME,
): Promise<SimToken> {
  const response = await fetch(`${sim.url}/api/v4/projects/${PROJECT}/access_tokens`, {
    method: 'POST',
    headers: { 'private-token': MAINTAINER_TOKEN, 'content-type': 'application/json' },
    body: JSON.stringify({ name, scopes: ['api'], expires_at: days(expiresInDays) }),
  });
  expect(response.status).toBe(201);
  const { id } = (await response.json()) as { id: number };
  sim.requests.length = 0;
  return sim.tokens.find((token) => token.id === id) as SimToken;
}

/** The CLI's renewal of the project bot token into `stores` (flags after `extra`). */
export function renewArgs(sim: GitLabSimulator, stores: string[], extra: string[] = []): string[] {
  return [
    '--base-url',
    sim.url,
    '--project-id',
    'acme/app',
    '--name',
    NAME,
    '--scopes',
    'api',
    '--if-exists',
    'rotate',
    '--rotate-before',
    '30d',
    '--expires-at',
    '90d',
    ...stores.flatMap((store) => ['--store-in', store]),
    ...extra,
  ];
}

/** The environment of a CLI run: the GitLab credential, and GitHub's when given. */
export function cliEnv(github?: { sim: GitHubSimulator; token: string }): Record<string, string> {
  return {
    GITLAB_TOKEN: MAINTAINER_TOKEN,
    ...(github ? { GITHUB_TOKEN: github.token, GITHUB_API_URL: github.sim.url } : {}),
  };
}

/** Tokens made after the one with ID `since`. */
export const madeSince = (sim: GitLabSimulator, since: number): SimToken[] =>
  sim.tokens.filter((token) => token.id > since);

/**
 * The promises over CLI runs: no credential or token secret in what they wrote (the CLI prints
 * none without --output), and every active token among `tokens` named (`token ID 123`) by one
 * of them.
 */
export function expectPromisesKept(
  runs: CliRun[],
  credentials: string[],
  sim: GitLabSimulator,
  tokens: SimToken[],
): void {
  for (const run of runs) {
    expect(findLeaks(run, [...credentials, ...tokenSecrets(sim)])).toEqual([]);
  }
  const named = (id: number): boolean =>
    runs.some((run) => new RegExp(`token IDs? (\\d+, )*${id}\\b`, 'i').test(run.stderr));
  const unreported = tokens.filter((token) => token.active && !named(token.id));
  expect(unreported.map((token) => token.id)).toEqual([]);
}

/** Whether GitLab takes `secret` (a consumer using what a target holds). */
export async function works(
  sim: GitLabSimulator,
  secret: string | null | undefined,
): Promise<boolean> {
  if (typeof secret !== 'string') return false;
  const response = await fetch(`${sim.url}/api/v4/user`, { headers: { 'private-token': secret } });
  return response.status === 200;
}

export interface LibraryRun {
  results: TokenResult[];
  /** every log line, `info: …` or `warning: …` */
  log: string[];
  /** the secrets the run handed to onSecret (what the action masks) */
  masked: string[];
}

/**
 * The renewal of the project bot token into `stores`, through the library (createTokens with
 * SecretStores, as the CLI and the action call them), with the stores' waits in `options`.
 */
export async function renewInProcess(
  sim: GitLabSimulator,
  stores: string[],
  options: {
    github?: { sim: GitHubSimulator; token: string };
    values?: Record<string, string>;
    stores?: StoreOptions;
  } = {},
): Promise<LibraryRun> {
  const values: Record<string, string> = {
    'base-url': sim.url,
    'gitlab-token': MAINTAINER_TOKEN,
    'project-id': 'acme/app',
    name: NAME,
    scopes: 'api',
    'if-exists': 'rotate',
    'rotate-before': '30d',
    'expires-at': '90d',
    'store-in': stores.join('\n'),
    'github-token': options.github?.token ?? '',
    ...options.values,
  };
  const env = options.github ? { GITHUB_API_URL: options.github.sim.url } : {};
  const inputs = parseRunInputs((name) => values[name] ?? '', env, new Date());
  const client = clientFor(inputs);
  const log: string[] = [];
  const masked: string[] = [];
  const logger = {
    info: (line: string) => log.push(`info: ${line}`),
    warning: (line: string) => log.push(`warning: ${line}`),
  };
  const secretStores = SecretStores.open(inputs, client, logger, undefined, options.stores);
  try {
    const describe = failureDescriber(client, { instanceUrl: inputs.instanceUrl });
    const results = await createTokens(
      client,
      inputs,
      { onSecret: (secret) => masked.push(secret), log: logger, stores: secretStores },
      describe,
    );
    return { results, log, masked };
  } finally {
    secretStores?.dispose();
    client.dispose();
  }
}

/** The one result's error message ('' when none). */
export const errorOf = (run: LibraryRun): string => run.results[0]?.error ?? '';

/**
 * The promises over a library run: no credential or token secret in its log or messages, and
 * every active token among `tokens` reported: made (the outputs) or named in the log or an error.
 */
export function expectLibraryPromisesKept(
  run: LibraryRun,
  credentials: string[],
  sim: GitLabSimulator,
  tokens: SimToken[],
): void {
  const text = [...run.log, ...run.results.map((result) => result.error ?? '')].join('\n');
  expect(findLeaks({ stdout: text, stderr: '' }, [...credentials, ...tokenSecrets(sim)])).toEqual(
    [],
  );
  const made = new Set(run.results.flatMap((result) => result.created?.token.id ?? []));
  const named = (id: number): boolean => new RegExp(`token IDs? (\\d+, )*${id}\\b`, 'i').test(text);
  const unreported = tokens.filter(
    (token) => token.active && !made.has(token.id) && !named(token.id),
  );
  expect(unreported.map((token) => token.id)).toEqual([]);
}
