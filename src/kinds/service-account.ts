/**
 * Tokens of a group's service accounts, through the group's own endpoints, so that a top-level
 * group Owner (GitLab.com has no administrators for customers) can manage them
 * (ee/lib/api/group_service_accounts.rb): create and rotate since 16.1, revoke since 17.10, list
 * since 17.11. On older versions the missing routes answer Grape's catch-all 404, and the
 * instance-wide routes are tried instead: they work for administrators.
 */
import { GitLabApiError, RevokeNotConfirmedError, VersionGateError } from '../gitlab/errors.js';
import type { GitLabClient } from '../gitlab/client.js';
import { listQuery, readTokenList, type TokenFilter } from './list.js';
import { gitlabVersion } from '../gitlab/version.js';
import {
  deleteToken,
  expiryBody,
  isAlreadyRevoked,
  requestNewToken,
  tokenBody,
  userOf,
} from './responses.js';
import { notFoundKind } from '../gitlab/errors.js';
import type { KindContext, RevokeOutcome, TokenKind, TokenTarget } from './types.js';

function tokensPath(target: TokenTarget): string {
  const group = encodeURIComponent(target.groupId ?? '');
  return `/groups/${group}/service_accounts/${userOf(target)}/personal_access_tokens`;
}

/** The instance-wide routes refuse non-administrators with these. */
function refusedAsNonAdmin(error: unknown): boolean {
  return error instanceof GitLabApiError && [400, 401, 403].includes(error.status);
}

/** Tomorrow, UTC: the shortest life GitLab accepts for the token a fallback revoke rotates into. */
function tomorrow(): string {
  return new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
}

/**
 * Without the group revoke route (before 17.10) and without administrator rights, a token can
 * still be ended: rotating it through the group route (16.1+) revokes it, and the token it is
 * rotated into revokes itself with DELETE /personal_access_tokens/self (any scope, 15.4+).
 */
async function revokeByRotation(
  client: GitLabClient,
  target: TokenTarget,
  id: number,
  context: KindContext,
): Promise<RevokeOutcome> {
  let successor;
  try {
    successor = await requestNewToken(client, 'POST', `${tokensPath(target)}/${id}/rotate`, {
      expires_at: tomorrow(),
    });
  } catch (error) {
    if (isAlreadyRevoked(error)) return 'already-revoked';
    // The rotate route's "not found" is bare (not_found!): it may be the account or the token,
    // so it proves nothing, and the token may still be active.
    throw new RevokeNotConfirmedError(
      id,
      'GitLab has no route to revoke it here and rotating it failed',
      error,
    );
  }
  context.onSecret(successor.token);
  const self = client.withCredential(successor.token);
  try {
    await self.request('DELETE', '/personal_access_tokens/self');
  } catch (error) {
    throw new RevokeNotConfirmedError(
      successor.id,
      `token ID ${id} was ended by rotating it into token ID ${successor.id}, which could not revoke itself`,
      error,
    );
  } finally {
    self.dispose();
  }
  context.log.info(
    `Token ID ${id} was revoked by rotating it into token ID ${successor.id}, which revoked itself (this GitLab has no revoke route for service-account tokens).`,
  );
  return 'revoked';
}

/** Loaded on first use by kinds/index.ts, which has the label. */
export const serviceAccount: TokenKind = {
  name: 'service-account',
  owner: ['user', 'group'],
  label: (target) => `service account ${target.userId} of group ${target.groupId}`,
  cliFlags: (target) => ['--group-id', target.groupId ?? '', '--user-id', String(target.userId)],

  create: (client, target, params) =>
    requestNewToken(client, 'POST', tokensPath(target), tokenBody(params)),

  async list(client, target, filter: TokenFilter) {
    try {
      return await readTokenList(
        client,
        tokensPath(target),
        listQuery(filter),
        filter,
        target.userId,
      );
    } catch (error) {
      if (notFoundKind(error) !== 'route') throw error;
    }
    // Before 17.11: the instance-wide list, which administrators may read for any user.
    const query = listQuery(filter, { user_id: String(userOf(target)) });
    try {
      return await readTokenList(client, '/personal_access_tokens', query, filter, target.userId);
    } catch (error) {
      if (!refusedAsNonAdmin(error)) throw error;
      throw new VersionGateError('serviceAccountList', await gitlabVersion(client), error);
    }
  },

  rotate: (client, target, id, expiresAt) =>
    requestNewToken(client, 'POST', `${tokensPath(target)}/${id}/rotate`, expiryBody(expiresAt)),

  async revoke(client, target, id, context) {
    try {
      return await deleteToken(client, `${tokensPath(target)}/${id}`, 'target');
    } catch (error) {
      if (notFoundKind(error) !== 'route') throw error;
    }
    // Before 17.10: the instance-wide revoke, which administrators may use for any token.
    try {
      return await deleteToken(client, `/personal_access_tokens/${id}`, 'instance');
    } catch (error) {
      if (!refusedAsNonAdmin(error)) throw error;
    }
    return revokeByRotation(client, target, id, context);
  },
};
