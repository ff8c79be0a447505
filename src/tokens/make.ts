/**
 * Makes one token for one target, safely: a create that reconciles when GitLab may have acted on
 * a request whose answer did not arrive (reconcile.ts), so that no active token this run made is
 * left unreported and no token it cannot prove its own is revoked; and the store-in writes of a
 * new token. What to do with an existing token (if-exists) is renew.ts's.
 */
import { TokenReconcileError } from './errors.js';
import type { GitLabClient } from '../gitlab/client.js';
import { describedWith, newMarker, userDescription } from '../util/marker.js';
import { type Proof } from './identity.js';
import { mayHaveActed, Reconciler, type ReconcileHooks } from './reconcile.js';
import type { IfExists } from '../inputs/request.js';
import type { TokenKind, TokenParams, TokenTarget } from '../kinds/index.js';
import type { PersonalAccessToken, TokenWithSecret } from '../gitlab/token.js';
import { GitLabApiError } from '../gitlab/errors.js';
import { oneLine } from '../util/text.js';
import { FEATURE_SINCE } from '../gitlab/features.js';
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
  /** before a new token is made to replace token `replacing` (which stays active until stored) */
  replacing(target: TokenTarget, name: string, replacing: number): void;
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

export interface CreateHooks extends ReconcileHooks {
  journal?: Journal;
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
  /** the ID of the token that `if-exists: rotate` rotated or replaced */
  rotatedFrom?: number;
  /** it replaced `rotatedFrom` (a new token, the old one revoked) rather than rotating it */
  replaced?: boolean;
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

export class TokenMaker {
  // Not private: renew.ts and reconcile.ts work on them too.
  readonly markers = new Set<string>();
  readonly kept: Set<number>;
  readonly reconciler: Reconciler;

  constructor(
    readonly client: GitLabClient,
    readonly kind: TokenKind,
    readonly target: TokenTarget,
    readonly request: TokenRequest,
    readonly hooks: CreateHooks,
  ) {
    this.kept = hooks.kept ?? new Set<number>();
    this.reconciler = new Reconciler(this);
  }

  /** What proves a token this run's: its markers, or the step's own unique name. */
  get proof(): Proof {
    return { markers: this.markers, uniqueName: this.request.uniqueName, kept: this.kept };
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
      // Another run may have renewed (and revoked) it since the check: then nothing is put back.
      replacedActive: replacing && (() => this.isActive(replacing)),
      // A credential that rotated itself is revoked: it cannot write the CI/CD variables any more.
      selfRotated: self ? this.client.withCredential(token.token) : undefined,
      revokeNew: async () => {
        await this.kind.revoke(this.client, this.target, token.id, this.hooks);
        this.kept.delete(token.id);
      },
    });
  }

  /** Whether `token` is still among the target's active tokens of its name. */
  async isActive(token: PersonalAccessToken): Promise<boolean> {
    const active = await this.kind.list(this.client, this.target, { name: token.name });
    return active.some((other) => other.id === token.id);
  }

  keep(token: TokenWithSecret, marker: string | undefined, rotatedFrom?: number): TokenWithSecret {
    this.hooks.onSecret(token.token);
    this.kept.add(token.id);
    this.hooks.journal?.made(this.target, token, marker, rotatedFrom);
    return token;
  }

  /** Creates, reconciling lost replies: at most two requests, never an orphan left unreported. */
  async create(overrides: Partial<TokenParams> = {}): Promise<TokenWithSecret> {
    const params = { ...this.request.params, ...overrides };
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
        if (lostSentAt !== undefined) await this.reconciler.lookAgain(lostSentAt);
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
        await this.reconciler.reconcile(sentAt, error);
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
