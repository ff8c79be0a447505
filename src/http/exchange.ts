/** One request through undici: its phases, its deadline, its body cap, and how it fails. */
import type { IncomingHttpHeaders } from 'node:http';
import { util, type Dispatcher } from 'undici';
import type { Attempts } from './attempts.js';
import {
  NOT_SENT_CODES,
  statusText,
  TLS_FAILURE,
  TransportError,
  UNDICI_TIMEOUTS,
  type RequestPhase,
} from './errors.js';
import type { ProxyTarget } from './proxy.js';

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

/** Where one request goes: which dispatcher, and what to ask it. */
export interface Route {
  dispatcher: Dispatcher;
  options: Dispatcher.DispatchOptions;
  /** the origin whose connections the request waits for */
  origin: string;
  proxy: ProxyTarget | undefined;
  /** plain http through the proxy: a 407 is the proxy's */
  viaProxyInClear: boolean;
}

/**
 * One request, as undici's dispatch handler. The hooks tell where it stands: until onConnect the
 * request waits for a connection (connect, proxy or tls, per Attempts) and nothing of it was
 * written; undici calls onConnect on the open connection just before writing the request, so from
 * then on it may have reached the server (reply); onHeaders with a final status starts the body.
 */
export class Exchange implements Dispatcher.DispatchHandlers {
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
