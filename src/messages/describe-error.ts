/**
 * The one place that turns failures into messages for people: what happened, GitLab's own words
 * (quoted, scrubbed of anything secret), and what to change.
 */
import {
  GitLabApiError,
  GitLabNetworkError,
  GitLabRedirectError,
  InputError,
  DuplicateUserError,
  NotStartedError,
  RevokeNotConfirmedError,
  TokenExistsError,
  TokenReconcileError,
  UserNotFoundError,
  VersionGateError,
} from '../gitlab/errors.js';
import type { GitLabClient } from '../gitlab/client.js';
import { isBareNotFound, notFoundKind } from '../kinds/responses.js';
import type { KindName } from '../kinds/types.js';
import { TokenListTooLongError } from '../kinds/list.js';
import { UnusableReplyError } from '../gitlab/token.js';
import { describeStoreError } from '../stores/describe.js';
import { currentUser, type GitLabUser } from '../gitlab/users.js';
import { gitlabVersion, needsVersion } from '../gitlab/version.js';
import { scrubSecrets } from '../util/scrub.js';
import { oneLine, quote } from '../util/text.js';
import { ACTION_WORDS, type Words } from '../inputs/words.js';

export interface ErrorContext {
  instanceUrl: string;
  /** e.g. `user 42` or `user @alice` */
  subject?: string;
  groupId?: string;
  /** the kind of token asked for, where known: messages name what that kind needs */
  kind?: KindName;
  skipAuth?: boolean;
  /** secrets that must never appear: the credential, the tokens made so far */
  secrets: Iterable<string>;
  diagnostics?: Diagnostics;
  /** the reader's words for inputs and the credential (the action's when absent) */
  words?: Words;
}

/** How the reader names inputs and the credential. */
function wordsOf(ctx: ErrorContext): Words {
  return ctx.words ?? ACTION_WORDS;
}

/** An input as the reader names it: `user-id` (action) or `--user-id` (CLI). */
function input(ctx: ErrorContext, name: string): string {
  return wordsOf(ctx).input(name);
}

/** Facts gathered after a failure, to say which of several causes it was. */
export interface Diagnostics {
  currentUser?: GitLabUser;
  version?: string;
}

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

/** The most of an error body's text that is ever quoted (it is shortened again when shown). */
const MAX_ERROR_TEXT = 1000;
/** A body that is not JSON (a proxy's page) is quoted at most this far. */
const MAX_PLAIN_EXCERPT = 200;
/** How deep a `message` object is read, and how many of its strings. */
const MAX_MESSAGE_DEPTH = 4;
const MAX_MESSAGE_PARTS = 20;
const MAX_MESSAGE_VISITS = 200;

/**
 * Cuts `text` to `max` characters at a word boundary: a word cut in the middle (it may be part of
 * a secret the caller has not scrubbed yet) is dropped whole.
 */
function cutAtWord(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  const kept = chars.slice(0, max).join('');
  const boundary = kept.search(/\s\S*$/);
  return `${boundary > 0 ? kept.slice(0, boundary) : ''}…`;
}

/** The text of a `message` value: a string, or fields holding strings or lists of them. */
function messageText(message: unknown): string {
  const parts: string[] = [];
  // Iterative and bounded: a body can nest as deep and as wide as its sender likes.
  const pending: { prefix: string; value: unknown; depth: number }[] = [
    { prefix: '', value: message, depth: 0 },
  ];
  for (let visits = 0; visits < MAX_MESSAGE_VISITS && parts.length < MAX_MESSAGE_PARTS; visits++) {
    const next = pending.shift();
    if (next === undefined) break;
    const { prefix, value, depth } = next;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      parts.push(`${prefix}${String(value)}`);
    } else if (Array.isArray(value) && depth < MAX_MESSAGE_DEPTH) {
      // `["has already been taken", "is too long"]`: one part, as GitLab lists them.
      const items = value.slice(0, MAX_MESSAGE_PARTS);
      const words = items.filter((item): item is string => typeof item === 'string');
      if (words.length > 0) parts.push(`${prefix}${words.join(', ')}`);
      for (const item of items) {
        if (item && typeof item === 'object')
          pending.push({ prefix, value: item, depth: depth + 1 });
      }
    } else if (value && typeof value === 'object' && depth < MAX_MESSAGE_DEPTH) {
      for (const [field, item] of Object.entries(value).slice(0, MAX_MESSAGE_PARTS)) {
        pending.push({
          prefix: `${prefix}${cutAtWord(field, 60)} `,
          value: item,
          depth: depth + 1,
        });
      }
    }
  }
  return parts.join('; ');
}

/**
 * GitLab's error text, and nothing else of the body: its message fields (`message` as a string
 * or as field -> messages, `error`, `error_description`, `scope`). A body that is not JSON (a
 * proxy's page) gives a short one-line excerpt (an HTML page only its title). Bounded in length;
 * never throws, however deep the body. The caller scrubs secrets from it.
 */
export function gitlabErrorText(body: unknown): string {
  if (typeof body === 'string') {
    const html = /^\s*<|<html|<body|<!doctype/i.test(body);
    const title = html ? /<title[^>]*>([^<]*)</i.exec(body.slice(0, 4096))?.[1] : undefined;
    const text = html ? (title ?? '') : body;
    return cutAtWord(oneLine(text, MAX_PLAIN_EXCERPT * 4), MAX_PLAIN_EXCERPT);
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return '';
  const fields = body as Record<string, unknown>;
  const line = (value: unknown): string =>
    typeof value === 'string' ? cutAtWord(oneLine(value, MAX_ERROR_TEXT * 2), MAX_ERROR_TEXT) : '';
  const said = [
    cutAtWord(oneLine(messageText(fields.message), MAX_ERROR_TEXT * 2), MAX_ERROR_TEXT),
    line(fields.error),
    line(fields.error_description),
  ]
    .filter(Boolean)
    .join(': ');
  const scope = line(fields.scope);
  return cutAtWord(scope ? `${said} (scope: ${scope})`.trim() : said, MAX_ERROR_TEXT);
}

function isGitLabDotCom(instanceUrl: string): boolean {
  try {
    return new URL(instanceUrl).hostname.toLowerCase() === 'gitlab.com';
  } catch {
    return false;
  }
}

/** A string field of a JSON error body (`error`, `error_description`, `scope`, `message`). */
function bodyField(body: unknown, field: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : undefined;
}

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

/** What a kind's tokens need of the credential's user, for messages. */
function roleNeeded(kind: KindName | undefined): string | undefined {
  if (kind === 'project') return 'the Maintainer role (or higher) in the project';
  if (kind === 'group') return 'the Owner role in the group';
  return undefined;
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

function describeApiError(error: GitLabApiError, ctx: ErrorContext): string {
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

function describeRedirect(error: GitLabRedirectError, ctx: ErrorContext): string {
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

function describeNetworkError(error: GitLabNetworkError, ctx: ErrorContext): string {
  const where = `${error.method} ${error.path} to ${ctx.instanceUrl}`;
  const reason = error.reason;
  if (error.code === 'ETIMEDOUT') {
    const seconds = (error.timeoutMs ?? 0) / 1000;
    const head = `No answer to ${where} within ${seconds} seconds (${input(ctx, 'timeout-seconds')})`;
    const phase = reason?.kind === 'timeout' ? reason.phase : undefined;
    if (reason?.kind === 'timeout' && phase === 'proxy' && reason.proxy) {
      return `${head}: the proxy ${reason.proxy} did not open a tunnel to GitLab in time, so nothing was sent. Check HTTPS_PROXY and NO_PROXY, and that the proxy can reach GitLab.`;
    }
    if (phase === 'connect') {
      return `${head}: no connection could be made, so nothing was sent. Check ${input(ctx, 'base-url')}, and that GitLab is reachable from this runner (HTTPS_PROXY, NO_PROXY), or raise ${input(ctx, 'timeout-seconds')}.`;
    }
    if (phase === 'tls') {
      return `${head}: the TLS handshake did not finish, so nothing was sent. Check that ${input(ctx, 'base-url')} is GitLab's https address, or raise ${input(ctx, 'timeout-seconds')}.`;
    }
    return `${head}: check that GitLab is reachable from this runner, or raise ${input(ctx, 'timeout-seconds')}.`;
  }
  if (reason?.kind === 'proxy-refused') {
    const fix =
      reason.status === 407
        ? 'check the user and password in HTTPS_PROXY (HTTP_PROXY for plain http)'
        : 'check HTTPS_PROXY and NO_PROXY (HTTP_PROXY for plain http), and that the proxy can reach GitLab';
    return `The proxy ${reason.proxy} refused to open a tunnel to ${reason.target} for ${error.method} ${error.path} (${reason.statusText}), so nothing was sent: ${fix}.`;
  }
  if (reason?.kind === 'reply-too-large') {
    const limit =
      reason.limitBytes % 1048576 === 0
        ? `${reason.limitBytes / 1048576} MiB`
        : `${reason.limitBytes} bytes`;
    return `The reply to ${error.method} ${error.path} from ${ctx.instanceUrl} is larger than ${limit} (a GitLab reply here is a few kilobytes), so it was not read: check that ${input(ctx, 'base-url')} points at GitLab, and what stands between this runner and GitLab.`;
  }
  if (reason?.kind === 'unexpected-status') {
    return `${where} was answered ${reason.statusText}, which GitLab never answers, so the reply was not used: check that ${input(ctx, 'base-url')} points at GitLab, and what stands between this runner and GitLab.`;
  }
  if (error.code === 'ECONNREFUSED') {
    return `Could not connect for ${where}: the connection was refused. Check ${input(ctx, 'base-url')}, and that GitLab is reachable from this runner (HTTPS_PROXY, NO_PROXY).`;
  }
  if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') {
    return `Could not resolve the host of ${ctx.instanceUrl} for ${where}: check ${input(ctx, 'base-url')}.`;
  }
  if (/CERT|SSL|TLS|SELF_SIGNED/i.test(error.code)) {
    return `The TLS certificate of ${ctx.instanceUrl} is not trusted (${error.code}): give the runner the instance's CA certificate, for example with NODE_EXTRA_CA_CERTS.`;
  }
  const detail = oneLine(scrubSecrets(error.detail, ctx.secrets), 200);
  return `The connection failed during ${where} (${error.code}: ${detail}).`;
}

function describe(error: unknown, ctx: ErrorContext): string {
  if (error instanceof InputError) return error.problems.join('\n');
  const store = describeStoreError(error, {
    describeCause: (cause) => describe(cause, ctx),
    errorText: gitlabErrorText,
    secrets: [...ctx.secrets],
    words: wordsOf(ctx),
  });
  if (store !== undefined) return store;
  if (error instanceof GitLabApiError) return describeApiError(error, ctx);
  if (error instanceof GitLabRedirectError) return describeRedirect(error, ctx);
  if (error instanceof GitLabNetworkError) return describeNetworkError(error, ctx);
  if (error instanceof UserNotFoundError) {
    return `GitLab has no user with the username ${quote(error.username)}: check ${input(ctx, 'user-id')}.`;
  }
  if (error instanceof TokenExistsError) {
    return `The ${error.owner} already has an active token named ${quote(error.tokenName)} (ID ${error.tokenId}) and ${input(ctx, 'if-exists')} is fail: revoke it, choose another name, or set ${wordsOf(ctx).setting('if-exists', 'rotate')}.`;
  }
  if (error instanceof TokenReconcileError) {
    const cause = error.cause === undefined ? '' : ` (${describe(error.cause, ctx)})`;
    return `Creating the token failed: ${error.message}${cause}`;
  }
  if (error instanceof VersionGateError) {
    const what =
      error.feature === 'serviceAccountList'
        ? `Listing a group service account's tokens (${input(ctx, 'if-exists')}, or checking after a lost reply) with a group Owner's credential`
        : `This (${error.feature})`;
    return `${what} ${needsVersion(error.feature, error.version)}: upgrade GitLab, or use an administrator's credential.`;
  }
  if (error instanceof RevokeNotConfirmedError) {
    const cause = error.cause === undefined ? '' : ` (${describe(error.cause, ctx)})`;
    return `Token ID ${error.tokenId} may still be active: ${error.reason}${cause}. Revoke it by hand.`;
  }
  if (error instanceof DuplicateUserError) {
    return `user ${error.userId} is already asked for as ${error.first}: each user gets one token per ${wordsOf(ctx).run}.`;
  }
  if (error instanceof NotStartedError) {
    return error.reason === 'cancelled'
      ? `not started: the ${wordsOf(ctx).run} was cancelled.`
      : `not started: GitLab kept rate-limiting past ${input(ctx, 'max-wait-seconds')}.`;
  }
  if (error instanceof UnusableReplyError) {
    return `GitLab's answer ${error.status} to ${error.method} ${error.path} carried no usable token (${error.problem}): check that ${input(ctx, 'base-url')} is the GitLab instance and nothing in between rewrites replies.`;
  }
  if (error instanceof TokenListTooLongError) {
    return error.named
      ? `Too many tokens with this name to read them all (${error.message}): choose a more distinctive name.`
      : `Too many active tokens to read them all (${error.message}): revoke those no longer needed.`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** The message for a failure: never contains a known secret or anything shaped like a token. */
export function describeError(error: unknown, context: ErrorContext): string {
  // The secrets are read more than once: an iterator would be used up after the first time.
  const ctx = { ...context, secrets: [...context.secrets] };
  const message = describe(error, ctx);
  const prefixed =
    ctx.subject && !(error instanceof InputError) ? `${ctx.subject}: ${message}` : message;
  return scrubSecrets(prefixed, ctx.secrets);
}

/**
 * After a failure, asks GitLab what helps to explain it: who the credential belongs to (a 401 or
 * 403 that is not about the token itself), which GitLab answers (a missing route). Never throws.
 */
export async function gatherDiagnostics(
  client: GitLabClient,
  error: unknown,
): Promise<Diagnostics> {
  const cause =
    error instanceof TokenReconcileError || error instanceof RevokeNotConfirmedError
      ? error.cause
      : error;
  if (!(cause instanceof GitLabApiError)) return {};
  try {
    if (cause.path === '/personal_access_tokens/self/rotate' && [401, 404].includes(cause.status)) {
      return { version: await gitlabVersion(client) };
    }
    const plain401 = cause.status === 401 && bodyField(cause.body, 'error') !== 'invalid_token';
    const plain403 =
      cause.status === 403 && bodyField(cause.body, 'error') !== 'insufficient_scope';
    if (plain401 || plain403) return { currentUser: await currentUser(client) };
    if (notFoundKind(cause) === 'route') return { version: await gitlabVersion(client) };
  } catch {
    // The diagnosis failed too: the plain message stands.
  }
  return {};
}
