/**
 * The command-line entry, for GitLab CI jobs and shells: the same inputs and validation as the
 * action, passed as `--name value` flags, and one module per command (create, rotate, revoke,
 * list).
 * Messages go to stderr; stdout carries only what `--output` asks for, so a token is printed only
 * on request.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_EXPIRES_AT } from '../inputs/fields.js';
import type { Env } from '../inputs/problems.js';
import { cliWordsFor } from '../inputs/words.js';
import { VERSION } from '../util/release.js';
import type { RunOptions } from '../util/waits.js';
import { createCommand } from './create.js';
import { fleetCommand, FLEET_ONLY } from './fleet.js';
import { EXIT_FAILED, EXIT_OK, type CliIo } from './io.js';
import { runList } from './list.js';
import { revokeCommand } from './revoke.js';
import { rotateCommand } from './rotate.js';
import { HELP, isCommand, OPTIONS, OVERVIEW, usageError, type Command } from './usage.js';

export { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type CliIo } from './io.js';
export { HELP, OVERVIEW } from './usage.js';
export { dotenvLine, formatOutput } from './format.js';

export async function runCli(
  argv: string[],
  env: Env,
  io: CliIo,
  options: RunOptions = {},
): Promise<number> {
  const { now = new Date(), waits } = options;
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: OPTIONS,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Node's advice on positionals that start with '-' is beside the point here.
    const what = message.replace(/\. To specify a positional argument[\s\S]*$/, '');
    return usageError(io, what, commandNamed(argv));
  }
  const { values, positionals } = parsed;
  const named = positionals[0];
  const command = named ?? 'create';
  if (!isCommand(command) || (command !== 'fleet' && positionals.length > 1)) {
    return usageError(io, `unknown command ${JSON.stringify(positionals.join(' '))}`);
  }
  if (values.help || values.version) {
    const help = named === undefined ? OVERVIEW : HELP[command];
    try {
      await io.stdout(values.help ? `${help}\n` : `create-gitlab-token ${VERSION}\n`);
    } catch {
      return EXIT_FAILED;
    }
    return EXIT_OK;
  }
  const read = (name: string): string => {
    const value = (values as Record<string, string | boolean | string[] | undefined>)[name];
    // The same lifetime as the action and the component (and glab): 30 days unless given.
    if (name === 'expires-at' && value === undefined && EXPIRING.includes(command)) {
      return DEFAULT_EXPIRES_AT;
    }
    // The CLI revokes nothing when it ends: the tokens it makes are for others.
    if (name === 'revoke') return 'false';
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
  if (command === 'fleet') {
    return fleetCommand(positionals.slice(1), values, read, env, io, secrets, now, words);
  }
  const fleetFlag = FLEET_ONLY.find((name) => values[name] !== undefined);
  if (fleetFlag) return usageError(io, `--${fleetFlag}: goes with fleet`);
  if (command === 'list') {
    return runList(read, values.id ?? [], env, io, secrets, now, words, waits);
  }
  if (values['expiring-within'] !== undefined) {
    return usageError(io, '--expiring-within: goes with list', command);
  }
  if (command === 'rotate') {
    return rotateCommand(read, values.id ?? [], env, io, secrets, now, words);
  }
  return command === 'revoke'
    ? revokeCommand(read, values.id ?? [], env, io, secrets, words, waits)
    : createCommand(read, env, io, secrets, now, words, waits);
}

/** The commands that make a token, and so give it a lifetime. */
const EXPIRING: readonly string[] = ['create', 'rotate'];

/** The command a command line names, read leniently (for the help pointer of a usage error). */
function commandNamed(argv: string[]): Command | undefined {
  try {
    const { positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: false,
      options: OPTIONS,
    });
    const first = positionals[0] ?? 'create';
    return isCommand(first) ? first : undefined;
  } catch {
    return undefined;
  }
}
