/**
 * GitLabClient sends requests to the GitLab REST API: authentication header, JSON in and out,
 * per-request time limit, no redirects, and retries where a retry cannot duplicate work
 * (429 with Retry-After, and connection failures before anything was sent). The wire work
 * (connections, proxy, deadline, body limit) is http/transport.ts's.
 */
import type { Waits } from '../util/waits.js';
import type { IncomingHttpHeaders } from 'node:http';
import { GitLabApiError, GitLabNetworkError, GitLabRedirectError } from './errors.js';
import { TLS_FAILURE, Transport, TransportError, type TransportReply } from '../http/transport.js';

export interface RetryPolicy {
  /** attempts for a 429 before giving up */
  rateLimitAttempts: number;
  /** attempts for connection failures that are safe to repeat */
  networkAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface GitLabClientOptions {
  apiUrl: string;
  /** undefined sends no credential header (skip-auth) */
  credential: string | undefined;
  timeoutMs: number;
  maxSockets?: number;
  retry?: Partial<RetryPolicy>;
  userAgent?: string;
  /**
   * One line per attempt (method, path without its query, status or failure, time): for the
   * runner's debug log. Never headers or bodies.
   */
  debug?: (line: string) => void;
  /** the most time all requests together may spend waiting out rate limits (default 300 s) */
  maxWaitMs?: number;
  /** headers of another API that this client speaks to (GitHub's): they replace the defaults */
  headers?: Record<string, string>;
  /**
   * Another API's rate limits (GitHub's): given a 4xx reply, the milliseconds to wait before
   * sending the request again when the reply is that API's limiter refusing it (nothing was
   * done), else undefined. The wait is shared and counts against maxWaitMs as a 429's does.
   */
  rateLimit?: (reply: RateLimitReply) => number | undefined;
  /** waits out a pause (default: a timer that abortAll() cuts short); for tests */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** What a rateLimit option reads: the reply, the attempt it answered, and the server's time. */
export interface RateLimitReply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  attempt: number;
  /** now on the server's clock (from the last Date header), else on ours */
  now: number;
}

/** What a client needs of the connection inputs (inputs.ts's ConnectionInputs). */
export interface Connection {
  apiUrl: string;
  credential: string | undefined;
  timeoutMs: number;
  maxWaitMs: number;
}

/**
 * A client for the connection the inputs describe: one place for the step, post step and CLI.
 * `retry` changes the retry policy (the tests' zero backoff).
 */
export function clientFor(
  connection: Connection,
  maxSockets?: number,
  debug?: (line: string) => void,
  retry?: Partial<RetryPolicy>,
): GitLabClient {
  const { apiUrl, credential, timeoutMs, maxWaitMs } = connection;
  return new GitLabClient({ apiUrl, credential, timeoutMs, maxWaitMs, maxSockets, debug, retry });
}

export interface ApiResponse<T> {
  status: number;
  data: T;
  headers: IncomingHttpHeaders;
}

const DEFAULT_RETRY: RetryPolicy = {
  rateLimitAttempts: 10,
  networkAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 60_000,
};

/** Waits `ms`, or less if `signal` aborts first (a cancelled step does not sit out a 429). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const wake = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', wake);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    signal.addEventListener('abort', wake, { once: true });
  });
}

/**
 * Whether a failed request may be sent again: only when it cannot have reached GitLab, or is a
 * read. Never a timeout (timeout-seconds bounds each request, and repeating it would multiply the
 * time a dead server can hold the step), an untrusted certificate, a reply that was too large or
 * made no sense (the same would come back), or a proxy that refused for a reason other than a
 * gateway failure.
 */
function isRepeatable(failure: GitLabNetworkError, idempotent: boolean): boolean {
  if (failure.sent && !idempotent) return false;
  if (failure.code === 'ETIMEDOUT' || failure.code === 'ECANCELED') return false;
  if (TLS_FAILURE.test(failure.code)) return false;
  const reason = failure.reason;
  if (reason?.kind === 'reply-too-large' || reason?.kind === 'unexpected-status') return false;
  if (reason?.kind === 'proxy-refused') return [502, 503, 504].includes(reason.status);
  return true;
}

/** Seconds or an HTTP date, as RFC 9110 allows; undefined when absent or unreadable. */
export function parseRetryAfter(
  value: string | string[] | undefined,
  now = Date.now(),
): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text.trim())) return Number(text.trim()) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Exponential backoff with full jitter, capped. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * A 429 that GitLab's own limiters sent, so the request was refused before anything was done:
 * Rack::Attack answers text/plain "Retry later" with RateLimit-* headers
 * (lib/gitlab/rack_attack.rb), the application limiter
 * `{"message":{"error":"This endpoint has been requested too many times. Try again later."}}`
 * (lib/api/helpers/rate_limiter.rb). Any other 429 (a proxy's) may come after GitLab acted.
 */
export function isGitLabRateLimit(headers: IncomingHttpHeaders, text: string): boolean {
  if (headers['ratelimit-name'] !== undefined || /^\s*Retry later\s*$/.test(text)) return true;
  return /requested too many times/.test(text);
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export class GitLabClient {
  readonly apiUrl: string;
  private readonly transport: Transport;
  private readonly headers: Record<string, string>;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  /** A 429 pauses every request of this client until then, so a bulk run slows down together. */
  private pausedUntil = 0;
  private readonly options: GitLabClientOptions;
  /** The server's clock minus ours, from the last reply's Date header. */
  private clockOffsetMs: number | undefined;
  /** What is left of the time the step may spend waiting out rate limits. */
  private waitBudgetMs: number;
  /** Aborted by abortAll(): cuts every request in flight and refuses new ones. */
  private readonly cancel = new AbortController();
  /**
   * Set once the rate-limit budget is spent, or one request has used all its attempts: the
   * limit is the credential's, so no new work should begin and no 429 is retried any more.
   */
  rateLimitSpent = false;

  constructor(options: GitLabClientOptions) {
    this.options = options;
    this.waitBudgetMs = options.maxWaitMs ?? 300_000;
    this.apiUrl = options.apiUrl.replace(/\/+$/, '');
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.timeoutMs = options.timeoutMs;
    this.headers = {
      accept: 'application/json',
      'user-agent': options.userAgent ?? 'create-gitlab-token',
      ...options.headers,
    };
    if (options.credential !== undefined) this.headers['private-token'] = options.credential;
    this.transport = new Transport({
      maxSockets: options.maxSockets ?? 8,
      connectTimeoutMs: options.timeoutMs,
    });
  }

  /** A client for the same GitLab with another credential (a token that must act as itself). */
  withCredential(credential: string): GitLabClient {
    // It shares what is left of the rate-limit budget, and a cancel of this client cuts it too.
    const child = new GitLabClient({
      ...this.options,
      credential,
      maxSockets: 1,
      maxWaitMs: this.waitBudgetMs,
    });
    return child.followCancel(this);
  }

  /**
   * Cuts this client's requests whenever `parent`'s are cut: one cancel for every client of a
   * run (GitHub's for store-in, the rotated credential's), so that SIGTERM stops them all.
   */
  followCancel(parent: GitLabClient): this {
    if (parent.cancel.signal.aborted) this.abortAll();
    else parent.cancel.signal.addEventListener('abort', () => this.abortAll(), { once: true });
    return this;
  }

  /** `local` (a time on this machine's clock) on GitLab's clock, once a reply has told it. */
  serverTime(local: number): number | undefined {
    return this.clockOffsetMs === undefined ? undefined : local + this.clockOffsetMs;
  }

  /** Cuts every request in flight (their replies are lost) and refuses new ones. */
  abortAll(): void {
    this.cancel.abort();
  }

  /** Closes kept-alive connections so the process can exit. */
  dispose(): void {
    this.transport.dispose();
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
    const url = `${this.apiUrl}${path}`;
    const idempotent = method === 'GET' || method === 'DELETE';
    for (let attempt = 1; ; attempt++) {
      const wait = this.pausedUntil - Date.now();
      if (wait > 0) await (this.options.sleep ?? sleep)(wait, this.cancel.signal);
      let status: number;
      let headers: IncomingHttpHeaders;
      let text: string;
      const started = Date.now();
      const where = `${method} ${path.split('?')[0]}${path.includes('?') ? '?…' : ''}`;
      const took = (): string => `${Date.now() - started} ms, attempt ${attempt}`;
      try {
        ({ status, headers, body: text } = await this.send(method, url, body));
        this.options.debug?.(`${where} answered ${status} (${took()})`);
      } catch (error) {
        const failure = this.toNetworkError(error, method, path, url);
        this.options.debug?.(`${where} failed: ${failure.code} (${took()})`);
        if (isRepeatable(failure, idempotent) && attempt < this.retry.networkAttempts) {
          await sleep(backoffDelay(attempt, this.retry), this.cancel.signal);
          continue;
        }
        throw failure;
      }
      const date = Date.parse(String(headers.date ?? ''));
      if (!Number.isNaN(date)) this.clockOffsetMs = date - Date.now();
      if (status >= 200 && status < 300) {
        return { status, headers, data: parseBody(text) as T };
      }
      if (status >= 300 && status < 400) {
        const location = Array.isArray(headers.location) ? headers.location[0] : headers.location;
        throw new GitLabRedirectError(method, path, status, location);
      }
      // A write is repeated only when GitLab's own limiter refused it (nothing was done).
      const repeatable429 = idempotent || isGitLabRateLimit(headers, text);
      const now = this.serverTime(Date.now()) ?? Date.now();
      const limitedMs =
        status >= 400 && status < 500
          ? this.options.rateLimit?.({ status, headers, text, attempt, now })
          : undefined;
      const limited = (status === 429 && repeatable429) || limitedMs !== undefined;
      // One request that used all its attempts means the limit is the credential's: retry none.
      if (limited && attempt >= this.retry.rateLimitAttempts) this.rateLimitSpent = true;
      if (limited && attempt < this.retry.rateLimitAttempts && !this.rateLimitSpent) {
        const delay =
          limitedMs ??
          Math.min(
            parseRetryAfter(headers['retry-after']) ?? backoffDelay(attempt, this.retry),
            this.retry.maxDelayMs,
          );
        // The pause is shared: only what this 429 adds to it counts against the budget.
        const until = Math.max(this.pausedUntil, Date.now() + delay);
        const added = until - Math.max(this.pausedUntil, Date.now());
        if (added <= this.waitBudgetMs) {
          this.waitBudgetMs -= added;
          this.pausedUntil = until;
          continue;
        }
        this.rateLimitSpent = true;
      }
      // A gateway error on a read is worth another try; on a write it is the caller's call.
      if (idempotent && [502, 503, 504].includes(status) && attempt < this.retry.networkAttempts) {
        await sleep(backoffDelay(attempt, this.retry), this.cancel.signal);
        continue;
      }
      const limiter =
        (status === 429 && isGitLabRateLimit(headers, text)) || limitedMs !== undefined;
      throw new GitLabApiError(method, path, status, parseBody(text), attempt, limiter);
    }
  }

  private send(method: string, url: string, body: unknown): Promise<TransportReply> {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const headers =
      data === undefined ? this.headers : { ...this.headers, 'content-type': 'application/json' };
    return this.transport.request({
      method,
      url: new URL(url),
      headers,
      body: data,
      timeoutMs: this.timeoutMs,
      signal: this.cancel.signal,
    });
  }

  private toNetworkError(
    error: unknown,
    method: string,
    path: string,
    url: string,
  ): GitLabNetworkError {
    if (error instanceof GitLabNetworkError) return error;
    if (error instanceof TransportError) {
      return new GitLabNetworkError(
        method,
        path,
        url,
        error.code,
        error.detail,
        error.sent,
        error.code === 'ETIMEDOUT' ? this.timeoutMs : undefined,
        error.reason,
      );
    }
    // Not from the network (an invalid URL, say): nothing was sent.
    const message = error instanceof Error ? error.message : String(error);
    return new GitLabNetworkError(method, path, url, 'ERROR', message, false);
  }
}

/** The client's retry policy for a run's waits (undefined keeps its defaults). */
export function retryPolicy(waits: Waits | undefined): Partial<RetryPolicy> | undefined {
  if (waits?.retryBaseDelayMs === undefined) return undefined;
  return { baseDelayMs: waits.retryBaseDelayMs };
}
