/**
 * GitLabClient sends requests to the GitLab REST API: authentication header, JSON in and out,
 * per-request time limit, no redirects, and retries where a retry cannot duplicate work
 * (429 with Retry-After, and connection failures before anything was sent). The wire work
 * (connections, proxy, deadline, body limit) is http/transport.ts's.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { GitLabApiError, GitLabNetworkError, GitLabRedirectError } from './errors.js';
import { TLS_FAILURE, Transport, TransportError, type TransportReply } from './http/transport.js';

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

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Whether a failed request may be sent again: only when it cannot have reached GitLab, or is a
 * read. Never a timeout (timeout-seconds bounds each request, and repeating it would multiply the
 * time a dead server can hold the step), an untrusted certificate, a reply that was too large or
 * made no sense (the same would come back), or a proxy that refused for a reason other than a
 * gateway failure.
 */
function isRepeatable(failure: GitLabNetworkError, idempotent: boolean): boolean {
  if (failure.sent && !idempotent) return false;
  if (failure.code === 'ETIMEDOUT' || TLS_FAILURE.test(failure.code)) return false;
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

  constructor(options: GitLabClientOptions) {
    this.apiUrl = options.apiUrl.replace(/\/+$/, '');
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.timeoutMs = options.timeoutMs;
    this.headers = {
      accept: 'application/json',
      'user-agent': options.userAgent ?? 'create-gitlab-token',
    };
    if (options.credential !== undefined) this.headers['private-token'] = options.credential;
    this.transport = new Transport({ maxSockets: options.maxSockets ?? 8 });
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
      if (wait > 0) await sleep(wait);
      let status: number;
      let headers: IncomingHttpHeaders;
      let text: string;
      try {
        ({ status, headers, body: text } = await this.send(method, url, body));
      } catch (error) {
        const failure = this.toNetworkError(error, method, path, url);
        if (isRepeatable(failure, idempotent) && attempt < this.retry.networkAttempts) {
          await sleep(backoffDelay(attempt, this.retry));
          continue;
        }
        throw failure;
      }
      if (status >= 200 && status < 300) {
        return { status, headers, data: parseBody(text) as T };
      }
      if (status >= 300 && status < 400) {
        const location = Array.isArray(headers.location) ? headers.location[0] : headers.location;
        throw new GitLabRedirectError(method, path, status, location);
      }
      if (status === 429 && attempt < this.retry.rateLimitAttempts) {
        const delay = Math.min(
          parseRetryAfter(headers['retry-after']) ?? backoffDelay(attempt, this.retry),
          this.retry.maxDelayMs,
        );
        this.pausedUntil = Math.max(this.pausedUntil, Date.now() + delay);
        continue;
      }
      // A gateway error on a read is worth another try; on a write it is the caller's call.
      if (idempotent && [502, 503, 504].includes(status) && attempt < this.retry.networkAttempts) {
        await sleep(backoffDelay(attempt, this.retry));
        continue;
      }
      throw new GitLabApiError(method, path, status, parseBody(text), attempt);
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
