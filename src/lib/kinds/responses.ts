/**
 * Reading GitLab's answers to token requests. Several answers share a status: a 404 may be the
 * token (gone), the group, the user, or a route this GitLab does not have (Grape's catch-all in
 * lib/api/api.rb answers `{"error":"404 Not Found"}`, every resource lookup uses not_found!,
 * which answers `{"message":"404 <Resource> Not Found"}`: lib/api/helpers.rb).
 */
import { GitLabApiError } from '../errors.js';
import type { GitLabClient } from '../gitlab-client.js';
import { readNewToken, type TokenWithSecret } from '../token.js';

export type NotFoundKind = 'token' | 'group' | 'user' | 'route' | 'unknown';

export function notFoundKind(error: unknown): NotFoundKind | undefined {
  if (!(error instanceof GitLabApiError) || error.status !== 404) return undefined;
  const body = error.body;
  if (typeof body !== 'object' || body === null) return 'unknown';
  const { message, error: routeError } = body as { message?: unknown; error?: unknown };
  if (typeof routeError === 'string' && message === undefined) {
    return /^404 Not Found$/i.test(routeError) ? 'route' : 'unknown';
  }
  if (typeof message !== 'string') return 'unknown';
  if (/^404 (Personal Access Token |Token )?Not Found$/i.test(message)) return 'token';
  if (/^404 Group Not Found$/i.test(message)) return 'group';
  if (/^404 User Not Found$/i.test(message)) return 'user';
  return 'unknown';
}

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
export async function deleteToken(client: GitLabClient, path: string): Promise<'revoked' | 'gone'> {
  try {
    await client.request('DELETE', path);
    return 'revoked';
  } catch (error) {
    // Only the token's own "not found" means it is gone; any other 404 is a wrong address.
    if (notFoundKind(error) === 'token') return 'gone';
    throw error;
  }
}

export function tokenBody(params: {
  name: string;
  scopes: string[];
  expiresAt: string | undefined;
  description: string | undefined;
}): Record<string, unknown> {
  const body: Record<string, unknown> = { name: params.name, scopes: params.scopes };
  if (params.expiresAt !== undefined) body.expires_at = params.expiresAt;
  if (params.description !== undefined) body.description = params.description;
  return body;
}
