/** Failures of store-in targets, for describe-error.ts and the token maker. */
import { GitLabApiError, GitLabNetworkError } from '../gitlab/errors.js';
import type { StoreTarget } from './targets.js';

/**
 * Whether a write that failed may still have been stored: it was sent and no answer came (a
 * reset, a timeout), or a gateway or server error answered (GitLab or GitHub may have stored the
 * value before it), or a 429 that no rate limiter of the service sent. tokens/reconcile.ts's
 * mayHaveActed says the same of token requests.
 */
export function mayHaveArrived(error: unknown): boolean {
  if (error instanceof GitLabNetworkError) return error.sent;
  if (!(error instanceof GitLabApiError)) return false;
  return error.status >= 500 || (error.status === 429 && !error.refusedByLimiter);
}

/** A target that could not be checked (before anything changed) or written. */
export class StoreTargetError extends Error {
  constructor(
    readonly target: StoreTarget,
    /** what was being done */
    readonly action: 'check' | 'write' | 'restore',
    /** the failure: an API or network error, or a sentence of ours */
    readonly reason: unknown,
    /**
     * a failed write that reached the target all the same: 'yes' (it holds the new secret),
     * 'maybe' (its reply was lost)
     */
    readonly written?: 'yes' | 'maybe',
  ) {
    super(`${target.label}: ${action} failed`);
    this.name = 'StoreTargetError';
  }
}

/**
 * Checking the targets failed: no token was made or rotated. Nothing was changed, but for
 * `rewritten`: GitHub secrets that took the current credential (proving them writable before a
 * self-rotation).
 */
export class StoreCheckError extends Error {
  constructor(
    readonly failures: StoreTargetError[],
    readonly rewritten: StoreTarget[] = [],
  ) {
    super(`${failures.length} store-in target(s) failed their check`);
    this.name = 'StoreCheckError';
  }
}

/**
 * Writing a new secret failed. `written` hold the new secret; `restored` were put back as they
 * were; `notTried` were never written. What happened to the tokens is for the maker to fill in.
 */
export class StoreWriteError extends Error {
  /** token ID of the new token, and whether it is still active */
  newToken?: { id: number; active: boolean; revokeProblem?: string };
  /** the token the new one was to replace, kept active */
  keptToken?: number;
  /** the credential rotated itself: its new secret is only in the step's masked output */
  selfRotated = false;
  /**
   * The token the new one was to replace was no longer active at the undo ('inactive': another
   * run renewed it meanwhile), or that could not be asked ('unknown'): nothing was put back.
   */
  replaced?: 'inactive' | 'unknown';

  constructor(
    /** the target(s) that failed: one when the writes stopped at it */
    readonly failures: StoreTargetError[],
    /** targets that hold the new secret */
    readonly written: StoreTarget[],
    readonly restored: StoreTarget[],
    readonly notTried: StoreTarget[],
    /** problems putting targets back (each still holds the new secret) */
    readonly restoreFailures: StoreTargetError[] = [],
    /** of `written`: the targets whose write lost its reply, which may hold the new secret */
    readonly uncertain: StoreTarget[] = [],
    /** targets whose write lost its reply, found holding what they held (nothing to put back) */
    readonly unchanged: StoreTarget[] = [],
  ) {
    super(`${failures.map((f) => f.target.label).join(', ')}: the new secret could not be stored`);
    this.name = 'StoreWriteError';
  }
}
