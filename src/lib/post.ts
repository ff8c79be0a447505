/**
 * The post step (revoke: true): revokes every token the main step made, whatever the job's
 * outcome. It reads only token IDs from the state and never fails the job: a token it cannot
 * revoke is a warning naming the ID so a person can revoke it by hand.
 */
import * as core from '@actions/core';
import { describeError } from './describe-error.js';
import { GitLabClient } from './gitlab-client.js';
import { revokeToken } from './gitlab-api.js';
import { DEFAULT_MAX_CONCURRENCY, parseConnectionInputs } from './inputs.js';
import { parseRevokeEntries, STATE_REVOKE } from './outputs.js';
import { mapWithConcurrency } from './concurrency.js';

export async function runPost(): Promise<void> {
  const entries = parseRevokeEntries(core.getState(STATE_REVOKE));
  if (entries.length === 0) return;
  const secrets = [core.getInput('gitlab-token'), process.env.GITLAB_TOKEN ?? ''].map((s) =>
    s.trim(),
  );
  for (const secret of secrets) if (secret) core.setSecret(secret);
  const ids = entries.map((entry) => entry.id).join(', ');
  let connection;
  try {
    connection = parseConnectionInputs((name) => core.getInput(name), process.env);
  } catch (error) {
    core.warning(
      `Could not revoke token ID ${ids}: ${describeError(error, { instanceUrl: '', secrets })} Revoke them by hand.`,
    );
    return;
  }
  const groupId = core.getInput('group-id').trim() || undefined;
  const client = new GitLabClient({
    apiUrl: connection.apiUrl,
    credential: connection.credential,
    timeoutMs: connection.timeoutMs,
  });
  try {
    await mapWithConcurrency(entries, DEFAULT_MAX_CONCURRENCY, async (entry) => {
      try {
        const outcome = await revokeToken(client, { userId: entry.user_id, groupId }, entry.id);
        if (outcome === 'revoked')
          core.info(`Revoked token ID ${entry.id} of user ${entry.user_id}.`);
        else
          core.notice(
            `Token ID ${entry.id} of user ${entry.user_id} was already revoked or deleted.`,
          );
      } catch (error) {
        const message = describeError(error, {
          instanceUrl: connection.instanceUrl,
          groupId,
          secrets,
        });
        core.warning(
          `Could not revoke token ID ${entry.id} of user ${entry.user_id}: revoke it by hand. ${message}`,
        );
      }
    });
  } finally {
    client.dispose();
  }
}
