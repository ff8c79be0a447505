/**
 * https through a proxy: an agent whose connections are CONNECT tunnels, with TLS to the target
 * inside. transport.ts loads this module for the first https request that goes through a proxy.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import type { ProxyTarget } from './proxy.js';
import {
  abortError,
  bareHost,
  defaultPort,
  statusText,
  TransportError,
  type TracedOptions,
} from './transport.js';

/**
 * An https agent whose connections are CONNECT tunnels through an http(s) proxy, with TLS to the
 * target inside. The agent pools the tunnels like any other keep-alive connection.
 */
export class TunnelAgent extends https.Agent {
  constructor(
    private readonly proxy: ProxyTarget,
    options: https.AgentOptions,
  ) {
    super(options);
  }

  override createConnection(
    options: TracedOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): undefined {
    const trace = options.trace;
    const host = bareHost(String(options.host ?? options.hostname ?? 'localhost'));
    const port = Number(options.port ?? 443);
    const target = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    const proxy = this.proxy.url;
    let done = false;
    let tunnel: Socket | undefined;
    let secure: tls.TLSSocket | undefined;
    const finish = (error: Error | null, socket?: Duplex): void => {
      if (done) return;
      done = true;
      trace?.signal.removeEventListener('abort', onAbort);
      if (error) {
        connect.destroy();
        tunnel?.destroy();
        secure?.destroy();
      }
      // Node's agent takes (error) alone on failure; the stream argument is unused then.
      callback?.(error, socket as Duplex);
    };
    const onAbort = (): void => finish(abortError());
    if (trace) trace.phase = 'proxy';
    const connect = (proxy.protocol === 'https:' ? https : http).request({
      host: bareHost(proxy.hostname),
      port: defaultPort(proxy),
      method: 'CONNECT',
      path: target,
      agent: false,
      setHost: false,
    });
    connect.setHeader('host', target);
    if (this.proxy.authorization)
      connect.setHeader('proxy-authorization', this.proxy.authorization);
    // Listeners stay for the socket's life: a late error is then ignored, never unhandled.
    connect.on('error', (error) => finish(error));
    connect.once('connect', (reply: http.IncomingMessage, socket: Socket, head: Buffer) => {
      tunnel = socket;
      const status = reply.statusCode ?? 0;
      if (status < 200 || status > 299) {
        finish(
          new TransportError(
            'EPROXY',
            `the proxy answered CONNECT with ${statusText(status)}`,
            false,
            'proxy',
            {
              kind: 'proxy-refused',
              proxy: proxy.origin,
              target,
              status,
              statusText: statusText(status),
            },
          ),
        );
        return;
      }
      if (head.length > 0) socket.unshift(head);
      if (trace) trace.phase = 'tls';
      secure = tls.connect({
        socket,
        servername: isIP(host) ? undefined : host,
        rejectUnauthorized: options.rejectUnauthorized !== false,
      });
      secure.on('error', (error) => finish(error));
      secure.once('secureConnect', () => finish(null, secure));
    });
    if (trace?.signal.aborted) {
      finish(abortError());
      return undefined;
    }
    trace?.signal.addEventListener('abort', onAbort, { once: true });
    connect.end();
    return undefined;
  }
}
