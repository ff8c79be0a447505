/**
 * Impersonation tokens of a user, through the admin API (lib/api/users.rb): create with
 * POST /users/:id/impersonation_tokens, list with GET /users/:id/impersonation_tokens?state=active,
 * revoke with DELETE /users/:id/impersonation_tokens/:id. There is no rotate route of their own:
 * POST /personal_access_tokens/:id/rotate rotates them, keeping them impersonation tokens
 * (app/services/personal_access_tokens/rotate_service.rb copies `impersonation`).
 */
import { readTokenList } from './list.js';
import { deleteToken, expiryBody, requestNewToken, tokenBody, userOf } from './responses.js';
import type { TokenKind, TokenTarget } from './types.js';

const ACTIVE = 'state=active&per_page=100';
const EVERY_STATE = 'per_page=100';

const tokensPath = (target: TokenTarget): string => `/users/${userOf(target)}/impersonation_tokens`;

export const impersonation: TokenKind = {
  name: 'impersonation',
  owner: ['user'],
  label: (target) => `user ${target.userId} (impersonation)`,
  cliFlags: (target) => ['--user-id', String(target.userId), '--impersonation'],

  create: (client, target, params) =>
    requestNewToken(client, 'POST', tokensPath(target), tokenBody(params)),

  // The route knows `state` only; the name is matched here, every page read.
  async list(client, target, filter) {
    const query = filter.includeInactive ? EVERY_STATE : ACTIVE;
    return readTokenList(client, tokensPath(target), query, filter, userOf(target));
  },

  rotate: (client, _target, id, expiresAt) =>
    requestNewToken(client, 'POST', `/personal_access_tokens/${id}/rotate`, expiryBody(expiresAt)),

  revoke: (client, target, id) => deleteToken(client, `${tokensPath(target)}/${id}`, 'target'),
};
