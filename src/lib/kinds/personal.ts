/**
 * Personal access tokens of a user, through the admin API: create with
 * POST /users/:id/personal_access_tokens (lib/api/users.rb), list with GET /personal_access_tokens
 * (lib/api/personal_access_tokens.rb), rotate with POST /personal_access_tokens/:id/rotate
 * (16.0+), revoke with DELETE /personal_access_tokens/:id.
 */
import type { GitLabClient } from '../gitlab-client.js';
import { listQuery, readTokenList, type TokenFilter } from '../list-tokens.js';
import { readToken, type PersonalAccessToken } from '../token.js';
import { deleteToken, requestNewToken, tokenBody } from './responses.js';
import type { TokenKind, TokenTarget } from './types.js';

/**
 * An administrator's list of a user's tokens includes the user's impersonation tokens
 * (the finder filters `impersonation: false` for non-admins only), and the list entity does not
 * say which is which: ask the impersonation list for their IDs. Only when there are candidates.
 */
async function impersonationIds(client: GitLabClient, userId: number): Promise<Set<number>> {
  const ids = new Set<number>();
  for (let page = 1; page <= 100; page++) {
    const { data, headers } = await client.request<unknown>(
      'GET',
      `/users/${userId}/impersonation_tokens?state=active&per_page=100&page=${page}`,
    );
    for (const item of Array.isArray(data) ? data : []) {
      const token = readToken(item);
      if (token) ids.add(token.id);
    }
    if (String(headers['x-next-page'] ?? '').trim() !== String(page + 1)) break;
  }
  return ids;
}

export const personal: TokenKind = {
  label: (target: TokenTarget) => `user ${target.userId}`,

  create: (client, target, params) =>
    requestNewToken(
      client,
      'POST',
      `/users/${target.userId}/personal_access_tokens`,
      tokenBody(params),
    ),

  async list(client, target, filter: TokenFilter): Promise<PersonalAccessToken[]> {
    const query = listQuery(filter, { user_id: String(target.userId) });
    const found = await readTokenList(
      client,
      '/personal_access_tokens',
      query,
      filter,
      target.userId,
    );
    if (found.length === 0 || !filter.excludeImpersonation) return found;
    const impersonation = await impersonationIds(client, target.userId);
    return found.filter((token) => !impersonation.has(token.id));
  },

  rotate: (client, _target, id, expiresAt) =>
    requestNewToken(
      client,
      'POST',
      `/personal_access_tokens/${id}/rotate`,
      expiresAt === undefined ? undefined : { expires_at: expiresAt },
    ),

  revoke: (client, _target, id) => deleteToken(client, `/personal_access_tokens/${id}`),
};
