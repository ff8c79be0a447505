/**
 * src/lib/runner.ts against @actions/core (a devDependency kept for this comparison): the same
 * calls must give the runner the same bytes: stdout commands, GITHUB_OUTPUT / GITHUB_STATE file
 * commands (the random delimiter aside), the job summary's HTML, and the same errors.
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import * as core from '@actions/core';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as runner from '../../src/action/runner.js';
import { summary as runnerSummary, type SummaryTableRow } from '../../src/action/runner-summary.js';

type Runner = typeof runner;

/** Values that need escaping somewhere: line breaks, `%`, `:`, `,`, command look-alikes. */
const TRICKY = [
  '',
  'plain',
  'two\nlines',
  'crlf\r\nend\r',
  '100% sure %0A %25',
  'a:b,c=d',
  '::warning::injected',
  '  padded  ',
  '\u2028unicode \u00e9 \u{1f600}',
  'ghadelimiter_ lookalike',
];
/** Non-string values core converts with JSON.stringify (or to '' when null). */
const VALUES: unknown[] = [...TRICKY, 42, true, null, undefined, { a: 'b\nc' }, ['x', 1]];

let dir: string;
let out: string[];
const savedEnv = { ...process.env };

beforeEach(() => {
  // core.summary keeps the first file it found for good; each test names its own.
  (core.summary as unknown as { _filePath?: string })._filePath = undefined;
  dir = mkdtempSync(join(tmpdir(), 'cgt-runner-'));
  out = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  for (const key of Object.keys(process.env)) {
    if (/^(INPUT_|STATE_|GITHUB_|RUNNER_DEBUG$)/.test(key)) delete process.env[key];
  }
});

afterEach(() => {
  jest.restoreAllMocks();
  process.env = { ...savedEnv };
  process.exitCode = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** What one implementation writes to stdout for `act`. */
function stdoutOf(act: () => void): string {
  out = [];
  act();
  return out.join('');
}

/** The random delimiter as a placeholder, so that two runs compare. */
const sameDelimiter = (text: string): string =>
  text.replace(/ghadelimiter_[0-9a-f-]{36}/g, 'ghadelimiter_UUID');

/** What one implementation appends to a fresh GITHUB_<command> file for `act`. */
function fileOf(command: 'OUTPUT' | 'STATE', name: string, act: () => void): string {
  const file = join(dir, `${name}-${command}`);
  writeFileSync(file, '');
  process.env[`GITHUB_${command}`] = file;
  const printed = stdoutOf(act);
  expect(printed).toBe('');
  return sameDelimiter(readFileSync(file, 'utf8'));
}

/** The error `act` throws, or undefined. */
function thrown(act: () => unknown): string | undefined {
  try {
    act();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  return undefined;
}

describe('runner commands on stdout match @actions/core', () => {
  const logCalls: [string, (impl: Runner | typeof core, value: string) => void][] = [
    ['setSecret', (impl, value) => impl.setSecret(value)],
    ['debug', (impl, value) => impl.debug(value)],
    ['info', (impl, value) => impl.info(value)],
    ['warning', (impl, value) => impl.warning(value)],
    ['error', (impl, value) => impl.error(value)],
    ['notice', (impl, value) => impl.notice(value)],
  ];
  for (const [name, call] of logCalls) {
    it(`${name} escapes as core does`, () => {
      for (const value of TRICKY) {
        expect(stdoutOf(() => call(runner, value))).toBe(stdoutOf(() => call(core, value)));
      }
    });
  }

  it('annotations take an Error as core does', () => {
    const error = new TypeError('bad\nthing: 50%');
    for (const name of ['warning', 'error', 'notice'] as const) {
      expect(stdoutOf(() => runner[name](error))).toBe(stdoutOf(() => core[name](error)));
    }
  });

  it('setFailed sets exit code 1 and writes the error command', () => {
    for (const value of TRICKY) {
      process.exitCode = undefined;
      const ours = stdoutOf(() => runner.setFailed(value));
      expect(process.exitCode).toBe(1);
      process.exitCode = undefined;
      expect(ours).toBe(stdoutOf(() => core.setFailed(value)));
      expect(process.exitCode).toBe(1);
    }
  });

  it('setOutput and saveState without their files fall back to stdout commands', () => {
    // Values never masked in this file (setSecret above masks every TRICKY one).
    const unmasked: unknown[] = ['never masked', 'odd\nvalue %0A:,=', 42, true, null, undefined];
    for (const name of ['tokens', 'odd:name,with%\nbreak', '']) {
      for (const value of [...unmasked, { a: 'b\nc' }, ['x', 1]]) {
        expect(stdoutOf(() => runner.setOutput(name, value))).toBe(
          stdoutOf(() => core.setOutput(name, value)),
        );
        expect(stdoutOf(() => runner.saveState(name, value))).toBe(
          stdoutOf(() => core.saveState(name, value)),
        );
      }
    }
  });

  it('without the output file, an output holding a masked value is skipped, not printed', () => {
    // No runner reads stdout then (a local tool such as @github/local-action): nothing masks it.
    const secret = 'glpat-FAKE-runner-unit-secret-0001';
    runner.setSecret(secret);
    const printed = stdoutOf(() => runner.setOutput('tokens', JSON.stringify([{ token: secret }])));
    expect(printed).toBe('Skip output tokens since it may contain secret.\n');
    expect(printed).not.toContain(secret);
    process.env.GITHUB_OUTPUT = join(dir, 'output');
    writeFileSync(process.env.GITHUB_OUTPUT, '');
    runner.setOutput('token', secret);
    expect(readFileSync(process.env.GITHUB_OUTPUT, 'utf8')).toContain(secret);
  });

  it('issueCommand with properties escapes them, skipping empty ones', () => {
    const properties = { title: 'a:b,c\n%', file: '', line: '3' };
    expect(stdoutOf(() => runner.issueCommand('warning', properties, 'm:1,2\n'))).toBe(
      '::warning title=a%3Ab%2Cc%0A%25,line=3::m:1,2%0A\n',
    );
  });
});

describe('runner file commands match @actions/core', () => {
  for (const command of ['OUTPUT', 'STATE'] as const) {
    const set = command === 'OUTPUT' ? 'setOutput' : 'saveState';
    it(`${set} appends the same name<<delimiter block to GITHUB_${command}`, () => {
      for (const name of ['token', 'odd name:with,chars%']) {
        for (const value of VALUES) {
          const ours = fileOf(command, 'ours', () => runner[set](name, value));
          const theirs = fileOf(command, 'core', () => core[set](name, value));
          expect(ours).toBe(theirs);
          expect(ours).toMatch(/^[^\n]*<<ghadelimiter_UUID\n/);
        }
      }
    });

    it(`${set} fails as core does when GITHUB_${command} names a missing file`, () => {
      process.env[`GITHUB_${command}`] = join(dir, 'missing');
      const ours = thrown(() => runner[set]('x', 'y'));
      expect(ours).toBe(thrown(() => core[set]('x', 'y')));
      expect(ours).toMatch(/^Missing file at path: /);
    });
  }

  it('a fresh delimiter per value, never the one in the value', () => {
    const file = join(dir, 'output');
    writeFileSync(file, '');
    process.env.GITHUB_OUTPUT = file;
    runner.setOutput('a', '1');
    runner.setOutput('b', '2');
    const delimiters = readFileSync(file, 'utf8').match(/ghadelimiter_[0-9a-f-]{36}/g) ?? [];
    expect(delimiters).toHaveLength(4);
    expect(new Set(delimiters).size).toBe(2);
  });
});

describe('runner inputs and state match @actions/core', () => {
  it('getInput reads INPUT_<NAME> (spaces as _), trimmed, and empty when unset', () => {
    process.env['INPUT_GITLAB-TOKEN'] = '  glpat-x \n';
    process.env.INPUT_MY_INPUT = '\tvalue with spaces inside ';
    process.env.INPUT_EMPTY = '';
    for (const name of ['gitlab-token', 'GitLab-Token', 'my input', 'my_input', 'empty', 'nope']) {
      expect(runner.getInput(name)).toBe(core.getInput(name));
    }
    expect(runner.getInput('gitlab-token')).toBe('glpat-x');
    expect(runner.getInput('my input')).toBe('value with spaces inside');
  });

  it('getState reads STATE_<name> as written, and isDebug RUNNER_DEBUG=1', () => {
    process.env.STATE_journal = '[1]';
    for (const name of ['journal', 'JOURNAL', 'missing']) {
      expect(runner.getState(name)).toBe(core.getState(name));
    }
    for (const value of [undefined, '0', '1', 'true']) {
      if (value === undefined) delete process.env.RUNNER_DEBUG;
      else process.env.RUNNER_DEBUG = value;
      expect(runner.isDebug()).toBe(core.isDebug());
    }
  });
});

describe('runner summary matches core.summary', () => {
  const table: SummaryTableRow[] = [
    [
      { data: 'Kind', header: true },
      { data: 'Token name', header: true },
    ],
    [{ data: 'personal' }, { data: '&#60;b&#62; name' }],
    ['plain string cell', { data: '' }],
    [{ data: 'a note spanning', colspan: '2' }],
    [
      { data: 'tall', rowspan: '2' },
      { data: 'x', colspan: '1', rowspan: '1' },
    ],
  ];

  async function summaryOf(
    impl: { summary: typeof runnerSummary } | typeof core,
    file: string,
  ): Promise<string> {
    writeFileSync(file, 'before\n');
    process.env.GITHUB_STEP_SUMMARY = file;
    (core.summary as unknown as { _filePath?: string })._filePath = undefined;
    await impl.summary.addHeading('GitLab tokens', 3).addTable(table).write();
    await impl.summary.addHeading('level out of range', 9).addHeading('default').write();
    return readFileSync(file, 'utf8');
  }

  it('appends the same heading and table HTML', async () => {
    const ours = await summaryOf({ summary: runnerSummary }, join(dir, 'ours'));
    expect(ours).toBe(await summaryOf(core, join(dir, 'core')));
    expect(ours).toContain('<h3>GitLab tokens</h3>\n<table><tr><th>Kind</th>');
    expect(runnerSummary.stringify()).toBe('');
  });

  it('fails as core does without a summary file, or with one it cannot write', async () => {
    const failure = async (impl: { summary: typeof runnerSummary } | typeof core) => {
      (core.summary as unknown as { _filePath?: string })._filePath = undefined;
      try {
        await impl.summary.addRaw('x').write();
      } catch (error) {
        impl.summary.emptyBuffer();
        return (error as Error).message;
      }
      return undefined;
    };
    delete process.env.GITHUB_STEP_SUMMARY;
    const missingEnv = await failure({ summary: runnerSummary });
    expect(missingEnv).toBe(await failure(core));
    expect(missingEnv).toMatch(/GITHUB_STEP_SUMMARY/);
    process.env.GITHUB_STEP_SUMMARY = join(dir, 'absent');
    const absent = await failure({ summary: runnerSummary });
    expect(absent).toBe(await failure(core));
    expect(absent).toMatch(/^Unable to access summary file/);
    const readOnly = join(dir, 'read-only');
    writeFileSync(readOnly, '');
    chmodSync(readOnly, 0o444);
    process.env.GITHUB_STEP_SUMMARY = readOnly;
    // root may write anyway; then both succeed, which compares as well.
    expect(await failure({ summary: runnerSummary })).toBe(await failure(core));
  });
});
