/**
 * Personal access tokens of a user, through the admin API: create with
 * POST /users/:id/personal_access_tokens (lib/api/users.rb), list with GET /personal_access_tokens
 * (lib/api/personal_access_tokens.rb), rotate with POST /personal_access_tokens/:id/rotate
 * (16.0+), revoke with DELETE /personal_access_tokens/:id.
 */
import { listQuery, readTokenList, type TokenFilter } from './list.js';
import { readToken, type PersonalAccessToken } from '../gitlab/token.js';
import { impersonation } from './impersonation.js';
import { deleteToken, expiryBody, requestNewToken, tokenBody, userOf } from './responses.js';
import { notFoundKind } from '../gitlab/errors.js';
import type { TokenKind } from './types.js';

export const personal: TokenKind = {
  name: 'personal',
  owner: ['user'],
  label: (target) => `user ${target.userId}`,
  // The instance route knows a personal access token by its ID alone.
  cliFlags: () => [],

  create: (client, target, params) =>
    requestNewToken(
      client,
      'POST',
      `/users/${userOf(target)}/personal_access_tokens`,
      tokenBody(params),
    ),

  async list(client, target, filter: TokenFilter): Promise<PersonalAccessToken[]> {
    const userId = userOf(target);
    const query = listQuery(filter, { user_id: String(userId) });
    const found = await readTokenList(client, '/personal_access_tokens', query, filter, userId);
    if (found.length === 0 || !filter.excludeImpersonation) return found;
    // An administrator's list includes the user's impersonation tokens (the finder filters
    // `impersonation: false` for non-admins only) and does not say which is which.
    const others = await impersonation.list(client, target, { name: filter.name });
    const ids = new Set(others.map((token) => token.id));
    return found.filter((token) => !ids.has(token.id));
  },

  rotate: (client, _target, id, expiresAt) =>
    requestNewToken(client, 'POST', `/personal_access_tokens/${id}/rotate`, expiryBody(expiresAt)),

  async revoke(client, target, id, context) {
    // The instance route revokes any token by its ID; a user named with it (the CLI's --user-id)
    // is checked first, so that a token of someone else is never what gets revoked.
    if (context.checkOwner && target.userId !== undefined) {
      try {
        const { data } = await client.request<unknown>('GET', `/personal_access_tokens/${id}`);
        if (readToken(data)?.user_id !== target.userId) return 'not-found';
      } catch (error) {
        if (notFoundKind(error) === 'token') return 'gone';
        throw error;
      }
    }
    return deleteToken(client, `/personal_access_tokens/${id}`, 'instance');
  },
};
