/**
 * GitLabClient sends requests to the GitLab REST API: authentication header, JSON in and out,
 * per-request time limit, no redirects, and retries where a retry cannot duplicate work
 * (429 with Retry-After, and connection failures before anything was sent).
 */
import type { IncomingHttpHeaders, IncomingMessage, RequestOptions } from 'node:http';
import { HttpClient } from '@actions/http-client';
import { GitLabApiError, GitLabNetworkError, GitLabRedirectError } from './errors.js';

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
  /** the most time all requests together may spend waiting out rate limits (default 300 s) */
  maxWaitMs?: number;
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

// Errors raised before the request could reach the server: repeating the request is safe.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EADDRNOTAVAIL',
]);

// TLS handshake failures (untrusted or mismatched certificate): nothing was sent, and repeating
// the request cannot help.
const TLS_FAILURE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL/;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Reads a response body. Unlike HttpClientResponse.readBody, it fails when the connection closes
 * or is aborted before the body ends, so a server that stalls mid-body cannot hang the step.
 */
function readText(message: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let ended = false;
    message.on('data', (chunk: Buffer) => chunks.push(chunk));
    message.once('end', () => {
      ended = true;
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    message.once('error', reject);
    message.once('close', () => {
      if (!ended) reject(new Error('the connection closed before the reply was complete'));
    });
  });
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
 * (config/initializers/rack_attack.rb, lib/gitlab/rack_attack.rb); the application limiter answers
 * `{"message":{"error":"This endpoint has been requested too many times. Try again later."}}`
 * (lib/api/helpers/rate_limiter.rb). Any other 429 (a proxy) may come after GitLab acted.
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
  private readonly http: HttpClient;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  /** A 429 pauses every request of this client until then, so a bulk run slows down together. */
  private pausedUntil = 0;
  /** Handed to the request being prepared; see `send`. */
  private pendingSignal: AbortSignal | undefined;
  private readonly options: GitLabClientOptions;
  /** The server's clock minus ours, from the last reply's Date header. */
  private clockOffsetMs: number | undefined;
  /** What is left of the time the step may spend waiting out rate limits. */
  private waitBudgetMs: number;
  private readonly inFlight = new Set<AbortController>();
  private aborted = false;
  /** Set once the rate-limit budget is spent: no new work should begin. */
  rateLimitSpent = false;

  constructor(options: GitLabClientOptions) {
    this.options = options;
    this.waitBudgetMs = options.maxWaitMs ?? 300_000;
    this.apiUrl = options.apiUrl.replace(/\/+$/, '');
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.timeoutMs = options.timeoutMs;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.credential !== undefined) headers['private-token'] = options.credential;
    this.http = new HttpClient(
      options.userAgent ?? 'create-gitlab-token',
      [
        {
          prepareRequest: (request: RequestOptions) => {
            request.signal = this.pendingSignal;
          },
          canHandleAuthentication: () => false,
          handleAuthentication: () => Promise.reject(new Error('not supported')),
        },
      ],
      {
        headers,
        allowRedirects: false,
        allowRetries: false,
        keepAlive: true,
        maxSockets: options.maxSockets ?? 8,
        socketTimeout: options.timeoutMs,
      },
    );
  }

  /** A client for the same GitLab with another credential (a token that must act as itself). */
  withCredential(credential: string): GitLabClient {
    return new GitLabClient({ ...this.options, credential, maxSockets: 1 });
  }

  /** `local` (a time on this machine's clock) on GitLab's clock, once a reply has told it. */
  serverTime(local: number): number | undefined {
    return this.clockOffsetMs === undefined ? undefined : local + this.clockOffsetMs;
  }

  /** Cuts every request in flight (their replies are lost) and refuses new ones. */
  abortAll(): void {
    this.aborted = true;
    for (const controller of this.inFlight) controller.abort();
  }

  /** Closes kept-alive connections so the process can exit. */
  dispose(): void {
    this.http.dispose();
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
        ({ status, headers, text } = await this.send(method, url, path, body));
      } catch (error) {
        const failure = this.toNetworkError(error, method, path, url);
        // A timeout is not repeated: timeout-seconds bounds each request, and repeating it would
        // multiply the time a dead server can hold the step.
        const repeatable =
          (!failure.sent || idempotent) &&
          failure.code !== 'ETIMEDOUT' &&
          failure.code !== 'ECANCELED' &&
          !TLS_FAILURE.test(failure.code);
        if (repeatable && attempt < this.retry.networkAttempts) {
          await sleep(backoffDelay(attempt, this.retry));
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
      if (status === 429 && repeatable429 && attempt < this.retry.rateLimitAttempts) {
        const delay = Math.min(
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
        await sleep(backoffDelay(attempt, this.retry));
        continue;
      }
      throw new GitLabApiError(method, path, status, parseBody(text), attempt);
    }
  }

  private async send(
    method: string,
    url: string,
    path: string,
    body: unknown,
  ): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
    const controller = new AbortController();
    if (this.aborted) {
      throw new GitLabNetworkError(method, path, url, 'ECANCELED', 'the step was cancelled', false);
    }
    this.inFlight.add(controller);
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      const data = body === undefined ? null : JSON.stringify(body);
      const headers = data === null ? {} : { 'content-type': 'application/json' };
      // HttpClient prepares the request synchronously inside request(), so the handler above
      // picks up this signal for this request only.
      this.pendingSignal = controller.signal;
      const pending = this.http.request(method, url, data, headers);
      this.pendingSignal = undefined;
      const response = await pending;
      const text = await readText(response.message);
      return { status: response.message.statusCode ?? 0, headers: response.message.headers, text };
    } catch (error) {
      if (controller.signal.aborted && this.aborted) {
        throw new GitLabNetworkError(
          method,
          path,
          url,
          'ECANCELED',
          'the step was cancelled',
          true,
        );
      }
      if (controller.signal.aborted) {
        throw new GitLabNetworkError(
          method,
          path,
          url,
          'ETIMEDOUT',
          'no answer in time',
          true,
          this.timeoutMs,
        );
      }
      throw error;
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
  }

  private toNetworkError(
    error: unknown,
    method: string,
    path: string,
    url: string,
  ): GitLabNetworkError {
    if (error instanceof GitLabNetworkError) return error;
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    if (/^Request timeout/.test(message)) {
      return new GitLabNetworkError(
        method,
        path,
        url,
        'ETIMEDOUT',
        'no answer in time',
        true,
        this.timeoutMs,
      );
    }
    const codeText = typeof code === 'string' ? code : 'ERROR';
    return new GitLabNetworkError(
      method,
      path,
      url,
      codeText,
      message,
      !NOT_SENT_CODES.has(codeText) && !TLS_FAILURE.test(codeText),
    );
  }
}
