/**
 * Checks of the action's promises over what a step left behind: "never leave an active token
 * this run made unreported". A token is reported when it is in the `tokens` output, in the
 * journal the post step reads (by ID, or by the marker of a request whose reply never came), or
 * named (`token ID 123`) in a warning or error annotation.
 */
import { expect } from '@jest/globals';
import type { SimToken } from '../simulator/gitlab-simulator.js';
import { commands, type StepResult } from './run-action.js';

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
}

/** The journal entries (`cgt-…`) of a main step's state. */
export function journalOf(result: Pick<StepResult, 'state'>): JournalRecord[] {
  return Object.entries(result.state)
    .filter(([key]) => key.startsWith('cgt-') && !['cgt-interrupted', 'cgt-reported'].includes(key))
    .map(([key, value]) => ({ key, ...(JSON.parse(value) as Omit<JournalRecord, 'key'>) }));
}

/** The marker a create request put in the token's description, if any. */
export function markerOf(token: Pick<SimToken, 'description'>): string | undefined {
  return /\[create-gitlab-token ([0-9a-f]{12})\]/.exec(token.description ?? '')?.[1];
}

/** IDs in the `tokens` output. */
export function outputIds(result: Pick<StepResult, 'outputs'>): number[] {
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
 * (by ID, or by the marker of a pending request), not named in an annotation.
 */
export function unreportedActive(
  tokens: readonly SimToken[],
  result: Pick<StepResult, 'outputs' | 'state' | 'stdout'>,
): Unreported[] {
  const entries = journalOf(result);
  const journalled = new Set(entries.flatMap((entry) => (entry.id ? [entry.id] : [])));
  const pending = new Set(
    entries.flatMap((entry) =>
      entry.id === undefined && !entry.refused && entry.marker ? [entry.marker] : [],
    ),
  );
  const output = new Set(outputIds(result));
  const named = namedIds(result.stdout);
  return tokens
    .filter((token) => token.active)
    .filter((token) => {
      if (output.has(token.id) || journalled.has(token.id) || named.has(token.id)) return false;
      const marker = markerOf(token);
      return marker === undefined || !pending.has(marker);
    })
    .map(({ id, user_id, name, description }) => ({ id, user_id, name, description }));
}

export function expectNothingUnreported(
  tokens: readonly SimToken[],
  result: Pick<StepResult, 'outputs' | 'state' | 'stdout'>,
): void {
  expect(unreportedActive(tokens, result)).toEqual([]);
}
