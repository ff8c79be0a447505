/**
 * Project and group access tokens: one code path in GitLab (lib/api/resource_access_tokens.rb),
 * so one module here, made for each. Creating one creates the token's own bot user, a member
 * of the project or group at the token's access level; its ID is known once the token is made.
 * Create, list, rotate (16.0+; expires_at from 16.6) and revoke under
 * /projects/:id/access_tokens and /groups/:id/access_tokens.
 */
import { listQuery, readTokenList } from './list.js';
import { deleteToken, expiryBody, requestNewToken, tokenBody } from './responses.js';
import type { LabelTarget, TokenKind, TokenTarget } from './types.js';

function makeResourceKind(source: 'project' | 'group'): TokenKind {
  const id = (target: LabelTarget): string =>
    (source === 'project' ? target.projectId : target.groupId) ?? '';
  const tokensPath = (target: TokenTarget): string =>
    `/${source}s/${encodeURIComponent(id(target))}/access_tokens`;
  return {
    name: source,
    owner: [source],
    botUser: true,
    accessLevel: true,
    roleNeeded:
      source === 'project'
        ? 'the Maintainer role (or higher) in the project'
        : 'the Owner role in the group',
    label: (target) => `${source} ${id(target)}`,
    cliFlags: (target) => [`--${source}-id`, id(target)],
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
