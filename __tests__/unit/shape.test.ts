/**
 * The shape of src/: files cut by concept stay small enough to read whole, and folders small
 * enough to see at a glance. Import cycles and the direction of imports are checked by
 * `npm run lint:imports` (.dependency-cruiser.cjs).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ROOT } from '../helpers/run-action.js';

const MAX_LINES = 400;
const MAX_FILES_PER_FOLDER = 12;
const SRC = join(ROOT, 'src');

function folders(dir: string): string[] {
  return [
    dir,
    ...readdirSync(dir)
      .map((name) => join(dir, name))
      .filter((path) => statSync(path).isDirectory())
      .flatMap(folders),
  ];
}

describe('src/', () => {
  const all = folders(SRC);

  it(`has no source file over ${MAX_LINES} lines`, () => {
    const long = all
      .flatMap((dir) => readdirSync(dir).map((name) => join(dir, name)))
      .filter((path) => path.endsWith('.ts'))
      .map((path) => [relative(ROOT, path), readFileSync(path, 'utf8').split('\n').length] as const)
      .filter(([, lines]) => lines > MAX_LINES);
    expect(long).toEqual([]);
  });

  it(`has no folder with over ${MAX_FILES_PER_FOLDER} files`, () => {
    const crowded = all
      .map(
        (dir) =>
          [
            relative(ROOT, dir),
            readdirSync(dir).filter((name) => name.endsWith('.ts')).length,
          ] as const,
      )
      .filter(([, files]) => files > MAX_FILES_PER_FOLDER);
    expect(crowded).toEqual([]);
  });
});
