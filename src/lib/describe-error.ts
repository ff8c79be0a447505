/**
 * The one place that turns failures into messages for people: what happened, GitLab's own words
 * (quoted, scrubbed of anything secret), and what to change.
 */
import {
  GitLabApiError,
  GitLabNetworkError,
  GitLabRedirectError,
  InputError,
  TokenExistsError,
  TokenReconcileError,
  UserNotFoundError,
} from './errors.js';
import type { GitLabClient } from './gitlab-client.js';
import { currentUser, gitlabVersion, type GitLabUser } from './gitlab-api.js';
import { oneLine, quote, scrubSecrets } from './text.js';

export interface ErrorContext {
  instanceUrl: string;
  /** e.g. `user 42` or `user @alice` */
  subject?: string;
  groupId?: string;
  skipAuth?: boolean;
  /** secrets that must never appear: the credential, the tokens made so far */
  secrets: Iterable<string>;
  diagnostics?: Diagnostics;
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

function describeApiError(error: GitLabApiError, ctx: ErrorContext): string {
  // Scrub before shortening, so that a cut cannot leave part of a secret behind.
  const text = oneLine(scrubSecrets(gitlabErrorText(error.body), ctx.secrets), 300);
  const said = `${error.status} ${STATUS_TEXT[error.status] ?? ''}`.trim();
  const quoted = text ? `: GitLab said ${quote(text, 300)}` : '';
  const head = `GitLab answered ${said} to ${error.method} ${error.path}${quoted}.`;
  const user = ctx.diagnostics?.currentUser;
  switch (true) {
    case error.status === 401 && ctx.skipAuth === true:
      return `${head} No credential was sent (skip-auth: true), so whatever stands in front of GitLab did not authenticate the request: check the proxy, or pass gitlab-token.`;
    case error.status === 401:
      return `${head} The gitlab-token is wrong, expired or revoked: create a new token for an administrator with the api scope and update the secret.`;
    case error.status === 403 && ctx.groupId !== undefined:
      return `${head} For tokens of group service accounts the credential's user${user ? ` (@${user.username})` : ''} must be an Owner of the top-level group (or an administrator), on GitLab Premium or Ultimate: check that group-id ${quote(ctx.groupId)} is a top-level group, not a subgroup, that the credential's user is one of its Owners, and that the user is a service account of that group.`;
    case error.status === 403 && isGitLabDotCom(ctx.instanceUrl):
      return `${head} GitLab.com has no admin API, so tokens for users cannot be created there: use group service accounts instead (set group-id to the top-level group; its Owner's token as gitlab-token).`;
    case error.status === 403 && user !== undefined && user.is_admin === false:
      return `${head} The credential belongs to @${user.username}, who is not an administrator: creating tokens for users needs an administrator's token with the api scope.`;
    case error.status === 403 && user?.is_admin === true:
      return `${head} The credential belongs to administrator @${user.username}: Admin Mode is probably on, so the credential also needs the admin_mode scope.`;
    case error.status === 403:
      return `${head} Creating tokens for users needs an administrator's token with the api scope (and the admin_mode scope where Admin Mode is on).`;
    case error.status === 404 && /user/i.test(text):
      return `${head} There is no such user: check user-id.`;
    case error.status === 404 && /group/i.test(text):
      return `${head} There is no such group, or the credential cannot see it: check group-id.`;
    case error.status === 404: {
      const version = ctx.diagnostics?.version;
      const known = version
        ? `GitLab ${version} answers at ${ctx.instanceUrl}, so this endpoint is missing: it needs a newer GitLab.`
        : `check that base-url (${ctx.instanceUrl}) is the GitLab instance.`;
      return `${head} ${known}`;
    }
    case error.status === 400 || error.status === 422: {
      const hints: string[] = [];
      if (/scope/i.test(text))
        hints.push('check scopes (a scope this GitLab does not know, or none)');
      if (/expires/i.test(text))
        hints.push(
          "check expires-at (in the future, and within the instance's maximum token lifetime: 365 days by default)",
        );
      if (/name/i.test(text)) hints.push('check name (1 to 255 characters)');
      if (/description/i.test(text)) hints.push('check description');
      return `${head} ${hints.length > 0 ? `${hints.join('; ')}.` : 'Check the inputs GitLab names.'}`;
    }
    case error.status === 429:
      return `${head} GitLab kept rate-limiting after ${error.attempts} attempts: try again later, or lower max-concurrency.`;
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
    ? `set base-url to ${suggestion}`
    : 'set base-url to the address GitLab is served from';
  return `GitLab answered ${error.status} redirecting ${error.method} ${error.path} to ${target}. API requests never follow redirects, so the credential cannot be sent elsewhere: ${fix}.`;
}

function describeNetworkError(error: GitLabNetworkError, ctx: ErrorContext): string {
  const where = `${error.method} ${error.path} to ${ctx.instanceUrl}`;
  if (error.code === 'ETIMEDOUT') {
    const seconds = (error.timeoutMs ?? 0) / 1000;
    return `No answer to ${where} within ${seconds} seconds (timeout-seconds): check that GitLab is reachable from this runner, or raise timeout-seconds.`;
  }
  if (error.code === 'ECONNREFUSED') {
    return `Could not connect for ${where}: the connection was refused. Check base-url, and that GitLab is reachable from this runner (HTTPS_PROXY, NO_PROXY).`;
  }
  if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') {
    return `Could not resolve the host of ${ctx.instanceUrl} for ${where}: check base-url.`;
  }
  if (/CERT|SSL|TLS|SELF_SIGNED/i.test(error.code)) {
    return `The TLS certificate of ${ctx.instanceUrl} is not trusted (${error.code}): give the runner the instance's CA certificate, for example with NODE_EXTRA_CA_CERTS.`;
  }
  const detail = oneLine(scrubSecrets(error.detail, ctx.secrets), 200);
  return `The connection failed during ${where} (${error.code}: ${detail}).`;
}

function describe(error: unknown, ctx: ErrorContext): string {
  if (error instanceof InputError) return error.problems.join('\n');
  if (error instanceof GitLabApiError) return describeApiError(error, ctx);
  if (error instanceof GitLabRedirectError) return describeRedirect(error, ctx);
  if (error instanceof GitLabNetworkError) return describeNetworkError(error, ctx);
  if (error instanceof UserNotFoundError) {
    return `GitLab has no user with the username ${quote(error.username)}: check user-id.`;
  }
  if (error instanceof TokenExistsError) {
    return `User ${error.userId} already has an active token named ${quote(error.tokenName)} (ID ${error.tokenId}) and if-exists is fail: revoke it, choose another name, or set if-exists: rotate.`;
  }
  if (error instanceof TokenReconcileError) {
    const cause = error.cause === undefined ? '' : ` (${describe(error.cause, ctx)})`;
    return `Creating the token failed: ${error.message}${cause}`;
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
 * After a failure, asks GitLab what helps to explain it: who the credential belongs to (403),
 * which GitLab answers (404 of an endpoint). Never throws: diagnostics are best effort.
 */
export async function gatherDiagnostics(
  client: GitLabClient,
  error: unknown,
): Promise<Diagnostics> {
  if (!(error instanceof GitLabApiError)) return {};
  try {
    if (error.status === 403) return { currentUser: await currentUser(client) };
    if (error.status === 404 && !/user|group/i.test(gitlabErrorText(error.body))) {
      return { version: await gitlabVersion(client) };
    }
  } catch {
    // The diagnosis failed too: the plain message stands.
  }
  return {};
}
