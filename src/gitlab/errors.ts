/**
 * Errors of GitLab's replies and of the network. They carry facts only; `describe-error.ts` is the one
 * place that turns them into the messages a user reads.
 */
import type { NetworkFailureReason } from '../http/transport.js';
import { FEATURE_SINCE, type Feature } from './features.js';

/** GitLab answered with a non-2xx, non-3xx status. */
export class GitLabApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: unknown,
    readonly attempts = 1,
    /** a 429 from GitLab's own rate limiters, which refuse a request before doing anything */
    readonly refusedByLimiter = false,
  ) {
    super(`${method} ${path} answered ${status}`);
    this.name = 'GitLabApiError';
  }
}

/** GitLab (or something in front of it) answered with a redirect, which is never followed. */
export class GitLabRedirectError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly location: string | undefined,
  ) {
    super(`${method} ${path} answered ${status} redirect`);
    this.name = 'GitLabRedirectError';
  }
}

/**
 * The request failed at the network level. `sent` tells whether the request may have reached
 * GitLab: a refused connection was never sent, a reset or a timeout may have been processed, and
 * a reply that could not be used (too large, an unexpected status) counts as sent.
 */
export class GitLabNetworkError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly url: string,
    readonly code: string,
    readonly detail: string,
    readonly sent: boolean,
    readonly timeoutMs?: number,
    readonly reason?: NetworkFailureReason,
  ) {
    super(`${method} ${path} failed: ${code}`);
    this.name = 'GitLabNetworkError';
  }
}

/** A feature this GitLab does not have yet: the message names the version it needs. */
export class VersionGateError extends Error {
  constructor(
    readonly feature: Feature,
    readonly version: string | undefined,
    override readonly cause?: unknown,
  ) {
    super(`${feature} needs GitLab ${FEATURE_SINCE[feature]}`);
    this.name = 'VersionGateError';
  }
}

/** GitLab did not confirm a revoke: the token may still be active. */
export class RevokeNotConfirmedError extends Error {
  constructor(
    readonly tokenId: number,
    readonly reason: string,
    override readonly cause?: unknown,
  ) {
    super(`token ${tokenId} not revoked: ${reason}`);
    this.name = 'RevokeNotConfirmedError';
  }
}

/** A username did not resolve to a user. */
export class UserNotFoundError extends Error {
  constructor(readonly username: string) {
    super(`no user ${username}`);
    this.name = 'UserNotFoundError';
  }
}

/**
 * Which 404 GitLab sent. Several answers share the status: a 404 may be the token (gone), the
 * group, the user, or a route this GitLab does not have (Grape's catch-all in lib/api/api.rb
 * answers `{"error":"404 Not Found"}`, every resource lookup uses not_found!, which answers
 * `{"message":"404 <Resource> Not Found"}`: lib/api/helpers.rb).
 */
export type NotFoundKind =
  'token' | 'group' | 'project' | 'user' | 'variable' | 'route' | 'unknown';

export function notFoundKind(error: unknown): NotFoundKind | undefined {
  if (!(error instanceof GitLabApiError) || error.status !== 404) return undefined;
  const body = error.body;
  if (typeof body !== 'object' || body === null) return 'unknown';
  const { message, error: routeError } = body as { message?: unknown; error?: unknown };
  if (typeof routeError === 'string' && message === undefined) {
    return /^404 Not Found$/i.test(routeError) ? 'route' : 'unknown';
  }
  if (typeof message !== 'string') return 'unknown';
  if (/^404 ((Personal Access |Impersonation )?Token )?Not Found$/i.test(message)) return 'token';
  // lib/api/resource_access_tokens.rb: not_found!("Could not find <source> access token …")
  if (/^404 Could not find (project|group) access token\b/i.test(message)) return 'token';
  if (/^404 (project|group) Access Token Not Found$/i.test(message)) return 'token';
  if (/^404 Group Not Found$/i.test(message)) return 'group';
  if (/^404 Project Not Found$/i.test(message)) return 'project';
  if (/^404 User Not Found$/i.test(message)) return 'user';
  // lib/api/ci/variables.rb `not_found!('Variable')`, group_variables.rb 'GroupVariable'
  if (/^404 (Group)?Variable Not Found$/i.test(message)) return 'variable';
  return 'unknown';
}

/** `{"message":"404 Not Found"}`: not_found! without a resource, which says nothing of what. */
export function isBareNotFound(error: unknown): boolean {
  const message = (error as { body?: { message?: unknown } }).body?.message;
  return typeof message === 'string' && /^404 Not Found$/i.test(message);
}

export type { NetworkFailureReason, RequestPhase } from '../http/transport.js';
