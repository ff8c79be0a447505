export const id = 592;
export const ids = [592];
export const modules = {

/***/ 8592:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   parseGitHubApiUrl: () => (/* binding */ parseGitHubApiUrl),
/* harmony export */   parseStoreIn: () => (/* binding */ parseStoreIn),
/* harmony export */   parseStoreInputs: () => (/* binding */ parseStoreInputs)
/* harmony export */ });
/* harmony import */ var _inputs_base_url_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(5872);
/* harmony import */ var _inputs_token_request_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8451);
/* harmony import */ var _util_text_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(9997);
/**
 * `store-in`: where a new token's secret is written, one target per line. Parsed before any
 * request; every problem names the line and what is expected.
 */



// Ci::HasVariable: `key` is letters, digits and underscores, at most 255 characters.
const VARIABLE_KEY = /^[A-Za-z0-9_]{1,255}$/;
// Gitlab::Regex.environment_scope_regex: environment-name characters and `*`.
const ENVIRONMENT_SCOPE = /^[A-Za-z0-9_/${}. *-]{1,255}$/;
// GitHub: owner names are letters, digits and hyphens; repository names add `.` and `_`.
const REPOSITORY = /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/;
// GitHub's secret names: letters, digits and underscores, not starting with a digit or GITHUB_.
const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// eslint-disable-next-line no-control-regex
const ENVIRONMENT_NAME = /^[^:\u0000-\u001f\u007f]{1,255}$/;
const FORMS = 'expected gitlab-variable:<project or group>:<KEY>[:<environment scope>], github-secret:<owner/repo>:<NAME> or github-secret:<owner/repo>:<environment>:<NAME>';
function parseGitLabVariable(line, rest) {
    const [owner = '', key = '', ...scopeParts] = rest.split(':');
    const environmentScope = scopeParts.length > 0 ? scopeParts.join(':') : undefined;
    const cleanOwner = owner.trim().replace(/^\/+|\/+$/g, '');
    if (!(/^\d+$/.test(cleanOwner) && Number(cleanOwner) >= 1) && !_inputs_token_request_js__WEBPACK_IMPORTED_MODULE_1__/* .GROUP_PATH */ .w4.test(cleanOwner)) {
        return `${(0,_util_text_js__WEBPACK_IMPORTED_MODULE_2__/* .quote */ .h)(line)}: ${(0,_util_text_js__WEBPACK_IMPORTED_MODULE_2__/* .quote */ .h)(owner)} is neither a numeric project ID nor a full path such as my-group/my-project`;
    }
    if (!VARIABLE_KEY.test(key)) {
        return `${(0,_util_text_js__WEBPACK_IMPORTED_MODULE_2__/* .quote */ .h)(line)}: the variable key ${(0,_util_text_js__WEBPACK_IMPORTED_MODULE_2__/* .quote */ .h)(key)} must be letters, digits and _ (at most 255)`;
    }
    if (environmentScope !== undefined && !ENVIRONMENT_SCOPE.test(environmentScope)) {
        return `${(0,_util_text_js__WEBPACK_IMPORTED_MODULE_2__/* .quote */ .h)(line)}: the environment scope ${(0,_util_text_js__WEBPACK_IMPORTED_MODULE_2__/* .quote */ .h)(environmentScope)} is not one GitLab accepts (letters, digits, _ / $ { } . - space and *)`;
    }
    return { type: 'gitlab-variable', owner: cleanOwner, key, environmentScope, label: line };
}
function parseGitHubSecret(line, rest) {
    const parts = rest.split(':');
    if (parts.length < 2 || parts.length > 3)
        return `${(0,_util_text_js__WEBPACK_IMPORTED_MODULE_2__/* .quote */ .h)(line)}: ${FORMS}`;
    const repository = parts[0];
    const name = parts[parts.length - 1];
    const environment = parts.length === 3 ? parts[1] : undefined;
    if (!REPOSITORY.test(repository)) {
        return `${(0,_util_text_js__WEBPACK_IMPORTED_MODULE_2__/* .quote */ .h)(line)}: ${(0,_util_text_js__WEBPACK_IMPORTED_MODULE_2__/* .quote */ .h)(repository)} is not a repository such as my-org/my-repo`;
    }
    if (environment !== undefined && !ENVIRONMENT_NAME.test(environment)) {
        return `${(0,_util_text_js__WEBPACK_IMPORTED_MODULE_2__/* .quote */ .h)(line)}: ${(0,_util_text_js__WEBPACK_IMPORTED_MODULE_2__/* .quote */ .h)(environment)} is not an environment name`;
    }
    if (!SECRET_NAME.test(name) || /^GITHUB_/i.test(name)) {
        return `${(0,_util_text_js__WEBPACK_IMPORTED_MODULE_2__/* .quote */ .h)(line)}: the secret name ${(0,_util_text_js__WEBPACK_IMPORTED_MODULE_2__/* .quote */ .h)(name)} must be letters, digits and _, not start with a digit or GITHUB_`;
    }
    return { type: 'github-secret', repository, environment, name, label: line };
}
/** Where two targets are the same place (GitHub's secret names ignore case). */
function placeOf(target) {
    return target.type === 'gitlab-variable'
        ? `gl:${target.owner.toLowerCase()}:${target.key}:${target.environmentScope ?? ''}`
        : `gh:${target.repository.toLowerCase()}:${target.environment ?? ''}:${target.name.toUpperCase()}`;
}
/** The targets of `store-in`, and a problem sentence for each bad line. */
function parseStoreIn(raw) {
    const targets = [];
    const problems = [];
    const seen = new Set();
    const lines = raw
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean);
    if (lines.length > 20)
        return { targets, problems: [`at most 20 targets, got ${lines.length}`] };
    for (const line of lines) {
        const colon = line.indexOf(':');
        const type = colon < 0 ? '' : line.slice(0, colon);
        const rest = line.slice(colon + 1);
        const parsed = type === 'gitlab-variable'
            ? parseGitLabVariable(line, rest)
            : type === 'github-secret'
                ? parseGitHubSecret(line, rest)
                : `${(0,_util_text_js__WEBPACK_IMPORTED_MODULE_2__/* .quote */ .h)(line)}: ${FORMS}`;
        if (typeof parsed === 'string') {
            problems.push(parsed);
        }
        else if (seen.has(placeOf(parsed))) {
            problems.push(`${(0,_util_text_js__WEBPACK_IMPORTED_MODULE_2__/* .quote */ .h)(line)} is listed twice`);
        }
        else {
            seen.add(placeOf(parsed));
            targets.push(parsed);
        }
    }
    return { targets, problems };
}
/**
 * GitHub's API address from GITHUB_API_URL (GitHub Enterprise Server sets it), default
 * api.github.com: https, or plain http to this machine only (as for base-url).
 */
function parseGitHubApiUrl(raw) {
    const value = (raw ?? '').trim() || 'https://api.github.com';
    let url;
    try {
        url = new URL(value);
    }
    catch {
        return { problem: `GITHUB_API_URL is not a URL: ${(0,_util_text_js__WEBPACK_IMPORTED_MODULE_2__/* .quote */ .h)(value)}` };
    }
    if (url.username || url.password || url.search || url.hash) {
        return { problem: 'GITHUB_API_URL must be a plain address without credentials or query' };
    }
    const local = (0,_inputs_base_url_js__WEBPACK_IMPORTED_MODULE_0__/* .isLoopbackHost */ .c)(url.hostname);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
        return {
            problem: `GITHUB_API_URL must use https (plain http only to this machine), got ${(0,_util_text_js__WEBPACK_IMPORTED_MODULE_2__/* .quote */ .h)(value)}`,
        };
    }
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
/**
 * store-in and github-token (with GITHUB_API_URL), and what goes with them: one token per run,
 * and never one revoked when the job ends. Problems go to `problems`, as every input's.
 */
function parseStoreInputs(read, env, problems, made) {
    const { targets, problems: bad } = parseStoreIn(read('store-in'));
    checkStoreCombination(targets, made.targets, made.revoke, problems);
    for (const problem of bad)
        problems.add('store-in', problem);
    const token = read('github-token').trim();
    if (token)
        (0,_inputs_token_request_js__WEBPACK_IMPORTED_MODULE_1__/* .checkSecretShape */ .iG)(token, 'github-token', problems);
    if (!targets.some((target) => target.type === 'github-secret')) {
        return { stores: targets, github: undefined };
    }
    if (!token) {
        problems.add('github-token', `required for github-secret targets in ${problems.ref('store-in')}: a GitHub token that may write the repository\u2019s secrets (the token GitHub Actions gives each workflow run cannot)`);
    }
    const apiUrl = parseGitHubApiUrl(env.GITHUB_API_URL);
    if (typeof apiUrl !== 'string')
        problems.add('store-in', apiUrl.problem);
    return {
        stores: targets,
        github: typeof apiUrl === 'string' && token ? { apiUrl, token } : undefined,
    };
}
/** store-in writes one secret per step, which outlives the job. */
function checkStoreCombination(stores, targets, revoke, problems) {
    if (stores.length === 0)
        return;
    if (targets > 1) {
        problems.add('store-in', `writes one token's secret, and this ${problems.words.run} makes ${targets}: use one ${problems.words.run} per token`);
    }
    if (revoke) {
        problems.add('store-in', `goes without ${problems.set('revoke', 'true')} (the stored token would be revoked when the job ends)`);
    }
}


/***/ })

};
