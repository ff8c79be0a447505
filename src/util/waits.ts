/**
 * The fixed waits of a run, and the options every entry point takes (runMain, runPost, runCli).
 * A run on a runner or a terminal leaves them unset and gets the defaults where each wait
 * happens; the tests set them to zero, so that no test sleeps on a wait whose length is not what
 * it checks.
 */
export interface Waits {
  /**
   * Before looking for the token of a request whose reply was lost: GitLab may commit it late
   * (tokens/renew.ts, default 2 s).
   */
  settleMs?: number;
  /**
   * The first retry's backoff after a connection failure or a gateway error on a read; it
   * doubles with each attempt, with jitter (gitlab/client.ts, default 500 ms). A 429's
   * Retry-After is GitLab's to say and is not changed.
   */
  retryBaseDelayMs?: number;
}

/** What an entry point takes besides its inputs: the current time and the waits. */
export interface RunOptions {
  /** "today" for relative expiry dates and rotate-before (default: the time of the call) */
  now?: Date;
  waits?: Waits;
}
