/**
 * Makes one token for one target, safely: `if-exists` handling, and reconciliation when GitLab
 * may have acted on a request whose answer did not arrive, so that no active token this run made
 * is left unreported and no token it cannot prove its own is revoked. Those two live in
 * create-token-paths.ts, loaded only when needed: a plain create is this module alone.
 */
import { GitLabApiError, GitLabNetworkError, TokenReconcileError } from '../gitlab/errors.js';
import type { GitLabClient } from '../gitlab/client.js';
import type { TokenMakerPaths } from './renew.js';
import { describedWith, newMarker, userDescription } from './identity.js';
import type { IfExists } from '../inputs/token-request.js';
import type { KindContext, TokenKind, TokenParams, TokenTarget } from '../kinds/index.js';
import {
  UnusableReplyError,
  type PersonalAccessToken,
  type TokenWithSecret,
} from '../gitlab/token.js';
import { oneLine } from '../util/text.js';
import { FEATURE_SINCE } from '../gitlab/version.js';
import type { StoreWriteError } from '../stores/errors.js';
import type { SecretStores } from '../stores/index.js';
import { ACTION_WORDS, type Words } from '../inputs/words.js';

export interface Logger {
  info(message: string): void;
  warning(message: string): void;
}

/** What the step records as it goes, so that nothing made is lost if it stops midway. */
export interface Journal {
  /** before a request that may make a token: its marker */
  pending(target: TokenTarget, name: string, marker: string): void;
  /** before a rotation of token `rotating` (its successor can be named, not proven) */
  rotating(target: TokenTarget, name: string, rotating: number): void;
  /** a token this run made (or rotated `rotatedFrom` into) and reports */
  made(
    target: TokenTarget,
    token: TokenWithSecret,
    marker: string | undefined,
    rotatedFrom?: number,
  ): void;
  /** GitLab refused the request (a 4xx of its own): no token can come of it */
  refused(target: TokenTarget, name: string, marker: string): void;
}

export interface CreateHooks extends KindContext {
  journal?: Journal;
  /** milliseconds to wait before looking for a token whose reply was lost (late commits) */
  settleMs?: number;
  /**
   * True once the step is cancelled: a request cut short is then left to the journal (the post
   * step looks for its token) instead of waiting and listing while the runner is ending the step.
   */
  cancelled?: () => boolean;
  /**
   * Every token this run made and reports, across all its targets: one target's reconciliation
   * must never revoke another's (the same project named by ID and by path, say).
   */
  kept?: Set<number>;
  /**
   * store-in: checked before anything changes; a new token is written to every target before
   * the token it replaces is revoked.
   */
  stores?: SecretStores;
}

export interface NewToken {
  token: TokenWithSecret;
  target: TokenTarget;
  /** the ID of the token that `if-exists: rotate` replaced */
  rotatedFrom?: number;
  /** set when the replaced token's revoke was not confirmed: it may still be active */
  oldMayBeActive?: boolean;
  /** store-in failed, and this token stays active (it is in a target, or was self-rotated) */
  storeError?: StoreWriteError;
}

export interface TokenRequest {
  params: TokenParams;
  ifExists: IfExists;
  /** the name was generated for this step (unique to it), so it proves a token is ours */
  uniqueName: boolean;
  /** with if-exists rotate: rotate only a token that expires by this date (YYYY-MM-DD, UTC) */
  rotateBy?: string;
}

/** `rotate-before`: an existing token that is not due yet, left as it is (no secret). */
export interface UnchangedToken {
  existing: PersonalAccessToken;
  target: TokenTarget;
}

/**
 * True when GitLab may have stored a token although the reply does not say so: the request was
 * sent and no answer came, a gateway or server error, a 429 that GitLab's own limiter did not
 * send, or a reply without a usable token.
 */
export function mayHaveActed(error: unknown): boolean {
  if (error instanceof GitLabNetworkError) return error.sent;
  if (error instanceof UnusableReplyError) return true;
  if (!(error instanceof GitLabApiError)) return false;
  return error.status >= 500 || (error.status === 429 && !error.refusedByLimiter);
}

export class TokenMaker {
  // Not private: create-token-paths.ts works on them too.
  readonly markers = new Set<string>();
  readonly kept: Set<number>;
  private loadedPaths?: Promise<TokenMakerPaths>;

  constructor(
    readonly client: GitLabClient,
    readonly kind: TokenKind,
    readonly target: TokenTarget,
    readonly request: TokenRequest,
    readonly hooks: CreateHooks,
  ) {
    this.kept = hooks.kept ?? new Set<number>();
  }

  async make(): Promise<NewToken | UnchangedToken> {
    // Every target is checked before anything changes, whether or not a token is due.
    await this.hooks.stores?.check();
    if (this.request.ifExists !== 'create') return (await this.paths()).whenExists();
    return this.createAndStore();
  }

  /** A new token, written to the store-in targets. */
  async createAndStore(): Promise<NewToken> {
    const token = await this.create();
    const storeError = await this.store(token);
    return { token, target: this.target, storeError };
  }

  /** the reader's words for inputs in messages */
  get words(): Words {
    return this.hooks.words ?? ACTION_WORDS;
  }

  /** Writes a new token to the store-in targets (SecretStores.storeNewToken says how). */
  async store(
    token: TokenWithSecret,
    replacing?: PersonalAccessToken,
  ): Promise<StoreWriteError | undefined> {
    const stores = this.hooks.stores;
    if (!stores) return undefined;
    const self = this.kind.canCreate === false;
    return stores.storeNewToken(token, {
      replacing: replacing?.id,
      // A credential that rotated itself is revoked: it cannot write the CI/CD variables any more.
      selfRotated: self ? this.client.withCredential(token.token) : undefined,
      revokeNew: async () => {
        await this.kind.revoke(this.client, this.target, token.id, this.hooks);
        this.kept.delete(token.id);
      },
    });
  }

  /** The paths a plain create never takes, loaded the first time one is. */
  private paths(): Promise<TokenMakerPaths> {
    return (this.loadedPaths ??= import('./renew.js').then(
      ({ TokenMakerPaths }) => new TokenMakerPaths(this),
    ));
  }

  keep(token: TokenWithSecret, marker: string | undefined, rotatedFrom?: number): TokenWithSecret {
    this.hooks.onSecret(token.token);
    this.kept.add(token.id);
    this.hooks.journal?.made(this.target, token, marker, rotatedFrom);
    return token;
  }

  /** Creates, reconciling lost replies: at most two requests, never an orphan left unreported. */
  async create(): Promise<TokenWithSecret> {
    const { params } = this.request;
    let lostSentAt: number | undefined;
    for (let attempt = 1; attempt <= 2; attempt++) {
      if (attempt > 1 && this.hooks.cancelled?.()) {
        throw new TokenReconcileError(
          `the ${this.words.run} was cancelled before the request could be tried again; no token of this run was left active`,
          undefined,
        );
      }
      const marker = newMarker();
      this.markers.add(marker);
      this.hooks.journal?.pending(this.target, params.name, marker);
      const sentAt = Date.now();
      try {
        const reply = await this.kind.create(this.client, this.target, {
          ...params,
          description: describedWith(params.description, marker),
        });
        const token = this.keep(reply, marker);
        this.checkCreated(token);
        if (lostSentAt !== undefined) await (await this.paths()).lookAgain(lostSentAt);
        return token;
      } catch (error) {
        if (!mayHaveActed(error)) {
          this.hooks.journal?.refused(this.target, params.name, marker);
          throw error;
        }
        if (this.hooks.cancelled?.()) {
          throw new TokenReconcileError(
            `the ${this.words.run} was cancelled while the request was in flight; GitLab may have made a token named ${JSON.stringify(params.name)} for ${this.kind.label(this.target)}, ` +
              (this.hooks.journal
                ? 'which the post step looks for and revokes'
                : 'so look for it and revoke it by hand'),
            error,
          );
        }
        await (await this.paths()).reconcile(sentAt, error);
        // A server error is reported, not repeated: the request itself may be what fails.
        if (error instanceof GitLabApiError && error.status === 500) throw error;
        if (attempt === 2) {
          throw new TokenReconcileError(
            `the reply was lost twice; no token of this run named ${JSON.stringify(params.name)} was left active`,
            error,
          );
        }
        lostSentAt = sentAt;
        // Our own errors' messages are terse facts (method, path, status or code): no reply text.
        const why = error instanceof Error ? ` (${oneLine(error.message, 200)})` : '';
        this.hooks.log.warning(
          `The reply to the token request for ${this.kind.label(this.target)} was lost${why}; ` +
            'no token of this run is left active, trying once more.',
        );
      }
    }
    throw new Error('unreachable');
  }

  private checkCreated(token: TokenWithSecret): void {
    const { params } = this.request;
    if (params.description && !userDescription(token.description)) {
      this.hooks.log.warning(
        `GitLab ignored the description of token ID ${token.id}: token descriptions need GitLab ${FEATURE_SINCE.description} or later.`,
      );
    }
    if (token.expires_at === null) this.warnNoExpiry(token);
  }

  warnNoExpiry(token: TokenWithSecret): void {
    this.hooks.log.warning(
      `Token ID ${token.id} has no expiry date: this GitLab does not enforce one and ${this.words.input('expires-at')} was empty. Set ${this.words.input('expires-at')} to bound its life.`,
    );
  }
}
