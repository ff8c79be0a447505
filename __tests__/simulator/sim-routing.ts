// Routing under /api/v4 as Grape does it for GitLab (lib/api/api.rb): the first mounted route
// that matches method and path wins; a route missing from the simulated version falls through
// to the catch-all `route :any, '*path'` (404 `{"error":"404 Not Found"}`, no authentication).
import { authenticate } from './sim-auth.js';
import type { Principal, SimState } from './sim-state.js';
import type { Params } from './sim-validation.js';
import { catchAllNotFound, grapeError, unauthorized } from './sim-replies.js';
import type { Reply } from './sim-replies.js';

export const API_PREFIX = '/api/v4/';

export interface RouteContext {
  state: SimState;
  principal: Principal;
  /** Query and body parameters, merged. */
  params: Params;
  /** Path parameters by name (decoded). */
  path: Record<string, string>;
  url: URL;
  method: string;
  /** scheme://host:port of the simulator. */
  baseUrl: string;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Below /api/v4, with `:name` segments: 'users/:user_id/personal_access_tokens'. */
  path: string;
  /** First GitLab version with the route. */
  since?: string;
  /**
   * Scopes the endpoint class registers besides lib/api/api.rb's `api` (and `read_api` for GET):
   * e.g. lib/api/users.rb `read_user` for GET.
   */
  extraScopes?: (state: SimState, method: string) => string[];
  /** The class allows every scope (lib/api/personal_access_tokens/self_information.rb). */
  anyScope?: boolean;
  handler: (ctx: RouteContext) => Reply;
}

function match(route: Route, segs: readonly string[]): Record<string, string> | null {
  const pattern = route.path.split('/');
  if (pattern.length !== segs.length) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] ?? '';
    const s = segs[i] ?? '';
    if (p.startsWith(':')) {
      if (s === '') return null;
      out[p.slice(1)] = s;
    } else if (p !== s) {
      return null;
    }
  }
  return out;
}

export function allowedScopes(route: Route, state: SimState, method: string): string[] {
  const scopes = ['api'];
  // lib/api/api.rb `allow_access_with_scope :read_api, if: -> (request) { request.get? || request.head? }`
  if (method === 'GET' || method === 'HEAD') scopes.push('read_api');
  for (const s of route.extraScopes?.(state, method) ?? []) if (!scopes.includes(s)) scopes.push(s);
  return scopes;
}

export function dispatch(
  state: SimState,
  routes: readonly Route[],
  request: {
    method: string;
    url: URL;
    headers: Record<string, string | undefined>;
    body: { value: unknown; invalid: boolean };
    baseUrl: string;
  },
): Reply {
  const { method, url } = request;
  let segs: string[];
  try {
    segs = url.pathname.slice(API_PREFIX.length).split('/').map(decodeURIComponent);
  } catch {
    return catchAllNotFound();
  }
  if (segs.length > 1 && segs[segs.length - 1] === '') segs.pop();
  let found: { route: Route; path: Record<string, string> } | null = null;
  for (const route of routes) {
    if (route.method !== method && !(method === 'HEAD' && route.method === 'GET')) continue;
    if (route.since !== undefined && !state.atLeast(route.since)) continue;
    const path = match(route, segs);
    if (path) {
      found = { route, path };
      break;
    }
  }
  if (!found) return catchAllNotFound();
  // Grape's formatter parses the body before the endpoint runs: Grape::Exceptions::InvalidMessageBody
  if (request.body.invalid) {
    return grapeError(400, 'message body does not match declared format');
  }
  const auth = authenticate(state, {
    headers: request.headers,
    query: url.searchParams,
    path: url.pathname,
    allowedScopes: allowedScopes(found.route, state, method),
    anyScope: found.route.anyScope === true,
  });
  if (auth.kind === 'fail') return auth.reply;
  // lib/api/helpers.rb `authenticate!`
  if (auth.kind === 'anonymous') return unauthorized();
  const params: Params = {};
  for (const [k, v] of paramsOf(url.searchParams)) params[k] = v;
  const body = request.body.value;
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    Object.assign(params, body as Record<string, unknown>);
  }
  return found.route.handler({
    state,
    principal: auth.principal,
    params,
    path: found.path,
    url,
    method,
    baseUrl: request.baseUrl,
  });
}

function paramsOf(sp: URLSearchParams): [string, unknown][] {
  const out = new Map<string, unknown>();
  for (const [rawKey, value] of sp) {
    const isArray = rawKey.endsWith('[]');
    const key = isArray ? rawKey.slice(0, -2) : rawKey;
    const existing = out.get(key);
    if (isArray) {
      if (Array.isArray(existing)) existing.push(value);
      else out.set(key, [value]);
    } else {
      out.set(key, value);
    }
  }
  return [...out.entries()];
}
