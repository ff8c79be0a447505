/**
 * Reading GitLab's answers to token requests. Several answers share a status: a 404 may be the
 * token (gone), the group, the user, or a route this GitLab does not have (Grape's catch-all in
 * lib/api/api.rb answers `{"error":"404 Not Found"}`, every resource lookup uses not_found!,
 * which answers `{"message":"404 <Resource> Not Found"}`: lib/api/helpers.rb).
 */
import { GitLabApiError, isBareNotFound, notFoundKind } from '../gitlab/errors.js';
import type { GitLabClient } from '../gitlab/client.js';
import { readNewToken, type TokenWithSecret } from '../gitlab/token.js';
import type { TokenParams, TokenTarget } from './types.js';

/** `400 Bad request - Token already revoked` (PersonalAccessTokens::RotateService). */
export function isAlreadyRevoked(error: unknown): boolean {
  if (!(error instanceof GitLabApiError) || error.status !== 400) return false;
  const message = (error.body as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' && /token already revoked/i.test(message);
}

/** A create or rotate request: its reply must carry a usable token. */
export async function requestNewToken(
  client: GitLabClient,
  method: string,
  path: string,
  body?: Record<string, unknown>,
): Promise<TokenWithSecret> {
  const { status, data } = await client.request<unknown>(method, path, body);
  return readNewToken(data, { method, path, status });
}

/** DELETE a token: 204 is revoked (GitLab answers 204 for an already revoked one too). */
/**
 * DELETE a token. `scope` says what the route's "not found" means:
 * - 'instance' (DELETE /personal_access_tokens/:id finds any token by ID): the token is gone;
 * - 'target' (a route under a user, group or project looks among that target's tokens only):
 *   the target has no such token (deleted, or someone else's), and only the route's own
 *   wording says so: a bare "404 Not Found" there may be a missing user or account too.
 */
export async function deleteToken(
  client: GitLabClient,
  path: string,
  scope: 'instance' | 'target',
): Promise<'revoked' | 'gone' | 'not-found'> {
  try {
    await client.request('DELETE', path);
    return 'revoked';
  } catch (error) {
    // Only the token's own "not found" means it is not there; any other 404 is a wrong address.
    if (notFoundKind(error) !== 'token') throw error;
    if (scope === 'instance') return 'gone';
    if (isBareNotFound(error)) throw error;
    return 'not-found';
  }
}

export function tokenBody(params: TokenParams): Record<string, unknown> {
  const body: Record<string, unknown> = { name: params.name, scopes: params.scopes };
  if (params.expiresAt !== undefined) body.expires_at = params.expiresAt;
  if (params.description !== undefined) body.description = params.description;
  if (params.accessLevel !== undefined) body.access_level = params.accessLevel;
  return body;
}

/** The user a user-owned kind's target names (set for them by construction). */
export function userOf(target: TokenTarget): number {
  if (target.userId === undefined) throw new Error(`a ${target.kind} token needs a user`);
  return target.userId;
}

/** An optional expiry as a rotate body. */
export function expiryBody(expiresAt: string | undefined): Record<string, unknown> | undefined {
  return expiresAt === undefined ? undefined : { expires_at: expiresAt };
}
