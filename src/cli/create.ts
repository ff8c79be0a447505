/**
 * `create-gitlab-token [create]`: makes (or renews) tokens, as the action does, and prints what
 * `--output` asks for on stdout; messages go to stderr.
 */
import { clientFor } from '../gitlab/client.js';
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
import { formatOutput } from './format.js';
import { EXIT_FAILED, EXIT_OK, stderrLog, writeFailure, type CliIo } from './io.js';
import { usageError } from './usage.js';

export async function createCommand(
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
    inputs = parseRunInputs(read, env, now, words);
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
    const describe = failureDescriber(client, {
      instanceUrl: inputs.instanceUrl,
      skipAuth: inputs.credential === undefined,
      words,
    });
    const results = await createTokens(
      client,
      inputs,
      { onSecret: (secret) => secrets.add(secret), log, stores, words },
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
    if (output !== 'none' && madeTokens(results).length > 0) {
      try {
        await io.stdout(formatOutput(output, results));
      } catch (error) {
        // A closed stdout (EPIPE) or a value the format cannot hold: the tokens reached nobody.
        reportUnwritten(io, results, writeFailure(error), secrets);
        return EXIT_FAILED;
      }
    }
    return results.every((result) => result.error === undefined) ? EXIT_OK : EXIT_FAILED;
  } finally {
    client.dispose();
  }
}

/** After the result could not be written: what was made, so that it can be revoked. No secret. */
/** The target flags of `revoke` for a token of this target (see the usage). */
/** After the result could not be written to stdout: what was made, so that it can be revoked. No secret. */
function reportUnwritten(
  io: CliIo,
  results: TokenResult[],
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
    const flags = tokenKind(target.kind)
      .cliFlags(target)
      .map((flag) => (flag.startsWith('--') ? flag : quote(flag)))
      .map((flag) => `${flag} `)
      .join('');
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
