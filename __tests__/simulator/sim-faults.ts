// Fault injection for the client's failure tests: what a proxy, a load balancer or an
// overloaded GitLab can do to a request. Not GitLab behaviour; rate limits imitate Rack::Attack
// (config/initializers/rack_attack*.rb, lib/gitlab/rack_attack.rb: text/plain "Retry later",
// Retry-After and RateLimit-* headers).
import type * as http from 'node:http';
import { statusLine } from './sim-replies.js';

interface AfterCreateOptions {
  /** On token-creating routes: store the token first, then answer with the fault. */
  afterCreate?: boolean;
  /**
   * On CI/CD variable writes (POST, PUT): store the value first, then answer with the fault (a
   * reply lost after GitLab stored it).
   */
  afterWrite?: boolean;
  /**
   * With afterCreate: the token (and a rotation's revocation) becomes visible only this many
   * ms after the fault answer was sent (a late commit after a 504 or a timeout).
   */
  commitDelayMs?: number;
  /**
   * With afterCreate, a late commit without a clock: the token (and a rotation's revocation)
   * becomes visible just before the next request is handled (`'next-request'`: whoever looks
   * next sees it), or once the promise settles (a test says when).
   */
  commitOn?: 'next-request' | Promise<unknown>;
}

export type Fault =
  | ({
      kind: 'status';
      status: number;
      /** JSON-encoded unless a string (sent as text/plain); default `{"message":"<status> <reason>"}`. */
      body?: unknown;
      headers?: Record<string, string>;
    } & AfterCreateOptions)
  | ({ kind: 'reset' } & AfterCreateOptions)
  /**
   * No answer. With `until`, the connection is reset once the promise settles (the reply is lost
   * for good) instead of staying open until the client gives up.
   */
  | ({ kind: 'hang'; until?: Promise<unknown> } & AfterCreateOptions)
  /** Sends the status line, headers and part of the body, then nothing more. */
  | ({ kind: 'stall'; status?: number } & AfterCreateOptions)
  | { kind: 'redirect'; status?: number; location: string }
  | { kind: 'rateLimit'; retryAfterSeconds?: number }
  /**
   * Writes these bytes to the socket as they are (e.g. `HTTP/1.1 101 Switching Protocols\r\n\r\n`
   * or an HTML 200), then closes it unless `keepOpen`.
   */
  | ({ kind: 'raw'; data: string | Uint8Array; keepOpen?: boolean } & AfterCreateOptions)
  /** A body that never ends (chunked), with this status (default 200). */
  | ({ kind: 'endless'; status?: number; contentType?: string } & AfterCreateOptions)
  /** A body of exactly `bytes` bytes (with Content-Length), with this status (default 200). */
  | ({ kind: 'huge'; bytes: number; status?: number; contentType?: string } & AfterCreateOptions);

export interface FaultRule {
  method?: string;
  pathPattern?: RegExp;
  /** How many matching requests this rule fires for; default 1 (Infinity for always). */
  times?: number;
  fault: Fault;
}

export function isAfterCreate(f: Fault): boolean {
  return 'afterCreate' in f && f.afterCreate === true;
}

/** When a rule's fault answers: before the route, after a token is made, after a write. */
export function faultPhase(f: Fault): 'before' | 'create' | 'write' {
  if (isAfterCreate(f)) return 'create';
  return 'afterWrite' in f && f.afterWrite === true ? 'write' : 'before';
}

export function commitDelayOf(f: Fault): number | undefined {
  return 'commitDelayMs' in f ? f.commitDelayMs : undefined;
}

export function commitOnOf(f: Fault): AfterCreateOptions['commitOn'] {
  return 'commitOn' in f ? f.commitOn : undefined;
}

/** Exactly `bytes` bytes of a JSON-looking body. */
function filler(bytes: number, offset: number, length: number): Buffer {
  const head = '{"message":"';
  const tail = '"}';
  const buf = Buffer.alloc(length, 0x78); // 'x'
  if (bytes >= head.length + tail.length) {
    for (let i = 0; i < length; i++) {
      const pos = offset + i;
      if (pos < head.length) buf[i] = head.charCodeAt(pos);
      else if (pos >= bytes - tail.length) buf[i] = tail.charCodeAt(pos - (bytes - tail.length));
    }
  }
  return buf;
}

export interface FaultContext {
  now: () => Date;
  stopped: () => boolean;
}

export function applyFault(
  fault: Fault,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  ctx: FaultContext,
): void {
  const date = ctx.now().toUTCString();
  switch (fault.kind) {
    case 'status': {
      const body = fault.body;
      const text =
        body === undefined
          ? JSON.stringify({ message: statusLine(fault.status) })
          : typeof body === 'string'
            ? body
            : JSON.stringify(body);
      res.writeHead(fault.status, {
        date,
        'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
        'content-length': Buffer.byteLength(text),
        ...fault.headers,
      });
      res.end(text);
      return;
    }
    case 'reset':
      req.socket.resetAndDestroy();
      return;
    case 'hang':
      void fault.until?.finally(() => req.socket.resetAndDestroy());
      return;
    case 'stall':
      res.writeHead(fault.status ?? 200, {
        date,
        'content-type': 'application/json',
        'content-length': 4096,
      });
      res.write('{"id":');
      return;
    case 'redirect':
      res.writeHead(fault.status ?? 302, { date, location: fault.location, 'content-length': 0 });
      res.end();
      return;
    case 'rateLimit': {
      const retry = Math.max(0, Math.round(fault.retryAfterSeconds ?? 0));
      const resetAt = new Date(ctx.now().getTime() + retry * 1000);
      const text = 'Retry later\n';
      res.writeHead(429, {
        date,
        'content-type': 'text/plain',
        'content-length': Buffer.byteLength(text),
        'retry-after': String(retry),
        'ratelimit-name': 'throttle_authenticated_api',
        'ratelimit-limit': '600',
        'ratelimit-observed': '601',
        'ratelimit-remaining': '0',
        'ratelimit-reset': String(Math.ceil(resetAt.getTime() / 1000)),
        'ratelimit-resettime': resetAt.toUTCString(),
      });
      res.end(text);
      return;
    }
    case 'raw': {
      const socket = req.socket;
      socket.write(fault.data);
      if (!fault.keepOpen) socket.end();
      return;
    }
    case 'endless': {
      res.writeHead(fault.status ?? 200, {
        date,
        'content-type': fault.contentType ?? 'application/json',
      });
      const chunk = filler(64 * 1024, 12, 64 * 1024);
      res.write('{"message":"');
      const pump = (): void => {
        while (!res.destroyed && !ctx.stopped()) {
          if (!res.write(chunk)) {
            res.once('drain', () => setImmediate(pump));
            return;
          }
        }
      };
      pump();
      return;
    }
    case 'huge': {
      const total = Math.max(0, Math.floor(fault.bytes));
      res.writeHead(fault.status ?? 200, {
        date,
        'content-type': fault.contentType ?? 'application/json',
        'content-length': total,
      });
      let sent = 0;
      const step = 64 * 1024;
      const pump = (): void => {
        while (sent < total && !res.destroyed && !ctx.stopped()) {
          const n = Math.min(step, total - sent);
          const ok = res.write(filler(total, sent, n));
          sent += n;
          if (!ok) {
            res.once('drain', () => setImmediate(pump));
            return;
          }
        }
        if (sent >= total) res.end();
      };
      pump();
      return;
    }
  }
}
