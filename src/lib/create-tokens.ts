/**
 * Creates one token per requested user, with bounded concurrency. A failure for one user does not
 * stop the others: every result, good or bad, is returned so that all made tokens are reported.
 */
import { createPersonalAccessToken, type CreateHooks, type NewToken } from './create-token.js';
import { describeError, gatherDiagnostics } from './describe-error.js';
import type { GitLabClient } from './gitlab-client.js';
import { resolveUserId } from './gitlab-api.js';
import type { TokenRequestInputs, UserRef } from './inputs.js';
import { mapWithConcurrency } from './concurrency.js';

export interface TokenResult {
  user: UserRef;
  /** resolved numeric ID (undefined when the username did not resolve) */
  userId?: number;
  created?: NewToken;
  /** the message for people, already scrubbed of secrets */
  error?: string;
}

export function userLabel(user: UserRef): string {
  return 'id' in user ? `user ${user.id}` : `user @${user.username}`;
}

export async function createTokens(
  client: GitLabClient,
  inputs: TokenRequestInputs,
  hooks: CreateHooks,
): Promise<TokenResult[]> {
  const secrets = new Set<string>(inputs.credential ? [inputs.credential] : []);
  const onSecret = (secret: string): void => {
    secrets.add(secret);
    hooks.onSecret(secret);
  };
  const params = {
    name: inputs.name,
    scopes: inputs.scopes,
    expiresAt: inputs.expiresAt,
    description: inputs.description,
  };
  return mapWithConcurrency(inputs.users, inputs.maxConcurrency, async (user) => {
    let userId: number | undefined;
    try {
      userId = await resolveUserId(client, user);
      const owner = { userId, groupId: inputs.groupId };
      const created = await createPersonalAccessToken(client, owner, params, inputs.ifExists, {
        ...hooks,
        onSecret,
      });
      return { user, userId, created };
    } catch (error) {
      const diagnostics = await gatherDiagnostics(client, error);
      const message = describeError(error, {
        instanceUrl: inputs.instanceUrl,
        subject: inputs.users.length > 1 ? userLabel(user) : undefined,
        groupId: inputs.groupId,
        skipAuth: inputs.credential === undefined,
        secrets,
        diagnostics,
      });
      return { user, userId, error: message };
    }
  });
}
