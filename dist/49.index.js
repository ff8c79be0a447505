export const id = 49;
export const ids = [49];
export const modules = {

/***/ 8151:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   NW: () => (/* binding */ StoreWriteError),
/* harmony export */   RZ: () => (/* binding */ StoreTargetError),
/* harmony export */   iG: () => (/* binding */ StoreCheckError)
/* harmony export */ });
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


/***/ }),

/***/ 7049:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  SecretStores: () => (/* binding */ SecretStores),
  StoreCheckError: () => (/* reexport */ stores_errors/* StoreCheckError */.iG),
  StoreTargetError: () => (/* reexport */ stores_errors/* StoreTargetError */.RZ),
  StoreWriteError: () => (/* reexport */ stores_errors/* StoreWriteError */.NW),
  storeWarnings: () => (/* binding */ storeWarnings)
});

// EXTERNAL MODULE: ./src/gitlab/errors.ts
var errors = __webpack_require__(9452);
// EXTERNAL MODULE: ./src/gitlab/client.ts + 1 modules
var client = __webpack_require__(2994);
// EXTERNAL MODULE: ./src/stores/errors.ts
var stores_errors = __webpack_require__(8151);
;// CONCATENATED MODULE: ./src/stores/load-seal.ts
let loader = async () => {
    // The action's bundles are dist/index.js and dist/post/index.js; the seal bundle is dist/seal.
    // Built from parts: a bundler would take `new URL('<literal>', import.meta.url)` for an asset.
    const url = new URL(['.', 'seal', 'index.js'].join('/'), import.meta.url).href;
    return (await import(/* webpackIgnore: true */ url));
};
/** Replaces the loader (the CLI's bundle carries the code inline). */
function setSealLoader(load) {
    loader = load;
}
function loadSeal() {
    return loader();
}

;// CONCATENATED MODULE: ./src/stores/github-secret.ts


class GitHubSecretStore {
    target;
    client;
    restorable = false;
    publicKey;
    constructor(target, client) {
        this.target = target;
        this.client = client;
    }
    /** `/repos/o/r/actions` or `/repos/o/r/environments/<env>` */
    get base() {
        const [owner, repo] = this.target.repository.split('/').map(encodeURIComponent);
        const { environment } = this.target;
        return environment === undefined
            ? `/repos/${owner}/${repo}/actions`
            : `/repos/${owner}/${repo}/environments/${encodeURIComponent(environment)}`;
    }
    async check() {
        let data;
        try {
            data = (await this.client.request('GET', `${this.base}/secrets/public-key`)).data;
        }
        catch (error) {
            throw new stores_errors/* StoreTargetError */.RZ(this.target, 'check', error);
        }
        const reply = (data ?? {});
        const keyId = reply.key_id;
        const key = reply.key;
        if ((typeof keyId !== 'string' && typeof keyId !== 'number') ||
            typeof key !== 'string' ||
            Buffer.from(key, 'base64').length !== 32) {
            throw new stores_errors/* StoreTargetError */.RZ(this.target, 'check', 'GitHub answered without a usable public key: check GITHUB_API_URL');
        }
        this.publicKey = { key_id: String(keyId), key };
    }
    refuse() {
        return undefined;
    }
    async write(secret) {
        const publicKey = this.publicKey;
        if (!publicKey)
            throw new stores_errors/* StoreTargetError */.RZ(this.target, 'write', 'not checked');
        try {
            // Loaded here: only steps that store in GitHub load the sealing code.
            const { sealedBox } = await loadSeal();
            const reply = await this.client.request('PUT', `${this.base}/secrets/${this.target.name}`, {
                encrypted_value: sealedBox(secret, publicKey.key),
                key_id: publicKey.key_id,
            });
            return reply.status === 201 ? 'created' : 'updated';
        }
        catch (error) {
            throw new stores_errors/* StoreTargetError */.RZ(this.target, 'write', error);
        }
    }
    restore() {
        return Promise.reject(new stores_errors/* StoreTargetError */.RZ(this.target, 'restore', 'GitHub never shows a secret, so it cannot be put back'));
    }
}

// EXTERNAL MODULE: ./src/kinds/responses.ts
var responses = __webpack_require__(4447);
;// CONCATENATED MODULE: ./src/stores/gitlab-variable.ts
/**
 * A GitLab CI/CD variable as a store-in target (lib/api/ci/variables.rb,
 * lib/api/group_variables.rb). The check reads the variable, which needs the same permission as
 * writing it (`admin_cicd_variables`: Maintainer of a project, Owner of a group), and keeps its
 * value so that a write can be undone. A write updates only the value (GitLab keeps every other
 * setting); a missing variable is created masked and protected.
 */


/**
 * Ci::Maskable: a masked value is at least 8 characters of the Base64 alphabet plus `@:.~-`
 * (newer GitLab accepts more; this is what every supported version accepts).
 */
const MASKABLE = /^[A-Za-z0-9_+=/@:.~-]{8,}$/;
class GitLabVariableStore {
    target;
    client;
    log;
    /** `/projects/<id>` or `/groups/<id>`, once the check found which */
    base;
    /** undefined before the check, null when the variable does not exist yet */
    existing;
    wrote;
    constructor(target, client, log) {
        this.target = target;
        this.client = client;
        this.log = log;
    }
    /** Writes from now on with another credential (a credential that rotated itself). */
    actAs(client) {
        this.client = client;
    }
    get restorable() {
        return this.existing === null || (this.existing !== undefined && this.existing.value !== null);
    }
    /** The query that picks one of several variables with this key. */
    get filter() {
        const scope = this.target.environmentScope;
        return scope === undefined
            ? ''
            : `?${encodeURIComponent('filter[environment_scope]')}=${encodeURIComponent(scope)}`;
    }
    get path() {
        return `${this.base}/variables/${this.target.key}${this.filter}`;
    }
    async check() {
        const { owner } = this.target;
        const id = encodeURIComponent(owner);
        // A numeric ID is a project; a path may be a project or a group (projects first).
        const bases = /^\d+$/.test(owner) ? [`/projects/${id}`] : [`/projects/${id}`, `/groups/${id}`];
        for (const [index, base] of bases.entries()) {
            try {
                const reply = await this.client.request('GET', `${base}/variables/${this.target.key}${this.filter}`);
                this.base = base;
                this.existing = this.read(reply.data);
                if (!this.existing.masked) {
                    this.log.warning(`${this.target.label}: the variable is not masked, so a job that prints it shows the token: mask it in the CI/CD settings.`);
                }
                return;
            }
            catch (error) {
                const missing = (0,responses/* notFoundKind */.Oq)(error);
                if (missing === 'variable') {
                    this.base = base;
                    this.existing = null;
                    return;
                }
                // Not a project by that path: perhaps a group.
                if (missing === 'project' && index < bases.length - 1)
                    continue;
                throw new stores_errors/* StoreTargetError */.RZ(this.target, 'check', error);
            }
        }
    }
    read(data) {
        const value = data.value;
        if (typeof value !== 'string' && value !== null) {
            throw new stores_errors/* StoreTargetError */.RZ(this.target, 'check', 'GitLab answered with no variable value');
        }
        // Group variables honour filter[environment_scope] from 16.9: an older GitLab answers with
        // (and would write) the first variable of that key, whatever its scope.
        const scope = this.target.environmentScope;
        if (scope !== undefined && data.environment_scope !== scope) {
            throw new stores_errors/* StoreTargetError */.RZ(this.target, 'check', `GitLab answered with the variable of environment scope ${JSON.stringify(data.environment_scope)}, not ${JSON.stringify(scope)}: this GitLab ignores filter[environment_scope] here (group variables need GitLab 16.9 or later)`);
        }
        return { value, masked: data.masked === true };
    }
    refuse(secret) {
        const masked = this.existing === null || this.existing?.masked === true;
        if (masked && !MASKABLE.test(secret)) {
            return 'GitLab cannot mask this value (a masked value is at least 8 characters of letters, digits and + / = @ : . ~ - _)';
        }
        return undefined;
    }
    async write(secret) {
        try {
            if (this.existing) {
                await this.client.request('PUT', this.path, { value: secret });
                this.wrote = 'updated';
            }
            else {
                const scope = this.target.environmentScope;
                await this.client.request('POST', `${this.base}/variables`, {
                    key: this.target.key,
                    value: secret,
                    masked: true,
                    protected: true,
                    ...(scope === undefined ? {} : { environment_scope: scope }),
                });
                this.wrote = 'created';
            }
            return this.wrote;
        }
        catch (error) {
            throw new stores_errors/* StoreTargetError */.RZ(this.target, 'write', error);
        }
    }
    async restore() {
        try {
            if (this.wrote === 'created') {
                await this.client.request('DELETE', this.path);
            }
            else if (this.wrote === 'updated' && this.existing?.value != null) {
                await this.client.request('PUT', this.path, { value: this.existing.value });
            }
            else if (this.wrote === 'updated') {
                throw new Error('its earlier value is hidden, so it cannot be put back');
            }
            this.wrote = undefined;
        }
        catch (error) {
            throw new stores_errors/* StoreTargetError */.RZ(this.target, 'restore', error);
        }
    }
}

// EXTERNAL MODULE: ./src/inputs/words.ts
var inputs_words = __webpack_require__(6096);
;// CONCATENATED MODULE: ./src/stores/index.ts
/**
 * The store-in targets of one step, together: every target is checked before anything changes,
 * and a new secret is written to all of them in an order that can be undone as far as possible
 * (targets whose earlier value is known first, GitHub secrets last).
 */







/**
 * Advice on inputs that work but do not renew: with if-exists create, every run makes another
 * token and stores it, and the ones before stay active until they expire.
 */
function storeWarnings(inputs, words = inputs_words/* ACTION_WORDS */.d) {
    if (inputs.stores.length === 0 || inputs.ifExists !== 'create')
        return [];
    if (inputs.targets.every((target) => target.kind === 'self'))
        return [];
    return [
        `${words.input('store-in')} with ${words.setting('if-exists', 'create')} makes a new token on every run, and the tokens of earlier runs stay active until they expire: to renew one token, set ${words.input('name')} and ${words.setting('if-exists', 'rotate')} (with ${words.input('rotate-before')}).`,
    ];
}
/** GitHub's REST API version this client is written against (docs.github.com/rest). */
const GITHUB_API_VERSION = '2022-11-28';
function githubClient(inputs, debug) {
    return new client/* GitLabClient */.zZ({
        apiUrl: inputs.github.apiUrl,
        credential: undefined,
        timeoutMs: inputs.timeoutMs,
        maxWaitMs: inputs.maxWaitMs,
        maxSockets: 2,
        debug,
        headers: {
            authorization: `Bearer ${inputs.github.token}`,
            accept: 'application/vnd.github+json',
            'x-github-api-version': GITHUB_API_VERSION,
        },
    });
}
/** A target's failure, as the stores throw it (anything else thrown is wrapped). */
function targetError(store, action, error) {
    return error instanceof stores_errors/* StoreTargetError */.RZ
        ? error
        : new stores_errors/* StoreTargetError */.RZ(store.target, action, error);
}
class SecretStores {
    stores;
    log;
    clients;
    constructor(stores, log, clients) {
        this.stores = stores;
        this.log = log;
        this.clients = clients;
    }
    /**
     * The stores of the inputs' store-in targets (none: undefined); a GitHub client is made only
     * when a target needs one.
     */
    static open(inputs, gitlab, log, debug) {
        if (inputs.stores.length === 0)
            return undefined;
        const { github } = inputs;
        let githubApi;
        const stores = inputs.stores.map((target) => {
            if (target.type === 'gitlab-variable')
                return new GitLabVariableStore(target, gitlab, log);
            if (!github)
                throw new Error('github-secret targets need github-token');
            githubApi ??= githubClient({ ...inputs, github }, debug);
            return new GitHubSecretStore(target, githubApi);
        });
        return new SecretStores(stores, log, githubApi ? [githubApi] : []);
    }
    /**
     * The GitLab credential has just rotated itself: the old secret no longer works, so the
     * CI/CD variables are written with the new one.
     */
    actAs(gitlab) {
        this.clients.push(gitlab);
        for (const store of this.stores) {
            if (store instanceof GitLabVariableStore)
                store.actAs(gitlab);
        }
    }
    /**
     * Writes a new token to every target. When a write fails and the token is new (or replaces
     * another), the targets are put back and the new token is revoked: this throws, and nothing
     * changed. What cannot be put back keeps the new token active, and the returned error says
     * where it is. A credential that rotated itself has no old token to go back to: every target
     * is tried, with the new credential (`selfRotated`).
     */
    async storeNewToken(token, how) {
        if (how.selfRotated)
            this.actAs(how.selfRotated);
        try {
            await this.write(token.token, token.id, !how.selfRotated);
            return undefined;
        }
        catch (error) {
            if (!(error instanceof stores_errors/* StoreWriteError */.NW))
                throw error;
            if (how.selfRotated) {
                error.selfRotated = true;
                error.newToken = { id: token.id, active: true };
                return error;
            }
            error.keptToken = how.replacing;
            if (error.written.length > 0) {
                error.newToken = { id: token.id, active: true };
                return error;
            }
            try {
                await how.revokeNew();
                error.newToken = { id: token.id, active: false };
            }
            catch (revokeError) {
                const why = revokeError instanceof errors/* RevokeNotConfirmedError */.Fc ? revokeError.reason : '';
                error.newToken = { id: token.id, active: true, revokeProblem: why };
                return error;
            }
            throw error;
        }
    }
    /** Checks every target; changes nothing. Throws StoreCheckError naming each that failed. */
    async check() {
        const failures = [];
        for (const store of this.stores) {
            try {
                await store.check();
            }
            catch (error) {
                failures.push(targetError(store, 'check', error));
            }
        }
        if (failures.length > 0)
            throw new stores_errors/* StoreCheckError */.iG(failures);
    }
    /**
     * Writes `secret` (token `tokenId`) to every target. With `undo`, the first failure stops the
     * writes and puts back the targets already written; without it (the old token is gone) every
     * target is tried. Throws StoreWriteError.
     */
    async write(secret, tokenId, undo) {
        for (const store of this.stores) {
            const refusal = store.refuse(secret);
            if (refusal !== undefined) {
                const failure = new stores_errors/* StoreTargetError */.RZ(store.target, 'write', refusal);
                throw new stores_errors/* StoreWriteError */.NW([failure], [], [], this.stores.map((s) => s.target));
            }
        }
        // Stable: restorable targets first, in the order given.
        const ordered = [
            ...this.stores.filter((store) => store.restorable),
            ...this.stores.filter((store) => !store.restorable),
        ];
        const written = [];
        const failures = [];
        for (const [index, store] of ordered.entries()) {
            try {
                const how = await store.write(secret);
                written.push(store);
                this.log.info(`Stored token ID ${tokenId} in ${store.target.label} (${how}).`);
            }
            catch (error) {
                failures.push(targetError(store, 'write', error));
                if (undo) {
                    const notTried = ordered.slice(index + 1).map((s) => s.target);
                    throw await this.undo(failures, written, notTried);
                }
            }
        }
        if (failures.length > 0) {
            throw new stores_errors/* StoreWriteError */.NW(failures, written.map((store) => store.target), [], []);
        }
    }
    async undo(failures, written, notTried) {
        const restored = [];
        const stillWritten = [];
        const restoreFailures = [];
        for (const store of [...written].reverse()) {
            if (!store.restorable) {
                stillWritten.push(store.target);
                continue;
            }
            try {
                await store.restore();
                restored.push(store.target);
                this.log.info(`Put ${store.target.label} back as it was.`);
            }
            catch (error) {
                stillWritten.push(store.target);
                restoreFailures.push(targetError(store, 'restore', error));
            }
        }
        return new stores_errors/* StoreWriteError */.NW(failures, stillWritten, restored, notTried, restoreFailures);
    }
    dispose() {
        for (const client of this.clients)
            client.dispose();
    }
}


/***/ })

};
