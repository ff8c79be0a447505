// The bodies GitLab's API writes, in one place. Two families: `render_api_error!` helpers
// (lib/api/helpers.rb) answer `{"message": ...}`; Grape's own `error!` with a string (the
// catch-all route, parameter validation) answers `{"error": "..."}`.
import * as http from 'node:http';

export interface Reply {
  status: number;
  /** JSON-encoded, unless `text` is set. */
  body?: unknown;
  /** A non-JSON body, sent as is (with `contentType`). */
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** The route stored a new token (afterCreate faults apply). */
  created?: boolean;
  /** The route stored a CI/CD variable (afterWrite faults apply). */
  stored?: boolean;
}

/** lib/api/helpers.rb `render_api_error!(message, status)`: `{"message": message}`. */
export function apiError(status: number, message: unknown): Reply {
  return { status, body: { message } };
}

/** Grape `error!(string)` and Grape::Exceptions::ValidationErrors: `{"error": "..."}`. */
export function grapeError(status: number, error: string): Reply {
  return { status, body: { error } };
}

/** lib/api/helpers.rb `not_found!(resource)`: "404 <Resource> Not Found" / "404 Not Found". */
export const notFound = (resource?: string): Reply =>
  apiError(404, resource ? `404 ${resource} Not Found` : '404 Not Found');

/** lib/api/api.rb `rescue_from ActiveRecord::RecordNotFound`: lower-case "found". */
export const recordNotFound = (): Reply => apiError(404, '404 Not found');

/** lib/api/api.rb `route :any, '*path' do error!('404 Not Found', 404)`. */
export const catchAllNotFound = (): Reply => grapeError(404, '404 Not Found');

/** lib/api/helpers.rb `unauthorized!`. */
export const unauthorized = (): Reply => apiError(401, '401 Unauthorized');

/** lib/api/helpers.rb `forbidden!(reason)`: "403 Forbidden" or "403 Forbidden - <reason>". */
export const forbidden = (reason?: string): Reply =>
  apiError(403, reason ? `403 Forbidden - ${reason}` : '403 Forbidden');

/** lib/api/helpers.rb `bad_request!(reason)`: "400 Bad request" or "400 Bad request - <reason>". */
export const badRequest = (reason?: string | null): Reply =>
  apiError(400, reason ? `400 Bad request - ${reason}` : '400 Bad request');

/** lib/api/helpers.rb `not_allowed!`. */
export const methodNotAllowed = (): Reply => apiError(405, '405 Method Not Allowed');

/**
 * lib/api/api_guard.rb `oauth2_bearer_token_error_handler` with rack-oauth2's
 * Bearer::Unauthorized: 401, `{"error":"invalid_token",...}` and a WWW-Authenticate header.
 */
export function invalidToken(description: string): Reply {
  return {
    status: 401,
    body: { error: 'invalid_token', error_description: description },
    headers: {
      'www-authenticate': `Bearer realm="Protected by OAuth 2.0", error="invalid_token", error_description="${description}"`,
    },
  };
}

/** lib/api/api_guard.rb, Gitlab::Auth::RevokedError. */
export const TOKEN_REVOKED = 'Token was revoked. You have to re-authorize from the user.';
/** lib/api/api_guard.rb, Gitlab::Auth::ExpiredError. */
export const TOKEN_EXPIRED =
  'Token is expired. You can either do re-authorization or token refresh.';

/**
 * lib/api/api_guard.rb, Gitlab::Auth::InsufficientScopeError with rack-oauth2's Bearer::Forbidden
 * (no WWW-Authenticate); `scope` is the endpoint's allowed scopes joined by spaces.
 */
export function insufficientScope(scopes: readonly string[]): Reply {
  return {
    status: 403,
    body: {
      error: 'insufficient_scope',
      error_description:
        'The request requires higher privileges than provided by the access token.',
      scope: scopes.join(' '),
    },
  };
}

/**
 * A path outside /api/v4 reaches GitLab's Rails router: the `*unmatched_route` catch-all
 * (config/routes.rb) runs ApplicationController#route_not_found, which sends a visitor without a
 * session (API tokens are not a session) to the sign-in page, and a signed-in one to
 * public/404.html.
 */
export function railsSignInRedirect(baseUrl: string): Reply {
  const location = `${baseUrl}/users/sign_in`;
  return {
    status: 302,
    text: `<html><body>You are being <a href="${location}">redirected</a>.</body></html>`,
    contentType: 'text/html; charset=utf-8',
    headers: { location, 'cache-control': 'no-cache' },
  };
}

/** public/404.html, as GitLab serves it for an unknown page. */
export function railsNotFoundPage(): Reply {
  return {
    status: 404,
    contentType: 'text/html; charset=utf-8',
    text: [
      '<!DOCTYPE html>',
      '<html>',
      '<head>',
      '  <meta content="width=device-width, initial-scale=1, maximum-scale=1" name="viewport">',
      "  <title>The page you're looking for could not be found (404)</title>",
      '</head>',
      '<body>',
      '  <h1>404</h1>',
      '  <h3>Page Not Found</h3>',
      "  <p>Make sure the address is correct and the page hasn't moved.</p>",
      '</body>',
      '</html>',
      '',
    ].join('\n'),
  };
}

/** "<status> <reason>" as Node knows it. */
export function statusLine(status: number): string {
  return `${status} ${http.STATUS_CODES[status] ?? ''}`.trim();
}

/** Rails' Array#to_sentence: "a", "a and b", "a, b, and c". */
export function toSentence(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  if (items.length === 2) return `${items[0]} and ${items[1]}`;
  return `${items.slice(0, -1).join(', ')}, and ${items[items.length - 1]}`;
}
