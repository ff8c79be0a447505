/**
 * The credential itself (`self-rotate`): GET /personal_access_tokens/self describes it (15.5),
 * POST /personal_access_tokens/self/rotate rotates it (16.10; the `api` scope, or `self_rotate`
 * from 17.9; 405 for anything that is not a personal, project or group access token:
 * lib/api/personal_access_tokens/self_rotation.rb), DELETE /personal_access_tokens/self revokes
 * it. It cannot be made anew, so a lost rotation is reported, never replaced.
 */
import { readToken } from '../gitlab/token.js';
import { deleteToken, expiryBody, requestNewToken } from './responses.js';
import type { TokenKind } from './types.js';

export const selfToken: TokenKind = {
  name: 'self',
  owner: [],
  canCreate: false,
  label: () => 'the credential itself',
  // The credential itself is never revoked by a command this tool prints.
  cliFlags: () => [],
  create: () => Promise.reject(new Error('the credential cannot be made anew, only rotated')),
  async list(client) {
    const { data } = await client.request<unknown>('GET', '/personal_access_tokens/self');
    const token = readToken(data);
    return token && token.active ? [token] : [];
  },
  rotate: (client, _target, _id, expiresAt) =>
    requestNewToken(client, 'POST', '/personal_access_tokens/self/rotate', expiryBody(expiresAt)),
  revoke: (client) => deleteToken(client, '/personal_access_tokens/self', 'instance'),
};
