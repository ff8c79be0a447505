/**
 * A toy token kind, as a contributor would add one: one module behind the TokenKind interface.
 * It makes "deploy bot" tokens through GitLab's project access token routes under a name and a
 * label of its own, so that a test can tell that nothing outside its module knows it.
 */
import type { TokenKind, TokenTarget } from '../../src/kinds/index.js';
import { listQuery, readTokenList } from '../../src/kinds/list.js';
import { deleteToken, expiryBody, requestNewToken, tokenBody } from '../../src/kinds/responses.js';

const tokensPath = (target: TokenTarget): string =>
  `/projects/${encodeURIComponent(target.projectId ?? '')}/access_tokens`;

export const deployBot: TokenKind = {
  name: 'deploy-bot',
  owner: ['project'],
  botUser: true,
  accessLevel: true,
  roleNeeded: 'the Maintainer role in the project',
  label: (target) => `deploy bot of ${target.projectId}`,
  cliFlags: (target) => ['--project-id', target.projectId ?? ''],
  create: (client, target, params) =>
    requestNewToken(client, 'POST', tokensPath(target), tokenBody(params)),
  list: (client, target, filter) =>
    readTokenList(client, tokensPath(target), listQuery(filter), filter, undefined),
  rotate: (client, target, id, expiresAt) =>
    requestNewToken(client, 'POST', `${tokensPath(target)}/${id}/rotate`, expiryBody(expiresAt)),
  revoke: (client, target, id) => deleteToken(client, `${tokensPath(target)}/${id}`, 'target'),
};
