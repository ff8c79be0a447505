/**
 * Reading a manifest's YAML with positions: each key's value and the line it is on, plain
 * scalars, mappings with plain keys, and the problems, each `file:line: entry: sentence`. The
 * schema itself (which keys, what they take) is manifest.ts's.
 */
import { isMap, isScalar, LineCounter, type Node, type Pair } from 'yaml';
import { parseDays } from '../inputs/fields.js';
import { quote } from '../util/text.js';

/** A key's value with the line it is on. */
export interface Field {
  value: Node | null;
  line: number;
}

export class Checker {
  readonly problems: string[] = [];
  readonly lines = new LineCounter();
  constructor(readonly file: string) {}

  lineOf(node: { range?: [number, number, number] | null } | null | undefined, fallback = 1) {
    const offset = node?.range?.[0];
    return offset === undefined ? fallback : this.lines.linePos(offset).line;
  }

  add(line: number, where: string | undefined, sentence: string): void {
    this.problems.push(`${this.file}:${line}: ${where ? `${where}: ` : ''}${sentence}`);
  }
}

/** A scalar's value (a string, number, boolean or null), undefined for a mapping or list. */
export function scalar(node: Node | null): unknown {
  if (node === null) return null;
  return isScalar(node) ? node.value : undefined;
}

/** The pairs of a mapping whose keys are plain strings, and a problem for any other key. */
export function pairsOf(check: Checker, node: Node, where: string | undefined): [string, Pair][] {
  if (!isMap(node)) return [];
  const pairs: [string, Pair][] = [];
  for (const pair of node.items) {
    const key = scalar(pair.key as Node);
    if (typeof key !== 'string' && typeof key !== 'number') {
      check.add(check.lineOf(pair.key as Node), where, 'keys must be plain names');
      continue;
    }
    pairs.push([String(key), pair]);
  }
  return pairs;
}

export function fieldsOf(
  check: Checker,
  node: Node,
  allowed: readonly string[],
  where: string,
): Map<string, Field> {
  const fields = new Map<string, Field>();
  for (const [key, pair] of pairsOf(check, node, where)) {
    const line = check.lineOf(pair.key as Node);
    if (!allowed.includes(key)) {
      check.add(line, where, `unknown key ${quote(key)} (expected ${allowed.join(', ')})`);
      continue;
    }
    fields.set(key, { value: (pair.value as Node | null) ?? null, line });
  }
  return fields;
}

/** A day count `Nd` (THE day-count parser), or undefined after a problem. */
export function days(
  check: Checker,
  field: Field,
  where: string | undefined,
  key: string,
): number | undefined {
  const value = scalar(field.value);
  const parsed = typeof value === 'string' ? parseDays(value) : undefined;
  if (typeof parsed === 'number') return parsed;
  check.add(field.line, where, `${key}: expected a number of days such as 30d, got ${show(value)}`);
  return undefined;
}

export function show(value: unknown): string {
  if (value === undefined) return 'a mapping or list';
  return typeof value === 'string' ? quote(value) : String(value);
}
