/**
 * Creates one token per requested user, with bounded concurrency. A failure for one user does not
 * stop the others: every result, good or bad, is returned so that all made tokens are reported.
 * Once the step is told to stop (a cancel, or the rate-limit budget spent), no new user is begun.
 */
import { TokenMaker, type CreateHooks, type NewToken, type UnchangedToken } from './make.js';
import { obtainToken } from './renew.js';
import { DuplicateUserError, NotStartedError, type DescribeFailure } from './errors.js';
import type { GitLabClient } from '../gitlab/client.js';
import { resolveUserId } from '../gitlab/users.js';
import type { TargetRef, UserRef } from '../inputs/targets.js';
import type { RunInputs } from './inputs.js';
import { tokenKind, type TokenTarget } from '../kinds/index.js';
import { mapWithConcurrency } from '../util/concurrency.js';

export interface TokenResult {
  /** what was asked for, as the inputs name it */
  ref: TargetRef;
  /** the user's resolved numeric ID (undefined when not a user's token, or unresolved) */
  userId?: number;
  created?: NewToken;
  /** rotate-before: the existing token was not due, and is left as it is */
  unchanged?: UnchangedToken;
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

/** `user 42`, `user @alice`, `project acme/app`, `group acme`: what the inputs asked for. */
export function refLabel(ref: TargetRef): string {
  if (ref.user) return userLabel(ref.user);
  if (ref.projectId !== undefined) return `project ${ref.projectId}`;
  if (ref.groupId !== undefined) return `group ${ref.groupId}`;
  return tokenKind(ref.kind).label({ kind: ref.kind });
}

/** The target of a request, once its user (if any) is resolved to an ID. */
async function resolveTarget(client: GitLabClient, ref: TargetRef): Promise<TokenTarget> {
  const { user, ...target } = ref;
  return user ? { ...target, userId: await resolveUserId(client, user) } : target;
}

export async function createTokens(
  client: GitLabClient,
  inputs: RunInputs,
  hooks: CreateHooks,
  describeFailure: DescribeFailure,
  stop: StopSignal = { reason: undefined },
): Promise<TokenResult[]> {
  const secrets = new Set<string>(
    [inputs.credential, inputs.github?.token].filter((value): value is string => !!value),
  );
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
      accessLevel: inputs.accessLevel,
    },
    ifExists: inputs.ifExists,
    uniqueName: inputs.uniqueName,
    rotateBy: inputs.rotateBy,
  };
  // Usernames resolve to IDs; the same user twice in one step is refused (one token per user).
  const claimed = new Map<number, string>();
  const kept = new Set<number>();
  return mapWithConcurrency(inputs.targets, inputs.maxConcurrency, async (ref) => {
    let userId: number | undefined;
    try {
      const reason = stop.reason ?? (client.rateLimitSpent ? 'rate-limit' : undefined);
      if (reason) throw new NotStartedError(reason);
      const target = await resolveTarget(client, ref);
      userId = target.userId;
      if (userId !== undefined) {
        const first = claimed.get(userId);
        if (first !== undefined) throw new DuplicateUserError(userId, first);
        claimed.set(userId, refLabel(ref));
      }
      const maker = new TokenMaker(client, tokenKind(target.kind), target, request, {
        ...hooks,
        onSecret,
        cancelled: () => stop.reason === 'cancelled',
        kept,
      });
      const outcome = await obtainToken(maker);
      if ('existing' in outcome) return { ref, userId, unchanged: outcome };
      // A store that failed with the token left active: reported, and the step fails.
      const error = outcome.storeError && (await describe(outcome.storeError));
      return { ref, userId, created: outcome, error };
    } catch (error) {
      return {
        ref,
        userId,
        error: await describe(error),
        notStarted: error instanceof NotStartedError,
      };
    }

    function describe(error: unknown): Promise<string> {
      const subject = inputs.targets.length > 1 ? refLabel(ref) : undefined;
      return describeFailure(error, { kind: ref.kind, subject, groupId: inputs.groupId, secrets });
    }
  });
}
