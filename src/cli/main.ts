/**
 * The command-line entry, for GitLab CI jobs and shells: the same inputs and validation as the
 * action, passed as `--name value` flags. Messages go to stderr; stdout carries only what
 * `--output` asks for, so a token is printed only on request.
 */
import { parseArgs } from 'node:util';
import { watchSignals } from '../tokens/cancel.js';
import { createTokens } from '../tokens/many.js';
import { describeError } from '../messages/describe-error.js';
import { InputError } from '../gitlab/errors.js';
import { clientFor } from '../gitlab/client.js';
import { SecretStores, storeWarnings } from '../stores/index.js';
import { CONTROL, parseConnectionInputs, parseInputs, type Env } from '../inputs/token-request.js';
import { parseRevokeTarget } from '../inputs/revoke-target.js';
import * as storeTargets from '../stores/targets.js';
import { runList } from '../tokens/expiring.js';
import { firstTokenOutputs, madeLine, madeTokens, tokenOutputs } from '../tokens/outputs.js';
import type { TokenTarget } from '../kinds/index.js';
import { outcomeText, revokeTokens } from '../tokens/revoke.js';
import { scrubSecrets } from '../util/scrub.js';
import { oneLine, quote } from '../util/text.js';
import { VERSION } from '../util/release.js';
import { isTokenId } from '../gitlab/token.js';
import { cliWordsFor } from '../inputs/cli-words.js';
import type { Words } from '../inputs/words.js';
// dist/cli/index.js is one self-contained file (the CI/CD component downloads it alone and checks
// its SHA-256): the modules the action loads only when it needs them are imported here, so that
// ncc puts them in this bundle instead of chunk files next to it.
import '../tokens/renew.js';
import '../kinds/resource.js';
import '../kinds/service-account.js';
import '../kinds/list.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export interface CliIo {
  /** Resolves once the text is written; rejects when it cannot be (a closed pipe: EPIPE). */
  stdout(text: string): Promise<void>;
  stderr(text: string): void;
}

const text = { type: 'string' } as const;
const flag = { type: 'boolean' } as const;
const OPTIONS = {
  'base-url': text,
  'gitlab-token': text,
  'user-id': text,
  scopes: text,
  name: text,
  'expires-at': text,
  description: text,
  'timeout-seconds': text,
  'max-concurrency': text,
  'max-wait-seconds': text,
  'expiring-within': text,
  'group-id': text,
  'project-id': text,
  'access-level': text,
  'if-exists': text,
  'rotate-before': text,
  'store-in': { type: 'string', multiple: true },
  'github-token': text,
  output: text,
  'skip-auth': flag,
  'allow-insecure-http': flag,
  impersonation: flag,
  'self-rotate': flag,
  help: flag,
  version: flag,
  id: { type: 'string', multiple: true },
} as const;

export const USAGE = `Usage:
  create-gitlab-token [create] --user-id ID|USERNAME --scopes SCOPES [options]
  create-gitlab-token [create] --project-id PROJECT --scopes SCOPES [--access-level LEVEL] [options]
  create-gitlab-token [create] --group-id GROUP --scopes SCOPES [--access-level LEVEL] [options]
  create-gitlab-token revoke --id TOKEN_ID [--id TOKEN_ID ...] [TARGET]
  create-gitlab-token list [TARGET] [--expiring-within Nd] [--output json]

The kind of token follows from the target flags:
  --user-id U                      a personal access token of user U (administrator)
  --user-id U --impersonation      an impersonation token of user U (administrator)
  --user-id U --group-id G         a token of service account U of top-level group G
  --project-id P                   a project access token (its own bot user; Maintainer)
  --group-id G                     a group access token (its own bot user; Owner)
revoke takes the same target flags (none for a user's personal access token), so that it uses
that kind's own endpoint. list takes them too (several users or projects: comma-separated) and
prints their active tokens; without one, the credential's own user's.

The credential comes from the GITLAB_TOKEN environment variable (or --gitlab-token, which other
processes can see: avoid it).

Options:
  --base-url URL            GitLab instance (default https://gitlab.com)
  --user-id LIST            user IDs or usernames, comma-separated
  --scopes LIST             scope names, comma-separated
  --name NAME               token name (default: unique to the job, e.g.
                            "GitLab CI <project> pipeline <id> job <id> <random>")
  --expires-at DATE|Nd      YYYY-MM-DD in the future, or N days from today
  --description TEXT        token description
  --group-id GROUP          a top-level group's service accounts (with --user-id), or the
                            group's own access token (without)
  --project-id LIST         project IDs or full paths, comma-separated: a token each
  --access-level LEVEL      project/group tokens: guest, planner, reporter, developer,
                            maintainer (GitLab's default) or owner, or the number
  --impersonation           an impersonation token of --user-id
  --if-exists MODE          create (default), rotate or fail
  --rotate-before Nd        with --if-exists rotate: rotate only a token expiring within N days
  --self-rotate             the credential rotates itself (no target flags); with
                            --output, the new secret is printed
  --store-in TARGET         write the new secret there (repeatable): a CI/CD variable
                            gitlab-variable:<project or group>:<KEY>[:<environment scope>],
                            or a GitHub Actions secret github-secret:<owner/repo>:<NAME> or
                            github-secret:<owner/repo>:<environment>:<NAME>
  --github-token TOKEN      for github-secret targets (default: the GITHUB_TOKEN variable;
                            GitHub's address from GITHUB_API_URL, default api.github.com)
  --timeout-seconds N       per-request time limit (default 30)
  --max-concurrency N       tokens requested at once (default 8, at most 32)
  --max-wait-seconds N      the most time spent waiting out rate limits (default 300)
  --skip-auth               send no credential
  --allow-insecure-http     allow plain http to a remote host
  --output FORMAT           print the result on stdout: json, token or dotenv (default: nothing);
                            list: json, or text (default: a table)
  --expiring-within Nd      list: only tokens that expire within N days (on or before the date
                            N days from today, UTC); tokens without an expiry date are left out
  --version                 print the version and exit

Output formats:
  json     the tokens as a JSON array (type, target, user_id, id, name, token, scopes,
           expires_at, and access_level for project and group tokens)
  token    each secret on a line of its own
  dotenv   GITLAB_NEW_TOKEN, GITLAB_NEW_TOKEN_ID, GITLAB_NEW_TOKEN_USER_ID and
           GITLAB_NEW_TOKEN_EXPIRES_AT of the first token, one KEY=value line each. A value with
           characters other than letters, digits and _ . : @ % + , / = - is single-quoted for a
           POSIX shell ('\\'' for a quote), so reading the file with a shell cannot run anything;
           a value with a line break or another control character is refused (exit 1).
  list json  one array of the active tokens listed: id, name, type, target, user_id, scopes,
           access_level (project and group tokens), created_at, expires_at, days_left (whole
           days from today, UTC, to expires_at; null without one) and last_used_at; never a secret.

Exit codes: 0 every token made (or revoked, or listed: whatever expires); 1 GitLab or the network
failed (list: the targets that worked are still printed), or the result could not be written to
stdout (the tokens made are then named on stderr: revoke them); 2 invalid arguments.`;

/** The library's log lines, on stderr (stdout carries only what --output asks for). */
function stderrLog(io: CliIo): { info(message: string): void; warning(message: string): void } {
  return {
    info: (message) => io.stderr(`${message}\n`),
    warning: (message) => io.stderr(`warning: ${message}\n`),
  };
}

function usageError(io: CliIo, message: string): number {
  io.stderr(`create-gitlab-token: ${message}\n\n${USAGE}\n`);
  return EXIT_USAGE;
}

// A value a POSIX shell reads as itself without quotes, in an assignment.
const SHELL_SAFE = /^[A-Za-z0-9_.:@%+,/=-]*$/;

/** Thrown when a value cannot be written in the asked format. */
class OutputFormatError extends Error {}

/**
 * One `KEY=value` line that a shell (`.` or `source`) and line-based readers (a dotenv report)
 * read back as exactly one variable: plain when the value is shell-safe, else single-quoted.
 * Values come from GitLab, so they are data: a line break is refused, since a line-based reader
 * would take the rest as another variable.
 */
export function dotenvLine(key: string, value: string): string {
  if (CONTROL.test(value)) {
    throw new OutputFormatError(
      `GitLab returned a ${key} with a line break or control character: it cannot be written as dotenv`,
    );
  }
  const quoted = SHELL_SAFE.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
  return `${key}=${quoted}\n`;
}

export function formatOutput(
  format: string,
  results: Awaited<ReturnType<typeof createTokens>>,
): string {
  const tokens = madeTokens(results);
  if (format === 'json') return `${JSON.stringify(tokenOutputs(tokens), null, 2)}\n`;
  if (format === 'token') {
    return tokens
      .map(({ token }) => {
        if (CONTROL.test(String(token.token))) {
          throw new OutputFormatError('GitLab returned a token with a line break in it');
        }
        return `${token.token}\n`;
      })
      .join('');
  }
  const first = firstTokenOutputs(tokens);
  const lines: [string, string | undefined][] = [
    ['GITLAB_NEW_TOKEN', first.token],
    ['GITLAB_NEW_TOKEN_ID', first.id],
    ['GITLAB_NEW_TOKEN_USER_ID', first['user-id']],
    ['GITLAB_NEW_TOKEN_EXPIRES_AT', first['expires-at']],
  ];
  return lines
    .flatMap(([key, value]) => (value === undefined ? [] : [dotenvLine(key, String(value))]))
    .join('');
}

/** After the result could not be written: what was made, so that it can be revoked. No secret. */
/** The target flags of `revoke` for a token of this target (see the usage). */
function revokeFlags(target: TokenTarget): string {
  switch (target.kind) {
    case 'project':
      return `--project-id ${quote(target.projectId ?? '')} `;
    case 'group':
      return `--group-id ${quote(target.groupId ?? '')} `;
    case 'service-account':
      return `--group-id ${quote(target.groupId ?? '')} --user-id ${target.userId} `;
    case 'impersonation':
      return `--user-id ${target.userId} --impersonation `;
    default:
      return '';
  }
}

function reportUnwritten(
  io: CliIo,
  results: Awaited<ReturnType<typeof createTokens>>,
  why: string,
  secrets: Set<string>,
): void {
  // IDs are what GitLab returned: shown as numbers, or quoted when they are not.
  const shown = (value: unknown): string =>
    Number.isSafeInteger(value) ? String(value) : quote(String(value), 40);
  const made = madeTokens(results).map(({ token }) => ({
    id: shown(token.id),
    user: shown(token.user_id),
  }));
  const list = made.map(({ id, user }) => `token ID ${id} (user ${user})`).join(', ');
  // One revoke command per target, with the flags that reach that kind's own route.
  const commands = new Map<string, string[]>();
  for (const { token, target } of madeTokens(results)) {
    const flags = revokeFlags(target);
    commands.set(flags, [...(commands.get(flags) ?? []), `--id ${shown(token.id)}`]);
  }
  const revoke = [...commands]
    .map(([flags, ids]) => `create-gitlab-token revoke ${flags}${ids.join(' ')}`)
    .join('; ');
  const message =
    `error: the result could not be written to stdout (${oneLine(why, 200)}), so nobody has ` +
    `these tokens: ${list}. Revoke them: ${revoke}`;
  io.stderr(`${scrubSecrets(message, secrets)}\n`);
}

export async function runCli(
  argv: string[],
  env: Env,
  io: CliIo,
  now = new Date(),
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: OPTIONS,
    });
  } catch (error) {
    return usageError(io, error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help || values.version) {
    try {
      await io.stdout(values.help ? `${USAGE}\n` : `create-gitlab-token ${VERSION}\n`);
    } catch {
      return EXIT_FAILED;
    }
    return EXIT_OK;
  }
  const command = positionals[0] ?? 'create';
  if (positionals.length > 1 || !['create', 'revoke', 'list'].includes(command)) {
    return usageError(io, `unknown command ${JSON.stringify(positionals.join(' '))}`);
  }
  const read = (name: string): string => {
    const value = (values as Record<string, string | boolean | string[] | undefined>)[name];
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    if (Array.isArray(value)) return value.join('\n');
    if (name === 'github-token' && value === undefined) return env.GITHUB_TOKEN ?? '';
    return typeof value === 'string' ? value : '';
  };
  const secrets = new Set<string>(
    [read('gitlab-token'), env.GITLAB_TOKEN ?? '', read('github-token')].filter(Boolean),
  );
  for (const [name, variable] of [
    ['gitlab-token', 'GITLAB_TOKEN'],
    ['github-token', 'GITHUB_TOKEN'],
  ] as const) {
    if (values[name]) {
      io.stderr(
        `warning: --${name} is visible to other processes; prefer the ${variable} variable\n`,
      );
    }
  }
  // Messages name flags and variables, and GitLab's CI/CD variables inside a GitLab CI job.
  const words = cliWordsFor(env);
  if (command === 'list') {
    return runList(
      read,
      values.id ?? [],
      env,
      io,
      secrets,
      now,
      (message) => usageError(io, message),
      words,
    );
  }
  if (values['expiring-within'] !== undefined) {
    return usageError(io, '--expiring-within: goes with list');
  }
  return command === 'revoke'
    ? revokeCommand(read, values.id ?? [], env, io, secrets, words)
    : createCommand(read, env, io, secrets, now, words);
}

async function createCommand(
  read: (name: string) => string,
  env: Env,
  io: CliIo,
  secrets: Set<string>,
  now: Date,
  words: Words,
): Promise<number> {
  const output = read('output') || 'none';
  if (!['json', 'token', 'dotenv', 'none'].includes(output)) {
    return usageError(
      io,
      `--output: expected json, token or dotenv, got ${JSON.stringify(output)}`,
    );
  }
  let inputs;
  try {
    inputs = parseInputs(read, env, now, words, storeTargets);
  } catch (error) {
    if (error instanceof InputError)
      return usageError(io, describeError(error, { instanceUrl: '', secrets, words }));
    throw error;
  }
  const client = clientFor(inputs, inputs.maxConcurrency);
  try {
    if (inputs.insecureHttp)
      io.stderr(
        'warning: plain http to a remote host: the credential crosses the network unencrypted\n',
      );
    const signals = watchSignals(client, (signal) =>
      io.stderr(
        `warning: received ${signal}: no new token is started; the tokens made are reported.\n`,
      ),
    );
    const log = stderrLog(io);
    for (const advice of storeWarnings(inputs, words)) log.warning(advice);
    const stores = SecretStores.open(inputs, client, log);
    const results = await createTokens(
      client,
      inputs,
      { onSecret: (secret) => secrets.add(secret), log, stores, words },
      signals.stop,
    ).finally(() => {
      signals.release();
      stores?.dispose();
    });
    for (const result of results) {
      if (result.created) io.stderr(`${madeLine(result.created)}\n`);
      if (result.error !== undefined) io.stderr(`error: ${result.error}\n`);
    }
    if (output !== 'none' && madeTokens(results).length > 0) {
      try {
        await io.stdout(formatOutput(output, results));
      } catch (error) {
        // A closed stdout (EPIPE) or a value the format cannot hold: the tokens reached nobody.
        const why =
          error instanceof Error
            ? ((error as NodeJS.ErrnoException).code ?? error.message)
            : String(error);
        reportUnwritten(io, results, why, secrets);
        return EXIT_FAILED;
      }
    }
    return results.every((result) => result.error === undefined) ? EXIT_OK : EXIT_FAILED;
  } finally {
    client.dispose();
  }
}

async function revokeCommand(
  read: (name: string) => string,
  ids: string[],
  env: Env,
  io: CliIo,
  secrets: Set<string>,
  words: Words,
): Promise<number> {
  const tokenIds = ids
    .flatMap((id) => id.split(','))
    .map((id) => id.trim())
    .filter(Boolean);
  if (tokenIds.length === 0 || tokenIds.some((id) => !/^\d+$/.test(id) || !isTokenId(Number(id)))) {
    return usageError(io, '--id: expected one or more numeric token IDs (1 or more)');
  }
  let target: TokenTarget;
  try {
    target = parseRevokeTarget(read, words);
  } catch (error) {
    return usageError(io, describeError(error, { instanceUrl: '', secrets, words }));
  }
  let connection;
  try {
    connection = parseConnectionInputs(read, env, words);
  } catch (error) {
    return usageError(io, describeError(error, { instanceUrl: '', secrets, words }));
  }
  const client = clientFor(connection);
  let results;
  try {
    const requests = tokenIds.map((id) => ({ id: Number(id), target }));
    results = await revokeTokens(
      client,
      connection,
      requests,
      {
        onSecret: (secret) => secrets.add(secret),
        log: stderrLog(io),
        checkOwner: true,
        words,
      },
      secrets,
    );
  } finally {
    client.dispose();
  }
  for (const result of results) {
    const { id } = result.request;
    if ('error' in result) {
      io.stderr(
        `error: GitLab did not confirm revoking token ID ${id}; it may still be active: ${result.error}\n`,
      );
    } else io.stderr(`${outcomeText(id, result.outcome)}\n`);
  }
  return results.every((result) => !('error' in result)) ? EXIT_OK : EXIT_FAILED;
}
