/**
 * GitLab's error replies in words: what it said (quoted, scrubbed), and what to change, by status
 * and by what the reply says (lib/api/, lib/gitlab/auth/auth_finders.rb), and redirects, which
 * are never followed.
 */
import {
  isBareNotFound,
  notFoundKind,
  type GitLabApiError,
  type GitLabRedirectError,
} from '../gitlab/errors.js';
import { findKind } from '../kinds/index.js';
import { scrubSecrets } from '../util/scrub.js';
import { oneLine, quote } from '../util/text.js';
import { bodyField, input, isGitLabDotCom, wordsOf, type ErrorContext } from './context.js';
import { gitlabErrorText } from './gitlab-text.js';

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function describe401(error: GitLabApiError, head: string, ctx: ErrorContext): string {
  if (ctx.skipAuth === true) {
    return `${head} No credential was sent (${wordsOf(ctx).setting('skip-auth', 'true')}), so whatever stands in front of GitLab did not authenticate the request: check the proxy, or pass ${input(ctx, 'gitlab-token')}.`;
  }
  // lib/gitlab/auth/auth_finders.rb: a revoked or expired token gets `invalid_token` with a reason.
  if (bodyField(error.body, 'error') === 'invalid_token') {
    return `${head} The ${input(ctx, 'gitlab-token')} is no longer valid: create a new token and update ${wordsOf(ctx).credentialHome}.`;
  }
  const user = ctx.diagnostics?.currentUser;
  if (user?.is_admin === true) {
    // The credential works (GET /user answered), so the 401 is about rights: Admin Mode.
    return `${head} The credential belongs to administrator @${user.username}, but GitLab did not treat it as one: Admin Mode is on, so add the admin_mode scope to the credential.`;
  }
  const role = roleNeeded(ctx.kind);
  if (user !== undefined && role) {
    return `${head} The credential belongs to @${user.username}, who may not manage these tokens: that needs ${role}.`;
  }
  if (user !== undefined) {
    return `${head} The credential belongs to @${user.username}, who may not read or change another user's tokens: this needs an administrator's token with the api scope (and admin_mode where Admin Mode is on)${ctx.groupId !== undefined ? ", or GitLab 17.11 or later for a group Owner's token" : ''}.`;
  }
  return `${head} The ${input(ctx, 'gitlab-token')} is wrong, expired or revoked: create a new token for an administrator with the api scope and update ${wordsOf(ctx).credentialHome}.`;
}

function describe403(error: GitLabApiError, head: string, ctx: ErrorContext): string {
  // lib/gitlab/auth/auth_finders.rb: a credential without the scope the endpoint needs.
  if (bodyField(error.body, 'error') === 'insufficient_scope') {
    const scope = bodyField(error.body, 'scope') ?? 'api';
    return `${head} The credential lacks the ${quote(scope)} scope: create the credential with the api scope and update ${wordsOf(ctx).credentialHome}.`;
  }
  const user = ctx.diagnostics?.currentUser;
  const role = roleNeeded(ctx.kind);
  if (role)
    return `${head} The credential's user${user ? ` (@${user.username})` : ''} needs ${role}.`;
  if (ctx.groupId !== undefined) {
    return `${head} For tokens of group service accounts the credential's user${user ? ` (@${user.username})` : ''} must be an Owner of the top-level group (or an administrator), on GitLab Premium or Ultimate: check that ${input(ctx, 'group-id')} ${quote(ctx.groupId)} is a top-level group, not a subgroup, that the credential's user is one of its Owners, and that the user is a service account of that group.`;
  }
  if (isGitLabDotCom(ctx.instanceUrl)) {
    return `${head} GitLab.com has no admin API, so tokens for users cannot be created there: use group service accounts instead (set ${input(ctx, 'group-id')} to the top-level group; its Owner's token as ${input(ctx, 'gitlab-token')}).`;
  }
  if (user?.is_admin === true) {
    return `${head} The credential belongs to administrator @${user.username}, but GitLab did not treat it as one: Admin Mode is on, so add the admin_mode scope to the credential.`;
  }
  // GET /user shows is_admin to administrators only (lib/api/entities/user_with_admin.rb).
  if (user !== undefined) {
    return `${head} The credential belongs to @${user.username}, who is not an administrator: creating tokens for users needs an administrator's token with the api scope.`;
  }
  return `${head} Creating tokens for users needs an administrator's token with the api scope (and the admin_mode scope where Admin Mode is on).`;
}

function describe404(error: GitLabApiError, head: string, ctx: ErrorContext): string {
  switch (notFoundKind(error)) {
    case 'user':
      return `${head} There is no such user${ctx.groupId !== undefined ? ' among the service accounts of that group (a service account of a top-level group is not found through its subgroups)' : ''}: check ${input(ctx, 'user-id')}.`;
    case 'group':
      return `${head} There is no such group, or the credential cannot see it: check ${input(ctx, 'group-id')}.`;
    case 'project':
      return `${head} There is no such project, or the credential cannot see it: check ${input(ctx, 'project-id')}.`;
    case 'token':
      return isBareNotFound(error)
        ? `${head} GitLab does not say what it did not find: the token, or the user or account it was asked for under.`
        : `${head} There is no such token.`;
    case 'route': {
      const version = ctx.diagnostics?.version;
      return version
        ? `${head} GitLab ${version} answers at ${ctx.instanceUrl} but has no such endpoint: it needs a newer GitLab.`
        : `${head} GitLab has no such endpoint here: check that ${input(ctx, 'base-url')} (${ctx.instanceUrl}) is the GitLab instance and that it is recent enough.`;
    }
    default:
      return `${head} check that ${input(ctx, 'base-url')} (${ctx.instanceUrl}) is the GitLab instance (including any relative root such as /gitlab).`;
  }
}

/** What a kind's tokens need of the credential's user (the kind says), for messages. */
function roleNeeded(kind: string | undefined): string | undefined {
  return kind === undefined ? undefined : findKind(kind)?.roleNeeded;
}

function describe400(error: GitLabApiError, text: string, head: string, ctx: ErrorContext): string {
  const role = roleNeeded(ctx.kind);
  // app/services/resource_access_tokens/*: a caller without the role is refused with a 400.
  if (role && /does not have permission|cannot delete|not eligible|not permitted/i.test(text)) {
    const dotCom = isGitLabDotCom(ctx.instanceUrl)
      ? ' On GitLab.com, project and group access tokens also need Premium or Ultimate.'
      : '';
    const level = /access level|permissions not held/i.test(text)
      ? ` A token cannot have a higher access level than its creator: lower ${input(ctx, 'access-level')}.`
      : '';
    return `${head} The credential's user needs ${role}.${level}${dotCom}`;
  }
  if (/access level|permissions not held|provision owner/i.test(text)) {
    return `${head} Check ${input(ctx, 'access-level')}: a token cannot have permissions its creator lacks${role ? ` (the credential's user needs ${role}, and at least the level asked for)` : ''}.`;
  }
  // lib/api/personal_access_tokens.rb answers a revoke the caller may not make with a bare
  // `bad_request!(nil)` ("400 Bad request"); older services said "Not permitted to revoke".
  const bareRevoke = error.method === 'DELETE' && /^400 Bad request$/i.test(text.trim());
  if (/not permitted/i.test(text) || bareRevoke) {
    return `${head} The credential's user may not manage this token: use an administrator's token (with admin_mode under Admin Mode) or, for a group's service account, a top-level group Owner's.`;
  }
  if (/already revoked/i.test(text)) return `${head} The token was already revoked.`;
  const hints: string[] = [];
  if (/scope/i.test(text)) {
    hints.push(
      role
        ? `check ${input(ctx, 'scopes')} (a bot cannot have read_user, sudo or admin_mode, or a scope this GitLab does not know)`
        : `check ${input(ctx, 'scopes')} (a scope this GitLab does not know, or none)`,
    );
  }
  if (/expir/i.test(text)) {
    hints.push(
      `check ${input(ctx, 'expires-at')} (in the future, and within the instance's maximum token lifetime, which GitLab names)`,
    );
  }
  if (/name/i.test(text)) hints.push(`check ${input(ctx, 'name')} (1 to 255 characters)`);
  if (/description/i.test(text)) hints.push(`check ${input(ctx, 'description')}`);
  const fallback = `Check the ${wordsOf(ctx).inputs} GitLab names.`;
  return `${head} ${hints.length > 0 ? `${hints.join('; ')}.` : fallback}`;
}

/** lib/api/personal_access_tokens/self_rotation.rb: what a self-rotation's refusal means. */
function describeSelfRotate(
  error: GitLabApiError,
  head: string,
  ctx: ErrorContext,
): string | undefined {
  if (error.status === 405) {
    return `${head} Only a personal, project or group access token can rotate itself (not an OAuth or CI job token): give ${input(ctx, 'gitlab-token')} such a token.`;
  }
  if (bodyField(error.body, 'error') === 'insufficient_scope' || error.status === 403) {
    return `${head} The credential needs the api scope (or self_rotate, GitLab 17.9 or later) to rotate itself.`;
  }
  if (error.status === 401 && bodyField(error.body, 'error') === 'invalid_token') return undefined;
  if (error.status === 401 || error.status === 404) {
    const version = ctx.diagnostics?.version;
    const running = version ? ` (this instance runs ${version})` : '';
    return `${head} A token rotating itself needs GitLab 16.10 or later${running}; before it, this route answers like another token's rotation.`;
  }
  return undefined;
}

export function describeApiError(error: GitLabApiError, ctx: ErrorContext): string {
  // Scrub before shortening, so that a cut cannot leave part of a secret behind.
  const text = oneLine(scrubSecrets(gitlabErrorText(error.body), ctx.secrets), 300);
  const said = `${error.status} ${STATUS_TEXT[error.status] ?? ''}`.trim();
  const detail = bodyField(error.body, 'error_description');
  const words = detail ? oneLine(scrubSecrets(detail, ctx.secrets), 300) : text;
  const quoted = words ? `: GitLab said ${quote(words, 300)}` : '';
  const head = `GitLab answered ${said} to ${error.method} ${error.path}${quoted}.`;
  if (error.path === '/personal_access_tokens/self/rotate' && error.status !== 429) {
    const self = describeSelfRotate(error, head, ctx);
    if (self) return self;
  }
  switch (true) {
    case error.status === 401:
      return describe401(error, head, ctx);
    case error.status === 403:
      return describe403(error, head, ctx);
    case error.status === 404:
      return describe404(error, head, ctx);
    case error.status === 400 || error.status === 422:
      return describe400(error, text, head, ctx);
    case error.status === 429:
      return `${head} GitLab kept rate-limiting after ${error.attempts} attempts: try again later, lower ${input(ctx, 'max-concurrency')}, or raise ${input(ctx, 'max-wait-seconds')}.`;
    case error.status >= 500:
      return `${head} This is a problem on the GitLab side, not in your inputs: try again, and check the instance's health if it persists.`;
    default:
      return head;
  }
}

function suggestedBaseUrl(location: string, requestUrl: string): string | undefined {
  try {
    const target = new URL(location, requestUrl);
    const root = target.pathname.replace(/\/api\/v4(\/.*)?$/i, '');
    return `${target.origin}${root}`.replace(/\/+$/, '');
  } catch {
    return undefined;
  }
}

export function describeRedirect(error: GitLabRedirectError, ctx: ErrorContext): string {
  const requestUrl = `${ctx.instanceUrl}/api/v4${error.path}`;
  const target = error.location
    ? oneLine(scrubSecrets(error.location, ctx.secrets), 300)
    : '(no Location)';
  const suggestion = error.location ? suggestedBaseUrl(error.location, requestUrl) : undefined;
  const fix = suggestion
    ? `set ${input(ctx, 'base-url')} to ${suggestion}`
    : `set ${input(ctx, 'base-url')} to the address GitLab is served from`;
  return `GitLab answered ${error.status} redirecting ${error.method} ${error.path} to ${target}. API requests never follow redirects, so the credential cannot be sent elsewhere: ${fix}.`;
}
