// Group service accounts' personal access tokens: ee/lib/api/group_service_accounts.rb.
// before: `authenticate!`, `authorize! :admin_service_accounts, user_group` (find_group!:
// "404 Group Not Found"; ee/app/policies/ee/group_policy.rb: `(admin | owner) &
// service_accounts_available` -> Premium/Ultimate, owners of a subgroup included); then Grape
// params; then `validate_service_account_user` on the group's own provisioned users.
import {
  listTokens,
  createPersonalAccessToken,
  rotatePersonalAccessToken,
} from './sim-personal-access-tokens.js';
import { isReply } from './sim-pagination.js';
import type { Route, RouteContext } from './sim-routing.js';
import type { StoredGroup, StoredUser } from './sim-state.js';
import { SINCE } from './sim-version.js';
import { validateCreateParams, validateExpiresParam } from './sim-validation.js';
import { forbidden, grapeError, notFound } from './sim-replies.js';
import type { Reply } from './sim-replies.js';

/** The `before` block: the group, or 404/403. */
function authorizedGroup(ctx: RouteContext): StoredGroup | Reply {
  // lib/api/helpers.rb `find_group!` -> `not_found!('Group')`
  const group = ctx.state.resolveGroup(ctx.path['id'] ?? '');
  if (!group) return notFound('Group');
  const { principal: p, state } = ctx;
  const plan = state.rootOf(group).plan;
  const allowed = (p.admin || state.isGroupOwner(group, p.user.id)) && plan !== 'free';
  return allowed ? group : forbidden();
}

/**
 * `validate_service_account_user`: `user_group.provisioned_users.find_by_id(params[:user_id])`
 * (the group's own, so a subgroup does not find the top-level group's accounts);
 * 16.x `not_found!` ("404 Not Found"), later `not_found!('User')`.
 */
function serviceAccount(ctx: RouteContext, group: StoredGroup): StoredUser | Reply {
  const raw = ctx.path['user_id'] ?? '';
  const user =
    /^\d+$/.test(raw) && group.serviceAccountIds.has(Number(raw))
      ? ctx.state.findUser(Number(raw))
      : undefined;
  if (user) return user;
  return ctx.state.atLeast(SINCE.groupServiceAccountUserNotFoundLabel)
    ? notFound('User')
    : notFound();
}

const BASE = 'groups/:id/service_accounts/:user_id/personal_access_tokens';

export const groupServiceAccountRoutes: readonly Route[] = [
  {
    // `get` (17.11): access_token_params + pagination; finder for the account, no
    // impersonation tokens
    method: 'GET',
    path: BASE,
    since: SINCE.groupServiceAccountList,
    handler: (ctx) => {
      const group = authorizedGroup(ctx);
      if (isReply(group)) return group;
      const user = serviceAccount(ctx, group);
      if (isReply(user)) return user;
      const base = ctx.state.tokens.filter((t) => t.user_id === user.id && !t.impersonation);
      return listTokens(ctx, base);
    },
  },
  {
    // `post` (16.1): name, scopes (`values:`), description (with the PAT API, 17.7),
    // expires_at; PersonalAccessTokens::CreateService -> 422 on model errors; 201
    method: 'POST',
    path: BASE,
    since: SINCE.groupServiceAccountTokens,
    handler: (ctx) => {
      const group = authorizedGroup(ctx);
      if (isReply(group)) return group;
      const checked = validateCreateParams(ctx.params, {
        validScopes: ctx.state.validScopes(),
        description: ctx.state.atLeast(SINCE.description),
      });
      if (!checked.ok) return grapeError(400, checked.error);
      const user = serviceAccount(ctx, group);
      if (isReply(user)) return user;
      return createPersonalAccessToken(ctx.state, user, checked.value);
    },
  },
  {
    // `delete ':token_id'` (17.10): the account's token or "404 Personal Access Token Not
    // Found"; revoke_token(token, group:) -> 204 (also for a revoked token)
    method: 'DELETE',
    path: `${BASE}/:token_id`,
    since: SINCE.groupServiceAccountRevoke,
    handler: (ctx) => {
      const group = authorizedGroup(ctx);
      if (isReply(group)) return group;
      const user = serviceAccount(ctx, group);
      if (isReply(user)) return user;
      const raw = ctx.path['token_id'] ?? '';
      const t = /^\d+$/.test(raw) ? ctx.state.findToken(Number(raw)) : undefined;
      if (!t || t.user_id !== user.id) return notFound('Personal Access Token');
      ctx.state.revoke(t);
      return { status: 204 };
    },
  },
  {
    // `post ':token_id/rotate'` (16.1; `expires_at` declared from 17.9, ignored before):
    // `token&.user == user` else `not_found!` ("404 Not Found"); RotateService -> 400
    method: 'POST',
    path: `${BASE}/:token_id/rotate`,
    since: SINCE.groupServiceAccountTokens,
    handler: (ctx) => {
      const group = authorizedGroup(ctx);
      if (isReply(group)) return group;
      let expiry: string | null | undefined;
      if (ctx.state.atLeast(SINCE.groupServiceAccountRotateExpiresAt)) {
        const v = validateExpiresParam(ctx.params['expires_at']);
        if (v === 'invalid') return grapeError(400, 'expires_at is invalid');
        expiry = v;
      }
      const user = serviceAccount(ctx, group);
      if (isReply(user)) return user;
      const raw = ctx.path['token_id'] ?? '';
      const t = /^\d+$/.test(raw) ? ctx.state.findToken(Number(raw)) : undefined;
      if (!t || t.user_id !== user.id) return notFound();
      return rotatePersonalAccessToken(ctx.state, t, expiry);
    },
  },
];
