// A minimal forward proxy for tests: CONNECT tunnelling (for https targets) and absolute-URI
// forwarding (for plain http targets). It records what it was asked for and closes every
// socket on stop(). Node built-ins only.
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { closeServer } from './close-server.js';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export interface ConnectProxyOptions {
  /** Connect every target to this address instead of its own host (names need no DNS). */
  resolveTo?: string;
}

/** How CONNECT requests are answered: tunnelled, never answered, or refused with a status. */
export type ConnectMode =
  { kind: 'tunnel' } | { kind: 'silent' } | { kind: 'refuse'; status: number };

export class ConnectProxy {
  /** 'host:port' targets of CONNECT requests, in arrival order. */
  readonly connects: string[] = [];
  /** The Proxy-Authorization header of each CONNECT (undefined when absent), in arrival order. */
  readonly authorizations: (string | undefined)[] = [];
  /** Set by a test; put back to tunnel by reset(). */
  connectMode: ConnectMode = { kind: 'tunnel' };
  /** Absolute URLs of plain-HTTP proxied requests, in arrival order. */
  readonly requests: string[] = [];
  private server: http.Server | null = null;
  private readonly sockets = new Set<Duplex>();
  private baseUrl = '';

  constructor(private readonly options: ConnectProxyOptions = {}) {}

  get url(): string {
    return this.baseUrl;
  }

  async start(): Promise<string> {
    if (this.server) throw new Error('ConnectProxy already started');
    const server = http.createServer((req, res) => this.forward(req, res));
    server.on('connection', (socket: net.Socket) => this.track(socket));
    server.on('connect', (req: http.IncomingMessage, socket: Duplex, head: Buffer) =>
      this.tunnel(req, socket, head),
    );
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await closeServer(server, this.sockets);
  }

  /** Forgets what was recorded and tunnels again. */
  reset(): void {
    this.connects.length = 0;
    this.requests.length = 0;
    this.authorizations.length = 0;
    this.connectMode = { kind: 'tunnel' };
  }

  private track(socket: Duplex): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    const target = req.url ?? '';
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('proxy: absolute URI required');
      return;
    }
    this.requests.push(url.toString());
    if (url.protocol !== 'http:') {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('proxy: only http: is forwarded; use CONNECT for https');
      return;
    }
    const headers: http.OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (!HOP_BY_HOP.has(k) && v !== undefined) headers[k] = v;
    }
    const upstream = http.request(
      {
        host: this.options.resolveTo ?? url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || 80,
        method: req.method,
        path: `${url.pathname}${url.search}`,
        headers,
        agent: false,
      },
      (upRes) => {
        const outHeaders: http.OutgoingHttpHeaders = {};
        for (const [k, v] of Object.entries(upRes.headers)) {
          if (!HOP_BY_HOP.has(k) && v !== undefined) outHeaders[k] = v;
        }
        res.writeHead(upRes.statusCode ?? 502, outHeaders);
        upRes.pipe(res);
        upRes.on('error', () => res.destroy());
      },
    );
    upstream.on('socket', (s) => this.track(s));
    upstream.on('error', () => {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end('proxy: upstream connection failed');
      } else {
        res.destroy();
      }
    });
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  private tunnel(req: http.IncomingMessage, client: Duplex, head: Buffer): void {
    this.track(client);
    const target = req.url ?? '';
    this.connects.push(target);
    this.authorizations.push(req.headers['proxy-authorization']);
    client.on('error', () => undefined);
    const mode = this.connectMode;
    if (mode.kind === 'silent') return;
    if (mode.kind === 'refuse') {
      const reason = http.STATUS_CODES[mode.status] ?? 'Refused';
      const auth = mode.status === 407 ? 'Proxy-Authenticate: Basic realm="test proxy"\r\n' : '';
      client.end(`HTTP/1.1 ${mode.status} ${reason}\r\n${auth}Content-Length: 0\r\n\r\n`);
      return;
    }
    const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(target);
    if (!m) {
      client.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const [, host, port] = m;
    const upstream = net.connect(Number(port), this.options.resolveTo ?? host);
    this.track(upstream);
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => {
      if (!connected && client.writable) {
        client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
      } else {
        client.destroy();
      }
    });
    client.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => {
      if (connected) client.destroy();
    });
  }
}
