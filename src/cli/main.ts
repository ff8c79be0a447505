/**
 * The command-line entry, for GitLab CI jobs and shells: the same inputs and validation as the
 * action, passed as `--name value` flags, and one module per command (create, revoke, list).
 * Messages go to stderr; stdout carries only what `--output` asks for, so a token is printed only
 * on request.
 */
import { parseArgs } from 'node:util';
import type { Env } from '../inputs/problems.js';
import { cliWordsFor } from '../inputs/words.js';
import { VERSION } from '../util/release.js';
import { createCommand } from './create.js';
import { fleetCommand, FLEET_ONLY } from './fleet.js';
import { EXIT_FAILED, EXIT_OK, type CliIo } from './io.js';
import { runList } from './list.js';
import { revokeCommand } from './revoke.js';
import { OPTIONS, USAGE, usageError } from './usage.js';

export { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type CliIo } from './io.js';
export { USAGE } from './usage.js';
export { dotenvLine, formatOutput } from './format.js';

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
  if (
    command !== 'fleet' &&
    (positionals.length > 1 || !['create', 'revoke', 'list'].includes(command))
  ) {
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
  if (command === 'fleet') {
    return fleetCommand(positionals.slice(1), values, read, env, io, secrets, now, words);
  }
  const fleetFlag = FLEET_ONLY.find((name) => values[name] !== undefined);
  if (fleetFlag) return usageError(io, `--${fleetFlag}: goes with fleet`);
  if (command === 'list') {
    return runList(read, values.id ?? [], env, io, secrets, now, words);
  }
  if (values['expiring-within'] !== undefined) {
    return usageError(io, '--expiring-within: goes with list');
  }
  return command === 'revoke'
    ? revokeCommand(read, values.id ?? [], env, io, secrets, words)
    : createCommand(read, env, io, secrets, now, words);
}
