/**
 * The post step (revoke: true): revokes every token the main step made, whatever the job's
 * outcome. It reads only token IDs from the state and never fails the job: a token it cannot
 * revoke is a warning naming the ID so a person can revoke it by hand.
 */
import * as core from '@actions/core';
import { describeError } from './describe-error.js';
import { environmentProxySecrets } from './http/proxy.js';
import { parseConnectionInputs } from './inputs.js';
import { parseRevokeEntries, STATE_REVOKE } from './outputs.js';
import { revokeTokens } from './revoke-tokens.js';

export async function runPost(): Promise<void> {
  const entries = parseRevokeEntries(core.getState(STATE_REVOKE));
  if (entries.length === 0) return;
  const secrets = [core.getInput('gitlab-token'), process.env.GITLAB_TOKEN ?? ''].map((s) =>
    s.trim(),
  );
  for (const secret of secrets) if (secret) core.setSecret(secret);
  for (const secret of environmentProxySecrets(process.env)) core.setSecret(secret);
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
  for (const result of await revokeTokens(connection, entries, groupId, secrets)) {
    const { id, user_id: userId } = result.entry;
    if ('error' in result) {
      core.warning(
        `Could not revoke token ID ${id} of user ${userId}: revoke it by hand. ${result.error}`,
      );
    } else if (result.outcome === 'revoked') {
      core.info(`Revoked token ID ${id} of user ${userId}.`);
    } else {
      core.notice(`Token ID ${id} of user ${userId} was already revoked or deleted.`);
    }
  }
}
