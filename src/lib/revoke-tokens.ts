/**
 * Revokes tokens by ID, with bounded concurrency: the post step's and the CLI's `revoke`.
 * Each result says what happened; the caller decides how to report it.
 */
import { mapWithConcurrency } from './concurrency.js';
import { describeError } from './describe-error.js';
import { GitLabClient } from './gitlab-client.js';
import { revokeToken } from './gitlab-api.js';
import { DEFAULT_MAX_CONCURRENCY, type ConnectionInputs } from './inputs.js';
import type { RevokeEntry } from './outputs.js';

export type RevokeResult =
  { entry: RevokeEntry; outcome: 'revoked' | 'gone' } | { entry: RevokeEntry; error: string };

export async function revokeTokens(
  connection: ConnectionInputs,
  entries: RevokeEntry[],
  groupId: string | undefined,
  secrets: Iterable<string>,
): Promise<RevokeResult[]> {
  const client = new GitLabClient({
    apiUrl: connection.apiUrl,
    credential: connection.credential,
    timeoutMs: connection.timeoutMs,
  });
  try {
    return await mapWithConcurrency(entries, DEFAULT_MAX_CONCURRENCY, async (entry) => {
      try {
        const owner = { userId: entry.user_id, groupId };
        return { entry, outcome: await revokeToken(client, owner, entry.id) };
      } catch (error) {
        const context = { instanceUrl: connection.instanceUrl, groupId, secrets };
        return { entry, error: describeError(error, context) };
      }
    });
  } finally {
    client.dispose();
  }
}
