/**
 * Creates one token per requested user, with bounded concurrency. A failure for one user does not
 * stop the others: every result, good or bad, is returned so that all made tokens are reported.
 * Once the step is told to stop (a cancel, or the rate-limit budget spent), no new user is begun.
 */
import { TokenMaker, type CreateHooks, type NewToken } from './create-token.js';
import { describeError, gatherDiagnostics } from './describe-error.js';
import { DuplicateUserError, NotStartedError } from './errors.js';
import type { GitLabClient } from './gitlab-client.js';
import { resolveUserId } from './users.js';
import type { TokenRequestInputs, UserRef } from './inputs.js';
import { tokenKind, type TokenTarget } from './kinds/index.js';
import { mapWithConcurrency } from './concurrency.js';

export interface TokenResult {
  user: UserRef;
  /** resolved numeric ID (undefined when the username did not resolve) */
  userId?: number;
  created?: NewToken;
  /** the message for people, already scrubbed of secrets */
  error?: string;
  /** true when the user was never begun (the step was stopping) */
  notStarted?: boolean;
}

/** Tells the bulk loop to begin no new user. */
export interface StopSignal {
  readonly reason: 'cancelled' | 'rate-limit' | undefined;
}

export function userLabel(user: UserRef): string {
  return 'id' in user ? `user ${user.id}` : `user @${user.username}`;
}

export function targetFor(inputs: TokenRequestInputs, userId: number): TokenTarget {
  return inputs.groupId === undefined
    ? { kind: 'personal', userId }
    : { kind: 'service-account', userId, groupId: inputs.groupId };
}

export async function createTokens(
  client: GitLabClient,
  inputs: TokenRequestInputs,
  hooks: CreateHooks,
  stop: StopSignal = { reason: undefined },
): Promise<TokenResult[]> {
  const secrets = new Set<string>(inputs.credential ? [inputs.credential] : []);
  const onSecret = (secret: string): void => {
    secrets.add(secret);
    hooks.onSecret(secret);
  };
  const request = {
    params: {
      name: inputs.name,
      scopes: inputs.scopes,
      expiresAt: inputs.expiresAt,
      description: inputs.description,
    },
    ifExists: inputs.ifExists,
    uniqueName: inputs.uniqueName,
  };
  // Usernames resolve to IDs; the same user twice in one step is refused (one token per user).
  const claimed = new Map<number, string>();
  return mapWithConcurrency(inputs.users, inputs.maxConcurrency, async (user) => {
    let userId: number | undefined;
    try {
      const reason = stop.reason ?? (client.rateLimitSpent ? 'rate-limit' : undefined);
      if (reason) throw new NotStartedError(reason);
      userId = await resolveUserId(client, user);
      const first = claimed.get(userId);
      if (first !== undefined) throw new DuplicateUserError(userId, first);
      claimed.set(userId, userLabel(user));
      const target = targetFor(inputs, userId);
      const maker = new TokenMaker(client, tokenKind(target.kind), target, request, {
        ...hooks,
        onSecret,
        cancelled: () => stop.reason === 'cancelled',
      });
      return { user, userId, created: await maker.make() };
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
      return { user, userId, error: message, notStarted: error instanceof NotStartedError };
    }
  });
}
