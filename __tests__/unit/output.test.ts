/**
 * src/action/output.ts: the one thing the action adds to core.setOutput. Without an output file
 * (a local tool, where nothing masks stdout) an output holding a masked value is skipped with an
 * info line, never printed; with the file, it is written there as core writes it.
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setOutput } from '../../src/action/output.js';

const SECRET = 'glpat-FAKE-output-unit-secret-0001';
let dir: string;
let printed: string[];
const saved = process.env.GITHUB_OUTPUT;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cgt-output-'));
  printed = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  });
  delete process.env.GITHUB_OUTPUT;
});

afterEach(() => {
  jest.restoreAllMocks();
  if (saved === undefined) delete process.env.GITHUB_OUTPUT;
  else process.env.GITHUB_OUTPUT = saved;
  rmSync(dir, { recursive: true, force: true });
});

describe('setOutput', () => {
  it('without the output file, an output holding a masked value is skipped, not printed', () => {
    setOutput('tokens', JSON.stringify([{ token: SECRET }]), new Set([SECRET]));
    expect(printed.join('')).toBe('Skip output tokens since it may contain secret.\n');
  });

  it('without the output file, an output without a masked value is printed as core prints it', () => {
    setOutput('id', '42', new Set([SECRET, '']));
    expect(printed.join('')).toBe('\n::set-output name=id::42\n');
  });

  it('with the output file, the output is written there, secret or not, and nothing printed', () => {
    process.env.GITHUB_OUTPUT = join(dir, 'output');
    writeFileSync(process.env.GITHUB_OUTPUT, '');
    setOutput('token', SECRET, new Set([SECRET]));
    expect(readFileSync(process.env.GITHUB_OUTPUT, 'utf8')).toMatch(
      new RegExp(`^token<<(ghadelimiter_[0-9a-f-]+)\\n${SECRET}\\n\\1\\n$`),
    );
    expect(printed).toEqual([]);
  });
});
