/**
 * A small HTTP/1.1 client on node:http and node:https for GitLabClient: kept-alive connections
 * (at most `maxSockets` per host), HTTPS_PROXY / HTTP_PROXY / NO_PROXY, one deadline per request
 * that covers every phase (DNS, connect, the proxy's CONNECT, TLS, headers, body), a cap on the
 * body, and failures as TransportError with what is known: the phase, whether the request may
 * have reached the server, and why.
 *
 * https through a proxy: CONNECT host:port (with Proxy-Authorization from the proxy URL), then
 * TLS over the tunnel with the target's name, verified against Node's CAs (NODE_EXTRA_CA_CERTS
 * included). Plain http through a proxy: the request in absolute form, to the proxy.
 */
import * as http from 'node:http';
import type * as https from 'node:https';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type * as tls from 'node:tls';
import type { NetworkFailureReason, RequestPhase } from '../gitlab/errors.js';
import { proxyFor, type ProxyTarget } from './proxy.js';
import type { TunnelAgent } from './tunnel-agent.js';

// node:https and node:tls (with the CA store) cost more to load than node:http, and a run against
// a plain-http GitLab without an https proxy never uses them: they are loaded on first use, and
// TunnelAgent (https through a proxy) with them.
const requireBuiltin = createRequire(import.meta.url);
const httpsModule = (): typeof https => requireBuiltin('node:https') as typeof https;

/** A token reply is under 1 KB; nothing GitLab says to this client comes near 1 MiB. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface TransportOptions {
  maxSockets: number;
  /** largest body read before the request fails; default MAX_BODY_BYTES */
  maxBodyBytes?: number;
  /** the proxy for a URL; default from the environment, as @actions/http-client picks it */
  proxyFor?: (url: URL) => ProxyTarget | undefined;
}

export interface TransportRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
  /** the one deadline of this request, for all its phases */
  timeoutMs: number;
  /** cuts the request short (a cancelled step) */
  signal?: AbortSignal;
}

export interface TransportReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

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
const NOT_SENT_CODES = new Set([
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

const isSent = (phase: RequestPhase): boolean => phase === 'reply' || phase === 'body';

/** Shared between a request and the agent that makes its connection. */
export interface RequestTrace {
  phase: RequestPhase;
  signal: AbortSignal;
}

/** Request options with the trace; Node hands unknown options on to Agent.createConnection. */
export interface TracedOptions extends https.RequestOptions {
  trace?: RequestTrace;
}

export function statusText(status: number): string {
  return `${status} ${http.STATUS_CODES[status] ?? ''}`.trim();
}

/** `[::1]` → `::1`: node:net wants IPv6 addresses bare. */
export const bareHost = (hostname: string): string => hostname.replace(/^\[(.*)\]$/, '$1');

export const defaultPort = (url: URL): number =>
  url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;

export function abortError(): Error {
  return new Error('the time limit ran out');
}

export class Transport {
  private readonly agents = new Map<string, http.Agent>();
  private readonly maxBodyBytes: number;
  private readonly proxyFor: (url: URL) => ProxyTarget | undefined;
  /** loaded by the first https request through a proxy */
  private tunnelAgent?: typeof TunnelAgent;

  constructor(private readonly options: TransportOptions) {
    this.maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
    this.proxyFor = options.proxyFor ?? proxyFor;
  }

  /** Closes kept-alive connections so the process can exit. */
  dispose(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }

  /** Sends one request; the reply's status is the caller's to judge (any 2xx-5xx). */
  async request(request: TransportRequest): Promise<TransportReply> {
    const controller = new AbortController();
    const trace: RequestTrace = { phase: 'connect', signal: controller.signal };
    const proxy = this.proxyFor(request.url);
    const timer = setTimeout(() => controller.abort(), request.timeoutMs);
    const cancel = (): void => controller.abort();
    request.signal?.addEventListener('abort', cancel, { once: true });
    try {
      if (request.signal?.aborted) throw new Error('cancelled before it began');
      if (proxy && request.url.protocol === 'https:') {
        this.tunnelAgent ??= (await import('./tunnel-agent.js')).TunnelAgent;
      }
      return await this.exchange(request, proxy, trace);
    } catch (error) {
      if (request.signal?.aborted) {
        throw new TransportError(
          'ECANCELED',
          'the step was cancelled',
          isSent(trace.phase),
          trace.phase,
        );
      }
      if (controller.signal.aborted) {
        throw new TransportError(
          'ETIMEDOUT',
          'no answer in time',
          isSent(trace.phase),
          trace.phase,
          { kind: 'timeout', phase: trace.phase, proxy: proxy?.url.origin },
        );
      }
      throw toTransportError(error, trace.phase);
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', cancel);
    }
  }

  private agent(key: string, make: (options: https.AgentOptions) => http.Agent): http.Agent {
    let agent = this.agents.get(key);
    if (!agent) {
      agent = make({ keepAlive: true, maxSockets: this.options.maxSockets });
      this.agents.set(key, agent);
    }
    return agent;
  }

  /** Where to connect and what to ask, for the request's URL and proxy. */
  private route(url: URL, proxy: ProxyTarget | undefined): TracedOptions {
    const secure = url.protocol === 'https:';
    const direct = {
      protocol: url.protocol,
      host: bareHost(url.hostname),
      port: defaultPort(url),
      path: `${url.pathname}${url.search}`,
    };
    if (!proxy) {
      const agent = secure
        ? this.agent('https', (o) => new (httpsModule().Agent)(o))
        : this.agent('http', (o) => new http.Agent(o));
      return { ...direct, agent };
    }
    if (secure) {
      const agent = this.agent(
        `tunnel ${proxy.url.href}`,
        (o) => new (this.tunnelAgent as typeof TunnelAgent)(proxy, o),
      );
      return { ...direct, agent };
    }
    // Plain http through the proxy: the absolute URL as the request target, to the proxy.
    const viaHttps = proxy.url.protocol === 'https:';
    const agent = this.agent(`proxy ${proxy.url.href}`, (o) =>
      viaHttps ? new (httpsModule().Agent)(o) : new http.Agent(o),
    );
    return {
      protocol: proxy.url.protocol,
      host: bareHost(proxy.url.hostname),
      port: defaultPort(proxy.url),
      path: url.href,
      agent,
    };
  }

  private exchange(
    request: TransportRequest,
    proxy: ProxyTarget | undefined,
    trace: RequestTrace,
  ): Promise<TransportReply> {
    const { url } = request;
    const options: TracedOptions = {
      ...this.route(url, proxy),
      method: request.method,
      setHost: false,
      trace,
    };
    const viaProxyInClear = proxy !== undefined && url.protocol === 'http:';
    return new Promise<TransportReply>((resolve, reject) => {
      let settled = false;
      const fail = (error: Error): void => {
        if (settled) return;
        settled = true;
        trace.signal.removeEventListener('abort', onAbort);
        // Destroying the request destroys its socket: it is never handed to another request.
        req.destroy();
        reject(error);
      };
      const succeed = (reply: TransportReply): void => {
        if (settled) return;
        settled = true;
        trace.signal.removeEventListener('abort', onAbort);
        resolve(reply);
      };
      const unexpected = (status: number): TransportError =>
        new TransportError(
          'EUNEXPECTEDSTATUS',
          `the reply's status was ${statusText(status)}`,
          true,
          trace.phase,
          { kind: 'unexpected-status', status, statusText: statusText(status) },
        );
      const tooLarge = (): TransportError =>
        new TransportError(
          'ERESPONSETOOLARGE',
          `the reply is larger than ${this.maxBodyBytes} bytes`,
          true,
          'body',
          { kind: 'reply-too-large', limitBytes: this.maxBodyBytes },
        );
      const onAbort = (): void => fail(abortError());

      // Header values are set after creation, so that they are not part of the options object
      // (which NODE_DEBUG=http prints).
      const req = (options.protocol === 'https:' ? httpsModule() : http).request(options);
      req.setHeader('host', url.host);
      for (const [name, value] of Object.entries(request.headers)) req.setHeader(name, value);
      if (viaProxyInClear && proxy.authorization) {
        req.setHeader('proxy-authorization', proxy.authorization);
      }
      if (request.body !== undefined) {
        req.setHeader('content-length', Buffer.byteLength(request.body));
      }

      req.once('socket', (socket: Socket) => {
        if (!socket.connecting) {
          trace.phase = 'reply';
          return;
        }
        trace.phase = 'connect';
        // A TLSSocket (told apart without loading node:tls for plain http).
        const secure = (socket as Partial<tls.TLSSocket>).encrypted === true;
        socket.once('connect', () => {
          if (trace.phase === 'connect') trace.phase = secure ? 'tls' : 'reply';
        });
        if (secure) socket.once('secureConnect', () => (trace.phase = 'reply'));
      });
      req.on('information', (info: http.InformationEvent) => {
        // 100 Continue, 102, 103 Early Hints are harmless; a 101 without Upgrade is not.
        if (info.statusCode === 101) fail(unexpected(101));
      });
      req.once('upgrade', (reply: http.IncomingMessage, socket: Socket) => {
        socket.destroy();
        fail(unexpected(reply.statusCode ?? 101));
      });
      req.on('error', (error) => fail(error));
      req.once('response', (reply: http.IncomingMessage) => {
        trace.phase = 'body';
        const status = reply.statusCode ?? 0;
        if (status < 200 || status > 599) {
          fail(unexpected(status));
          return;
        }
        if (viaProxyInClear && status === 407) {
          fail(
            new TransportError('EPROXY', 'the proxy asked for credentials', false, 'reply', {
              kind: 'proxy-refused',
              proxy: proxy.url.origin,
              target: url.host,
              status,
              statusText: statusText(status),
            }),
          );
          return;
        }
        const declared = Number(reply.headers['content-length']);
        if (Number.isFinite(declared) && declared > this.maxBodyBytes) {
          fail(tooLarge());
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        let ended = false;
        reply.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.maxBodyBytes) {
            fail(tooLarge());
            return;
          }
          chunks.push(chunk);
        });
        reply.once('end', () => {
          ended = true;
          succeed({ status, headers: reply.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
        reply.on('error', (error) => fail(error));
        reply.once('close', () => {
          if (!ended) {
            fail(
              new TransportError(
                'ECONNRESET',
                'the connection closed before the reply was complete',
                true,
                'body',
              ),
            );
          }
        });
      });

      if (trace.signal.aborted) {
        onAbort();
        return;
      }
      trace.signal.addEventListener('abort', onAbort, { once: true });
      req.end(request.body);
    });
  }
}

function toTransportError(error: unknown, phase: RequestPhase): TransportError {
  if (error instanceof TransportError) return error;
  const raw = (error as { code?: unknown }).code;
  const code = typeof raw === 'string' ? raw : 'ERROR';
  const detail = error instanceof Error ? error.message : String(error);
  const sent = isSent(phase) && !NOT_SENT_CODES.has(code) && !TLS_FAILURE.test(code);
  return new TransportError(code, detail, sent, phase);
}
