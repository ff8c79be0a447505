/**
 * Error types raised by the library. They carry facts only; `describe-error.ts` is the one
 * place that turns them into the messages a user reads.
 */
import { FEATURE_SINCE, type Feature } from './version.js';

/** One or more inputs are invalid. Raised before any request is made. */
export class InputError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'InputError';
  }
}

/** GitLab answered with a non-2xx, non-3xx status. */
export class GitLabApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: unknown,
    readonly attempts = 1,
    /** a 429 from GitLab's own rate limiters, which refuse a request before doing anything */
    readonly refusedByLimiter = false,
  ) {
    super(`${method} ${path} answered ${status}`);
    this.name = 'GitLabApiError';
  }
}

/** GitLab (or something in front of it) answered with a redirect, which is never followed. */
export class GitLabRedirectError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly location: string | undefined,
  ) {
    super(`${method} ${path} answered ${status} redirect`);
    this.name = 'GitLabRedirectError';
  }
}

/**
 * Where a request stood when it failed: connecting (DNS, TCP, a free socket), opening a tunnel
 * through the proxy, the TLS handshake, waiting for the status and headers, reading the body.
 * The request itself is written only once the connection is up: before `reply` nothing was sent.
 */
export type RequestPhase = 'connect' | 'proxy' | 'tls' | 'reply' | 'body';

/** What is known about a network failure beyond its code, for the message a user reads. */
export type NetworkFailureReason =
  /** timeout-seconds ran out; `proxy` is the proxy's origin (no credentials) when one was used */
  | { kind: 'timeout'; phase: RequestPhase; proxy?: string }
  /** the proxy answered CONNECT (or a proxied plain-http request) with this status */
  | { kind: 'proxy-refused'; proxy: string; target: string; status: number; statusText: string }
  /** the reply's body was longer than the limit; it was not read to the end */
  | { kind: 'reply-too-large'; limitBytes: number }
  /** a status no GitLab reply has (101 Switching Protocols, an upgrade, outside 200-599) */
  | { kind: 'unexpected-status'; status: number; statusText: string };

/**
 * The request failed at the network level. `sent` tells whether the request may have reached
 * GitLab: a refused connection was never sent, a reset or a timeout may have been processed, and
 * a reply that could not be used (too large, an unexpected status) counts as sent.
 */
export class GitLabNetworkError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly url: string,
    readonly code: string,
    readonly detail: string,
    readonly sent: boolean,
    readonly timeoutMs?: number,
    readonly reason?: NetworkFailureReason,
  ) {
    super(`${method} ${path} failed: ${code}`);
    this.name = 'GitLabNetworkError';
  }
}

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

/** A feature this GitLab does not have yet: the message names the version it needs. */
export class VersionGateError extends Error {
  constructor(
    readonly feature: Feature,
    readonly version: string | undefined,
    override readonly cause?: unknown,
  ) {
    super(`${feature} needs GitLab ${FEATURE_SINCE[feature]}`);
    this.name = 'VersionGateError';
  }
}

/** GitLab did not confirm a revoke: the token may still be active. */
export class RevokeNotConfirmedError extends Error {
  constructor(
    readonly tokenId: number,
    readonly reason: string,
    override readonly cause?: unknown,
  ) {
    super(`token ${tokenId} not revoked: ${reason}`);
    this.name = 'RevokeNotConfirmedError';
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

/** A username did not resolve to a user. */
export class UserNotFoundError extends Error {
  constructor(readonly username: string) {
    super(`no user ${username}`);
    this.name = 'UserNotFoundError';
  }
}
