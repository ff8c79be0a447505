/**
 * The simulator lifecycle the test files share: one GitLabSimulator per call, seeded and started
 * before the file's tests, stopped after them, and put back to its starting state after every
 * test. Every simulator of a file is watched: the harness (run-action.ts) checks after each run
 * that none of their tokens and credentials was printed, and that every token made was reported.
 * Plus the leak check over every token the simulators made.
 */
import { afterAll, afterEach, beforeAll, expect } from '@jest/globals';
import { GitLabSimulator, type SimulatorOptions } from '../simulator/gitlab-simulator.js';
import { findLeaks } from './log.js';
import { watchSimulators } from './watched.js';

export { watchSimulators, watchedSimulators } from './watched.js';

export interface SimulatorFixtureOptions {
  /** the host to listen on (start()'s default when absent) */
  host?: string;
  /** constructor options */
  simulator?: SimulatorOptions;
  /** more setup after seedDefaults() and before start() (extra users, credentials) */
  seed?: (sim: GitLabSimulator) => void;
}

/** The per-test switches, as they stood when the simulator started. */
type Switches = Pick<
  GitLabSimulator,
  | 'adminMode'
  | 'gitlabDotCom'
  | 'anonymousUserId'
  | 'latencyMs'
  | 'version'
  | 'requireExpiry'
  | 'tokenPrefix'
  | 'clockOffsetMs'
  | 'outsideApi'
  | 'maskedRawRelaxed'
>;

function switchesOf(sim: GitLabSimulator): Switches {
  const { adminMode, gitlabDotCom, anonymousUserId, latencyMs } = sim;
  const { requireExpiry, tokenPrefix, clockOffsetMs, outsideApi, maskedRawRelaxed } = sim;
  // a copy: a test may change sim.version.version in place
  const version = { ...sim.version };
  return {
    adminMode,
    gitlabDotCom,
    anonymousUserId,
    latencyMs,
    version,
    requireExpiry,
    tokenPrefix,
    clockOffsetMs,
    outsideApi,
    maskedRawRelaxed,
  };
}

/**
 * Registers beforeAll (seedDefaults, `seed`, start), afterAll (stop) and afterEach (forget the
 * recorded requests, the faults, the CI/CD variables, the onRequestHandled hook and the peak
 * of requests in flight; restore the switches, the simulated version included) and
 * returns the simulator; its `url` is the base URL once the file's tests run. A late commit still
 * waiting for a next request is made visible first.
 */
export function useSimulator(options: SimulatorFixtureOptions = {}): GitLabSimulator {
  const sim = new GitLabSimulator(options.simulator);
  watchSimulators(sim);
  let initial: Switches = switchesOf(sim);
  beforeAll(async () => {
    sim.seedDefaults();
    options.seed?.(sim);
    await sim.start(options.host);
    initial = switchesOf(sim);
  });
  afterAll(() => sim.stop());
  afterEach(() => {
    sim.commitPending();
    sim.requests.length = 0;
    sim.clearFaults();
    sim.clearVariables();
    sim.onRequestHandled = undefined;
    sim.peakInFlight = 0;
    Object.assign(sim, initial, { version: { ...initial.version } });
  });
  return sim;
}

/** The secret of every token the simulators ever made, in order. */
export function tokenSecrets(...sims: GitLabSimulator[]): string[] {
  return sims.flatMap((sim) => sim.tokens.map((token) => token.token));
}

/** No credential and no token of the simulators appears anywhere but on its mask line. */
export function expectNoSecretsIn(
  result: Parameters<typeof findLeaks>[0],
  credentials: string[],
  sims: GitLabSimulator[],
): void {
  expect(findLeaks(result, [...credentials, ...tokenSecrets(...sims)])).toEqual([]);
}
