/**
 * The store-in targets of one step, together: every target is checked before anything changes,
 * and a new secret is written to all of them in an order that can be undone as far as possible
 * (targets whose earlier value is known first, GitHub secrets last).
 */
import { RevokeNotConfirmedError } from '../gitlab/errors.js';
import { GitLabClient } from '../gitlab/client.js';
import { StoreCheckError, StoreTargetError, StoreWriteError } from './errors.js';
import { targetError, writeAll } from './write.js';
import { GitHubSecretStore, githubRateLimit } from './github-secret.js';
import { GitLabVariableStore } from './gitlab-variable.js';
import type { ConnectionInputs } from '../inputs/connection.js';
import type { StoreInputs as StoreTargetInputs, StoreTarget } from './targets.js';
import type { SecretStore, StoreLog, StoreTiming } from './types.js';
import { ACTION_WORDS, type Words } from '../inputs/words.js';

export type { StoreTarget } from './targets.js';
export { StoreCheckError, StoreTargetError, StoreWriteError } from './errors.js';

/**
 * Advice on inputs that work but do not renew: with if-exists create, every run makes another
 * token and stores it, and the ones before stay active until they expire.
 */
export function storeWarnings(
  inputs: { stores: StoreTarget[]; ifExists: string; targets: { kind: string }[] },
  words: Words = ACTION_WORDS,
): string[] {
  if (inputs.stores.length === 0 || inputs.ifExists !== 'create') return [];
  if (inputs.targets.every((target) => target.kind === 'self')) return [];
  return [
    `${words.input('store-in')} with ${words.setting('if-exists', 'create')} makes a new token on every run, and the tokens of earlier runs stay active until they expire: to renew one token, set ${words.input('name')} and ${words.setting('if-exists', 'rotate')} (with ${words.input('rotate-before')}).`,
  ];
}

/** What the stores need of the inputs: the targets, and how to reach GitHub. */
export type StoreInputs = StoreTargetInputs &
  Pick<ConnectionInputs, 'timeoutMs' | 'maxWaitMs' | 'credential'>;

/** What tests (and only they) change: the waits. */
export interface StoreOptions {
  /** ms before reading back a CI/CD variable whose write lost its reply (default 2000) */
  settleMs?: number;
  /** how a wait is waited, GitHub's rate limits' too (default: a timer) */
  sleep?: (ms: number) => Promise<void>;
}

/** GitLab keeps a late commit this long after a gateway gave up (as tokens/reconcile.ts). */
const DEFAULT_SETTLE_MS = 2000;

/** GitHub's REST API version this client is written against (docs.github.com/rest). */
const GITHUB_API_VERSION = '2022-11-28';

/** A client for GitHub's API (a fleet shares one across its entries). */
export function githubClient(
  inputs: StoreInputs & { github: NonNullable<StoreInputs['github']> },
  debug: ((line: string) => void) | undefined,
  sleep: StoreOptions['sleep'],
): GitLabClient {
  return new GitLabClient({
    apiUrl: inputs.github.apiUrl,
    credential: undefined,
    timeoutMs: inputs.timeoutMs,
    maxWaitMs: inputs.maxWaitMs,
    maxSockets: 2,
    debug,
    // GitHub's primary and secondary rate limits are waited out within max-wait-seconds.
    rateLimit: githubRateLimit,
    ...(sleep ? { sleep: (ms: number) => sleep(ms) } : {}),
    headers: {
      authorization: `Bearer ${inputs.github.token}`,
      accept: 'application/vnd.github+json',
      'x-github-api-version': GITHUB_API_VERSION,
    },
  });
}

export class SecretStores {
  /** what a target that can say so records about the token it holds (describeWrites) */
  private note: ((tokenId: number) => string) | undefined;

  private constructor(
    private readonly stores: SecretStore[],
    private readonly log: StoreLog,
    private readonly clients: GitLabClient[],
    /** the GitLab credential of the run, which a self-rotation replaces */
    private readonly credential: string | undefined,
  ) {}

  /**
   * The stores of the inputs' store-in targets (none: undefined); a GitHub client is made only
   * when a target needs one.
   */
  static open(
    inputs: StoreInputs,
    gitlab: GitLabClient,
    log: StoreLog,
    debug?: (line: string) => void,
    options: StoreOptions = {},
    /** a GitHub client the caller owns and disposes of (a fleet's, shared by its entries) */
    sharedGitHub?: GitLabClient,
  ): SecretStores | undefined {
    if (inputs.stores.length === 0) return undefined;
    const { github } = inputs;
    const timing: StoreTiming = {
      settleMs: options.settleMs ?? DEFAULT_SETTLE_MS,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    };
    let githubApi: GitLabClient | undefined = sharedGitHub;
    const stores = inputs.stores.map((target): SecretStore => {
      if (target.type === 'gitlab-variable') {
        return new GitLabVariableStore(target, gitlab, log, timing);
      }
      if (!github) throw new Error('github-secret targets need github-token');
      // A cancel of the run (SIGTERM) cuts GitHub's requests as it cuts GitLab's.
      githubApi ??= githubClient({ ...inputs, github }, debug, options.sleep).followCancel(gitlab);
      return new GitHubSecretStore(target, githubApi);
    });
    const owned = githubApi && githubApi !== sharedGitHub ? [githubApi] : [];
    return new SecretStores(stores, log, owned, inputs.credential);
  }

  /**
   * From now on every write also says which token it is (`note(tokenId)`) where the target can
   * say so: a fleet's CI/CD variables name their token's ID in their description.
   */
  describeWrites(note: (tokenId: number) => string): void {
    this.note = note;
  }

  /**
   * The GitLab credential has just rotated itself: the old secret no longer works, so the
   * CI/CD variables are written with the new one.
   */
  actAs(gitlab: GitLabClient): void {
    this.clients.push(gitlab);
    for (const store of this.stores) {
      if (store instanceof GitLabVariableStore) store.actAs(gitlab);
    }
  }

  /**
   * Writes a new token to every target. When a write fails and the token is new (or replaces
   * another), the targets are put back and the new token is revoked: this throws, and nothing
   * changed. What cannot be put back keeps the new token active, and the returned error says
   * where it is. A credential that rotated itself has no old token to go back to: every target
   * is tried, with the new credential (`selfRotated`).
   */
  async storeNewToken(
    token: { id: number; token: string },
    how: {
      replacing?: number;
      /** whether the token being replaced is still active (asked before anything is put back) */
      replacedActive?: () => Promise<boolean>;
      selfRotated?: GitLabClient;
      revokeNew: () => Promise<void>;
    },
  ): Promise<StoreWriteError | undefined> {
    if (how.selfRotated) this.actAs(how.selfRotated);
    try {
      const undo = how.selfRotated ? undefined : { replacedActive: how.replacedActive };
      await writeAll(this.stores, this.log, token.token, token.id, undo, this.note?.(token.id));
      return undefined;
    } catch (error) {
      if (!(error instanceof StoreWriteError)) throw error;
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
      } catch (revokeError) {
        const why = revokeError instanceof RevokeNotConfirmedError ? revokeError.reason : '';
        error.newToken = { id: token.id, active: true, revokeProblem: why };
        return error;
      }
      throw error;
    }
  }

  /** Checks every target; changes nothing. Throws StoreCheckError naming each that failed. */
  async check(): Promise<void> {
    const failures: StoreTargetError[] = [];
    for (const store of this.stores) {
      try {
        await store.check();
      } catch (error) {
        failures.push(targetError(store, 'check', error));
      }
    }
    if (failures.length > 0) throw new StoreCheckError(failures);
    await this.refuseOneVariableTwice();
  }

  /**
   * Two targets that are one variable (a project named by numeric ID and by path, or a path
   * GitLab redirects) would be written twice, and the second create refused after a token is
   * made: refused here, before any token is made. Only targets of one key and scope are looked
   * up.
   */
  private async refuseOneVariableTwice(): Promise<void> {
    const variables = this.stores.filter(
      (store): store is GitLabVariableStore => store instanceof GitLabVariableStore,
    );
    const failures: StoreTargetError[] = [];
    const seen = new Map<string, GitLabVariableStore>();
    for (const store of variables) {
      const alike = variables.filter((other) => other.keyAndScope === store.keyAndScope);
      if (alike.length < 2) continue;
      let place: string;
      try {
        place = await store.place();
      } catch (error) {
        failures.push(targetError(store, 'check', error));
        continue;
      }
      const first = seen.get(place);
      if (first === undefined) {
        seen.set(place, store);
        continue;
      }
      failures.push(
        new StoreTargetError(
          store.target,
          'check',
          `it is the same variable as ${first.target.label} (${place.split(' ').slice(0, 2).join(' ')}): list it once`,
        ),
      );
    }
    if (failures.length > 0) throw new StoreCheckError(failures);
  }

  /**
   * Before a credential rotates itself, every target must be shown writable: the rotation
   * revokes the old secret at once, so a target that then refuses the new one leaves it only in
   * the step's masked output (or nowhere, from the CLI without --output). The check cannot show
   * it for a GitHub secret: its public key and metadata need only read access, and GitHub has no
   * way to ask whether a token may write. Refusing self-rotate with github-secret targets would
   * break a workflow that renews its own credential, so each GitHub secret is written here with
   * the current credential: the value it is meant to hold (the credential it stores is this one
   * until the rotation), so its consumers see no change, and if the rotation then fails it holds
   * a credential that works. CI/CD variables need no write: reading one (the check) takes the
   * same permission as writing it. Throws StoreCheckError; nothing is rotated.
   */
  async proveWritable(): Promise<void> {
    const credential = this.credential;
    if (credential === undefined) return;
    const failures: StoreTargetError[] = [];
    const proved: StoreTarget[] = [];
    for (const store of this.stores) {
      if (!(store instanceof GitHubSecretStore)) continue;
      try {
        await store.write(credential);
        proved.push(store.target);
      } catch (error) {
        failures.push(targetError(store, 'write', error));
      }
    }
    if (failures.length > 0) throw new StoreCheckError(failures, proved);
  }

  /**
   * No new token was made (the current one is not due): a target that does not exist yet holds
   * nothing its consumers can use until the next renewal, so it is named.
   */
  async warnMissing(tokenId: number, words: Words = ACTION_WORDS): Promise<void> {
    const missing: StoreTarget[] = [];
    for (const store of this.stores) {
      if ((await store.missing()) === true) missing.push(store.target);
    }
    if (missing.length === 0) return;
    const list = missing.map((target) => target.label).join(', ');
    const verb = missing.length === 1 ? 'does' : 'do';
    this.log.warning(
      `${words.input('store-in')}: ${list} ${verb} not exist yet, and token ID ${tokenId} is not due, so nothing was stored: consumers find no token there until the next renewal. Store the current token there by hand, or renew now (a ${words.input('rotate-before')} that reaches its expiry).`,
    );
  }

  dispose(): void {
    for (const client of this.clients) client.dispose();
  }
}
