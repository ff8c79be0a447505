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
const CLOCK_SKEW_MS = 2 * 60_000;

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
      const rotated = await withReconcile(client, owner, params, hooks, current.id);
      return { token: rotated, rotatedFrom: current.id };
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
      if (!isReplyLost(error)) throw error;
      const stillActive = await revokeOrphans(
        client,
        owner,
        params.name,
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

/** Revokes active same-name tokens made since `sentAt`; tells whether `keepId` is still active. */
async function revokeOrphans(
  client: GitLabClient,
  owner: TokenOwner,
  name: string,
  sentAt: number,
  keepId: number | undefined,
  cause: unknown,
  log: Logger,
): Promise<boolean> {
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
    (token) => token.id !== keepId && Date.parse(token.created_at) >= sentAt - CLOCK_SKEW_MS,
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
