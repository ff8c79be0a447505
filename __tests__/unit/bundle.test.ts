/**
 * What the committed bundles hold: the bytes of dist/ are deterministic, so their content can be
 * asserted here; timings are `npm run bench`'s. Each bundle carries one copy of undici (the
 * transport's client, and @actions/http-client's), and every chunk file next to a bundle is one
 * it can load (ncc does not clear dist/, so a stale chunk would otherwise be committed unnoticed);
 * the CLI's bundle has none.
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/run-action.js';

const BUNDLES = ['dist', 'dist/post', 'dist/cli'];

const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const chunksOf = (dir: string): string[] =>
  readdirSync(join(ROOT, dir)).filter((file) => /^\d+\.index\.js$/.test(file));

describe('dist/ bundles', () => {
  it('dist/cli/index.js is one self-contained file (the CI/CD component downloads it alone)', () => {
    expect(chunksOf('dist/cli')).toEqual([]);
    expect(read('dist/cli/index.js')).not.toMatch(/import\(["'`]\.\//);
  });

  for (const dir of BUNDLES) {
    it(`${dir} carries one copy of undici (the one @actions/http-client also depends on)`, () => {
      const code = [join(dir, 'index.js'), ...chunksOf(dir).map((file) => join(dir, file))]
        .map(read)
        .join('\n');
      // ProxyAgent's message for a refused CONNECT, once per copy of undici.
      expect(code.split('when HTTP Tunneling').length - 1).toBe(1);
    });

    it(`every chunk in ${dir} is one its bundle loads`, () => {
      const code = [join(dir, 'index.js'), ...chunksOf(dir).map((file) => join(dir, file))]
        .map(read)
        .join('\n');
      for (const file of chunksOf(dir)) {
        const id = file.split('.')[0];
        expect({ file, loaded: new RegExp(`\\.e\\(${id}\\)`).test(code) }).toEqual({
          file,
          loaded: true,
        });
      }
    });
  }
});
