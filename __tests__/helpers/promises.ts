/**
 * Checks of the action's promises over what a run left behind: "never print a secret anywhere
 * but on its `::add-mask::` line" and "never leave an active token this run made unreported".
 * A step reports a token in the `tokens` output, in the journal the post step reads (by ID, or
 * by the marker of a request whose reply never came), or by naming it (`token ID 123`) in a
 * warning or error annotation; the CLI names every token it made on stderr.
 *
 * expectPromisesKept is the one check of both: the harness (run-action.ts) runs it after every
 * step and every CLI run, with every simulator of the test file.
 */
// node:assert, not jest's expect: the demo and the benchmarks use these helpers outside jest.
import { deepStrictEqual } from 'node:assert';
import type { GitLabSimulator, SimToken } from '../simulator/gitlab-simulator.js';
import { commands, findLeaks } from './log.js';

/** What a step left behind (run-action.ts's StepResult, as far as these checks read it). */
interface StepRecord {
  stdout: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
}

export interface JournalRecord {
  key: string;
  kind: string;
  user_id: number;
  group_id?: string;
  name: string;
  marker?: string;
  id?: number;
  unique?: boolean;
  refused?: boolean;
  /** a rotation of this token, sent and never answered */
  rotating?: number;
}

/** The journal entries (`cgt-…`) of a main step's state. */
export function journalOf(result: Pick<StepRecord, 'state'>): JournalRecord[] {
  return Object.entries(result.state)
    .filter(([key]) => key.startsWith('cgt-') && !['cgt-interrupted', 'cgt-reported'].includes(key))
    .map(([key, value]) => ({ key, ...(JSON.parse(value) as Omit<JournalRecord, 'key'>) }));
}

/** The marker a create request put in the token's description, if any. */
export function markerOf(token: Pick<SimToken, 'description'>): string | undefined {
  return /\[create-gitlab-token ([0-9a-f]{12})\]/.exec(token.description ?? '')?.[1];
}

/** IDs in the `tokens` output. */
export function outputIds(result: Pick<StepRecord, 'outputs'>): number[] {
  const tokens = result.outputs.tokens;
  if (tokens === undefined) return [];
  return (JSON.parse(tokens) as { id: number }[]).map((token) => token.id);
}

/** Token IDs named in the step's warning and error annotations (`token ID 1, 2`). */
export function namedIds(stdout: string): Set<number> {
  const ids = new Set<number>();
  for (const line of [...commands(stdout, 'warning'), ...commands(stdout, 'error')]) {
    for (const match of line.matchAll(/token IDs? (\d+(?:, \d+)*)/gi)) {
      for (const id of match[1].split(', ')) ids.add(Number(id));
    }
  }
  return ids;
}

export interface Unreported {
  id: number;
  user_id: number;
  name: string;
  description: string | null;
}

/**
 * The active tokens among `tokens` that nothing reports: not in the outputs, not journalled
 * (by ID, or by the marker of a pending request), not named in an annotation. A rotation's
 * successor whose reply was lost has an ID nobody was told: it is reported when the rotation
 * is, by the rotated token's ID in the journal or in an annotation.
 */
export function unreportedActive(tokens: readonly SimToken[], result: StepRecord): Unreported[] {
  const entries = journalOf(result);
  const journalled = new Set(entries.flatMap((entry) => (entry.id ? [entry.id] : [])));
  const pending = new Set(
    entries.flatMap((entry) =>
      entry.id === undefined && !entry.refused && entry.marker ? [entry.marker] : [],
    ),
  );
  const rotations = new Set(entries.flatMap((entry) => (entry.rotating ? [entry.rotating] : [])));
  const output = new Set(outputIds(result));
  const named = namedIds(result.stdout);
  return tokens
    .filter((token) => token.active)
    .filter((token) => {
      if (output.has(token.id) || journalled.has(token.id) || named.has(token.id)) return false;
      const rotated = token.previous_id;
      if (rotated !== null && (rotations.has(rotated) || named.has(rotated))) return false;
      const marker = markerOf(token);
      return marker === undefined || !pending.has(marker);
    })
    .map(({ id, user_id, name, description }) => ({ id, user_id, name, description }));
}

export function expectNothingUnreported(tokens: readonly SimToken[], result: StepRecord): void {
  deepStrictEqual(unreportedActive(tokens, result), [], 'active tokens left unreported');
}

/**
 * Active tokens among `tokens` that a CLI run names nowhere: not on stderr, not printed (a lost
 * rotation's successor: nor the token it rotated).
 */
export function unreportedByCli(
  tokens: readonly SimToken[],
  result: { stdout: string; stderr: string },
): Unreported[] {
  const named = new Set<number>();
  for (const match of result.stderr.matchAll(/token IDs? (\d+(?:, \d+)*)/gi)) {
    for (const id of match[1].split(', ')) named.add(Number(id));
  }
  return (
    tokens
      .filter((token) => token.active)
      .filter((token) => !named.has(token.id) && !result.stdout.includes(token.token))
      // A lost rotation's successor: its rotated token is named.
      .filter((token) => token.previous_id === null || !named.has(token.previous_id))
      .map(({ id, user_id, name, description }) => ({ id, user_id, name, description }))
  );
}

/** What a run printed and left behind: a step's result, or the CLI's. */
export interface RunRecord {
  stdout: string;
  stderr: string;
  /** a step's state and summary files */
  files?: { state: string; summary: string };
  /** a step's outputs and state (absent: a CLI run) */
  outputs?: Record<string, string>;
  state?: Record<string, string>;
}

export interface PromiseCheck {
  /** the secrets the run was handed: credentials, a proxy's password */
  secrets: readonly string[];
  /** every token these simulators ever made is a secret too */
  sims: readonly GitLabSimulator[];
  /** the tokens the run made, of which every active one must be reported */
  made: readonly SimToken[];
  /** the CLI's `--output json|token|dotenv`: stdout holds the new tokens, never a credential */
  stdoutHoldsTokens?: boolean;
}

/**
 * The promises every run that can make a token keeps: no secret printed anywhere but on its
 * `::add-mask::` line (outputs aside), and no active token it made left unreported.
 */
export function expectPromisesKept(result: RunRecord, check: PromiseCheck): void {
  const tokens = check.sims.flatMap((sim) => sim.tokens.map((token) => token.token));
  const leaks = check.stdoutHoldsTokens
    ? [
        ...findLeaks({ ...result, stdout: '' }, [...check.secrets, ...tokens]),
        ...findLeaks({ stdout: result.stdout, stderr: '' }, [...check.secrets]),
      ]
    : findLeaks(result, [...check.secrets, ...tokens]);
  const unreported =
    result.outputs && result.state
      ? unreportedActive(check.made, { ...result, outputs: result.outputs, state: result.state })
      : unreportedByCli(check.made, result);
  deepStrictEqual(
    { leaks, unreported },
    { leaks: [], unreported: [] },
    'a secret was printed, or an active token left unreported',
  );
}
