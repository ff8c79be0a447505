/**
 * The GitHub simulator lifecycle for test files, as simulator-fixture.ts does it for GitLab: one
 * GitHubSimulator per call, seeded and started before the file's tests, stopped after them, and
 * reset (secrets, requests, faults, hook, extra repositories and tokens) after every test.
 */
import { afterAll, afterEach, beforeAll } from '@jest/globals';
import { GitHubSimulator, type GitHubSimulatorOptions } from '../simulator/github-simulator.js';

export interface GitHubSimulatorFixtureOptions {
  /** the host to listen on (start()'s default when absent) */
  host?: string;
  /** constructor options (`prefix: '/api/v3'` for GitHub Enterprise Server) */
  simulator?: GitHubSimulatorOptions;
  /** more setup after seedDefaults() and before start() (repositories, tokens) */
  seed?: (sim: GitHubSimulator) => void;
}

/** Registers beforeAll/afterAll/afterEach and returns the simulator; `url` is set once started. */
export function useGitHubSimulator(options: GitHubSimulatorFixtureOptions = {}): GitHubSimulator {
  const sim = new GitHubSimulator(options.simulator);
  beforeAll(async () => {
    sim.seedDefaults();
    options.seed?.(sim);
    await sim.start(options.host);
  });
  afterAll(() => sim.stop());
  afterEach(() => sim.reset());
  return sim;
}
