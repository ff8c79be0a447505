/**
 * How a request fails below HTTP: where it stood (the phase), whether it may have reached the
 * server (`sent`), and why, for GitLabClient's retries and the message a user reads.
 */
import { STATUS_CODES } from 'node:http';

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

/** A request that failed below HTTP, or whose reply could not be used. */
export class TransportError extends Error {
  constructor(
    readonly code: string,
    readonly detail: string,
    /** the request may have reached the server (and been acted on) */
    readonly sent: boolean,
    readonly phase: RequestPhase,
    readonly reason?: NetworkFailureReason,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'TransportError';
  }
}

// Errors raised before the request could reach the server, whatever the phase looked like.
export const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EADDRNOTAVAIL',
]);

/** TLS handshake failures (untrusted or mismatched certificate): nothing was sent. */
export const TLS_FAILURE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL/;

/**
 * undici's timers above 1 s tick every half second and can fire up to that much early: its own
 * time limits (connect, the proxy's answer to CONNECT) are set this much beyond the deadline, so
 * that the deadline is what fails a request, and they only end connections nobody waits for.
 */
export const UNDICI_TIMER_SLACK_MS = 1000;

/** undici's own time limits; should one still come first, it counts as running out of time. */
export const UNDICI_TIMEOUTS = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

export function statusText(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? ''}`.trim();
}
