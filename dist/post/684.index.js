export const id = 684;
export const ids = [684,315];
export const modules = {

/***/ 9315:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   k: () => (/* binding */ TokenListTooLongError),
/* harmony export */   listQuery: () => (/* binding */ listQuery),
/* harmony export */   readTokenList: () => (/* binding */ readTokenList)
/* harmony export */ });
/* unused harmony export searchableName */
/* harmony import */ var _gitlab_token_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6334);

const PER_PAGE = 100;
/** 100 pages of 100: far beyond any same-name list; a longer one is not read to the end. */
const MAX_PAGES = 100;
/** Thrown when a list is longer than the bound: what was read is not all there is. */
class TokenListTooLongError extends Error {
    path;
    named;
    constructor(path, 
    /** false when every token was asked for, not those of one name */
    named = true) {
        super(`more than ${MAX_PAGES * PER_PAGE} tokens match at ${path}`);
        this.path = path;
        this.named = named;
        this.name = 'TokenListTooLongError';
    }
}
/**
 * GitLab's `search` is a fuzzy match on words (Gitlab::SQL::Pattern#fuzzy_search: the query is
 * squished, split on spaces and quotes): it is only a safe narrowing for names that squishing and
 * quoting leave as they are. Other names are listed without it and matched here.
 */
function searchableName(name) {
    return name === name.replace(/\s+/g, ' ').trim() && !name.includes('"');
}
function listQuery(filter, extra = {}) {
    const query = new URLSearchParams(extra);
    query.set('state', 'active');
    if (filter.name !== undefined && searchableName(filter.name))
        query.set('search', filter.name);
    if (filter.createdAfter)
        query.set('created_after', filter.createdAfter);
    if (filter.expiresBefore)
        query.set('expires_before', filter.expiresBefore);
    query.set('per_page', String(PER_PAGE));
    return query.toString();
}
/**
 * Every active token at `path` (with `query`) named exactly `filter.name` (any name without
 * one; of `userId`, when given). Items that are not token records (a non-numeric ID, say) are dropped: they never
 * reach a URL.
 */
async function readTokenList(client, path, query, filter, userId) {
    const found = [];
    let page = '1';
    for (let count = 1;; count++) {
        const { data, headers } = await client.request('GET', `${path}?${query}&page=${page}`);
        for (const item of Array.isArray(data) ? data : []) {
            const token = (0,_gitlab_token_js__WEBPACK_IMPORTED_MODULE_0__/* .readToken */ .AI)(item);
            const owned = userId === undefined || token?.user_id === userId;
            const named = filter.name === undefined || token?.name === filter.name;
            if (token && token.active && named && owned) {
                found.push(token);
            }
        }
        const next = String(headers['x-next-page'] ?? '').trim();
        if (!/^\d+$/.test(next) || Number(next) <= Number(page))
            return found;
        if (count >= MAX_PAGES)
            throw new TokenListTooLongError(path, filter.name !== undefined);
        page = next;
    }
}


/***/ }),

/***/ 6684:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  describeError: () => (/* binding */ describeError),
  gatherDiagnostics: () => (/* binding */ gatherDiagnostics)
});

// UNUSED EXPORTS: gitlabErrorText

// EXTERNAL MODULE: ./src/gitlab/errors.ts
var errors = __webpack_require__(9452);
// EXTERNAL MODULE: ./src/kinds/responses.ts
var responses = __webpack_require__(4447);
// EXTERNAL MODULE: ./src/kinds/list.ts
var list = __webpack_require__(9315);
// EXTERNAL MODULE: ./src/gitlab/token.ts
var token = __webpack_require__(6334);
;// CONCATENATED MODULE: ./src/util/scrub.ts
/**
 * Removes secrets from text that is about to be printed: what describe-error.ts builds from a
 * failure (GitLab's words included) and the CLI's error lines. Kept apart from text.ts, whose
 * helpers every run uses, so that a run that succeeds never evaluates it.
 */
// GitLab token prefixes (glpat-, gloas-, glrt-, glcbt-, ...) and other long opaque strings, in
// any letter case.
const TOKEN_LIKE = /\bgl[a-z]{1,8}-[A-Za-z0-9_.-]{8,}/gi;
// Invisible characters that split a secret without showing: removed from scrubbed text.
// (Built from code points: some are combining marks, which a pattern literal would misread.)
const INVISIBLE = new RegExp(`[${[
    [0xad],
    [0x34f],
    [0x61c],
    [0x115f, 0x1160],
    [0x17b4, 0x17b5],
    [0x180b, 0x180f],
    [0x200b, 0x200f],
    [0x202a, 0x202e],
    [0x2060, 0x206f],
    [0x3164],
    [0xfe00, 0xfe0f],
    [0xfeff],
    [0xffa0],
]
    .map(([from, to = from]) => `\\u{${from.toString(16)}}-\\u{${to.toString(16)}}`)
    .join('')}]`, 'gu');
// What may separate the pieces of a split secret: whitespace and control characters, and their
// escaped spellings (`\n`, `\u2028`, ...) in text that was quoted once already.
// eslint-disable-next-line no-control-regex
const SEPARATOR = /[\s\u0000-\u001f\u007f-\u009f]|\\[nrtvfb0]|\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}/y;
/** Secrets shorter than this are not looked for (they would match ordinary words). */
const MIN_SECRET = 4;
const formsCache = new Map();
const FORMS_CACHE_SIZE = 4096;
/**
 * The three base64 spellings of `bytes` that do not depend on what precedes or follows it: one per
 * alignment of its first byte in the 3-byte groups (as in the base64 of `user:secret`).
 */
function base64Forms(bytes) {
    const forms = [];
    for (let offset = 0; offset < 3; offset++) {
        const encoded = Buffer.concat([Buffer.alloc(offset), bytes])
            .toString('base64')
            .replace(/=+$/, '');
        // Characters mixing bits of the padding at the front, or of what follows at the end, are cut.
        const first = [0, 2, 3][offset];
        const last = Math.floor(((offset + bytes.length) * 8) / 6);
        const form = encoded.slice(first, last);
        forms.push(form, form.replace(/\+/g, '-').replace(/\//g, '_'));
    }
    return forms;
}
/** Lower-cased, separator-free skeleton of `text`, with each skeleton position's index in `text`. */
function skeleton(text) {
    let flat = '';
    const index = [];
    for (let i = 0; i < text.length;) {
        SEPARATOR.lastIndex = i;
        const separator = SEPARATOR.exec(text);
        if (separator) {
            i += separator[0].length;
            continue;
        }
        flat += text[i].toLowerCase().length === 1 ? text[i].toLowerCase() : text[i];
        index.push(i);
        i++;
    }
    return { flat, index };
}
/**
 * Every spelling of `secret` that might be printed: as is, JSON-escaped, URL-encoded (once and
 * twice, `+` for spaces too), and base64 (standard and URL-safe, at each alignment); in
 * skeleton form (lower case, no separators), so that a case change or a split by line breaks or
 * invisible characters is found too.
 */
function secretForms(secret) {
    const cached = formsCache.get(secret);
    if (cached)
        return cached;
    const spellings = new Set([
        secret,
        JSON.stringify(secret).slice(1, -1),
        encodeURIComponent(secret),
        encodeURIComponent(encodeURIComponent(secret)),
        new URLSearchParams([['', secret]]).toString().slice(1),
        ...base64Forms(Buffer.from(secret, 'utf8')),
    ]);
    const forms = [...spellings]
        .map((form) => skeleton(form.replace(INVISIBLE, '')).flat)
        .filter((form) => form.length >= MIN_SECRET);
    if (formsCache.size >= FORMS_CACHE_SIZE)
        formsCache.clear();
    formsCache.set(secret, forms);
    return forms;
}
/**
 * Removes the given secrets and anything shaped like a GitLab token from `text`. A secret is found
 * also when it was split by line breaks, spaces or invisible characters, changed to upper or lower
 * case, URL-encoded or base64-encoded (alone or inside `user:secret`); each stretch of text that
 * held one becomes `***`. Invisible characters are dropped from the result.
 */
function scrubSecrets(text, secrets = []) {
    const visible = text.replace(INVISIBLE, '');
    const { flat, index } = skeleton(visible);
    // Stretches of `visible` to hide, as [start, end) pairs.
    const hidden = [];
    for (const secret of secrets) {
        if (secret.length < MIN_SECRET)
            continue;
        for (const form of secretForms(secret)) {
            for (let at = flat.indexOf(form); at >= 0; at = flat.indexOf(form, at + 1)) {
                hidden.push([index[at], index[at + form.length - 1] + 1]);
            }
        }
    }
    let out = visible;
    if (hidden.length > 0) {
        hidden.sort((a, b) => a[0] - b[0]);
        const parts = [];
        let cursor = 0;
        for (const [start, end] of hidden) {
            if (end <= cursor)
                continue;
            // Overlapping or adjacent stretches become one `***`.
            if (parts.length === 0 || start > cursor)
                parts.push(visible.slice(cursor, start), '***');
            cursor = end;
        }
        parts.push(visible.slice(cursor));
        out = parts.join('');
    }
    return out.replace(TOKEN_LIKE, '***');
}

// EXTERNAL MODULE: ./src/util/text.ts
var util_text = __webpack_require__(9997);
;// CONCATENATED MODULE: ./src/stores/errors.ts
/** A target that could not be checked (before anything changed) or written. */
class StoreTargetError extends Error {
    target;
    action;
    reason;
    constructor(target, 
    /** what was being done */
    action, 
    /** the failure: an API or network error, or a sentence of ours */
    reason) {
        super(`${target.label}: ${action} failed`);
        this.target = target;
        this.action = action;
        this.reason = reason;
        this.name = 'StoreTargetError';
    }
}
/** Checking the targets failed: nothing was changed, no token was made or rotated. */
class StoreCheckError extends Error {
    failures;
    constructor(failures) {
        super(`${failures.length} store-in target(s) failed their check`);
        this.failures = failures;
        this.name = 'StoreCheckError';
    }
}
/**
 * Writing a new secret failed. `written` hold the new secret; `restored` were put back as they
 * were; `notTried` were never written. What happened to the tokens is for the maker to fill in.
 */
class StoreWriteError extends Error {
    failures;
    written;
    restored;
    notTried;
    restoreFailures;
    /** token ID of the new token, and whether it is still active */
    newToken;
    /** the token the new one was to replace, kept active */
    keptToken;
    /** the credential rotated itself: its new secret is only in the step's masked output */
    selfRotated = false;
    constructor(
    /** the target(s) that failed: one when the writes stopped at it */
    failures, 
    /** targets that hold the new secret */
    written, restored, notTried, 
    /** problems putting targets back (each still holds the new secret) */
    restoreFailures = []) {
        super(`${failures.map((f) => f.target.label).join(', ')}: the new secret could not be stored`);
        this.failures = failures;
        this.written = written;
        this.restored = restored;
        this.notTried = notTried;
        this.restoreFailures = restoreFailures;
        this.name = 'StoreWriteError';
    }
}

;// CONCATENATED MODULE: ./src/stores/describe.ts
/**
 * Messages for store-in failures: which target, what its service said, what to change, and what
 * became of the tokens (nothing may be reported that did not happen). describe-error.ts calls
 * this; `describeCause` is its own describer, for network and GitLab errors.
 */




function ownerWords(target) {
    return target.type === 'gitlab-variable'
        ? `project or group ${target.owner}`
        : target.environment === undefined
            ? `repository ${target.repository}`
            : `environment ${(0,util_text/* quote */.h)(target.environment)} of repository ${target.repository}`;
}
function gitlabAdvice(error, target, words) {
    switch (error.status) {
        case 401:
            return `the credential was refused: check ${words.input('gitlab-token')}`;
        case 403:
            return `the credential may not write CI/CD variables of ${target.owner}: a project's need the Maintainer role, a group's the Owner role, and the credential the api scope`;
        case 404:
            return `GitLab has no project or group ${target.owner} that the credential can see: check the path, or give the numeric project ID`;
        case 409:
            return `several variables are named ${target.key}, with different environment scopes: name the one to write, as gitlab-variable:${target.owner}:${target.key}:<environment scope>`;
        default:
            return error.status >= 500
                ? 'a problem on the GitLab side: try again'
                : 'GitLab refused the value or its settings';
    }
}
function githubAdvice(error, target, words) {
    const token = words.input('github-token');
    switch (error.status) {
        case 401:
            return `${token} was refused: check that it is current`;
        case 403:
            return `${token} may not write the secrets of ${ownerWords(target)}: a fine-grained token needs the Secrets (read and write) repository permission, a classic token the repo scope, and a GitHub App the secrets permission (the token GitHub Actions gives each workflow run can never write secrets)`;
        case 404:
            return `GitHub shows no ${ownerWords(target)} to ${token}: check the name, and that the token can see it`;
        case 422:
            return 'GitHub refused the secret';
        default:
            return error.status >= 500
                ? 'a problem on the GitHub side: try again'
                : 'GitHub refused the request';
    }
}
/** One target's failure: `<target>: <service> answered 403 "…": <advice>`. */
function describeTarget(failure, ctx) {
    const { target, reason } = failure;
    const doing = failure.action === 'restore'
        ? 'putting it back'
        : failure.action === 'check'
            ? 'checking it'
            : 'writing it';
    if (typeof reason === 'string')
        return `${target.label}: ${reason}`;
    if (reason instanceof errors/* GitLabApiError */.AT) {
        const service = target.type === 'gitlab-variable' ? 'GitLab' : 'GitHub';
        const said = scrubSecrets(ctx.errorText(reason.body), ctx.secrets);
        const quoted = said ? ` ${(0,util_text/* quote */.h)(said, 300)}` : '';
        const advice = target.type === 'gitlab-variable'
            ? gitlabAdvice(reason, target, ctx.words)
            : githubAdvice(reason, target, ctx.words);
        return `${target.label}: ${service} answered ${reason.status}${quoted} to ${reason.method} ${reason.path.split('?')[0]} (${doing}): ${advice}.`;
    }
    if (reason instanceof Error && target.type === 'github-secret') {
        return `${target.label}: ${doing} failed: ${(0,util_text/* oneLine */.T)(scrubSecrets(reason.message, ctx.secrets), 300)} (GITHUB_API_URL, HTTPS_PROXY)`;
    }
    return `${target.label}: ${doing} failed: ${ctx.describeCause(reason)}`;
}
const labels = (targets) => targets.map((target) => target.label).join(', ');
function whatBecameOf(error, words) {
    const parts = [];
    if (error.restored.length > 0)
        parts.push(`${labels(error.restored)} put back as it was.`);
    if (error.notTried.length > 0)
        parts.push(`Not written: ${labels(error.notTried)}.`);
    const made = error.newToken;
    if (error.selfRotated && made) {
        const where = error.written.length > 0 ? ` and in ${labels(error.written)}` : '';
        parts.push(`The credential was rotated (new token ID ${made.id}; the old one no longer works): its new secret is in ${words.newSecretHome}${where}. Store it in the failed target by hand.`);
        return parts.join(' ');
    }
    if (made && !made.active) {
        const kept = error.keptToken === undefined ? '' : ` Token ID ${error.keptToken} stays active and in use.`;
        parts.push(`The new token ID ${made.id} was revoked, so nothing changed.${kept}`);
    }
    else if (made && error.written.length > 0) {
        const old = error.keptToken === undefined
            ? ''
            : ` Token ID ${error.keptToken}, which it was to replace, also stays active: revoke it by hand once nothing uses it.`;
        parts.push(`The new token ID ${made.id} is in ${labels(error.written)} (which cannot be put back), so it stays active and is reported with the tokens made.${old}`);
    }
    else if (made) {
        const why = made.revokeProblem ? ` (${made.revokeProblem})` : '';
        const old = error.keptToken === undefined ? '' : ` Token ID ${error.keptToken} stays active.`;
        parts.push(`GitLab did not confirm revoking the new token ID ${made.id}${why}: it may still be active, revoke it by hand.${old}`);
    }
    return parts.join(' ');
}
/** The message for a store-in failure, or undefined when `error` is not one. */
function describeStoreError(error, ctx) {
    const storeIn = ctx.words.input('store-in');
    if (error instanceof StoreCheckError) {
        const each = error.failures.map((failure) => describeTarget(failure, ctx));
        return `${storeIn}: ${each.join(' ')} Nothing was changed: no token was made or rotated.`;
    }
    if (error instanceof StoreWriteError) {
        const each = error.failures.map((failure) => describeTarget(failure, ctx));
        const restore = error.restoreFailures.map((failure) => describeTarget(failure, ctx));
        return [
            `${storeIn}: the new token could not be stored. ${each.join(' ')}`,
            ...restore,
            whatBecameOf(error, ctx.words),
        ]
            .filter(Boolean)
            .join(' ');
    }
    return undefined;
}

;// CONCATENATED MODULE: ./src/gitlab/users.ts


async function resolveUserId(client, user) {
    if ('id' in user)
        return user.id;
    const { data } = await client.request('GET', `/users?username=${encodeURIComponent(user.username)}`);
    const wanted = user.username.toLowerCase();
    const match = (Array.isArray(data) ? data : []).find((candidate) => typeof candidate?.username === 'string' && candidate.username.toLowerCase() === wanted);
    // The ID goes into URLs: only a positive integer is one.
    if (!match || !isTokenId(match.id))
        throw new UserNotFoundError(user.username);
    return match.id;
}
async function currentUser(client) {
    return (await client.request('GET', '/user')).data;
}

// EXTERNAL MODULE: ./src/gitlab/version.ts
var version = __webpack_require__(727);
// EXTERNAL MODULE: ./src/inputs/words.ts
var words = __webpack_require__(6096);
;// CONCATENATED MODULE: ./src/messages/describe-error.ts
/**
 * The one place that turns failures into messages for people: what happened, GitLab's own words
 * (quoted, scrubbed of anything secret), and what to change.
 */










/** How the reader names inputs and the credential. */
function wordsOf(ctx) {
    return ctx.words ?? words/* ACTION_WORDS */.d;
}
/** An input as the reader names it: `user-id` (action) or `--user-id` (CLI). */
function input(ctx, name) {
    return wordsOf(ctx).input(name);
}
const STATUS_TEXT = {
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
function cutAtWord(text, max) {
    const chars = [...text];
    if (chars.length <= max)
        return text;
    const kept = chars.slice(0, max).join('');
    const boundary = kept.search(/\s\S*$/);
    return `${boundary > 0 ? kept.slice(0, boundary) : ''}…`;
}
/** The text of a `message` value: a string, or fields holding strings or lists of them. */
function messageText(message) {
    const parts = [];
    // Iterative and bounded: a body can nest as deep and as wide as its sender likes.
    const pending = [
        { prefix: '', value: message, depth: 0 },
    ];
    for (let visits = 0; visits < MAX_MESSAGE_VISITS && parts.length < MAX_MESSAGE_PARTS; visits++) {
        const next = pending.shift();
        if (next === undefined)
            break;
        const { prefix, value, depth } = next;
        if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
            parts.push(`${prefix}${String(value)}`);
        }
        else if (Array.isArray(value) && depth < MAX_MESSAGE_DEPTH) {
            // `["has already been taken", "is too long"]`: one part, as GitLab lists them.
            const items = value.slice(0, MAX_MESSAGE_PARTS);
            const words = items.filter((item) => typeof item === 'string');
            if (words.length > 0)
                parts.push(`${prefix}${words.join(', ')}`);
            for (const item of items) {
                if (item && typeof item === 'object')
                    pending.push({ prefix, value: item, depth: depth + 1 });
            }
        }
        else if (value && typeof value === 'object' && depth < MAX_MESSAGE_DEPTH) {
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
function gitlabErrorText(body) {
    if (typeof body === 'string') {
        const html = /^\s*<|<html|<body|<!doctype/i.test(body);
        const title = html ? /<title[^>]*>([^<]*)</i.exec(body.slice(0, 4096))?.[1] : undefined;
        const text = html ? (title ?? '') : body;
        return cutAtWord((0,util_text/* oneLine */.T)(text, MAX_PLAIN_EXCERPT * 4), MAX_PLAIN_EXCERPT);
    }
    if (!body || typeof body !== 'object' || Array.isArray(body))
        return '';
    const fields = body;
    const line = (value) => typeof value === 'string' ? cutAtWord((0,util_text/* oneLine */.T)(value, MAX_ERROR_TEXT * 2), MAX_ERROR_TEXT) : '';
    const said = [
        cutAtWord((0,util_text/* oneLine */.T)(messageText(fields.message), MAX_ERROR_TEXT * 2), MAX_ERROR_TEXT),
        line(fields.error),
        line(fields.error_description),
    ]
        .filter(Boolean)
        .join(': ');
    const scope = line(fields.scope);
    return cutAtWord(scope ? `${said} (scope: ${scope})`.trim() : said, MAX_ERROR_TEXT);
}
function isGitLabDotCom(instanceUrl) {
    try {
        return new URL(instanceUrl).hostname.toLowerCase() === 'gitlab.com';
    }
    catch {
        return false;
    }
}
/** A string field of a JSON error body (`error`, `error_description`, `scope`, `message`). */
function bodyField(body, field) {
    if (typeof body !== 'object' || body === null)
        return undefined;
    const value = body[field];
    return typeof value === 'string' ? value : undefined;
}
function describe401(error, head, ctx) {
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
function describe403(error, head, ctx) {
    // lib/gitlab/auth/auth_finders.rb: a credential without the scope the endpoint needs.
    if (bodyField(error.body, 'error') === 'insufficient_scope') {
        const scope = bodyField(error.body, 'scope') ?? 'api';
        return `${head} The credential lacks the ${(0,util_text/* quote */.h)(scope)} scope: create the credential with the api scope and update ${wordsOf(ctx).credentialHome}.`;
    }
    const user = ctx.diagnostics?.currentUser;
    const role = roleNeeded(ctx.kind);
    if (role)
        return `${head} The credential's user${user ? ` (@${user.username})` : ''} needs ${role}.`;
    if (ctx.groupId !== undefined) {
        return `${head} For tokens of group service accounts the credential's user${user ? ` (@${user.username})` : ''} must be an Owner of the top-level group (or an administrator), on GitLab Premium or Ultimate: check that ${input(ctx, 'group-id')} ${(0,util_text/* quote */.h)(ctx.groupId)} is a top-level group, not a subgroup, that the credential's user is one of its Owners, and that the user is a service account of that group.`;
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
function describe404(error, head, ctx) {
    switch ((0,responses/* notFoundKind */.Oq)(error)) {
        case 'user':
            return `${head} There is no such user${ctx.groupId !== undefined ? ' among the service accounts of that group (a service account of a top-level group is not found through its subgroups)' : ''}: check ${input(ctx, 'user-id')}.`;
        case 'group':
            return `${head} There is no such group, or the credential cannot see it: check ${input(ctx, 'group-id')}.`;
        case 'project':
            return `${head} There is no such project, or the credential cannot see it: check ${input(ctx, 'project-id')}.`;
        case 'token':
            return (0,responses/* isBareNotFound */.Kz)(error)
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
function roleNeeded(kind) {
    if (kind === 'project')
        return 'the Maintainer role (or higher) in the project';
    if (kind === 'group')
        return 'the Owner role in the group';
    return undefined;
}
function describe400(error, text, head, ctx) {
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
    if (/already revoked/i.test(text))
        return `${head} The token was already revoked.`;
    const hints = [];
    if (/scope/i.test(text)) {
        hints.push(role
            ? `check ${input(ctx, 'scopes')} (a bot cannot have read_user, sudo or admin_mode, or a scope this GitLab does not know)`
            : `check ${input(ctx, 'scopes')} (a scope this GitLab does not know, or none)`);
    }
    if (/expir/i.test(text)) {
        hints.push(`check ${input(ctx, 'expires-at')} (in the future, and within the instance's maximum token lifetime, which GitLab names)`);
    }
    if (/name/i.test(text))
        hints.push(`check ${input(ctx, 'name')} (1 to 255 characters)`);
    if (/description/i.test(text))
        hints.push(`check ${input(ctx, 'description')}`);
    const fallback = `Check the ${wordsOf(ctx).inputs} GitLab names.`;
    return `${head} ${hints.length > 0 ? `${hints.join('; ')}.` : fallback}`;
}
/** lib/api/personal_access_tokens/self_rotation.rb: what a self-rotation's refusal means. */
function describeSelfRotate(error, head, ctx) {
    if (error.status === 405) {
        return `${head} Only a personal, project or group access token can rotate itself (not an OAuth or CI job token): give ${input(ctx, 'gitlab-token')} such a token.`;
    }
    if (bodyField(error.body, 'error') === 'insufficient_scope' || error.status === 403) {
        return `${head} The credential needs the api scope (or self_rotate, GitLab 17.9 or later) to rotate itself.`;
    }
    if (error.status === 401 && bodyField(error.body, 'error') === 'invalid_token')
        return undefined;
    if (error.status === 401 || error.status === 404) {
        const version = ctx.diagnostics?.version;
        const running = version ? ` (this instance runs ${version})` : '';
        return `${head} A token rotating itself needs GitLab 16.10 or later${running}; before it, this route answers like another token's rotation.`;
    }
    return undefined;
}
function describeApiError(error, ctx) {
    // Scrub before shortening, so that a cut cannot leave part of a secret behind.
    const text = (0,util_text/* oneLine */.T)(scrubSecrets(gitlabErrorText(error.body), ctx.secrets), 300);
    const said = `${error.status} ${STATUS_TEXT[error.status] ?? ''}`.trim();
    const detail = bodyField(error.body, 'error_description');
    const words = detail ? (0,util_text/* oneLine */.T)(scrubSecrets(detail, ctx.secrets), 300) : text;
    const quoted = words ? `: GitLab said ${(0,util_text/* quote */.h)(words, 300)}` : '';
    const head = `GitLab answered ${said} to ${error.method} ${error.path}${quoted}.`;
    if (error.path === '/personal_access_tokens/self/rotate' && error.status !== 429) {
        const self = describeSelfRotate(error, head, ctx);
        if (self)
            return self;
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
function suggestedBaseUrl(location, requestUrl) {
    try {
        const target = new URL(location, requestUrl);
        const root = target.pathname.replace(/\/api\/v4(\/.*)?$/i, '');
        return `${target.origin}${root}`.replace(/\/+$/, '');
    }
    catch {
        return undefined;
    }
}
function describeRedirect(error, ctx) {
    const requestUrl = `${ctx.instanceUrl}/api/v4${error.path}`;
    const target = error.location
        ? (0,util_text/* oneLine */.T)(scrubSecrets(error.location, ctx.secrets), 300)
        : '(no Location)';
    const suggestion = error.location ? suggestedBaseUrl(error.location, requestUrl) : undefined;
    const fix = suggestion
        ? `set ${input(ctx, 'base-url')} to ${suggestion}`
        : `set ${input(ctx, 'base-url')} to the address GitLab is served from`;
    return `GitLab answered ${error.status} redirecting ${error.method} ${error.path} to ${target}. API requests never follow redirects, so the credential cannot be sent elsewhere: ${fix}.`;
}
function describeNetworkError(error, ctx) {
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
        const fix = reason.status === 407
            ? 'check the user and password in HTTPS_PROXY (HTTP_PROXY for plain http)'
            : 'check HTTPS_PROXY and NO_PROXY (HTTP_PROXY for plain http), and that the proxy can reach GitLab';
        return `The proxy ${reason.proxy} refused to open a tunnel to ${reason.target} for ${error.method} ${error.path} (${reason.statusText}), so nothing was sent: ${fix}.`;
    }
    if (reason?.kind === 'reply-too-large') {
        const limit = reason.limitBytes % 1048576 === 0
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
    const detail = (0,util_text/* oneLine */.T)(scrubSecrets(error.detail, ctx.secrets), 200);
    return `The connection failed during ${where} (${error.code}: ${detail}).`;
}
function describe(error, ctx) {
    if (error instanceof errors/* InputError */.dz)
        return error.problems.join('\n');
    const store = describeStoreError(error, {
        describeCause: (cause) => describe(cause, ctx),
        errorText: gitlabErrorText,
        secrets: [...ctx.secrets],
        words: wordsOf(ctx),
    });
    if (store !== undefined)
        return store;
    if (error instanceof errors/* GitLabApiError */.AT)
        return describeApiError(error, ctx);
    if (error instanceof errors/* GitLabRedirectError */.qu)
        return describeRedirect(error, ctx);
    if (error instanceof errors/* GitLabNetworkError */.Us)
        return describeNetworkError(error, ctx);
    if (error instanceof errors/* UserNotFoundError */.tY) {
        return `GitLab has no user with the username ${(0,util_text/* quote */.h)(error.username)}: check ${input(ctx, 'user-id')}.`;
    }
    if (error instanceof errors/* TokenExistsError */.Se) {
        return `The ${error.owner} already has an active token named ${(0,util_text/* quote */.h)(error.tokenName)} (ID ${error.tokenId}) and ${input(ctx, 'if-exists')} is fail: revoke it, choose another name, or set ${wordsOf(ctx).setting('if-exists', 'rotate')}.`;
    }
    if (error instanceof errors/* TokenReconcileError */.mY) {
        const cause = error.cause === undefined ? '' : ` (${describe(error.cause, ctx)})`;
        return `Creating the token failed: ${error.message}${cause}`;
    }
    if (error instanceof errors/* VersionGateError */.SP) {
        const what = error.feature === 'serviceAccountList'
            ? `Listing a group service account's tokens (${input(ctx, 'if-exists')}, or checking after a lost reply) with a group Owner's credential`
            : `This (${error.feature})`;
        return `${what} ${(0,version/* needsVersion */.KD)(error.feature, error.version)}: upgrade GitLab, or use an administrator's credential.`;
    }
    if (error instanceof errors/* RevokeNotConfirmedError */.Fc) {
        const cause = error.cause === undefined ? '' : ` (${describe(error.cause, ctx)})`;
        return `Token ID ${error.tokenId} may still be active: ${error.reason}${cause}. Revoke it by hand.`;
    }
    if (error instanceof errors/* DuplicateUserError */.l6) {
        return `user ${error.userId} is already asked for as ${error.first}: each user gets one token per ${wordsOf(ctx).run}.`;
    }
    if (error instanceof errors/* NotStartedError */.x$) {
        return error.reason === 'cancelled'
            ? `not started: the ${wordsOf(ctx).run} was cancelled.`
            : `not started: GitLab kept rate-limiting past ${input(ctx, 'max-wait-seconds')}.`;
    }
    if (error instanceof token/* UnusableReplyError */.kJ) {
        return `GitLab's answer ${error.status} to ${error.method} ${error.path} carried no usable token (${error.problem}): check that ${input(ctx, 'base-url')} is the GitLab instance and nothing in between rewrites replies.`;
    }
    if (error instanceof list/* TokenListTooLongError */.k) {
        return error.named
            ? `Too many tokens with this name to read them all (${error.message}): choose a more distinctive name.`
            : `Too many active tokens to read them all (${error.message}): revoke those no longer needed.`;
    }
    return error instanceof Error ? error.message : String(error);
}
/** The message for a failure: never contains a known secret or anything shaped like a token. */
function describeError(error, context) {
    // The secrets are read more than once: an iterator would be used up after the first time.
    const ctx = { ...context, secrets: [...context.secrets] };
    const message = describe(error, ctx);
    const prefixed = ctx.subject && !(error instanceof errors/* InputError */.dz) ? `${ctx.subject}: ${message}` : message;
    return scrubSecrets(prefixed, ctx.secrets);
}
/**
 * After a failure, asks GitLab what helps to explain it: who the credential belongs to (a 401 or
 * 403 that is not about the token itself), which GitLab answers (a missing route). Never throws.
 */
async function gatherDiagnostics(client, error) {
    const cause = error instanceof errors/* TokenReconcileError */.mY || error instanceof errors/* RevokeNotConfirmedError */.Fc
        ? error.cause
        : error;
    if (!(cause instanceof errors/* GitLabApiError */.AT))
        return {};
    try {
        if (cause.path === '/personal_access_tokens/self/rotate' && [401, 404].includes(cause.status)) {
            return { version: await (0,version/* gitlabVersion */.un)(client) };
        }
        const plain401 = cause.status === 401 && bodyField(cause.body, 'error') !== 'invalid_token';
        const plain403 = cause.status === 403 && bodyField(cause.body, 'error') !== 'insufficient_scope';
        if (plain401 || plain403)
            return { currentUser: await currentUser(client) };
        if ((0,responses/* notFoundKind */.Oq)(cause) === 'route')
            return { version: await (0,version/* gitlabVersion */.un)(client) };
    }
    catch {
        // The diagnosis failed too: the plain message stands.
    }
    return {};
}


/***/ })

};
