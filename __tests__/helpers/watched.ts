/**
 * The simulators the harness (run-action.ts) checks after every run: none of their tokens and
 * credentials printed, every token made reported. Free of jest, so that the demo and the
 * benchmarks can use the harness too.
 */
import type { GitLabSimulator } from '../simulator/gitlab-simulator.js';

/** The simulators of this test file (jest gives each file its own modules). */
const watched: GitLabSimulator[] = [];

/** Simulators the harness checks after every run (useSimulator's are watched already). */
export function watchSimulators(...sims: GitLabSimulator[]): void {
  for (const sim of sims) if (!watched.includes(sim)) watched.push(sim);
}

export function watchedSimulators(): readonly GitLabSimulator[] {
  return watched;
}
