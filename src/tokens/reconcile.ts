/**
 * Reconciliation after a reply that may hide a token (a lost reply, a gateway error, a garbled
 * body): wait for a late commit, list the target's tokens made since the request, revoke the
 * ones proven to be this run's and name the others. Never a token this run cannot prove its own.
 */
import { GitLabApiError, GitLabNetworkError, RevokeNotConfirmedError } from '../gitlab/errors.js';
import type { GitLabClient } from '../gitlab/client.js';
import { UnusableReplyError, type PersonalAccessToken } from '../gitlab/token.js';
import type { KindContext, TokenKind, TokenParams, TokenTarget } from '../kinds/index.js';
import { TokenReconcileError } from './errors.js';
import { provenOurs, type Proof } from './identity.js';

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

export interface ReconcileHooks extends KindContext {
  /** milliseconds to wait before looking for a token whose reply was lost (late commits) */
  settleMs?: number;
}

/** What reconciling needs of the token being made (TokenMaker gives it). */
export interface ReconcileContext {
  client: GitLabClient;
  kind: TokenKind;
  target: TokenTarget;
  request: { params: TokenParams };
  hooks: ReconcileHooks;
  /** every token this run made and reports: never revoked here */
  kept: Set<number>;
  /** what proves a token this run's */
  proof: Proof;
}

export class Reconciler {
  constructor(private readonly context: ReconcileContext) {}

  private get client(): GitLabClient {
    return this.context.client;
  }
  private get kind(): TokenKind {
    return this.context.kind;
  }
  private get target(): TokenTarget {
    return this.context.target;
  }
  private get hooks(): ReconcileHooks {
    return this.context.hooks;
  }
  private get kept(): Set<number> {
    return this.context.kept;
  }

  /** Waits for a late commit: GitLab may still store what a lost request asked for. */
  settle(): Promise<void> {
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
    const { name } = this.context.request.params;
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
  async reconcile(sentAt: number, cause: unknown, settle = true): Promise<void> {
    if (settle) await this.settle();
    const failed: number[] = [];
    const found = await this.candidates(sentAt);
    for (const token of found) {
      if (this.kept.has(token.id)) continue;
      if (!provenOurs(token, this.context.proof)) {
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
  async lookAgain(sentAt: number): Promise<void> {
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

  async reportStrangers(sentAt: number, except: number): Promise<void> {
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
