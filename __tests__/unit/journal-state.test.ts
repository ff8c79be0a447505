/**
 * src/action/state.ts: the journal's keys for a local tool. With a state file (the runner) the
 * journal's entries are saved as they are; without one, each new key is first listed in a
 * numbered entry, which the post step follows through core.getState.
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { journalSaver, journalState } from '../../src/action/state.js';
import { parseCommandFile } from '../helpers/run-action.js';

let dir: string;
let printed: string[];
const saved = { ...process.env };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cgt-state-'));
  printed = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  });
  for (const key of Object.keys(process.env)) {
    if (/^(STATE_|GITHUB_STATE$)/.test(key)) delete process.env[key];
  }
});

afterEach(() => {
  jest.restoreAllMocks();
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
  rmSync(dir, { recursive: true, force: true });
});

describe('journalSaver', () => {
  it('with a state file, saves each entry as it is, and lists nothing', () => {
    process.env.GITHUB_STATE = join(dir, 'state');
    writeFileSync(process.env.GITHUB_STATE, '');
    const save = journalSaver();
    save('cgt-aaaaaaaaaaaa', '{"pending":1}');
    save('cgt-aaaaaaaaaaaa', '{"made":1}');
    expect(parseCommandFile(readFileSync(process.env.GITHUB_STATE, 'utf8'))).toEqual({
      'cgt-aaaaaaaaaaaa': '{"made":1}',
    });
    expect(printed).toEqual([]);
  });

  it('without a state file, lists each new key once, before its entry', () => {
    const save = journalSaver();
    save('cgt-aaaaaaaaaaaa', 'one');
    save('cgt-bbbbbbbbbbbb', 'two');
    save('cgt-aaaaaaaaaaaa', 'three');
    expect(printed.join('')).toBe(
      [
        '::save-state name=journal-key-1::cgt-aaaaaaaaaaaa',
        '::save-state name=cgt-aaaaaaaaaaaa::one',
        '::save-state name=journal-key-2::cgt-bbbbbbbbbbbb',
        '::save-state name=cgt-bbbbbbbbbbbb::two',
        '::save-state name=cgt-aaaaaaaaaaaa::three',
        '',
      ].join('\n'),
    );
  });
});

describe('journalState', () => {
  it('is the environment, plus the entries the listed keys name', () => {
    // What core.getState reads: STATE_<name>. A hand-written entry is kept as it is.
    process.env['STATE_journal-key-1'] = 'cgt-aaaaaaaaaaaa';
    process.env['STATE_cgt-aaaaaaaaaaaa'] = 'one';
    process.env['STATE_cgt-cccccccccccc'] = 'hand-written';
    const state = journalState();
    expect(state['STATE_cgt-aaaaaaaaaaaa']).toBe('one');
    expect(state['STATE_cgt-cccccccccccc']).toBe('hand-written');
  });
});
