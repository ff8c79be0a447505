/**
 * The demo (`npm run demo`, the README's first command) and the benchmarks run outside jest,
 * compiled by tsc, on the test tree's simulators and harness: nothing they import, however
 * indirectly, may import jest (its globals exist only inside a test run).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ROOT } from '../helpers/run-action.js';

/** Every file `entry` imports through relative paths, itself included. */
function importsOf(entry: string): string[] {
  const seen = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
      if (existsSync(target)) pending.push(target);
    }
  }
  return [...seen];
}

describe('the demo and the benchmarks', () => {
  it.each(['scripts/demo.ts', 'bench/run.ts'])('%s imports no jest module', (entry) => {
    const jest = importsOf(join(ROOT, entry))
      .filter((file) => /from '@jest\//.test(readFileSync(file, 'utf8')))
      .map((file) => relative(ROOT, file));
    expect(jest).toEqual([]);
  });
});
