// Personal access tokens: lib/api/personal_access_tokens.rb (list, get, rotate, revoke),
// lib/api/personal_access_tokens/self_information.rb, self_rotation.rb, lib/api/users.rb
// (create for a user) and the services in app/services/personal_access_tokens/.
import { paginate, isReply } from './sim-pagination.js';
import type { Route, RouteContext } from './sim-routing.js';
import type { Principal, SimState, SimToken, StoredUser } from './sim-state.js';
import { SINCE } from './sim-version.js';
import {
  fullMessages,
  validateCreateParams,
  validateExpiresParam,
  validateTokenModel,
} from './sim-validation.js';
import type { Params, TokenParams } from './sim-validation.js';
import {
  apiError,
  badRequest,
  forbidden,
  grapeError,
  methodNotAllowed,
  notFound,
  recordNotFound,
  toSentence,
  unauthorized,
} from './sim-replies.js';
import type { Reply } from './sim-replies.js';

/** app/services/personal_access_tokens/rotate_service.rb EXPIRATION_PERIOD */
export const ROTATE_DEFAULT_DAYS = 7;
/** app/models/personal_access_token.rb MAX_PERSONAL_ACCESS_TOKEN_LIFETIME_IN_DAYS */
export const CREATE_DEFAULT_DAYS = 365;

/**
 * lib/api/entities/personal_access_token.rb (+ PersonalAccessTokenWithToken: `token`;
 * ImpersonationToken: `impersonation`). `description` exists from 17.7 (absent before).
 */
export function tokenJson(
  state: SimState,
  t: SimToken,
  options: { withToken?: boolean; impersonationField?: boolean } = {},
): Record<string, unknown> {
  state.refresh(t);
  const json: Record<string, unknown> = {
    id: t.id,
    name: t.name,
    revoked: t.revoked,
    created_at: t.created_at,
  };
  if (state.atLeast(SINCE.description)) json['description'] = t.description;
  Object.assign(json, {
    scopes: [...t.scopes],
    user_id: t.user_id,
    last_used_at: t.last_used_at,
    active: t.active,
    expires_at: t.expires_at,
  });
  if (options.impersonationField) json['impersonation'] = t.impersonation;
  if (options.withToken) json['token'] = t.token;
  return json;
}

/**
 * app/services/personal_access_tokens/create_service.rb: `pat_expiration` (the given date, else
 * the maximum lifetime where expiry is required, else none), then the model validations;
 * errors as `full_messages.to_sentence`, answered 422 by the routes.
 */
export function createPersonalAccessToken(
  state: SimState,
  user: StoredUser,
  value: TokenParams,
): Reply {
  const expiresAt =
    value.expiresAt ?? (state.expiryRequired() ? state.inDays(CREATE_DEFAULT_DAYS) : null);
  const errors = validateTokenModel(
    { name: value.name, scopes: value.scopes, expiresAt },
    {
      today: state.today(),
      expiryRequired: state.expiryRequired(),
      availableScopes: state.validScopes(),
    },
  );
  // lib/api/users.rb `render_api_error!(response.message, response.http_status || :unprocessable_entity)`
  if (errors) return apiError(422, toSentence(fullMessages(errors)));
  const token = state.addToken({
    userId: user.id,
    name: value.name,
    description: value.description,
    scopes: value.scopes,
    expiresAt,
    impersonation: false,
    previousId: null,
  });
  return { status: 201, body: tokenJson(state, token, { withToken: true }), created: true };
}

/**
 * app/services/personal_access_tokens/rotate_service.rb: refuse a revoked token, revoke the old
 * one and create its successor (same name, description, scopes, impersonation; predecessor
 * recorded) in one transaction. `expiresAt` undefined: the caller's version ignores the
 * parameter. Failures are `bad_request!(message)`.
 */
export function rotatePersonalAccessToken(
  state: SimState,
  old: SimToken,
  expiresAt: string | null | undefined,
): Reply {
  if (old.revoked) return badRequest('Token already revoked');
  // `expires_at`: the given date, else 1 week where expiry is required (16.x: always), else none
  const newExpiry =
    expiresAt ?? (state.expiryRequired() ? state.inDays(ROTATE_DEFAULT_DAYS) : null);
  const errors = validateTokenModel(
    { name: old.name, scopes: old.scopes, expiresAt: newExpiry },
    {
      today: state.today(),
      expiryRequired: state.expiryRequired(),
      availableScopes: state.validScopes(),
    },
  );
  if (errors) return badRequest(toSentence(fullMessages(errors)));
  state.revoke(old);
  const token = state.addToken({
    userId: old.user_id,
    name: old.name,
    description: old.description,
    scopes: old.scopes,
    expiresAt: newExpiry,
    impersonation: old.impersonation,
    previousId: old.id,
  });
  return { status: 200, body: tokenJson(state, token, { withToken: true }), created: true };
}

/** Grape `type: DateTime`: epoch ms, null when absent, or 'invalid'. */
function dateTimeParam(raw: unknown): number | null | 'invalid' {
  if (raw === undefined || raw === null || raw === '') return null;
  if (typeof raw !== 'string') return 'invalid';
  const text = raw.trim();
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : Date.parse(text);
  return Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}/.test(text) ? 'invalid' : ms;
}

/** Grape `type: Boolean`. */
function booleanParam(raw: unknown): boolean | null | 'invalid' {
  if (raw === undefined || raw === null || raw === '') return null;
  if (typeof raw === 'boolean') return raw;
  const text = String(raw).toLowerCase();
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  return 'invalid';
}

/**
 * lib/gitlab/sql/pattern.rb `fuzzy_search(query, [:name])`: words (and "quoted phrases") of at
 * least 3 characters must each occur in the name (ILIKE, case-insensitive); shorter words are
 * dropped; with no such word the whole query must equal the name (ILIKE without wildcards).
 */
export function fuzzyNameMatch(name: string, query: string): boolean {
  const squished = query.trim().replace(/\s+/g, ' ');
  if (squished === '') return true;
  const quoted = squished.match(/(?<=^| )"[^"]+"(?= |$)/g) ?? [];
  let rest = squished;
  for (const q of quoted) rest = rest.replace(q, '');
  const words = [...rest.split(' ').filter(Boolean), ...quoted.map((q) => q.slice(1, -1))].filter(
    (w) => w.length >= 3,
  );
  const lower = name.toLowerCase();
  if (words.length > 0) return words.every((w) => lower.includes(w.toLowerCase()));
  return lower === squished.toLowerCase();
}

type SortKey = (t: SimToken) => string | number | null;
/** app/models/concerns/sortable.rb simple_sorts + personal_access_token.rb additions. */
const SORTS: Readonly<Record<string, { key: SortKey; desc: boolean; idDesc: boolean }>> = {
  created_asc: { key: (t) => t.created_at, desc: false, idDesc: false },
  created_at_asc: { key: (t) => t.created_at, desc: false, idDesc: false },
  created_desc: { key: (t) => t.created_at, desc: true, idDesc: true },
  created_at_desc: { key: (t) => t.created_at, desc: true, idDesc: true },
  created_date: { key: (t) => t.created_at, desc: true, idDesc: true },
  id_asc: { key: (t) => t.id, desc: false, idDesc: false },
  id_desc: { key: (t) => t.id, desc: true, idDesc: true },
  name_asc: { key: (t) => t.name.toLowerCase(), desc: false, idDesc: false },
  name_desc: { key: (t) => t.name.toLowerCase(), desc: true, idDesc: true },
  updated_asc: { key: (t) => t.created_at, desc: false, idDesc: false },
  updated_at_asc: { key: (t) => t.created_at, desc: false, idDesc: false },
  updated_desc: { key: (t) => t.created_at, desc: true, idDesc: true },
  updated_at_desc: { key: (t) => t.created_at, desc: true, idDesc: true },
  expires_asc: { key: (t) => t.expires_at, desc: false, idDesc: true },
  expires_at_asc_id_desc: { key: (t) => t.expires_at, desc: false, idDesc: true },
  expires_desc: { key: (t) => t.expires_at, desc: true, idDesc: true },
  last_used_asc: { key: (t) => t.last_used_at, desc: false, idDesc: true },
  last_used_desc: { key: (t) => t.last_used_at, desc: true, idDesc: true },
};

function sortTokens(list: SimToken[], sort: unknown): SimToken[] {
  const spec = typeof sort === 'string' ? SORTS[sort] : undefined;
  // lib/gitlab/pagination/offset_pagination.rb `add_default_order`: id ascending
  if (!spec) return [...list].sort((a, b) => a.id - b.id);
  return [...list].sort((a, b) => {
    const ka = spec.key(a);
    const kb = spec.key(b);
    if (ka !== kb) {
      // PostgreSQL: NULLS LAST ascending, NULLS FIRST descending
      if (ka === null) return spec.desc ? -1 : 1;
      if (kb === null) return spec.desc ? 1 : -1;
      const cmp = ka < kb ? -1 : 1;
      return spec.desc ? -cmp : cmp;
    }
    return spec.idDesc ? b.id - a.id : a.id - b.id;
  });
}

/**
 * app/finders/personal_access_tokens_finder.rb filters on `base`, with the parameters of
 * lib/api/helpers/personal_access_tokens_helpers.rb `access_token_params` that this version
 * declares (undeclared ones are ignored), then sorted and paginated.
 */
export function listTokens(ctx: RouteContext, base: readonly SimToken[]): Reply {
  const { state, params } = ctx;
  const errors: string[] = [];
  let list = base.map((t) => state.refresh(t));
  if (state.atLeast(SINCE.listFilters)) {
    const revoked = booleanParam(params['revoked']);
    if (revoked === 'invalid') errors.push('revoked is invalid');
    const st = params['state'];
    if (st !== undefined && st !== 'active' && st !== 'inactive') {
      errors.push('state does not have a valid value');
    }
    const times: Record<string, number | null> = {};
    for (const key of ['created_before', 'created_after', 'last_used_before', 'last_used_after']) {
      const v = dateTimeParam(params[key]);
      if (v === 'invalid') errors.push(`${key} is invalid`);
      else times[key] = v;
    }
    const dates: Record<string, string | null> = {};
    if (state.atLeast(SINCE.listExpiresAndSort)) {
      for (const key of ['expires_before', 'expires_after']) {
        const v = validateExpiresParam(params[key]);
        if (v === 'invalid') errors.push(`${key} is invalid`);
        else dates[key] = v;
      }
    }
    if (errors.length > 0) return grapeError(400, errors.join(', '));
    const today = state.today();
    // personal_access_token.rb scopes `active` (not revoked, not expired) and `inactive`
    // (`revoked = true OR expires_at < CURRENT_DATE`): a token expiring today is neither
    if (st === 'active') list = list.filter((t) => t.active);
    else if (st === 'inactive') {
      list = list.filter((t) => t.revoked || (t.expires_at !== null && t.expires_at < today));
    }
    if (revoked === true) list = list.filter((t) => t.revoked);
    else if (revoked === false) list = list.filter((t) => !t.revoked);
    const at = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));
    const cb = times['created_before'];
    const ca = times['created_after'];
    const lb = times['last_used_before'];
    const la = times['last_used_after'];
    // CreatedAtFilterable: created_at <= / >=; last_used_before/after: <= / >=
    if (cb != null) list = list.filter((t) => Date.parse(t.created_at) <= cb);
    if (ca != null) list = list.filter((t) => Date.parse(t.created_at) >= ca);
    if (lb != null) list = list.filter((t) => (at(t.last_used_at) ?? Infinity) <= lb);
    if (la != null) list = list.filter((t) => (at(t.last_used_at) ?? -Infinity) >= la);
    const eb = dates['expires_before'];
    const ea = dates['expires_after'];
    // expires_before: expires_at < date; expires_after: expires_at >= date (NULL never matches)
    if (eb != null) list = list.filter((t) => t.expires_at !== null && t.expires_at < eb);
    if (ea != null) list = list.filter((t) => t.expires_at !== null && t.expires_at >= ea);
    const search = params['search'];
    if (typeof search === 'string') list = list.filter((t) => fuzzyNameMatch(t.name, search));
  }
  const sorted = sortTokens(
    list,
    state.atLeast(SINCE.listExpiresAndSort) ? params['sort'] : undefined,
  );
  const page = paginate(sorted, params, ctx.url, ctx.baseUrl);
  if (isReply(page)) return page;
  return {
    status: 200,
    body: page.page.map((t) => tokenJson(state, t)),
    headers: page.headers,
  };
}

/** The PAT used for the call (a token, or a credential added with addCredential()). */
function callerToken(ctx: RouteContext): SimToken | 'credential' | null {
  if (ctx.principal.token) return ctx.principal.token;
  return ctx.principal.credential ? 'credential' : null;
}

/** `read_user_personal_access_tokens` / `manage_user_personal_access_token` on the token's user. */
function mayManage(p: Principal, ownerId: number | undefined): boolean {
  return p.admin || (ownerId !== undefined && ownerId === p.user.id);
}

/**
 * app/policies/personal_access_token_policy.rb: the owner (not of an impersonation token) or an
 * administrator may revoke.
 */
function mayRevoke(p: Principal, t: SimToken): boolean {
  return p.admin || (t.user_id === p.user.id && !t.impersonation);
}

/** A credential seen as a token entity (credentials are not listed among `tokens`). */
function credentialJson(ctx: RouteContext): Record<string, unknown> {
  const c = ctx.principal.credential;
  return {
    id: c?.id ?? 0,
    name: c?.name ?? 'credential',
    revoked: c?.revoked ?? false,
    created_at: c?.createdAt ?? ctx.state.now().toISOString(),
    ...(ctx.state.atLeast(SINCE.description) ? { description: null } : {}),
    scopes: [...(c?.scopes ?? [])],
    user_id: ctx.principal.user.id,
    last_used_at: null,
    active: !(c?.revoked ?? false),
    expires_at: c?.expiresAt ?? null,
  };
}

const intId = (raw: string | undefined): number | null =>
  raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : null;

/** `optional :expires_at, type: Date` where the version declares it (else undefined). */
function rotateExpiry(params: Params, declared: boolean): string | null | undefined | Reply {
  if (!declared) return undefined;
  const v = validateExpiresParam(params['expires_at']);
  return v === 'invalid' ? grapeError(400, 'expires_at is invalid') : v;
}

export const personalAccessTokenRoutes: readonly Route[] = [
  // ---- lib/api/personal_access_tokens/self_information.rb (mounted first) ----------------
  {
    // `get 'self'` (15.5); every scope; before: PAT only
    method: 'GET',
    path: 'personal_access_tokens/self',
    since: SINCE.selfInform,
    anyScope: true,
    handler: (ctx) => {
      const t = callerToken(ctx);
      if (t === null)
        return badRequest('This endpoint requires token type to be a personal access token');
      return {
        status: 200,
        body: t === 'credential' ? credentialJson(ctx) : tokenJson(ctx.state, t),
      };
    },
  },
  {
    // `delete 'self'` (15.0; any scope from 15.4): revoke_token(access_token) -> 204
    method: 'DELETE',
    path: 'personal_access_tokens/self',
    since: SINCE.selfRevoke,
    anyScope: true,
    handler: (ctx) => {
      const t = callerToken(ctx);
      if (t === null)
        return badRequest('This endpoint requires token type to be a personal access token');
      if (t === 'credential') {
        if (ctx.principal.credential) ctx.principal.credential.revoked = true;
        return { status: 204 };
      }
      if (!mayRevoke(ctx.principal, t)) return badRequest();
      ctx.state.revoke(t);
      return { status: 204 };
    },
  },
  // ---- lib/api/personal_access_tokens/self_rotation.rb ----------------------------------
  {
    // `post 'self/rotate'` (16.10): api, or self_rotate (17.9); 405 for a non-PAT
    method: 'POST',
    path: 'personal_access_tokens/self/rotate',
    since: SINCE.selfRotate,
    extraScopes: (state) => (state.atLeast(SINCE.selfRotateScope) ? ['self_rotate'] : []),
    handler: (ctx) => {
      const expiry = rotateExpiry(ctx.params, true);
      if (isReply(expiry)) return expiry;
      const t = callerToken(ctx);
      if (t === null) return methodNotAllowed();
      if (t === 'credential') {
        const cred = ctx.principal.credential;
        if (!cred) return methodNotAllowed();
        // A credential rotates into a simulator token that names it as its predecessor.
        const seed: SimToken = {
          id: cred.id,
          user_id: ctx.principal.user.id,
          name: cred.name,
          description: null,
          scopes: [...cred.scopes],
          expires_at: cred.expiresAt,
          created_at: cred.createdAt,
          revoked: cred.revoked,
          active: !cred.revoked,
          last_used_at: null,
          token: '',
          impersonation: false,
          previous_id: null,
        };
        const reply = rotatePersonalAccessToken(ctx.state, seed, expiry);
        if (reply.status === 200) cred.revoked = true;
        return reply;
      }
      return rotatePersonalAccessToken(ctx.state, t, expiry);
    },
  },
  // ---- lib/api/personal_access_tokens.rb --------------------------------------------------
  {
    // `get`: before `restrict_non_admins!` (another user's id -> 401), `finder_params`
    // (admins: all tokens, impersonation ones included, or one user's, 404 for an unknown
    // user; others: their own non-impersonation tokens)
    method: 'GET',
    path: 'personal_access_tokens',
    handler: (ctx) => {
      const { state, principal: p, params } = ctx;
      const rawUser = params['user_id'];
      const hasUser = rawUser !== undefined && rawUser !== null && String(rawUser) !== '';
      if (!p.admin && hasUser && String(rawUser).trim() !== String(p.user.id)) {
        return unauthorized();
      }
      if (hasUser && !/^\s*\d+\s*$/.test(String(rawUser)))
        return grapeError(400, 'user_id is invalid');
      let base: SimToken[];
      if (p.admin) {
        if (hasUser) {
          const user = state.findUser(Number(rawUser));
          if (!user) return notFound();
          base = state.tokens.filter((t) => t.user_id === user.id);
        } else if (rawUser !== undefined) {
          return notFound();
        } else {
          base = [...state.tokens];
        }
      } else {
        base = state.tokens.filter((t) => t.user_id === p.user.id && !t.impersonation);
      }
      return listTokens(ctx, base);
    },
  },
  {
    // `get ':id'` (15.1): allowed -> entity; else admins 404, others 401
    method: 'GET',
    path: 'personal_access_tokens/:id',
    handler: (ctx) => {
      const id = intId(ctx.path['id']);
      const t = id === null ? undefined : ctx.state.findToken(id);
      if (t && mayManage(ctx.principal, t.user_id)) {
        return { status: 200, body: tokenJson(ctx.state, t) };
      }
      return ctx.principal.admin ? notFound() : unauthorized();
    },
  },
  {
    // `post ':id/rotate'` (16.0; `expires_at` 16.6): manage_user_personal_access_token on
    // the token's user, else admins 404 and others 401; RotateService failures 400
    method: 'POST',
    path: 'personal_access_tokens/:id/rotate',
    since: SINCE.rotate,
    handler: (ctx) => {
      const expiry = rotateExpiry(ctx.params, ctx.state.atLeast(SINCE.rotateExpiresAt));
      if (isReply(expiry)) return expiry;
      const id = intId(ctx.path['id']);
      const t = id === null ? undefined : ctx.state.findToken(id);
      if (!t || !mayManage(ctx.principal, t.user_id)) {
        return ctx.principal.admin ? notFound() : unauthorized();
      }
      return rotatePersonalAccessToken(ctx.state, t, expiry);
    },
  },
  {
    // `delete ':id'`: `PersonalAccessToken.find` (RecordNotFound -> "404 Not found"), then
    // RevokeService: not permitted -> `bad_request!(nil)`; revoking a revoked token is a 204
    method: 'DELETE',
    path: 'personal_access_tokens/:id',
    handler: (ctx) => {
      const id = intId(ctx.path['id']);
      const t = id === null ? undefined : ctx.state.findToken(id);
      if (!t) return recordNotFound();
      if (!mayRevoke(ctx.principal, t)) return badRequest();
      ctx.state.revoke(t);
      return { status: 204 };
    },
  },
  // ---- lib/api/users.rb `resource :personal_access_tokens` under `segment ':user_id'` ------
  {
    // before `authenticated_as_admin!` (403), Grape params (400), `find_user_by_id` (404),
    // CreateService (422); 201
    method: 'POST',
    path: 'users/:user_id/personal_access_tokens',
    handler: (ctx) => {
      const { state, principal: p, params } = ctx;
      if (!p.admin) return forbidden();
      const rawUser = ctx.path['user_id'] ?? '';
      const userIdOk = /^\d+$/.test(rawUser);
      const checked = validateCreateParams(params, {
        validScopes: state.validScopes(),
        description: state.atLeast(SINCE.description),
      });
      const errors = [
        ...(userIdOk ? [] : ['user_id is invalid']),
        ...(checked.ok ? [] : [checked.error]),
      ];
      if (errors.length > 0 || !checked.ok) return grapeError(400, errors.join(', '));
      const user = state.findUser(Number(rawUser));
      if (!user) return notFound('User');
      return createPersonalAccessToken(state, user, checked.value);
    },
  },
];
