/**
 * Which connection a waiting request waits for, and how far it got (TCP, the proxy's CONNECT,
 * TLS): undici does not say, and the timeout message needs it. Attempts follows them through
 * undici's own connectors and a hook on the proxy's answers to CONNECT.
 */
import type { Duplex } from 'node:stream';
import { DecoratorHandler, type buildConnector, type Dispatcher } from 'undici';
import type { RequestPhase } from './errors.js';
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
export class Attempts {
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

export const originOf = (options: buildConnector.Options): string =>
  `${options.protocol}//${options.host ?? options.hostname}`;

// undici's DecoratorHandler passes every hook on to the handler it wraps; its typings leave the
// methods out.
export interface UpgradeHook {
  onUpgrade(statusCode: number, headers: Buffer[] | string[] | null, socket: Duplex): void;
}
const Decorator = DecoratorHandler as unknown as new (
  handler: Dispatcher.DispatchHandlers,
) => Dispatcher.DispatchHandlers & UpgradeHook;

/** Tells Attempts what a proxy answered to a CONNECT, then lets undici carry on as usual. */
export class TunnelAnswer extends Decorator {
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
