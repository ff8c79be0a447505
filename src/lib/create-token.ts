/**
 * Makes one token for one owner, safely: `if-exists` handling, and reconciliation when the reply
 * to a create (or rotate) was lost, so that no active token is left that nobody was told about.
 */
import {
  GitLabApiError,
  GitLabNetworkError,
  TokenExistsError,
  TokenReconcileError,
} from './errors.js';
import type { GitLabClient } from './gitlab-client.js';
import {
  createToken,
  listActiveTokens,
  revokeToken,
  rotateToken,
  type PersonalAccessToken,
  type TokenOwner,
  type TokenParams,
} from './gitlab-api.js';
import type { IfExists } from './inputs.js';

export interface Logger {
  info(message: string): void;
  warning(message: string): void;
}

export interface CreateHooks {
  /** Called with each new secret the moment it arrives, before anything else sees it. */
  onSecret(secret: string): void;
  log: Logger;
}

export interface NewToken {
  token: PersonalAccessToken & { token: string };
  /** the ID of the token that `if-exists: rotate` replaced */
  rotatedFrom?: number;
}

/** Allowance for the difference between this runner's clock and GitLab's. */
const CLOCK_SKEW_MS = 60_000;

/**
 * Could `token` be the one our lost request made? Same name (listed by it), made since the
 * request was sent, and the scopes and expiry we asked for: so that a token an earlier step made
 * with the same name a moment ago is left alone.
 */
function madeByRequest(token: PersonalAccessToken, params: TokenParams, sentAt: number): boolean {
  return (
    Date.parse(token.created_at) >= sentAt - CLOCK_SKEW_MS &&
    sameScopes(token.scopes, params.scopes) &&
    (params.expiresAt === undefined || token.expires_at === params.expiresAt)
  );
}

/** True when GitLab may have acted on a request whose answer never arrived. */
export function isReplyLost(error: unknown): boolean {
  if (error instanceof GitLabNetworkError) return error.sent;
  return error instanceof GitLabApiError && (error.status === 502 || error.status === 504);
}

function reveal(
  token: PersonalAccessToken,
  hooks: CreateHooks,
): PersonalAccessToken & { token: string } {
  if (typeof token?.token !== 'string' || token.token === '') {
    throw new Error('GitLab answered without the new token: is base-url pointing at GitLab?');
  }
  hooks.onSecret(token.token);
  return token as PersonalAccessToken & { token: string };
}

function sameScopes(a: string[] | undefined, b: string[]): boolean {
  const have = new Set(a ?? []);
  return have.size === new Set(b).size && b.every((scope) => have.has(scope));
}

function newest(tokens: PersonalAccessToken[]): PersonalAccessToken {
  return [...tokens].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at))[0];
}

export async function createPersonalAccessToken(
  client: GitLabClient,
  owner: TokenOwner,
  params: TokenParams,
  ifExists: IfExists,
  hooks: CreateHooks,
): Promise<NewToken> {
  if (ifExists !== 'create') {
    const existing = await listActiveTokens(client, owner, params.name);
    if (existing.length > 0) {
      const current = newest(existing);
      if (ifExists === 'fail') throw new TokenExistsError(current.id, params.name, owner.userId);
      if (sameScopes(current.scopes, params.scopes)) {
        const rotated = await withReconcile(client, owner, params, hooks, current.id);
        return { token: rotated, rotatedFrom: current.id };
      }
      // A rotation keeps the old scopes: a token with other scopes than asked for is replaced
      // (create, then revoke the old one) so the output never has more rights than requested.
      const made = await withReconcile(client, owner, params, hooks, undefined);
      try {
        await revokeToken(client, owner, current.id);
      } catch {
        hooks.log.warning(
          `Token ID ${current.id} has other scopes than requested, so token ID ${made.id} replaces it, ` +
            `but it could not be revoked: revoke it by hand.`,
        );
      }
      return { token: made, rotatedFrom: current.id };
    }
  }
  return { token: await withReconcile(client, owner, params, hooks, undefined) };
}

/**
 * Creates (or rotates `rotateId`). When the reply is lost, lists the owner's active tokens with
 * the name, revokes those made since the request was sent, and tries once more.
 */
async function withReconcile(
  client: GitLabClient,
  owner: TokenOwner,
  params: TokenParams,
  hooks: CreateHooks,
  rotateId: number | undefined,
): Promise<PersonalAccessToken & { token: string }> {
  let target = rotateId;
  for (let attempt = 1; ; attempt++) {
    const sentAt = Date.now();
    try {
      const reply =
        target === undefined
          ? await createToken(client, owner, params)
          : await rotateToken(client, owner, target, params.expiresAt);
      return reveal(reply, hooks);
    } catch (error) {
      if (isServerError(error))
        await cleanUpAfterServerError(client, owner, params, sentAt, target, hooks.log);
      if (!isReplyLost(error)) throw error;
      const stillActive = await revokeOrphans(
        client,
        owner,
        params,
        sentAt,
        target,
        error,
        hooks.log,
      );
      if (attempt >= 2) {
        throw new TokenReconcileError(
          `the reply was lost twice; no token named ${JSON.stringify(params.name)} was left active`,
          error,
        );
      }
      // A rotation that did happen revoked the old token: make a new one instead.
      if (target !== undefined && !stillActive) target = undefined;
      hooks.log.warning(
        `The reply to the token request for user ${owner.userId} was lost; ` +
          'no orphan token is left active, trying once more.',
      );
    }
  }
}

function isServerError(error: unknown): boolean {
  return error instanceof GitLabApiError && error.status === 500;
}

/**
 * A 500 is reported, not retried: GitLab may have failed after storing the token, though, so
 * any token it made is looked for and revoked. When that check itself fails, the user is told
 * which token to look for, and the 500 is still what the step reports.
 */
async function cleanUpAfterServerError(
  client: GitLabClient,
  owner: TokenOwner,
  params: TokenParams,
  sentAt: number,
  keepId: number | undefined,
  log: Logger,
): Promise<void> {
  const { name } = params;
  try {
    await revokeOrphans(client, owner, params, sentAt, keepId, undefined, log);
  } catch {
    log.warning(
      `GitLab answered 500 and it could not be checked whether it made a token anyway: ` +
        `revoke by hand any active token named ${JSON.stringify(name)} of user ${owner.userId} made just now.`,
    );
  }
}

/** Revokes active same-name tokens made since `sentAt`; tells whether `keepId` is still active. */
async function revokeOrphans(
  client: GitLabClient,
  owner: TokenOwner,
  params: TokenParams,
  sentAt: number,
  keepId: number | undefined,
  cause: unknown,
  log: Logger,
): Promise<boolean> {
  const { name } = params;
  let active: PersonalAccessToken[];
  try {
    active = await listActiveTokens(client, owner, name);
  } catch (error) {
    throw new TokenReconcileError(
      `the reply was lost and the token list could not be read to check for a token named ` +
        `${JSON.stringify(name)}; one may exist for user ${owner.userId}: check and revoke it by hand`,
      error,
    );
  }
  const orphans = active.filter(
    (token) => token.id !== keepId && madeByRequest(token, params, sentAt),
  );
  const failed: number[] = [];
  for (const orphan of orphans) {
    try {
      await revokeToken(client, owner, orphan.id);
      log.info(`Revoked token ID ${orphan.id}, made by a request whose reply was lost.`);
    } catch {
      failed.push(orphan.id);
    }
  }
  if (failed.length > 0) {
    throw new TokenReconcileError(
      `the reply was lost and token ID ${failed.join(', ')} could not be revoked: revoke it by hand`,
      cause,
      failed,
    );
  }
  return active.some((token) => token.id === keepId);
}
