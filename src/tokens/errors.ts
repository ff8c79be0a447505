/**
 * What can go wrong while making, renewing or revoking tokens, beyond GitLab's own answers. Facts
 * only: messages/ turns them into sentences.
 */

/** A create request's reply was lost and reconciling left the outcome known but failed. */
export class TokenReconcileError extends Error {
  constructor(
    message: string,
    override readonly cause: unknown,
    readonly orphanIds: number[] = [],
  ) {
    super(message);
    this.name = 'TokenReconcileError';
  }
}

/** `if-exists: fail` found an active token with the same name. */
export class TokenExistsError extends Error {
  constructor(
    readonly tokenId: number,
    readonly tokenName: string,
    /** whose token, e.g. `user 42` */
    readonly owner: string,
  ) {
    super(`token ${tokenId} exists`);
    this.name = 'TokenExistsError';
  }
}

/** The same user (by ID, or a username resolving to that ID) was asked for twice in one step. */
export class DuplicateUserError extends Error {
  constructor(
    readonly userId: number,
    readonly first: string,
  ) {
    super(`user ${userId} twice`);
    this.name = 'DuplicateUserError';
  }
}

/** The step was cancelled (or ran out of its rate-limit budget) before this user's turn. */
export class NotStartedError extends Error {
  constructor(readonly reason: 'cancelled' | 'rate-limit') {
    super(`not started: ${reason}`);
    this.name = 'NotStartedError';
  }
}

/** What a failure is about, for its message. */
export interface FailureSubject {
  /** the kind of token asked for */
  kind: string;
  /** the target, named when the run has several */
  subject?: string;
  groupId?: string;
  /** every secret of the run so far: scrubbed from the message */
  secrets: Set<string>;
}

/**
 * Turns a failure into the sentence a person reads (messages/ gives it: the one place that
 * words failures, and may ask GitLab what went wrong first).
 */
export type DescribeFailure = (error: unknown, about: FailureSubject) => Promise<string>;
