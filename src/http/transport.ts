/**
 * GitLabClient's HTTP/1.1, on undici (the client behind Node's fetch and @actions/http-client).
 * undici opens the connections (DNS, TCP, TLS verified against Node's CAs, NODE_EXTRA_CA_CERTS
 * included), keeps them alive (at most `maxSockets` per origin) and tunnels through proxies
 * (ProxyAgent: CONNECT host:port with Proxy-Authorization, then TLS to the target inside). Which
 * proxy a request takes is @actions/http-client's decision (proxy.ts). This file adds what
 * GitLabClient needs and undici does not decide: one deadline per request over all its phases,
 * a cap on the body, no redirects, and failures as TransportError with what is known: the phase,
 * whether the request may have reached the server, and why.
 *
 * Plain http through a proxy goes to the proxy in absolute form (`POST http://host/path`), not
 * through a tunnel, as before and as proxy.e2e.test.ts checks: a Pool to the proxy's origin with
 * the absolute URL as the request target. (undici 6's ProxyAgent tunnels http too unless
 * `proxyTunnel: false`; with it, it opens connections without limit, still tunnels through an
 * https proxy, and reports a 407 without aborting the request.)
 *
 * What is this file's own, and why: undici does not say which connection attempt a waiting
 * request waits for, nor how far that attempt got (TCP, the proxy's CONNECT, TLS), which the
 * timeout message needs; Attempts below follows the attempts through undici's own connectors and
 * handler hooks. And undici's destroy() leaves a connection that is still being opened alone: one
 * AbortSignal given to every socket lets dispose() end those too.
 */
import { setMaxListeners } from 'node:events';
import { STATUS_CODES, type IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import { Agent, buildConnector, DecoratorHandler, Pool, ProxyAgent, util } from 'undici';
import type { Dispatcher } from 'undici';
import type { NetworkFailureReason, RequestPhase } from '../gitlab/errors.js';
import { proxyFor, type ProxyTarget } from './proxy.js';

/** A token reply is under 1 KB; nothing GitLab says to this client comes near 1 MiB. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface TransportOptions {
  maxSockets: number;
  /**
   * The longest one connection may take to open (TCP, the proxy's CONNECT, TLS): the client's
   * per-request limit. A request's own deadline is what fails it; this bounds a connection that
   * no request waits for any more (undici shares connections, and does not cancel one because
   * the request that asked for it gave up).
   */
  connectTimeoutMs: number;
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
  headers: IncomingHttpHeaders;
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

/**
 * undici's timers above 1 s tick every half second and can fire up to that much early: its own
 * time limits (connect, the proxy's answer to CONNECT) are set this much beyond the deadline, so
 * that the deadline is what fails a request, and they only end connections nobody waits for.
 */
const UNDICI_TIMER_SLACK_MS = 1000;

/** undici's own time limits; should one still come first, it counts as running out of time. */
const UNDICI_TIMEOUTS = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

export function statusText(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? ''}`.trim();
}

/** How far a connection got: connecting, through the proxy's CONNECT, the TLS handshake. */
const CONNECTING: RequestPhase[] = ['connect', 'proxy', 'tls'];

/** One connection being opened for an origin. */
interface Attempt {
  phase: RequestPhase;
  /** the proxy's answer to CONNECT, and the `host:port` asked for */
  answer?: { status: number; target: string };
}

/**
 * The connections being opened, per origin, and how far each got. undici hands a request a
 * connection only once it is open (the handler's onConnect), and does not say which attempt a
 * waiting request waits for: a request that fails while waiting takes the furthest phase any
 * attempt for its origin has reached (the one closest to serving it), 'connect' when none is
 * under way (waiting for a free connection). The connectors below report the phases.
 */
class Attempts {
  private readonly open = new Map<string, Set<Attempt>>();
  /** the phase an error of a connection attempt was raised in */
  private readonly failedIn = new WeakMap<object, RequestPhase>();

  begin(origin: string, phase: RequestPhase): Attempt {
    const attempt: Attempt = { phase };
    let set = this.open.get(origin);
    if (!set) this.open.set(origin, (set = new Set()));
    set.add(attempt);
    return attempt;
  }

  /**
   * A callback for undici's connector that ends the attempt first, once (ProxyAgent can call back
   * twice after a refused CONNECT), and notes the phase of an error before undici passes it on.
   */
  finisher(
    origin: string,
    attempt: Attempt,
    callback: buildConnector.Callback,
    refused?: (answer: { status: number; target: string }) => Error,
  ): buildConnector.Callback {
    let done = false;
    return (...args: Parameters<buildConnector.Callback>) => {
      if (done) return;
      done = true;
      this.open.get(origin)?.delete(attempt);
      if (args[0] === null) {
        callback(...args);
        return;
      }
      const { answer } = attempt;
      // ProxyAgent reports a refused CONNECT as "Proxy response (407) !== 200 when HTTP
      // Tunneling" (RequestAbortedError); the status itself comes from the proxy's answer.
      const error = refused && answer && answer.status !== 200 ? refused(answer) : args[0];
      this.failedIn.set(error, attempt.phase);
      callback(error, null);
    };
  }

  /** The proxy answered the CONNECT for `target` (host:port): the next TLS, or a refusal. */
  answered(target: string, status: number): void {
    const origin = new URL(`https://${target}`).origin;
    for (const attempt of this.open.get(origin) ?? []) {
      if (attempt.phase === 'proxy' && !attempt.answer) {
        attempt.answer = { status, target };
        if (status === 200) attempt.phase = 'tls';
        return;
      }
    }
  }

  /** Where a request for `origin` that has no connection yet stands. */
  phaseOf(origin: string, error?: unknown): RequestPhase {
    const noted = typeof error === 'object' && error !== null && this.failedIn.get(error);
    if (noted) return noted;
    let furthest = 0;
    for (const attempt of this.open.get(origin) ?? []) {
      furthest = Math.max(furthest, CONNECTING.indexOf(attempt.phase));
    }
    return CONNECTING[furthest];
  }
}

const originOf = (options: buildConnector.Options): string =>
  `${options.protocol}//${options.host ?? options.hostname}`;

// undici's DecoratorHandler passes every hook on to the handler it wraps; its typings leave the
// methods out.
interface UpgradeHook {
  onUpgrade(statusCode: number, headers: Buffer[] | string[] | null, socket: Duplex): void;
}
const Decorator = DecoratorHandler as unknown as new (
  handler: Dispatcher.DispatchHandlers,
) => Dispatcher.DispatchHandlers & UpgradeHook;

/** Tells Attempts what a proxy answered to a CONNECT, then lets undici carry on as usual. */
class TunnelAnswer extends Decorator {
  constructor(
    handler: Dispatcher.DispatchHandlers,
    private readonly target: string,
    private readonly attempts: Attempts,
  ) {
    super(handler);
  }

  override onUpgrade(
    statusCode: number,
    headers: Buffer[] | string[] | null,
    socket: Duplex,
  ): void {
    this.attempts.answered(this.target, statusCode);
    super.onUpgrade(statusCode, headers, socket);
  }
}

/** Where one request goes: which dispatcher, and what to ask it. */
interface Route {
  dispatcher: Dispatcher;
  options: Dispatcher.DispatchOptions;
  /** the origin whose connections the request waits for */
  origin: string;
  proxy: ProxyTarget | undefined;
  /** plain http through the proxy: a 407 is the proxy's */
  viaProxyInClear: boolean;
}

export class Transport {
  private readonly dispatchers = new Map<string, Dispatcher>();
  private readonly attempts = new Attempts();
  private readonly maxBodyBytes: number;
  private readonly proxyFor: (url: URL) => ProxyTarget | undefined;
  /** undici's limit on opening one connection, and on the proxy's answer to CONNECT */
  private readonly connectTimeoutMs: number;
  /**
   * Aborted by dispose(): every socket this transport opens listens to it. destroy() on undici's
   * dispatchers closes the connections they hold, but not one still being opened (undici holds
   * it only once it is open), which would keep the process alive until its connect timeout.
   */
  private closing = Transport.closingController();

  constructor(private readonly options: TransportOptions) {
    this.maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
    this.proxyFor = options.proxyFor ?? proxyFor;
    this.connectTimeoutMs = options.connectTimeoutMs + UNDICI_TIMER_SLACK_MS;
  }

  private static closingController(): AbortController {
    const controller = new AbortController();
    // One listener per open socket: more than EventTarget's warning threshold of 10 is normal.
    setMaxListeners(0, controller.signal);
    return controller;
  }

  /** Closes kept-alive connections, and those being opened, so the process can exit. */
  dispose(): void {
    for (const dispatcher of this.dispatchers.values()) {
      dispatcher.destroy().catch(() => undefined);
    }
    this.dispatchers.clear();
    this.closing.abort();
    this.closing = Transport.closingController();
  }

  /** Sends one request; the reply's status is the caller's to judge (any 2xx-5xx). */
  request(request: TransportRequest): Promise<TransportReply> {
    const proxy = this.proxyFor(request.url);
    if (request.signal?.aborted) {
      const error = new TransportError('ECANCELED', 'the step was cancelled', false, 'connect');
      return Promise.reject(error);
    }
    const route = this.route(request, proxy);
    return new Promise<TransportReply>((resolve, reject) => {
      new Exchange(request, route, this.maxBodyBytes, this.attempts, resolve, reject).start();
    });
  }

  private dispatcher(key: string, make: () => Dispatcher): Dispatcher {
    let dispatcher = this.dispatchers.get(key);
    if (!dispatcher) {
      dispatcher = make();
      this.dispatchers.set(key, dispatcher);
    }
    return dispatcher;
  }

  /** What every dispatcher shares: connections per origin, no redirects. */
  private common() {
    return { connections: this.options.maxSockets, maxRedirections: 0 };
  }

  /**
   * undici's connector (buildConnector) in two steps for https, TCP and then TLS over it (as
   * ProxyAgent does over a tunnel), so that Attempts knows when the handshake began.
   */
  private connector(): buildConnector.connector {
    const build = { timeout: this.connectTimeoutMs, signal: this.closing.signal };
    const tcp = buildConnector(build);
    const tls = buildConnector(build);
    return (options, callback) => {
      const origin = originOf(options);
      const attempt = this.attempts.begin(origin, 'connect');
      const finish = this.attempts.finisher(origin, attempt, callback);
      if (options.protocol !== 'https:') {
        tcp(options, finish);
        return;
      }
      tcp({ ...options, protocol: 'http:', port: options.port || '443' }, (error, socket) => {
        if (error) {
          finish(error, null);
          return;
        }
        attempt.phase = 'tls';
        tls({ ...options, httpSocket: socket }, finish);
      });
    };
  }

  /** https through `proxy`: undici's ProxyAgent, watched for the phases of its tunnels. */
  private tunnelAgent(proxy: ProxyTarget): Dispatcher {
    const timeout = this.connectTimeoutMs;
    const attempts = this.attempts;
    const refused = ({ status, target }: { status: number; target: string }): Error =>
      new TransportError(
        'EPROXY',
        `the proxy answered CONNECT with ${statusText(status)}`,
        false,
        'proxy',
        {
          kind: 'proxy-refused',
          proxy: proxy.url.origin,
          target,
          status,
          statusText: statusText(status),
        },
      );
    return new ProxyAgent({
      ...this.common(),
      // The proxy's address without credentials; they go as the Proxy-Authorization of CONNECT.
      uri: proxy.url.href,
      token: proxy.authorization,
      proxyTls: { timeout, signal: this.closing.signal },
      requestTls: { timeout },
      // The connections to the proxy, which carry the CONNECTs: their answers are watched, and a
      // silent proxy is given up on after `timeout`.
      clientFactory: (origin, options) =>
        new Pool(origin, {
          ...options,
          connections: this.options.maxSockets,
          headersTimeout: timeout,
        }).compose(
          (dispatch) => (dispatchOptions, handler) =>
            dispatch(dispatchOptions, new TunnelAnswer(handler, dispatchOptions.path, attempts)),
        ),
      // The connections to GitLab through tunnels: ProxyAgent's connector opens each one.
      factory: (origin, options) => {
        const tunnel = (options as { connect: buildConnector.connector }).connect;
        return new Pool(origin, {
          ...options,
          connect: (connectOptions, callback) => {
            const key = originOf(connectOptions);
            const attempt = attempts.begin(key, 'proxy');
            tunnel(connectOptions, attempts.finisher(key, attempt, callback, refused));
          },
        });
      },
    });
  }

  /** Where to connect and what to ask, for the request's URL and proxy. */
  private route(request: TransportRequest, proxy: ProxyTarget | undefined): Route {
    const { url } = request;
    const options = {
      method: request.method as Dispatcher.HttpMethod,
      headers: { ...request.headers, host: url.host },
      body: request.body,
      // The request's deadline is its only clock; undici's would cut it at 300 s.
      headersTimeout: 0,
      bodyTimeout: 0,
    };
    const path = `${url.pathname}${url.search}`;
    if (!proxy) {
      const dispatcher = this.dispatcher('direct', () => {
        return new Agent({ ...this.common(), connect: this.connector() });
      });
      const routed = { ...options, origin: url.origin, path };
      return { dispatcher, options: routed, origin: url.origin, proxy, viaProxyInClear: false };
    }
    if (url.protocol === 'https:') {
      const dispatcher = this.dispatcher(`tunnel ${proxy.url.href}`, () => this.tunnelAgent(proxy));
      const routed = { ...options, origin: url.origin, path };
      return { dispatcher, options: routed, origin: url.origin, proxy, viaProxyInClear: false };
    }
    // Plain http through the proxy: the absolute URL as the request target, to the proxy.
    const dispatcher = this.dispatcher(`proxy ${proxy.url.href}`, () => {
      return new Pool(proxy.url.origin, { ...this.common(), connect: this.connector() });
    });
    const headers: Record<string, string> = { ...options.headers };
    if (proxy.authorization) headers['proxy-authorization'] = proxy.authorization;
    const routed = {
      ...options,
      headers,
      origin: proxy.url.origin,
      path: `${url.protocol}//${url.host}${path}`,
    };
    return { dispatcher, options: routed, origin: proxy.url.origin, proxy, viaProxyInClear: true };
  }
}

/**
 * One request, as undici's dispatch handler. The hooks tell where it stands: until onConnect the
 * request waits for a connection (connect, proxy or tls, per Attempts) and nothing of it was
 * written; undici calls onConnect on the open connection just before writing the request, so from
 * then on it may have reached the server (reply); onHeaders with a final status starts the body.
 */
class Exchange implements Dispatcher.DispatchHandlers {
  private phase: RequestPhase = 'connect';
  private connected = false;
  private abortRequest?: (error?: Error) => void;
  private settled = false;
  private timer?: NodeJS.Timeout;
  private status = 0;
  private headers: IncomingHttpHeaders = {};
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(
    private readonly request: TransportRequest,
    private readonly route: Route,
    private readonly maxBodyBytes: number,
    private readonly attempts: Attempts,
    private readonly resolve: (reply: TransportReply) => void,
    private readonly reject: (error: TransportError) => void,
  ) {}

  start(): void {
    this.timer = setTimeout(() => this.stop('timeout'), this.request.timeoutMs);
    this.request.signal?.addEventListener('abort', this.cancel, { once: true });
    try {
      this.route.dispatcher.dispatch(this.route.options, this);
    } catch (error) {
      this.onError(error as Error);
    }
  }

  private readonly cancel = (): void => this.stop('cancel');

  /**
   * The deadline ran out, or the step was cancelled: the promise settles now, whatever undici is
   * doing. A request with a connection is aborted (undici destroys that connection, which is never
   * handed to another request); one still waiting is aborted the moment undici offers it a
   * connection (onConnect), before any of it is written, so "not sent" stays true.
   */
  private stop(why: 'timeout' | 'cancel'): void {
    const phase = this.where();
    const proxy = this.route.proxy?.url.origin;
    this.fail(
      why === 'cancel'
        ? new TransportError('ECANCELED', 'the step was cancelled', this.connected, phase)
        : new TransportError('ETIMEDOUT', 'no answer in time', this.connected, phase, {
            kind: 'timeout',
            phase,
            proxy,
          }),
    );
  }

  private where(error?: unknown): RequestPhase {
    return this.connected ? this.phase : this.attempts.phaseOf(this.route.origin, error);
  }

  private fail(error: TransportError): void {
    if (this.settled) return;
    this.settle();
    // undici then calls onError, which is ignored now.
    this.abortRequest?.(error);
    this.reject(error);
  }

  private settle(): void {
    this.settled = true;
    clearTimeout(this.timer);
    this.request.signal?.removeEventListener('abort', this.cancel);
  }

  onConnect(abort: (error?: Error) => void): void {
    if (this.settled) {
      abort();
      return;
    }
    this.abortRequest = abort;
    this.connected = true;
    this.phase = 'reply';
  }

  onHeaders(status: number, rawHeaders: Buffer[]): boolean {
    if (this.settled) return false;
    if (status < 200) {
      // 102 and 103 Early Hints are harmless; a 101 without Upgrade is not. (A 101 with Upgrade
      // never gets here: see 'bad upgrade' below.)
      if (status === 101) this.fail(this.unexpected(101));
      return !this.settled;
    }
    this.phase = 'body';
    if (status > 599) {
      this.fail(this.unexpected(status));
      return false;
    }
    if (this.route.viaProxyInClear && status === 407) {
      const { proxy } = this.route;
      this.fail(
        new TransportError('EPROXY', 'the proxy asked for credentials', false, 'reply', {
          kind: 'proxy-refused',
          proxy: proxy?.url.origin ?? '',
          target: this.request.url.host,
          status,
          statusText: statusText(status),
        }),
      );
      return false;
    }
    this.status = status;
    this.headers = util.parseHeaders(rawHeaders) as IncomingHttpHeaders;
    const length = this.headers['content-length'];
    const declared = Number(Array.isArray(length) ? length[0] : length);
    if (Number.isFinite(declared) && declared > this.maxBodyBytes) {
      this.fail(this.tooLarge());
      return false;
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.settled) return false;
    this.size += chunk.length;
    if (this.size > this.maxBodyBytes) {
      this.fail(this.tooLarge());
      return false;
    }
    this.chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    if (this.settled) return;
    this.settle();
    const body = Buffer.concat(this.chunks).toString('utf8');
    this.resolve({ status: this.status, headers: this.headers, body });
  }

  onError(error: Error): void {
    if (this.settled) return;
    this.fail(this.transportError(error));
  }

  /** An error from undici (or from the connectors above) as what the client needs to know. */
  private transportError(error: Error): TransportError {
    if (error instanceof TransportError) return error;
    const phase = this.where(error);
    const raw = (error as { code?: unknown }).code;
    let code = typeof raw === 'string' ? raw : 'ERROR';
    let detail = error.message;
    if (UNDICI_TIMEOUTS.has(code)) {
      // Only timer granularity lets one of these come before the deadline.
      return new TransportError('ETIMEDOUT', 'no answer in time', this.connected, phase, {
        kind: 'timeout',
        phase,
        proxy: this.route.proxy?.url.origin,
      });
    }
    if (code === 'UND_ERR_SOCKET' && detail === 'bad upgrade') {
      // llhttp takes every 101 reply for an upgrade, which undici refuses when none was asked.
      return this.unexpected(101);
    }
    if (code === 'UND_ERR_SOCKET') {
      // The other side closed the connection (undici passes a socket's own errors unchanged).
      code = 'ECONNRESET';
      if (this.phase === 'body') detail = 'the connection closed before the reply was complete';
    }
    if (code === 'UND_ERR_PRX_TLS') {
      // ProxyAgent wraps a certificate the https proxy's own TLS failed on; its code is the cause's.
      const cause = (error as { cause?: { code?: unknown } }).cause?.code;
      if (typeof cause === 'string') code = cause;
    }
    const sent = this.connected && !NOT_SENT_CODES.has(code) && !TLS_FAILURE.test(code);
    return new TransportError(code, detail, sent, phase);
  }

  private unexpected(status: number): TransportError {
    return new TransportError(
      'EUNEXPECTEDSTATUS',
      `the reply's status was ${statusText(status)}`,
      true,
      this.phase,
      { kind: 'unexpected-status', status, statusText: statusText(status) },
    );
  }

  private tooLarge(): TransportError {
    return new TransportError(
      'ERESPONSETOOLARGE',
      `the reply is larger than ${this.maxBodyBytes} bytes`,
      true,
      'body',
      { kind: 'reply-too-large', limitBytes: this.maxBodyBytes },
    );
  }
}
