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
 * timeout message needs; attempts.ts follows the attempts through undici's own connectors and
 * handler hooks. And undici's destroy() leaves a connection that is still being opened alone: one
 * AbortSignal given to every socket lets dispose() end those too.
 */
import { setMaxListeners } from 'node:events';
import { Agent, buildConnector, Pool, ProxyAgent, type Dispatcher } from 'undici';
import { Attempts, originOf, TunnelAnswer } from './attempts.js';
import { statusText, TransportError, UNDICI_TIMER_SLACK_MS } from './errors.js';
import { Exchange, type Route, type TransportReply, type TransportRequest } from './exchange.js';
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

export type { TransportReply, TransportRequest } from './exchange.js';
export {
  TLS_FAILURE,
  TransportError,
  type NetworkFailureReason,
  type RequestPhase,
} from './errors.js';

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
