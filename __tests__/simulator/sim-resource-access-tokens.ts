// Project and group access tokens: lib/api/resource_access_tokens.rb (one code path for
// `projects` and `groups`), lib/api/resource_access_tokens/self_rotation.rb, the services in
// app/services/resource_access_tokens/ (create, revoke) and {project,group}_access_tokens/
// rotate_service.rb, and the *_resource_access_tokens abilities of app/policies/project_policy.rb
// and group_policy.rb (EE: resource_access_token_feature_available?).
//
// A token belongs to a bot user (`project_<id>_bot_<hex>` / `group_<id>_bot_<hex>`) that is a
// member of the project or group at the token's access level; the token is a personal access
// token of that bot, so it authenticates, rotates and is reuse-detected like any other.
import { isReply, paginate } from './sim-pagination.js';
import {
  CREATE_DEFAULT_DAYS,
  listTokens,
  rotatePersonalAccessToken,
  tokenJson,
} from './sim-personal-access-tokens.js';
import type { Route, RouteContext } from './sim-routing.js';
import type { AccessLevel, BotResource, Principal, SimState, SimToken } from './sim-state.js';
import { SINCE } from './sim-version.js';
import {
  fullMessages,
  validateCreateParams,
  validateExpiresParam,
  validateTokenModel,
} from './sim-validation.js';
import {
  badRequest,
  grapeError,
  methodNotAllowed,
  notFound,
  toSentence,
  unauthorized,
} from './sim-replies.js';
import type { Reply } from './sim-replies.js';

type SourceType = BotResource['type'];

interface Resource extends BotResource {
  plan: 'free' | 'premium' | 'ultimate';
  /** max_member_access_for_user (inherited memberships included). */
  accessOf: (userId: number) => number;
}

/** lib/api/resource_access_tokens.rb ALLOWED_RESOURCE_ACCESS_LEVELS (options_with_owner). */
function allowedLevels(state: SimState): number[] {
  // lib/gitlab/access.rb: PLANNER (15) from 17.7
  return state.atLeast(SINCE.plannerRole) ? [10, 15, 20, 30, 40, 50] : [10, 20, 30, 40, 50];
}

/**
 * lib/gitlab/auth.rb `resource_bot_scopes`: the non-admin scopes minus `read_user` (no sudo,
 * admin_mode, read_service_ping).
 */
export function resourceBotScopes(state: SimState): Set<string> {
  const admin = new Set(['read_user', 'sudo', 'admin_mode', 'read_service_ping']);
  return new Set([...state.validScopes()].filter((s) => !admin.has(s)));
}

/**
 * ResourceAccessTokensHelpers#find_source: find_project! (404 "Project Not Found", also for a
 * private project the caller cannot read) or find_group! ("Group Not Found").
 */
function findSource(ctx: RouteContext, type: SourceType): Resource | Reply {
  const { state, principal: p } = ctx;
  const raw = ctx.path['id'] ?? '';
  if (type === 'project') {
    const project = state.resolveProject(raw);
    if (!project || (!p.admin && state.projectAccess(project, p.user.id) === 0)) {
      return notFound('Project');
    }
    return {
      type,
      id: project.id,
      plan: state.projectPlan(project),
      accessOf: (userId) => state.projectAccess(project, userId),
    };
  }
  const group = state.resolveGroup(raw);
  if (!group) return notFound('Group');
  return {
    type,
    id: group.id,
    plan: state.rootOf(group).plan,
    accessOf: (userId) => state.groupAccess(group, userId),
  };
}

/**
 * `read_resource_access_tokens` / `destroy_resource_access_tokens`: admin_project (Maintainer)
 * or admin_group (Owner), and EE resource_access_token_feature_available? (GitLab.com: a paid,
 * non-trial plan; self-managed: every tier).
 */
function mayRead(state: SimState, p: Principal, res: Resource): boolean {
  const needed = res.type === 'project' ? 40 : 50;
  const admin = p.admin || res.accessOf(p.user.id) >= needed;
  return admin && (!state.gitlabDotCom || res.plan !== 'free');
}

/**
 * `create_resource_access_tokens` / `manage_resource_access_tokens`: read, and the policies'
 * `rule { can?(:project_bot_access) }.prevent`: a bot may not make or rotate other tokens.
 */
function mayManage(state: SimState, p: Principal, res: Resource): boolean {
  return mayRead(state, p, res) && p.user.botOf === undefined;
}

/** PersonalAccessTokensFinder({ user: resource.bots, impersonation: false }). */
function resourceTokens(state: SimState, res: Resource): SimToken[] {
  const bots = new Set(state.botsOf(res).map((u) => u.id));
  return state.tokens.filter((t) => bots.has(t.user_id) && !t.impersonation);
}

/** ResourceAccessTokensHelpers#find_token: `find_by_id(token_id)` among the bots' tokens. */
function findToken(state: SimState, res: Resource, raw: string | number): SimToken | undefined {
  const id = String(raw);
  if (!/^\d+$/.test(id)) return undefined;
  const t = resourceTokens(state, res).find((x) => x.id === Number(id));
  return t ? state.refresh(t) : undefined;
}

/** `not_found!("#{source_type} Access Token")`; before: "Could not find ... with token_id: <id>". */
function tokenNotFound(state: SimState, type: SourceType, raw: string): Reply {
  return state.atLeast(SINCE.resourceTokenListFilters)
    ? notFound(`${type} Access Token`)
    : notFound(`Could not find ${type} access token with token_id: ${raw}`);
}

/**
 * lib/api/entities/resource_access_token.rb: the personal access token entity plus
 * `access_level` (the bot's membership), `resource_type` and `resource_id` (newer); with
 * ResourceAccessTokenWithToken, `token` last.
 */
function present(
  state: SimState,
  t: SimToken,
  res: BotResource,
  withToken = false,
): Record<string, unknown> {
  const json = tokenJson(state, t);
  const bot = state.findUser(t.user_id);
  json['access_level'] = bot ? state.memberLevel(res, bot.id) : null;
  if (state.atLeast(SINCE.resourceTokenResourceFields)) {
    json['resource_type'] = res.type;
    json['resource_id'] = res.id;
  }
  if (withToken) json['token'] = t.token;
  return json;
}

/** A rotate reply from sim-personal-access-tokens.ts, presented with this entity. */
function presented(state: SimState, reply: Reply, res: BotResource): Reply {
  if (reply.status !== 200 && reply.status !== 201) return reply;
  const id = (reply.body as { id?: unknown } | undefined)?.id;
  const t = typeof id === 'number' ? state.findToken(id) : undefined;
  return t ? { ...reply, body: present(state, t, res, true) } : reply;
}

/** Grape `optional :access_level, type: Integer, values: ..., default: MAINTAINER`. */
function accessLevelParam(state: SimState, raw: unknown): AccessLevel | string {
  if (raw === undefined || raw === null || raw === '') return 40;
  const text = String(raw).trim();
  if (typeof raw === 'boolean' || typeof raw === 'object' || !/^[-+]?\d+$/.test(text)) {
    return 'access_level is invalid';
  }
  const level = Number(text);
  return allowedLevels(state).includes(level)
    ? (level as AccessLevel)
    : 'access_level does not have a valid value';
}

/** The `expires_at` a rotate declares at this version (undefined: not declared, ignored). */
function rotateExpiry(ctx: RouteContext, declared: boolean): string | null | undefined | Reply {
  if (!declared) return undefined;
  const v = validateExpiresParam(ctx.params['expires_at']);
  return v === 'invalid' ? grapeError(400, 'expires_at is invalid') : v;
}

/**
 * app/services/resource_access_tokens/create_service.rb after the Grape parameters: permission,
 * access level, then the bot user, its membership and its token (PersonalAccessTokens::
 * CreateService; model errors as a sentence). Every failure is `bad_request!(message)`.
 */
function createResourceToken(ctx: RouteContext, type: SourceType): Reply {
  const { state, principal: p } = ctx;
  const checked = validateCreateParams(ctx.params, {
    validScopes: resourceBotScopes(state),
    description: state.atLeast(SINCE.resourceTokenDescription),
  });
  const level = accessLevelParam(state, ctx.params['access_level']);
  const errors = [
    ...(checked.ok ? [] : [checked.error]),
    ...(typeof level === 'string' ? [level] : []),
  ];
  if (!checked.ok || typeof level === 'string') return grapeError(400, errors.join(', '));
  const res = findSource(ctx, type);
  if (isReply(res)) return res;
  if (!mayManage(state, p, res)) {
    return badRequest(`User does not have permission to create ${type} access token`);
  }
  // Administrators are taken as Owners here (owner_access; see the report for the newer check)
  const mine = p.admin ? 50 : res.accessOf(p.user.id);
  if (state.atLeast(SINCE.resourceTokenEncompassMessages)) {
    // `validate_access_level`: Gitlab::Access.level_encompasses?
    if (mine < level) {
      return badRequest(
        'Access level of the token contains permissions not held by the creating user',
      );
    }
  } else {
    // `do_not_allow_owner_access_level_for_project_bot?` (manage_owners), then
    // `validate_access_level` (owner_access, else member? with at least the level)
    if (type === 'project' && level === 50 && mine < 50) {
      return badRequest('Could not provision owner access to project access token');
    }
    if (mine < 50 && mine < level) {
      return badRequest(
        "Access level of the token can't be greater the access level of the user who created the token",
      );
    }
  }
  const v = checked.value;
  // `pat_expiration` (17.3+: none where expiry is not required); before, the Grape default
  // MAX_PERSONAL_ACCESS_TOKEN_LIFETIME_IN_DAYS.days.from_now
  const expiresAt =
    v.expiresAt ??
    (!state.atLeast(SINCE.resourceTokenOptionalExpiry) || state.expiryRequired()
      ? state.inDays(CREATE_DEFAULT_DAYS)
      : null);
  const modelErrors = validateTokenModel(
    { name: v.name, scopes: v.scopes, expiresAt },
    {
      today: state.today(),
      expiryRequired: state.expiryRequired(),
      availableScopes: resourceBotScopes(state),
    },
  );
  // the bot made for a failed token is hard-deleted (delete_failed_user): nothing remains
  if (modelErrors) return badRequest(toSentence(fullMessages(modelErrors)));
  // `default_user_params`: the bot is named like the token
  const bot = state.addBotUser(res, v.name, level);
  const token = state.addToken({
    userId: bot.id,
    name: v.name,
    description: v.description,
    scopes: v.scopes,
    expiresAt,
    impersonation: false,
    previousId: null,
  });
  return { status: 201, body: present(state, token, res, true), created: true };
}

function routesFor(type: SourceType): Route[] {
  const base = `${type}s/:id/access_tokens`;
  return [
    {
      // `get ":id/access_tokens"`: `state` (17.2), `access_token_params` (newer); then
      // find_source, `unauthorized!` without read_resource_access_tokens, the finder, paginate
      method: 'GET',
      path: base,
      handler: (ctx) => {
        const { state, principal: p, params } = ctx;
        const full = state.atLeast(SINCE.resourceTokenListFilters);
        // Grape validates the parameters before the endpoint runs
        if (full) {
          const check = listTokens(ctx, []);
          if (check.status === 400) return check;
        } else if (state.atLeast(SINCE.resourceTokenListState)) {
          const st = params['state'];
          if (st !== undefined && st !== 'active' && st !== 'inactive') {
            return grapeError(400, 'state does not have a valid value');
          }
        }
        const res = findSource(ctx, type);
        if (isReply(res)) return res;
        if (!mayRead(state, p, res)) return unauthorized();
        const tokens = resourceTokens(state, res).map((t) => state.refresh(t));
        if (full) {
          const reply = listTokens(ctx, tokens);
          const body = Array.isArray(reply.body) ? (reply.body as { id: number }[]) : [];
          return {
            ...reply,
            body: body.map((j) => {
              const t = state.findToken(j.id);
              return t ? present(state, t, res) : j;
            }),
          };
        }
        let list = tokens;
        // before 17.2 `state` is not declared: every token of the current bots
        if (state.atLeast(SINCE.resourceTokenListState)) {
          const today = state.today();
          // personal_access_token.rb scopes `active` and `inactive`
          if (params['state'] === 'active') list = list.filter((t) => t.active);
          else if (params['state'] === 'inactive') {
            list = list.filter((t) => t.revoked || (t.expires_at !== null && t.expires_at < today));
          }
        }
        list.sort((a, b) => a.id - b.id);
        const page = paginate(list, params, ctx.url, ctx.baseUrl);
        if (isReply(page)) return page;
        return {
          status: 200,
          body: page.page.map((t) => present(state, t, res)),
          headers: page.headers,
        };
      },
    },
    {
      // `get ":id/access_tokens/:token_id"` (14.10): read check (401), then the token (404)
      method: 'GET',
      path: `${base}/:token_id`,
      handler: (ctx) => {
        const res = findSource(ctx, type);
        if (isReply(res)) return res;
        if (!mayRead(ctx.state, ctx.principal, res)) return unauthorized();
        const raw = ctx.path['token_id'] ?? '';
        const t = findToken(ctx.state, res, raw);
        if (!t) return tokenNotFound(ctx.state, type, raw);
        return { status: 200, body: present(ctx.state, t, res) };
      },
    },
    {
      // `delete ':id/access_tokens/:token_id'`: the token (404) before the permission;
      // RevokeService: "<caller name> cannot delete <bot name>" (400); revoke!; before 17.9
      // DeleteUserWorker removes the bot, its membership and its tokens. 204, also for a
      // revoked token while it is still there.
      method: 'DELETE',
      path: `${base}/:token_id`,
      handler: (ctx) => {
        const { state, principal: p } = ctx;
        const res = findSource(ctx, type);
        if (isReply(res)) return res;
        const raw = ctx.path['token_id'] ?? '';
        const t = findToken(state, res, raw);
        if (!t) return tokenNotFound(state, type, raw);
        const bot = state.findUser(t.user_id);
        if (!mayRead(state, p, res)) {
          return badRequest(`${p.user.name} cannot delete ${bot?.name ?? ''}`);
        }
        state.revoke(t);
        if (!state.atLeast(SINCE.resourceTokenRetainBot) && bot) state.deleteUser(bot.id);
        return { status: 204 };
      },
    },
    {
      // `post ':id/access_tokens'`: Grape params (400), find_source (404), CreateService (400); 201
      method: 'POST',
      path: base,
      handler: (ctx) => createResourceToken(ctx, type),
    },
    {
      // `post ':id/access_tokens/:token_id/rotate'` (16.0; `expires_at` 16.6): the token only
      // with manage_resource_access_tokens, else admins 404 and others 401; then
      // ProjectAccessTokens/GroupAccessTokens::RotateService: "Token already revoked", the
      // access-level check, the model; failures 400; 200
      method: 'POST',
      path: `${base}/:token_id/rotate`,
      since: SINCE.resourceTokenRotate,
      handler: (ctx) => {
        const { state, principal: p } = ctx;
        const expiry = rotateExpiry(ctx, state.atLeast(SINCE.resourceTokenRotateExpiresAt));
        if (isReply(expiry)) return expiry;
        const res = findSource(ctx, type);
        if (isReply(res)) return res;
        const t = mayManage(state, p, res)
          ? findToken(state, res, ctx.path['token_id'] ?? '')
          : undefined;
        if (!t) return p.admin ? notFound() : unauthorized();
        if (t.revoked) return badRequest('Token already revoked');
        // `valid_access_level?`: admins, else the token's level within the caller's
        if (!p.admin && (state.memberLevel(res, t.user_id) ?? 0) > res.accessOf(p.user.id)) {
          return badRequest(
            state.atLeast(SINCE.resourceTokenEncompassMessages)
              ? 'Not eligible to rotate tokens with permissions not held by the user'
              : 'Not eligible to rotate token with access level higher than the user',
          );
        }
        return presented(state, rotatePersonalAccessToken(state, t, expiry), res);
      },
    },
  ];
}

/**
 * lib/api/resource_access_tokens/self_rotation.rb (17.9, mounted before the `:token_id`
 * routes): `api` or `self_rotate`; 405 unless the caller is a project bot using a personal
 * access token; find_source (404); the token among the resource's bots' (else 401);
 * PersonalAccessTokens::RotateService (no access-level check); 200.
 */
function selfRotateRoute(type: SourceType): Route {
  return {
    method: 'POST',
    path: `${type}s/:id/access_tokens/self/rotate`,
    since: SINCE.resourceTokenSelfRotate,
    extraScopes: () => ['self_rotate'],
    handler: (ctx) => {
      const { state, principal: p } = ctx;
      const expiry = rotateExpiry(ctx, true);
      if (isReply(expiry)) return expiry;
      if (!p.token || p.user.botOf === undefined) return methodNotAllowed();
      const res = findSource(ctx, type);
      if (isReply(res)) return res;
      const t = findToken(state, res, p.token.id);
      if (!t) return unauthorized();
      return presented(state, rotatePersonalAccessToken(state, t, expiry), res);
    },
  };
}

export const resourceAccessTokenRoutes: readonly Route[] = [
  selfRotateRoute('project'),
  selfRotateRoute('group'),
  ...routesFor('project'),
  ...routesFor('group'),
];
