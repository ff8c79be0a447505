/**
 * `create-gitlab-token revoke --id ID [TARGET]`: revokes tokens by ID through the target kind's
 * own endpoint, saying for each what GitLab confirmed.
 */
import { clientFor, retryPolicy } from '../gitlab/client.js';
import { parseConnectionInputs } from '../inputs/connection.js';
import { isPositiveId } from '../inputs/fields.js';
import type { Env } from '../inputs/problems.js';
import { parseRevokeTarget, type RevokeTarget } from '../inputs/targets.js';
import type { Words } from '../inputs/words.js';
import { describeError, failureDescriber } from '../messages/describe-error.js';
import { outcomeText, revokeTokens } from '../tokens/revoke.js';
import { dryRunRevoke } from '../plan/dry-run.js';
import {
  announceInstance,
  DRY_RUN_START,
  EXIT_FAILED,
  EXIT_OK,
  reportDryRun,
  stderrLog,
  type CliIo,
} from './io.js';
import { usageError } from './usage.js';
import type { Waits } from '../util/waits.js';

export async function revokeCommand(
  read: (name: string) => string,
  ids: string[],
  env: Env,
  io: CliIo,
  secrets: Set<string>,
  words: Words,
  waits?: Waits,
): Promise<number> {
  const tokenIds = ids
    .flatMap((id) => id.split(','))
    .map((id) => id.trim())
    .filter(Boolean);
  if (
    tokenIds.length === 0 ||
    tokenIds.some((id) => !/^\d+$/.test(id) || !isPositiveId(Number(id)))
  ) {
    return usageError(io, '--id: expected one or more numeric token IDs (1 or more)', 'revoke');
  }
  let target: RevokeTarget;
  try {
    target = parseRevokeTarget(read, words);
  } catch (error) {
    return usageError(io, describeError(error, { instanceUrl: '', secrets, words }), 'revoke');
  }
  let connection;
  try {
    connection = parseConnectionInputs(read, env, words);
  } catch (error) {
    return usageError(io, describeError(error, { instanceUrl: '', secrets, words }), 'revoke');
  }
  const dryRun = read('dry-run') === 'true';
  if (dryRun) io.stderr(DRY_RUN_START);
  announceInstance(io, connection);
  const client = clientFor(connection, undefined, undefined, retryPolicy(waits));
  let results;
  try {
    const requests = tokenIds.map((id) => ({ id: Number(id), target }));
    const describe = failureDescriber(client, {
      instanceUrl: connection.instanceUrl,
      skipAuth: connection.credential === undefined,
      words,
    });
    if (dryRun) {
      const report = await dryRunRevoke(client, connection.credential, requests, describe, words);
      return await reportDryRun(io, report, false);
    }
    results = await revokeTokens(
      client,
      requests,
      {
        onSecret: (secret) => secrets.add(secret),
        log: stderrLog(io),
        checkOwner: true,
        words,
      },
      secrets,
      describe,
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
