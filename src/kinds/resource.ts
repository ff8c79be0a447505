/**
 * Project and group access tokens: one code path in GitLab (lib/api/resource_access_tokens.rb),
 * so one module here, made for each. Creating one creates the token's own bot user, a member
 * of the project or group at the token's access level; its ID is known once the token is made.
 * Create, list, rotate (16.0+; expires_at from 16.6) and revoke under
 * /projects/:id/access_tokens and /groups/:id/access_tokens.
 */
import { listQuery, readTokenList } from './list.js';
import { deleteToken, expiryBody, requestNewToken, tokenBody } from './responses.js';
import type { KindRequests, TokenTarget } from './types.js';

/** Loaded on first use by kinds/index.ts, which has the labels. */
function makeResourceKind(source: 'project' | 'group'): KindRequests {
  const id = (target: TokenTarget): string =>
    (source === 'project' ? target.projectId : target.groupId) ?? '';
  const tokensPath = (target: TokenTarget): string =>
    `/${source}s/${encodeURIComponent(id(target))}/access_tokens`;
  return {
    create: (client, target, params) =>
      requestNewToken(client, 'POST', tokensPath(target), tokenBody(params)),
    // Filters GitLab does not know yet (state before 17.2, search, created_after) are ignored
    // there; the name and state are matched here as well.
    list: (client, target, filter) =>
      readTokenList(client, tokensPath(target), listQuery(filter), filter, undefined),
    rotate: (client, target, tokenId, expiresAt) =>
      requestNewToken(
        client,
        'POST',
        `${tokensPath(target)}/${tokenId}/rotate`,
        expiryBody(expiresAt),
      ),
    revoke: (client, target, tokenId) =>
      deleteToken(client, `${tokensPath(target)}/${tokenId}`, 'target'),
  };
}

export const projectToken = makeResourceKind('project');
export const groupToken = makeResourceKind('group');
