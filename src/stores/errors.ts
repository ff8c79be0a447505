/** Failures of store-in targets, for describe-error.ts and the token maker. */
import type { StoreTarget } from './targets.js';

/** A target that could not be checked (before anything changed) or written. */
export class StoreTargetError extends Error {
  constructor(
    readonly target: StoreTarget,
    /** what was being done */
    readonly action: 'check' | 'write' | 'restore',
    /** the failure: an API or network error, or a sentence of ours */
    readonly reason: unknown,
  ) {
    super(`${target.label}: ${action} failed`);
    this.name = 'StoreTargetError';
  }
}

/** Checking the targets failed: nothing was changed, no token was made or rotated. */
export class StoreCheckError extends Error {
  constructor(readonly failures: StoreTargetError[]) {
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

  constructor(
    /** the target(s) that failed: one when the writes stopped at it */
    readonly failures: StoreTargetError[],
    /** targets that hold the new secret */
    readonly written: StoreTarget[],
    readonly restored: StoreTarget[],
    readonly notTried: StoreTarget[],
    /** problems putting targets back (each still holds the new secret) */
    readonly restoreFailures: StoreTargetError[] = [],
  ) {
    super(`${failures.map((f) => f.target.label).join(', ')}: the new secret could not be stored`);
    this.name = 'StoreWriteError';
  }
}
