/**
 * End-to-end start-up: dist/index.js alone (no file beside it but its package.json) makes one
 * token with one request, as the runner starts it. The bundle loads what the design card's
 * libraries load (@actions/core brings @actions/exec and @actions/io, undici brings node:http2
 * and node:tls): that cost is accepted, and how fast it starts is `npm run bench`'s to say,
 * against the same request made with those libraries alone.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_TOKEN } from './simulator/gitlab-simulator.js';
import { useSimulator } from './helpers/simulator-fixture.js';
import {
  checkRun,
  collectStep,
  prepareStep,
  ROOT,
  spawnNode,
  watchRun,
} from './helpers/run-action.js';

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
  it('makes one token with dist/index.js alone, with one request', async () => {
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
    sim.requests.length = 0;
    const watch = watchRun();
    const result = collectStep(prepared, await spawnNode(join(dir, 'index.js'), [], prepared.env));
    checkRun(watch, result, [ADMIN_TOKEN]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(sim.tokens.length).toBe(before + 1);
    expect(result.outputs.token).toBe(sim.tokens[before].token);
    expect(result.summary).toContain('<h3>GitLab tokens</h3>');
    expect(sim.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'POST /api/v4/users/42/personal_access_tokens',
    ]);
    const loaded = JSON.parse(readFileSync(loadedFile, 'utf8')) as string[];
    expect(loaded).toContain('NativeModule http');
  });
});
