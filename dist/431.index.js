export const id = 431;
export const ids = [431,315];
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

/***/ 431:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   groupToken: () => (/* binding */ groupToken),
/* harmony export */   projectToken: () => (/* binding */ projectToken)
/* harmony export */ });
/* harmony import */ var _list_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(9315);
/* harmony import */ var _responses_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(4447);
/**
 * Project and group access tokens: one code path in GitLab (lib/api/resource_access_tokens.rb),
 * so one module here, made for each. Creating one creates the token's own bot user, a member
 * of the project or group at the token's access level; its ID is known once the token is made.
 * Create, list, rotate (16.0+; expires_at from 16.6) and revoke under
 * /projects/:id/access_tokens and /groups/:id/access_tokens.
 */


/** Loaded on first use by kinds/index.ts, which has the labels. */
function makeResourceKind(source) {
    const id = (target) => (source === 'project' ? target.projectId : target.groupId) ?? '';
    const tokensPath = (target) => `/${source}s/${encodeURIComponent(id(target))}/access_tokens`;
    return {
        create: (client, target, params) => (0,_responses_js__WEBPACK_IMPORTED_MODULE_1__/* .requestNewToken */ .XN)(client, 'POST', tokensPath(target), (0,_responses_js__WEBPACK_IMPORTED_MODULE_1__/* .tokenBody */ .ef)(params)),
        // Filters GitLab does not know yet (state before 17.2, search, created_after) are ignored
        // there; the name and state are matched here as well.
        list: (client, target, filter) => (0,_list_js__WEBPACK_IMPORTED_MODULE_0__.readTokenList)(client, tokensPath(target), (0,_list_js__WEBPACK_IMPORTED_MODULE_0__.listQuery)(filter), filter, undefined),
        rotate: (client, target, tokenId, expiresAt) => (0,_responses_js__WEBPACK_IMPORTED_MODULE_1__/* .requestNewToken */ .XN)(client, 'POST', `${tokensPath(target)}/${tokenId}/rotate`, (0,_responses_js__WEBPACK_IMPORTED_MODULE_1__/* .expiryBody */ .Sh)(expiresAt)),
        revoke: (client, target, tokenId) => (0,_responses_js__WEBPACK_IMPORTED_MODULE_1__/* .deleteToken */ .ni)(client, `${tokensPath(target)}/${tokenId}`, 'target'),
    };
}
const projectToken = makeResourceKind('project');
const groupToken = makeResourceKind('group');


/***/ })

};
