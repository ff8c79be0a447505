/**
 * Cancellation, as a runner (or a person at a terminal) does it: the first SIGINT stops new work
 * and lets requests in flight finish (each is bounded by timeout-seconds); SIGTERM, or a second
 * SIGINT, also cuts the requests in flight. Either way the caller still reports what was made.
 */
import type { StopSignal } from './many.js';
import type { GitLabClient } from '../gitlab/client.js';

export interface SignalWatch {
  stop: StopSignal;
  /** stops listening (the work is over) */
  release(): void;
}

export function watchSignals(
  client: GitLabClient,
  onFirst: (signal: NodeJS.Signals) => void,
): SignalWatch {
  const stop: { reason: StopSignal['reason'] } = { reason: undefined };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stop.reason === undefined) {
      stop.reason = 'cancelled';
      onFirst(signal);
      if (signal === 'SIGINT') return;
    }
    client.abortAll();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    stop,
    release() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
