/**
 * End-to-end, issue #12 (start-up): a run that makes one token loads nothing it does not use.
 * dist/index.js is run alone, without the chunks that ncc writes next to it (failure messages,
 * if-exists and lost-reply recovery, other kinds), so a happy path that needed one would fail
 * here; and Node's own modules for https and child processes stay unloaded against a plain-http
 * GitLab. (node:tls is loaded since the transport is undici, whose HTTP/2 client loads node:http2
 * and with it node:tls; nothing uses TLS here.) How fast it starts is `npm run bench`'s to say.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_TOKEN } from './simulator/gitlab-simulator.js';
import { useSimulator } from './helpers/simulator-fixture.js';
import { collectStep, prepareStep, ROOT, spawnNode } from './helpers/run-action.js';

const sim = useSimulator();
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cgt-startup-'));
  for (const file of ['index.js', 'package.json']) {
    copyFileSync(join(ROOT, 'dist', file), join(dir, file));
  }
  // Writes the built-in modules Node loaded while the step ran, when it exits.
  writeFileSync(
    join(dir, 'loaded.cjs'),
    `process.on('exit', () => require('node:fs').writeFileSync(process.env.LOADED_FILE, ` +
      `JSON.stringify(process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')))));\n`,
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('start-up of the main step', () => {
  it('makes one token with dist/index.js alone, loading neither https nor child_process', async () => {
    const loadedFile = join(dir, 'loaded.json');
    const prepared = prepareStep({
      inputs: {
        'base-url': sim.url,
        'gitlab-token': ADMIN_TOKEN,
        'user-id': '42',
        scopes: 'read_api',
      },
      env: { NODE_OPTIONS: `--require ${join(dir, 'loaded.cjs')}`, LOADED_FILE: loadedFile },
    });
    const before = sim.tokens.length;
    const result = collectStep(prepared, await spawnNode(join(dir, 'index.js'), [], prepared.env));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(sim.tokens.length).toBe(before + 1);
    expect(result.outputs.token).toBe(sim.tokens[before].token);
    expect(result.summary).toContain('<h3>GitLab tokens</h3>');
    const loaded = JSON.parse(readFileSync(loadedFile, 'utf8')) as string[];
    expect(loaded).toContain('NativeModule http');
    for (const unused of ['https', 'child_process', 'dgram']) {
      expect(loaded).not.toContain(`NativeModule ${unused}`);
    }
  });
});
