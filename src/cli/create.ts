/**
 * `create-gitlab-token [create]`: makes (or renews) tokens, as the action does, and prints what
 * `--output` asks for on stdout; messages go to stderr.
 */
import { clientFor, retryPolicy } from '../gitlab/client.js';
import { InputError, type Env } from '../inputs/problems.js';
import type { Words } from '../inputs/words.js';
import { tokenKind } from '../kinds/index.js';
import { describeError, failureDescriber } from '../messages/describe-error.js';
import { SecretStores, storeWarnings } from '../stores/index.js';
import { watchSignals } from '../tokens/cancel.js';
import { parseRunInputs } from '../tokens/inputs.js';
import { createTokens, type TokenResult } from '../tokens/many.js';
import { madeLine, madeTokens } from '../tokens/outputs.js';
import { scrubSecrets } from '../util/scrub.js';
import { oneLine, quote } from '../util/text.js';
import type { Waits } from '../util/waits.js';
import { dryRunCreate } from '../plan/dry-run.js';
import { formatOutput } from './format.js';
import {
  announceInstance,
  DRY_RUN_START,
  EXIT_FAILED,
  EXIT_OK,
  reportDryRun,
  stderrLog,
  writeFailure,
  type CliIo,
} from './io.js';
import { usageError } from './usage.js';

export async function createCommand(
  read: (name: string) => string,
  env: Env,
  io: CliIo,
  secrets: Set<string>,
  now: Date,
  words: Words,
  waits?: Waits,
): Promise<number> {
  const output = read('output') || 'none';
  if (!['json', 'token', 'dotenv', 'none'].includes(output)) {
    return usageError(
      io,
      `--output: expected json, token or dotenv, got ${JSON.stringify(output)}`,
      'create',
    );
  }
  let inputs;
  try {
    inputs = parseRunInputs(read, env, now, words);
  } catch (error) {
    if (error instanceof InputError)
      return usageError(io, describeError(error, { instanceUrl: '', secrets, words }), 'create');
    throw error;
  }
  // A rotation revokes what it replaces: its new secret must go somewhere.
  const selfRotate = inputs.targets.some((target) => target.kind === 'self');
  if (
    (selfRotate || inputs.ifExists === 'rotate') &&
    output === 'none' &&
    inputs.stores.length === 0
  ) {
    return usageError(
      io,
      selfRotate
        ? '--self-rotate needs --output or --store-in: the credential\u2019s new secret would be printed nowhere, and the credential lost'
        : '--if-exists rotate needs --output or --store-in: a rotated token\u2019s new secret would go nowhere, and its consumers would hold a revoked token',
      'create',
    );
  }
  const dryRun = read('dry-run') === 'true';
  if (dryRun) io.stderr(DRY_RUN_START);
  announceInstance(io, inputs);
  const client = clientFor(inputs, inputs.maxConcurrency, undefined, retryPolicy(waits));
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
    const describe = failureDescriber(client, {
      instanceUrl: inputs.instanceUrl,
      skipAuth: inputs.credential === undefined,
      words,
    });
    if (dryRun) {
      const report = await dryRunCreate(client, inputs, stores, describe, words).finally(() => {
        signals.release();
        stores?.dispose();
      });
      return reportDryRun(io, report, output === 'json');
    }
    const results = await createTokens(
      client,
      inputs,
      {
        onSecret: (secret) => secrets.add(secret),
        log,
        stores,
        words,
        settleMs: waits?.settleMs,
      },
      describe,
      signals.stop,
    ).finally(() => {
      signals.release();
      stores?.dispose();
    });
    for (const result of results) {
      if (result.created) io.stderr(`${madeLine(result.created)}\n`);
      if (result.error !== undefined) io.stderr(`error: ${result.error}\n`);
    }
    // json is always a JSON value ([] when nothing was made); token and dotenv hold secrets only.
    if (output === 'json' || (output !== 'none' && madeTokens(results).length > 0)) {
      try {
        await io.stdout(formatOutput(output, results));
      } catch (error) {
        // A closed stdout (EPIPE) or a value the format cannot hold: the tokens reached nobody.
        reportUnwritten(
          io,
          results,
          writeFailure(error),
          secrets,
          inputs.stores.map((store) => store.label),
        );
        return EXIT_FAILED;
      }
    }
    return results.every((result) => result.error === undefined) ? EXIT_OK : EXIT_FAILED;
  } finally {
    client.dispose();
  }
}

/**
 * After the result could not be written to stdout: what became of each token made, and for those
 * nobody holds, how to revoke them. A token that is stored somewhere, or that replaced another
 * (which is gone), is in use or the only one left: it is named with where it is, never to revoke.
 * No secret.
 */
function reportUnwritten(
  io: CliIo,
  results: TokenResult[],
  why: string,
  secrets: Set<string>,
  storedIn: string[],
): void {
  // IDs are what GitLab returned: shown as numbers, or quoted when they are not.
  const shown = (value: unknown): string =>
    Number.isSafeInteger(value) ? String(value) : quote(String(value), 40);
  const lines: string[] = [];
  // One revoke command per target, with the flags that reach that kind's own route.
  const commands = new Map<string, string[]>();
  const orphans: string[] = [];
  for (const made of madeTokens(results)) {
    const { token, target, rotatedFrom, storeError } = made;
    const kind = tokenKind(target.kind);
    const id = shown(token.id);
    if (storedIn.length > 0 && storeError === undefined) {
      lines.push(`token ID ${id} is stored in ${storedIn.join(', ')}: it is in use, keep it`);
    } else if (kind.canCreate === false) {
      lines.push(
        `the credential rotated itself into token ID ${id}, and its new secret was not printed: the credential is lost, create a new one by hand`,
      );
    } else if (rotatedFrom !== undefined) {
      lines.push(
        `token ID ${id} replaced token ID ${shown(rotatedFrom)} (no longer active), and its secret was not printed: run the command again to rotate it into a secret you can read`,
      );
    } else {
      orphans.push(`token ID ${id} (user ${shown(token.user_id)})`);
      const flags = kind
        .cliFlags(target)
        .map((flag) => (/^(--[a-z-]+|\d+)$/.test(flag) ? flag : quote(flag)))
        .map((flag) => `${flag} `)
        .join('');
      commands.set(flags, [...(commands.get(flags) ?? []), `--id ${id}`]);
    }
  }
  if (orphans.length > 0) {
    const revoke = [...commands]
      .map(([flags, ids]) => `create-gitlab-token revoke ${flags}${ids.join(' ')}`)
      .join('; ');
    lines.push(`nobody has these tokens: ${orphans.join(', ')}. Revoke them: ${revoke}`);
  }
  const facts = lines.length > 0 ? `: ${lines.join('; ')}` : ' (no token was made)';
  const message = `error: the result could not be written to stdout (${oneLine(why, 200)})${facts}`;
  io.stderr(`${scrubSecrets(message, secrets)}\n`);
}
