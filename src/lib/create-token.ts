/**
 * Makes one token for one target, safely: `if-exists` handling, and reconciliation when GitLab
 * may have acted on a request whose answer did not arrive, so that no active token this run made
 * is left unreported and no token it cannot prove its own is revoked.
 */
import {
  GitLabApiError,
  GitLabNetworkError,
  RevokeNotConfirmedError,
  TokenExistsError,
  TokenReconcileError,
} from './errors.js';
import type { GitLabClient } from './gitlab-client.js';
import { describedWith, newMarker, provenOurs, userDescription, type Proof } from './identity.js';
import type { IfExists } from './inputs.js';
import type { KindContext, TokenKind, TokenParams, TokenTarget } from './kinds/index.js';
import { UnusableReplyError, type PersonalAccessToken, type TokenWithSecret } from './token.js';
import { oneLine } from './text.js';
import { StoreWriteError, type SecretStores } from './store/index.js';
import { FEATURE_SINCE } from './version.js';
import { ACTION_WORDS, type Words } from './words.js';

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

/** GitLab keeps a late commit this long after a gateway gave up; look again after it. */
const DEFAULT_SETTLE_MS = 2000;
/** The server's clock may be off: look this far before the request for its token. */
const KNOWN_CLOCK_MARGIN_MS = 5 * 60_000;
const UNKNOWN_CLOCK_MARGIN_MS = 24 * 3600_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

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

function sameScopes(a: string[], b: string[]): boolean {
  const have = new Set(a);
  return have.size === new Set(b).size && b.every((scope) => have.has(scope));
}

function newest(tokens: PersonalAccessToken[]): PersonalAccessToken {
  return [...tokens].sort(
    (a, b) => Date.parse(b.created_at) - Date.parse(a.created_at) || b.id - a.id,
  )[0];
}

export class TokenMaker {
  private readonly markers = new Set<string>();
  private readonly kept: Set<number>;

  constructor(
    private readonly client: GitLabClient,
    private readonly kind: TokenKind,
    private readonly target: TokenTarget,
    private readonly request: TokenRequest,
    private readonly hooks: CreateHooks,
  ) {
    this.kept = hooks.kept ?? new Set<number>();
  }

  async make(): Promise<NewToken | UnchangedToken> {
    const { ifExists, params } = this.request;
    // Every target is checked before anything changes, whether or not a token is due.
    await this.hooks.stores?.check();
    if (ifExists !== 'create') {
      const existing = await this.kind.list(this.client, this.target, {
        name: params.name,
        excludeImpersonation: true,
      });
      if (existing.length > 0) {
        const current = newest(existing);
        if (ifExists === 'fail') {
          throw new TokenExistsError(current.id, params.name, this.kind.label(this.target));
        }
        // No scopes asked (self-rotate): the rotation keeps the token's own.
        if (params.scopes.length > 0 && !sameScopes(current.scopes, params.scopes)) {
          return this.replace(current, 'has other scopes than requested');
        }
        if (!this.due(current)) return { existing: current, target: this.target };
        // With store-in, consumers must never hold a dead token: make the new one, store it,
        // then revoke the old one (a rotation revokes the old one at once).
        if (this.hooks.stores && this.kind.canCreate !== false) {
          return this.replace(current, 'was due for renewal');
        }
        return this.rotate(current);
      }
    }
    const token = await this.create();
    const storeError = await this.store(token);
    return { token, target: this.target, storeError };
  }

  /**
   * Writes a new token to every store-in target. When a write fails and the token replaces
   * another (or is new), the targets are put back and the new token is revoked: the step then
   * throws, and nothing changed. What cannot be put back keeps the new token active, and the
   * returned error says where it is. A self-rotated credential has no old token to go back to:
   * every target is tried.
   */
  private async store(
    token: TokenWithSecret,
    replacing?: PersonalAccessToken,
  ): Promise<StoreWriteError | undefined> {
    const stores = this.hooks.stores;
    if (!stores) return undefined;
    const undo = this.kind.canCreate !== false;
    // A credential that rotated itself is revoked: it cannot write the CI/CD variables any more.
    if (this.target.kind === 'self') stores.actAs(this.client.withCredential(token.token));
    try {
      await stores.write(token.token, token.id, undo);
      return undefined;
    } catch (error) {
      if (!(error instanceof StoreWriteError)) throw error;
      if (!undo) {
        error.selfRotated = true;
        error.newToken = { id: token.id, active: true };
        return error;
      }
      error.keptToken = replacing?.id;
      if (error.written.length > 0) {
        error.newToken = { id: token.id, active: true };
        return error;
      }
      try {
        await this.kind.revoke(this.client, this.target, token.id, this.hooks);
        this.kept.delete(token.id);
        error.newToken = { id: token.id, active: false };
      } catch (revokeError) {
        const why = revokeError instanceof RevokeNotConfirmedError ? revokeError.reason : '';
        error.newToken = { id: token.id, active: true, revokeProblem: why };
        return error;
      }
      throw error;
    }
  }

  /**
   * Whether `current` is due for rotation: always without rotate-before; with it, when it
   * expires by then, or never (a token without expiry is always renewed into one with).
   */
  private due(current: PersonalAccessToken): boolean {
    const { rotateBy } = this.request;
    if (rotateBy === undefined || current.expires_at === null || current.expires_at <= rotateBy) {
      return true;
    }
    this.hooks.log.info(
      `Token ID ${current.id} expires ${current.expires_at}, after ${rotateBy} (${this.words.input('rotate-before')}): not rotated, and no new secret is output.`,
    );
    return false;
  }

  /** the reader's words for inputs in messages */
  private get words(): Words {
    return this.hooks.words ?? ACTION_WORDS;
  }

  private get proof(): Proof {
    return { markers: this.markers, uniqueName: this.request.uniqueName, kept: this.kept };
  }

  private keep(
    token: TokenWithSecret,
    marker: string | undefined,
    rotatedFrom?: number,
  ): TokenWithSecret {
    this.hooks.onSecret(token.token);
    this.kept.add(token.id);
    this.hooks.journal?.made(this.target, token, marker, rotatedFrom);
    return token;
  }

  /** Creates, reconciling lost replies: at most two requests, never an orphan left unreported. */
  private async create(): Promise<TokenWithSecret> {
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
        if (lostSentAt !== undefined) await this.lookAgain(lostSentAt);
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
        await this.reconcile(sentAt, error);
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

  /**
   * Rotates `current`. A rotation whose reply was lost is never sent again (GitLab may have done
   * it, and the old token is then revoked): the token is replaced by a new one instead.
   */
  private async rotate(current: PersonalAccessToken): Promise<NewToken> {
    const { params } = this.request;
    this.hooks.journal?.rotating(this.target, params.name, current.id);
    const sentAt = Date.now();
    let rotated: TokenWithSecret;
    try {
      rotated = await this.kind.rotate(this.client, this.target, current.id, params.expiresAt);
    } catch (error) {
      if (!mayHaveActed(error)) throw error;
      if (this.kind.canCreate === false) throw await this.lostSelfRotation(current, error);
      this.hooks.log.warning(
        `The reply to the rotation of token ID ${current.id} was lost; a rotation is never sent twice, so a new token replaces it.`,
      );
      await this.settle();
      await this.reportStrangers(sentAt, current.id);
      return this.replace(current, 'could not be rotated');
    }
    this.keep(rotated, undefined, current.id);
    this.checkRotated(current, rotated);
    const storeError = await this.store(rotated, current);
    return { token: rotated, target: this.target, rotatedFrom: current.id, storeError };
  }

  /**
   * The credential's own rotation lost its reply. It is never sent again; whether GitLab did it
   * shows in whether the credential still works (a revoked token on a route other than a rotate
   * one is a plain 401: it does not set off reuse detection).
   */
  private async lostSelfRotation(current: PersonalAccessToken, cause: unknown): Promise<Error> {
    await this.settle();
    try {
      const still = await this.kind.list(this.client, this.target, { name: current.name });
      if (still.some((token) => token.id === current.id)) {
        return new TokenReconcileError(
          `the reply to the credential's rotation was lost, and the credential (token ID ${current.id}) still works: GitLab did not rotate it; run the ${this.words.run} again`,
          cause,
        );
      }
    } catch {
      // It no longer authenticates: the rotation happened, or the credential was revoked.
    }
    return new TokenReconcileError(
      `the reply to the credential's rotation was lost, and the credential (token ID ${current.id}) no longer works: GitLab rotated (or revoked) it, and the new secret is lost. Create a new credential by hand, and revoke the one rotated from token ID ${current.id}`,
      cause,
    );
  }

  /** A new token, then the old one revoked: for a token whose scopes differ, or a lost rotation. */
  private async replace(current: PersonalAccessToken, why: string): Promise<NewToken> {
    const made = await this.create();
    const storeError = await this.store(made, current);
    // Stored in part: consumers may hold either token, so both stay active.
    if (storeError) return { token: made, target: this.target, storeError };
    try {
      await this.kind.revoke(this.client, this.target, current.id, this.hooks);
    } catch (error) {
      const detail = error instanceof RevokeNotConfirmedError ? ` (${error.reason})` : '';
      this.hooks.log.warning(
        `Token ID ${current.id} ${why}, so token ID ${made.id} replaces it, but GitLab did not confirm revoking token ID ${current.id}${detail}: it may still be active, revoke it by hand.`,
      );
      return { token: made, target: this.target, rotatedFrom: current.id, oldMayBeActive: true };
    }
    return { token: made, target: this.target, rotatedFrom: current.id };
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

  private checkRotated(current: PersonalAccessToken, rotated: TokenWithSecret): void {
    const { params } = this.request;
    if (params.expiresAt === undefined && rotated.expires_at === null) {
      this.warnNoExpiry(rotated);
    } else if (params.expiresAt === undefined) {
      // app/services/personal_access_tokens/rotate_service.rb: one week where expiry is enforced.
      this.hooks.log.info(
        `GitLab rotates a token without ${this.words.input('expires-at')} into one that lives one week: token ID ${rotated.id} expires ${rotated.expires_at}.`,
      );
    } else if (rotated.expires_at !== params.expiresAt) {
      this.hooks.log.warning(
        `Token ID ${rotated.id} expires ${rotated.expires_at ?? 'never'}, not ${params.expiresAt} as requested: this GitLab ignores expires_at when rotating (instance tokens need ${FEATURE_SINCE.rotateExpiresAt}, group service-account tokens ${FEATURE_SINCE.serviceAccountRotateExpiresAt}).`,
      );
    }
    const kept = userDescription(current.description);
    if (
      params.description !== undefined &&
      current.description !== undefined &&
      kept !== params.description
    ) {
      this.hooks.log.warning(
        `Token ID ${rotated.id} keeps the description of the token it was rotated from (GitLab's rotation keeps name, scopes and description): ${JSON.stringify(kept)}.`,
      );
    }
  }

  private warnNoExpiry(token: TokenWithSecret): void {
    this.hooks.log.warning(
      `Token ID ${token.id} has no expiry date: this GitLab does not enforce one and ${this.words.input('expires-at')} was empty. Set ${this.words.input('expires-at')} to bound its life.`,
    );
  }

  private settle(): Promise<void> {
    return sleep(this.hooks.settleMs ?? DEFAULT_SETTLE_MS);
  }

  /** Since when to look, on GitLab's clock: tokens it made for a request sent at `sentAt`. */
  private createdAfter(sentAt: number): string {
    const server = this.client.serverTime(sentAt);
    const since =
      server === undefined ? sentAt - UNKNOWN_CLOCK_MARGIN_MS : server - KNOWN_CLOCK_MARGIN_MS;
    return new Date(since).toISOString();
  }

  private async candidates(sentAt: number): Promise<PersonalAccessToken[]> {
    const { name } = this.request.params;
    try {
      return await this.kind.list(this.client, this.target, {
        name,
        createdAfter: this.createdAfter(sentAt),
      });
    } catch (error) {
      throw new TokenReconcileError(
        `GitLab may have made a token named ${JSON.stringify(name)} for ${this.kind.label(this.target)} without saying so, and its tokens could not be listed to check: look for it and revoke it by hand`,
        error,
      );
    }
  }

  /**
   * After a reply that may hide a token: wait for a late commit, then revoke every active token
   * proven to be this run's (its marker, or the step's own name) and name the others.
   */
  private async reconcile(sentAt: number, cause: unknown, settle = true): Promise<void> {
    if (settle) await this.settle();
    const failed: number[] = [];
    const found = await this.candidates(sentAt);
    for (const token of found) {
      if (this.kept.has(token.id)) continue;
      if (!provenOurs(token, this.proof)) {
        if (this.madeSince(token, sentAt)) this.warnStranger(token);
        continue;
      }
      try {
        await this.kind.revoke(this.client, this.target, token.id, this.hooks);
        this.hooks.log.info(
          `Revoked token ID ${token.id}, made by a request whose reply was lost.`,
        );
      } catch (error) {
        // A revoke by rotation that stopped halfway leaves its successor active: name that one.
        failed.push(error instanceof RevokeNotConfirmedError ? error.tokenId : token.id);
      }
    }
    if (failed.length > 0) {
      throw new TokenReconcileError(
        `token ID ${failed.join(', ')}, made by a request whose reply was lost, could not be revoked: revoke it by hand`,
        cause,
        failed,
      );
    }
  }

  /** After a retry that worked: a lost request's token may have been committed late. */
  private async lookAgain(sentAt: number): Promise<void> {
    try {
      // No wait: the retry itself took a round trip after the lost request's settling time.
      await this.reconcile(sentAt, undefined, false);
    } catch (error) {
      const detail = error instanceof TokenReconcileError ? `: ${error.message}` : '';
      this.hooks.log.warning(
        `Could not check again for a late token of a lost request for ${this.kind.label(this.target)}${detail}.`,
      );
    }
  }

  private async reportStrangers(sentAt: number, except: number): Promise<void> {
    try {
      for (const token of await this.candidates(sentAt)) {
        if (token.id !== except && !this.kept.has(token.id) && this.madeSince(token, sentAt)) {
          this.warnStranger(token);
        }
      }
    } catch {
      this.hooks.log.warning(
        `Could not list the tokens of ${this.kind.label(this.target)} to look for a token the lost rotation may have made: check by hand.`,
      );
    }
  }

  /**
   * Could GitLab have made `token` for a request sent at `sentAt`? On GitLab's clock (known by
   * now from the list's Date header), with a minute's allowance.
   */
  private madeSince(token: PersonalAccessToken, sentAt: number): boolean {
    const server = this.client.serverTime(sentAt);
    return server === undefined || Date.parse(token.created_at) >= server - 60_000;
  }

  private warnStranger(token: PersonalAccessToken): void {
    this.hooks.log.warning(
      `Token ID ${token.id} named ${JSON.stringify(token.name)} of ${this.kind.label(this.target)} was made around the time of a lost request, but nothing proves this run made it, so it was left active: if it is not in use elsewhere, revoke it by hand.`,
    );
  }
}
