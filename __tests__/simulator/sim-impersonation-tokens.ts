// Impersonation tokens: lib/api/users.rb `resource :impersonation_tokens` under
// `segment ':user_id'` (administrators only, `before { authenticated_as_admin! }`).
// They are personal access tokens with `impersonation: true`: administrators see them in
// GET /personal_access_tokens, their owners do not (personal_access_tokens_helpers.rb).
import { isReply, paginate } from './sim-pagination.js';
import { tokenJson } from './sim-personal-access-tokens.js';
import type { Route, RouteContext } from './sim-routing.js';
import type { SimToken, StoredUser } from './sim-state.js';
import { SINCE } from './sim-version.js';
import { validateCreateParams, validateTokenModel } from './sim-validation.js';
import { apiError, forbidden, grapeError, notFound } from './sim-replies.js';
import type { Reply } from './sim-replies.js';

/** `find_user_by_id(params)`: 400 for a non-integer id (Grape), 404 "User Not Found". */
function targetUser(ctx: RouteContext, extraErrors: string[] = []): StoredUser | Reply {
  const raw = ctx.path['user_id'] ?? '';
  const errors = [...(/^\d+$/.test(raw) ? [] : ['user_id is invalid']), ...extraErrors];
  if (errors.length > 0) return grapeError(400, errors.join(', '));
  return ctx.state.findUser(Number(raw)) ?? notFound('User');
}

function impersonationTokensOf(ctx: RouteContext, userId: number): SimToken[] {
  return ctx.state.tokens.filter((t) => t.user_id === userId && t.impersonation);
}

/** `find_impersonation_token`: "404 Impersonation Token Not Found". */
function findImpersonationToken(ctx: RouteContext, userId: number): SimToken | Reply {
  const raw = ctx.path['impersonation_token_id'] ?? '';
  if (!/^\d+$/.test(raw)) return grapeError(400, 'impersonation_token_id is invalid');
  const t = impersonationTokensOf(ctx, userId).find((x) => x.id === Number(raw));
  return t ? ctx.state.refresh(t) : notFound('Impersonation Token');
}

export const impersonationTokenRoutes: readonly Route[] = [
  {
    // `get`: `optional :state, default: 'all', values: %w[all active inactive]`, paginated
    method: 'GET',
    path: 'users/:user_id/impersonation_tokens',
    handler: (ctx) => {
      if (!ctx.principal.admin) return forbidden();
      const st = ctx.params['state'] ?? 'all';
      const stateError =
        st === 'all' || st === 'active' || st === 'inactive'
          ? []
          : ['state does not have a valid value'];
      const user = targetUser(ctx, stateError);
      if (isReply(user)) return user;
      const today = ctx.state.today();
      let list = impersonationTokensOf(ctx, user.id).map((t) => ctx.state.refresh(t));
      if (st === 'active') list = list.filter((t) => t.active);
      else if (st === 'inactive') {
        list = list.filter((t) => t.revoked || (t.expires_at !== null && t.expires_at < today));
      }
      list.sort((a, b) => a.id - b.id);
      const page = paginate(list, ctx.params, ctx.url, ctx.baseUrl);
      if (isReply(page)) return page;
      return {
        status: 200,
        body: page.page.map((t) => tokenJson(ctx.state, t, { impersonationField: true })),
        headers: page.headers,
      };
    },
  },
  {
    // `post`: `requires :name`, `optional :description` (17.7), `optional :expires_at`,
    // `optional :scopes` (no `values:`); `finder.build(...).save`, else
    // `render_validation_error!` (400 with a field map). No default expiry is filled in.
    method: 'POST',
    path: 'users/:user_id/impersonation_tokens',
    handler: (ctx) => {
      const { state } = ctx;
      if (!ctx.principal.admin) return forbidden();
      const checked = validateCreateParams(ctx.params, {
        validScopes: null,
        description: state.atLeast(SINCE.description),
      });
      const user = targetUser(ctx, checked.ok ? [] : [checked.error]);
      if (isReply(user)) return user;
      if (!checked.ok) return grapeError(400, checked.error);
      const v = checked.value;
      const errors = validateTokenModel(
        { name: v.name, scopes: v.scopes, expiresAt: v.expiresAt },
        {
          today: state.today(),
          expiryRequired: state.expiryRequired(),
          availableScopes: state.validScopes(),
        },
      );
      if (errors) return apiError(400, errors);
      const token = state.addToken({
        userId: user.id,
        name: v.name,
        description: v.description,
        scopes: v.scopes,
        expiresAt: v.expiresAt,
        impersonation: true,
        previousId: null,
      });
      return {
        status: 201,
        body: tokenJson(state, token, { withToken: true, impersonationField: true }),
        created: true,
      };
    },
  },
  {
    method: 'GET',
    path: 'users/:user_id/impersonation_tokens/:impersonation_token_id',
    handler: (ctx) => {
      if (!ctx.principal.admin) return forbidden();
      const user = targetUser(ctx);
      if (isReply(user)) return user;
      const t = findImpersonationToken(ctx, user.id);
      if (isReply(t)) return t;
      return { status: 200, body: tokenJson(ctx.state, t, { impersonationField: true }) };
    },
  },
  {
    // `delete`: `destroy_conditionally!(token) { token.revoke! }` -> 204
    method: 'DELETE',
    path: 'users/:user_id/impersonation_tokens/:impersonation_token_id',
    handler: (ctx) => {
      if (!ctx.principal.admin) return forbidden();
      const user = targetUser(ctx);
      if (isReply(user)) return user;
      const t = findImpersonationToken(ctx, user.id);
      if (isReply(t)) return t;
      ctx.state.revoke(t);
      return { status: 204 };
    },
  },
];
