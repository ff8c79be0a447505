export const id = 966;
export const ids = [966,315];
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

/***/ 9966:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   serviceAccount: () => (/* binding */ serviceAccount)
/* harmony export */ });
/* harmony import */ var _gitlab_errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(9452);
/* harmony import */ var _list_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(9315);
/* harmony import */ var _gitlab_version_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(727);
/* harmony import */ var _responses_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(4447);
/**
 * Tokens of a group's service accounts, through the group's own endpoints, so that a top-level
 * group Owner (GitLab.com has no administrators for customers) can manage them
 * (ee/lib/api/group_service_accounts.rb): create and rotate since 16.1, revoke since 17.10, list
 * since 17.11. On older versions the missing routes answer Grape's catch-all 404, and the
 * instance-wide routes are tried instead: they work for administrators.
 */




function tokensPath(target) {
    const group = encodeURIComponent(target.groupId ?? '');
    return `/groups/${group}/service_accounts/${(0,_responses_js__WEBPACK_IMPORTED_MODULE_3__/* .userOf */ .Z5)(target)}/personal_access_tokens`;
}
/** The instance-wide routes refuse non-administrators with these. */
function refusedAsNonAdmin(error) {
    return error instanceof _gitlab_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .GitLabApiError */ .AT && [400, 401, 403].includes(error.status);
}
/** Tomorrow, UTC: the shortest life GitLab accepts for the token a fallback revoke rotates into. */
function tomorrow() {
    return new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
}
/**
 * Without the group revoke route (before 17.10) and without administrator rights, a token can
 * still be ended: rotating it through the group route (16.1+) revokes it, and the token it is
 * rotated into revokes itself with DELETE /personal_access_tokens/self (any scope, 15.4+).
 */
async function revokeByRotation(client, target, id, context) {
    let successor;
    try {
        successor = await (0,_responses_js__WEBPACK_IMPORTED_MODULE_3__/* .requestNewToken */ .XN)(client, 'POST', `${tokensPath(target)}/${id}/rotate`, {
            expires_at: tomorrow(),
        });
    }
    catch (error) {
        if ((0,_responses_js__WEBPACK_IMPORTED_MODULE_3__/* .isAlreadyRevoked */ .XO)(error))
            return 'already-revoked';
        // The rotate route's "not found" is bare (not_found!): it may be the account or the token,
        // so it proves nothing, and the token may still be active.
        throw new _gitlab_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .RevokeNotConfirmedError */ .Fc(id, 'GitLab has no route to revoke it here and rotating it failed', error);
    }
    context.onSecret(successor.token);
    const self = client.withCredential(successor.token);
    try {
        await self.request('DELETE', '/personal_access_tokens/self');
    }
    catch (error) {
        throw new _gitlab_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .RevokeNotConfirmedError */ .Fc(successor.id, `token ID ${id} was ended by rotating it into token ID ${successor.id}, which could not revoke itself`, error);
    }
    finally {
        self.dispose();
    }
    context.log.info(`Token ID ${id} was revoked by rotating it into token ID ${successor.id}, which revoked itself (this GitLab has no revoke route for service-account tokens).`);
    return 'revoked';
}
/** Loaded on first use by kinds/index.ts, which has the label. */
const serviceAccount = {
    create: (client, target, params) => (0,_responses_js__WEBPACK_IMPORTED_MODULE_3__/* .requestNewToken */ .XN)(client, 'POST', tokensPath(target), (0,_responses_js__WEBPACK_IMPORTED_MODULE_3__/* .tokenBody */ .ef)(params)),
    async list(client, target, filter) {
        try {
            return await (0,_list_js__WEBPACK_IMPORTED_MODULE_1__.readTokenList)(client, tokensPath(target), (0,_list_js__WEBPACK_IMPORTED_MODULE_1__.listQuery)(filter), filter, target.userId);
        }
        catch (error) {
            if ((0,_responses_js__WEBPACK_IMPORTED_MODULE_3__/* .notFoundKind */ .Oq)(error) !== 'route')
                throw error;
        }
        // Before 17.11: the instance-wide list, which administrators may read for any user.
        const query = (0,_list_js__WEBPACK_IMPORTED_MODULE_1__.listQuery)(filter, { user_id: String((0,_responses_js__WEBPACK_IMPORTED_MODULE_3__/* .userOf */ .Z5)(target)) });
        try {
            return await (0,_list_js__WEBPACK_IMPORTED_MODULE_1__.readTokenList)(client, '/personal_access_tokens', query, filter, target.userId);
        }
        catch (error) {
            if (!refusedAsNonAdmin(error))
                throw error;
            throw new _gitlab_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .VersionGateError */ .SP('serviceAccountList', await (0,_gitlab_version_js__WEBPACK_IMPORTED_MODULE_2__/* .gitlabVersion */ .un)(client), error);
        }
    },
    rotate: (client, target, id, expiresAt) => (0,_responses_js__WEBPACK_IMPORTED_MODULE_3__/* .requestNewToken */ .XN)(client, 'POST', `${tokensPath(target)}/${id}/rotate`, (0,_responses_js__WEBPACK_IMPORTED_MODULE_3__/* .expiryBody */ .Sh)(expiresAt)),
    async revoke(client, target, id, context) {
        try {
            return await (0,_responses_js__WEBPACK_IMPORTED_MODULE_3__/* .deleteToken */ .ni)(client, `${tokensPath(target)}/${id}`, 'target');
        }
        catch (error) {
            if ((0,_responses_js__WEBPACK_IMPORTED_MODULE_3__/* .notFoundKind */ .Oq)(error) !== 'route')
                throw error;
        }
        // Before 17.10: the instance-wide revoke, which administrators may use for any token.
        try {
            return await (0,_responses_js__WEBPACK_IMPORTED_MODULE_3__/* .deleteToken */ .ni)(client, `/personal_access_tokens/${id}`, 'instance');
        }
        catch (error) {
            if (!refusedAsNonAdmin(error))
                throw error;
        }
        return revokeByRotation(client, target, id, context);
    },
};


/***/ })

};
