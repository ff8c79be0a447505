export const id = 971;
export const ids = [971];
export const modules = {

/***/ 9971:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   TokenMakerPaths: () => (/* binding */ TokenMakerPaths)
/* harmony export */ });
/* harmony import */ var _make_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8250);
/* harmony import */ var _gitlab_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(9452);
/* harmony import */ var _identity_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(2510);
/* harmony import */ var _gitlab_version_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(727);
/**
 * The paths of TokenMaker that a plain create never takes: `if-exists` (rotate, replace, fail),
 * and reconciliation after a reply that may hide a token. create-token.ts loads this module the
 * first time one is taken, so that a run that only creates never evaluates it.
 */




/** GitLab keeps a late commit this long after a gateway gave up; look again after it. */
const DEFAULT_SETTLE_MS = 2000;
/** The server's clock may be off: look this far before the request for its token. */
const KNOWN_CLOCK_MARGIN_MS = 5 * 60_000;
const UNKNOWN_CLOCK_MARGIN_MS = 24 * 3600_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
function sameScopes(a, b) {
    const have = new Set(a);
    return have.size === new Set(b).size && b.every((scope) => have.has(scope));
}
function newest(tokens) {
    return [...tokens].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at) || b.id - a.id)[0];
}
class TokenMakerPaths {
    maker;
    constructor(maker) {
        this.maker = maker;
    }
    // The maker's state, under the names these methods had as the maker's own.
    get client() {
        return this.maker.client;
    }
    get kind() {
        return this.maker.kind;
    }
    get target() {
        return this.maker.target;
    }
    get request() {
        return this.maker.request;
    }
    get hooks() {
        return this.maker.hooks;
    }
    get markers() {
        return this.maker.markers;
    }
    get kept() {
        return this.maker.kept;
    }
    /** if-exists rotate or fail: an existing token of the name is rotated, replaced or refused. */
    async whenExists() {
        const { ifExists, params } = this.request;
        const existing = await this.kind.list(this.client, this.target, {
            name: params.name,
            excludeImpersonation: true,
        });
        if (existing.length > 0) {
            const current = newest(existing);
            if (ifExists === 'fail') {
                throw new _gitlab_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .TokenExistsError */ .Se(current.id, params.name, this.kind.label(this.target));
            }
            // No scopes asked (self-rotate): the rotation keeps the token's own.
            if (params.scopes.length > 0 && !sameScopes(current.scopes, params.scopes)) {
                return this.replace(current, 'has other scopes than requested');
            }
            if (!this.due(current))
                return { existing: current, target: this.target };
            // With store-in, consumers must never hold a dead token: make the new one, store it,
            // then revoke the old one (a rotation revokes the old one at once).
            if (this.hooks.stores && this.kind.canCreate !== false) {
                return this.replace(current, 'was due for renewal');
            }
            return this.rotate(current);
        }
        return this.maker.createAndStore();
    }
    /**
     * Whether `current` is due for rotation: always without rotate-before; with it, when it
     * expires by then, or never (a token without expiry is always renewed into one with).
     */
    due(current) {
        const { rotateBy } = this.request;
        if (rotateBy === undefined || current.expires_at === null || current.expires_at <= rotateBy) {
            return true;
        }
        this.hooks.log.info(`Token ID ${current.id} expires ${current.expires_at}, after ${rotateBy} (${this.maker.words.input('rotate-before')}): not rotated, and no new secret is output.`);
        return false;
    }
    get proof() {
        return { markers: this.markers, uniqueName: this.request.uniqueName, kept: this.kept };
    }
    /**
     * Rotates `current`. A rotation whose reply was lost is never sent again (GitLab may have done
     * it, and the old token is then revoked): the token is replaced by a new one instead.
     */
    async rotate(current) {
        const { params } = this.request;
        this.hooks.journal?.rotating(this.target, params.name, current.id);
        const sentAt = Date.now();
        let rotated;
        try {
            rotated = await this.kind.rotate(this.client, this.target, current.id, params.expiresAt);
        }
        catch (error) {
            if (!(0,_make_js__WEBPACK_IMPORTED_MODULE_0__/* .mayHaveActed */ .L)(error))
                throw error;
            if (this.kind.canCreate === false)
                throw await this.lostSelfRotation(current, error);
            this.hooks.log.warning(`The reply to the rotation of token ID ${current.id} was lost; a rotation is never sent twice, so a new token replaces it.`);
            await this.settle();
            await this.reportStrangers(sentAt, current.id);
            return this.replace(current, 'could not be rotated');
        }
        this.maker.keep(rotated, undefined, current.id);
        this.checkRotated(current, rotated);
        const storeError = await this.maker.store(rotated, current);
        return { token: rotated, target: this.target, rotatedFrom: current.id, storeError };
    }
    /**
     * The credential's own rotation lost its reply. It is never sent again; whether GitLab did it
     * shows in whether the credential still works (a revoked token on a route other than a rotate
     * one is a plain 401: it does not set off reuse detection).
     */
    async lostSelfRotation(current, cause) {
        await this.settle();
        try {
            const still = await this.kind.list(this.client, this.target, { name: current.name });
            if (still.some((token) => token.id === current.id)) {
                return new _gitlab_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .TokenReconcileError */ .mY(`the reply to the credential's rotation was lost, and the credential (token ID ${current.id}) still works: GitLab did not rotate it; run the ${this.maker.words.run} again`, cause);
            }
        }
        catch {
            // It no longer authenticates: the rotation happened, or the credential was revoked.
        }
        return new _gitlab_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .TokenReconcileError */ .mY(`the reply to the credential's rotation was lost, and the credential (token ID ${current.id}) no longer works: GitLab rotated (or revoked) it, and the new secret is lost. Create a new credential by hand, and revoke the one rotated from token ID ${current.id}`, cause);
    }
    /** A new token, then the old one revoked: for a token whose scopes differ, or a lost rotation. */
    async replace(current, why) {
        const made = await this.maker.create();
        const storeError = await this.maker.store(made, current);
        // Stored in part: consumers may hold either token, so both stay active.
        if (storeError)
            return { token: made, target: this.target, storeError };
        try {
            await this.kind.revoke(this.client, this.target, current.id, this.hooks);
        }
        catch (error) {
            const detail = error instanceof _gitlab_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .RevokeNotConfirmedError */ .Fc ? ` (${error.reason})` : '';
            this.hooks.log.warning(`Token ID ${current.id} ${why}, so token ID ${made.id} replaces it, but GitLab did not confirm revoking token ID ${current.id}${detail}: it may still be active, revoke it by hand.`);
            return { token: made, target: this.target, rotatedFrom: current.id, oldMayBeActive: true };
        }
        return { token: made, target: this.target, rotatedFrom: current.id };
    }
    checkRotated(current, rotated) {
        const { params } = this.request;
        if (params.expiresAt === undefined && rotated.expires_at === null) {
            this.maker.warnNoExpiry(rotated);
        }
        else if (params.expiresAt === undefined) {
            // app/services/personal_access_tokens/rotate_service.rb: one week where expiry is enforced.
            this.hooks.log.info(`GitLab rotates a token without ${this.maker.words.input('expires-at')} into one that lives one week: token ID ${rotated.id} expires ${rotated.expires_at}.`);
        }
        else if (rotated.expires_at !== params.expiresAt) {
            this.hooks.log.warning(`Token ID ${rotated.id} expires ${rotated.expires_at ?? 'never'}, not ${params.expiresAt} as requested: this GitLab ignores expires_at when rotating (instance tokens need ${_gitlab_version_js__WEBPACK_IMPORTED_MODULE_3__/* .FEATURE_SINCE */ .kX.rotateExpiresAt}, group service-account tokens ${_gitlab_version_js__WEBPACK_IMPORTED_MODULE_3__/* .FEATURE_SINCE */ .kX.serviceAccountRotateExpiresAt}).`);
        }
        const kept = (0,_identity_js__WEBPACK_IMPORTED_MODULE_2__/* .userDescription */ .yg)(current.description);
        if (params.description !== undefined &&
            current.description !== undefined &&
            kept !== params.description) {
            this.hooks.log.warning(`Token ID ${rotated.id} keeps the description of the token it was rotated from (GitLab's rotation keeps name, scopes and description): ${JSON.stringify(kept)}.`);
        }
    }
    settle() {
        return sleep(this.hooks.settleMs ?? DEFAULT_SETTLE_MS);
    }
    /** Since when to look, on GitLab's clock: tokens it made for a request sent at `sentAt`. */
    createdAfter(sentAt) {
        const server = this.client.serverTime(sentAt);
        const since = server === undefined ? sentAt - UNKNOWN_CLOCK_MARGIN_MS : server - KNOWN_CLOCK_MARGIN_MS;
        return new Date(since).toISOString();
    }
    async candidates(sentAt) {
        const { name } = this.request.params;
        try {
            return await this.kind.list(this.client, this.target, {
                name,
                createdAfter: this.createdAfter(sentAt),
            });
        }
        catch (error) {
            throw new _gitlab_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .TokenReconcileError */ .mY(`GitLab may have made a token named ${JSON.stringify(name)} for ${this.kind.label(this.target)} without saying so, and its tokens could not be listed to check: look for it and revoke it by hand`, error);
        }
    }
    /**
     * After a reply that may hide a token: wait for a late commit, then revoke every active token
     * proven to be this run's (its marker, or the step's own name) and name the others.
     */
    async reconcile(sentAt, cause, settle = true) {
        if (settle)
            await this.settle();
        const failed = [];
        const found = await this.candidates(sentAt);
        for (const token of found) {
            if (this.kept.has(token.id))
                continue;
            if (!(0,_identity_js__WEBPACK_IMPORTED_MODULE_2__/* .provenOurs */ .u7)(token, this.proof)) {
                if (this.madeSince(token, sentAt))
                    this.warnStranger(token);
                continue;
            }
            try {
                await this.kind.revoke(this.client, this.target, token.id, this.hooks);
                this.hooks.log.info(`Revoked token ID ${token.id}, made by a request whose reply was lost.`);
            }
            catch (error) {
                // A revoke by rotation that stopped halfway leaves its successor active: name that one.
                failed.push(error instanceof _gitlab_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .RevokeNotConfirmedError */ .Fc ? error.tokenId : token.id);
            }
        }
        if (failed.length > 0) {
            throw new _gitlab_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .TokenReconcileError */ .mY(`token ID ${failed.join(', ')}, made by a request whose reply was lost, could not be revoked: revoke it by hand`, cause, failed);
        }
    }
    /** After a retry that worked: a lost request's token may have been committed late. */
    async lookAgain(sentAt) {
        try {
            // No wait: the retry itself took a round trip after the lost request's settling time.
            await this.reconcile(sentAt, undefined, false);
        }
        catch (error) {
            const detail = error instanceof _gitlab_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .TokenReconcileError */ .mY ? `: ${error.message}` : '';
            this.hooks.log.warning(`Could not check again for a late token of a lost request for ${this.kind.label(this.target)}${detail}.`);
        }
    }
    async reportStrangers(sentAt, except) {
        try {
            for (const token of await this.candidates(sentAt)) {
                if (token.id !== except && !this.kept.has(token.id) && this.madeSince(token, sentAt)) {
                    this.warnStranger(token);
                }
            }
        }
        catch {
            this.hooks.log.warning(`Could not list the tokens of ${this.kind.label(this.target)} to look for a token the lost rotation may have made: check by hand.`);
        }
    }
    /**
     * Could GitLab have made `token` for a request sent at `sentAt`? On GitLab's clock (known by
     * now from the list's Date header), with a minute's allowance.
     */
    madeSince(token, sentAt) {
        const server = this.client.serverTime(sentAt);
        return server === undefined || Date.parse(token.created_at) >= server - 60_000;
    }
    warnStranger(token) {
        this.hooks.log.warning(`Token ID ${token.id} named ${JSON.stringify(token.name)} of ${this.kind.label(this.target)} was made around the time of a lost request, but nothing proves this run made it, so it was left active: if it is not in use elsewhere, revoke it by hand.`);
    }
}


/***/ })

};
