/**
 * The reference in docs/ says what the code declares: docs/reference.md lists every input of
 * action.yml with its default and every output, and nothing action.yml lacks; docs/component.md
 * lists the component's spec:inputs with their defaults. The examples use only inputs that
 * exist, and the links between the docs lead somewhere. action.yml and the component are read
 * with a YAML parser, not by their layout.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse, parseAllDocuments } from 'yaml';
import { DOC_FILES, readDoc, yamlBlocks } from '../helpers/docs.js';
import { ROOT } from '../helpers/run-action.js';

interface ActionYml {
  inputs: Record<string, { description?: string; default?: unknown }>;
  outputs: Record<string, { description?: string }>;
}

const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as ActionYml;
const componentSpec = parseAllDocuments(
  readFileSync(join(ROOT, 'templates', 'create-token.yml'), 'utf8'),
)[0].toJS() as { spec: { inputs: Record<string, { default?: unknown }> } };

/** How the docs write a default: `(required)` without one, `(empty)` for '', else in code. */
function shownDefault(declared: { default?: unknown }): string {
  if (!('default' in declared)) return '(required)';
  const value = declared.default;
  if (value === '') return '(empty)';
  return `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;
}

/** The rows of the first table under `## <heading>`: the names in its first cell, and its cells. */
function tableRows(markdown: string, heading: string): { names: string[]; cells: string[] }[] {
  const start = markdown.search(new RegExp(`^## ${heading}\\s*$`, 'm'));
  if (start < 0) return [];
  const rest = markdown.slice(start).split('\n').slice(1);
  const end = rest.findIndex((line) => /^#{1,2} /.test(line));
  const rows = (end < 0 ? rest : rest.slice(0, end)).filter((line) => line.startsWith('|'));
  return rows.slice(2).map((row) => {
    const cells = row
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim());
    return { names: [...cells[0].matchAll(/`([^`]+)`/g)].map((match) => match[1]), cells };
  });
}

/** name → the default column, of a table with one name per row; names listed twice are kept. */
function documentedDefaults(markdown: string, heading: string): [string, string][] {
  return tableRows(markdown, heading).flatMap(({ names, cells }) =>
    names.map((name): [string, string] => [name, cells[1]]),
  );
}

const reference = readDoc('docs/reference.md');
const component = readDoc('docs/component.md');
const sorted = (entries: [string, string][]): [string, string][] =>
  [...entries].sort(([a], [b]) => a.localeCompare(b));

describe('docs/reference.md and action.yml', () => {
  it('documents every input once, with its default, and no input action.yml lacks', () => {
    const declared = Object.entries(action.inputs).map(([name, input]): [string, string] => [
      name,
      shownDefault(input),
    ]);
    expect(declared.length).toBeGreaterThan(20);
    expect(sorted(documentedDefaults(reference, 'Inputs'))).toEqual(sorted(declared));
  });

  it('documents every output once, and no output action.yml lacks', () => {
    const documented = tableRows(reference, 'Outputs').flatMap(({ names }) => names);
    expect(documented.length).toBeGreaterThan(5);
    expect([...documented].sort()).toEqual(Object.keys(action.outputs).sort());
  });
});

describe('docs/component.md and templates/create-token.yml', () => {
  it('documents every spec:inputs entry once, with its default, and nothing else', () => {
    const declared = Object.entries(componentSpec.spec.inputs).map(
      ([name, input]): [string, string] => [name, shownDefault(input)],
    );
    expect(declared.length).toBeGreaterThan(10);
    expect(sorted(documentedDefaults(component, 'Inputs'))).toEqual(sorted(declared));
  });
});

/** Every example in the docs, parsed (blocks that are not YAML at all are someone else's test). */
const examples = DOC_FILES.flatMap((file) => yamlBlocks(readDoc(file), file)).flatMap((block) => {
  try {
    return [{ where: `${block.file}:${block.line}`, value: parse(block.text) as unknown }];
  } catch {
    return [];
  }
});

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every mapping inside a parsed YAML value, itself included. */
function mappings(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) return value.flatMap(mappings);
  if (!isMapping(value)) return [];
  return [value, ...Object.values(value).flatMap(mappings)];
}

describe('the examples in the docs', () => {
  it('give the action only inputs that action.yml declares', () => {
    const steps = examples.flatMap(({ where, value }) =>
      mappings(value)
        .filter((step) => typeof step.uses === 'string' && /\/create-gitlab-token@/.test(step.uses))
        .map((step) => ({ where, with: Object.keys(isMapping(step.with) ? step.with : {}) })),
    );
    expect(steps.length).toBeGreaterThan(10);
    const unknown = steps.flatMap(({ where, with: names }) =>
      names.filter((name) => !(name in action.inputs)).map((name) => `${where}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it('give the component only its inputs, and the ones it requires', () => {
    const includes = examples.flatMap(({ where, value }) =>
      mappings(value)
        .filter(
          (entry) =>
            typeof entry.component === 'string' && /\/create-gitlab-token\//.test(entry.component),
        )
        .map((entry) => ({
          where,
          inputs: Object.keys(isMapping(entry.inputs) ? entry.inputs : {}),
        })),
    );
    expect(includes.length).toBeGreaterThanOrEqual(3);
    const spec = componentSpec.spec.inputs;
    const required = Object.keys(spec).filter((name) => !('default' in spec[name]));
    const problems = includes.flatMap(({ where, inputs }) => [
      ...inputs.filter((name) => !(name in spec)).map((name) => `${where}: unknown ${name}`),
      ...required.filter((name) => !inputs.includes(name)).map((name) => `${where}: no ${name}`),
    ]);
    expect(problems).toEqual([]);
  });
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of a Markdown file's headings (outside code fences), with GitHub's -1, -2... */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const found = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^ *```/.test(line)) fenced = !fenced;
    const heading = !fenced && /^#{1,6} (.*)$/.exec(line);
    if (!heading) continue;
    const base = slug(heading[1]);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    found.add(count === 0 ? base : `${base}-${count}`);
  }
  return found;
}

/** The relative links of a Markdown file (outside code fences and code spans). */
function relativeLinks(markdown: string): string[] {
  const prose = markdown.replace(/^( *)```[\s\S]*?^\1```/gm, '').replace(/`[^`\n]*`/g, '``');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1])
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

describe('links between the docs', () => {
  it.each(DOC_FILES)('%s: every relative link leads to a file, and to a heading there', (file) => {
    const broken = relativeLinks(readDoc(file)).filter((target) => {
      const [path, anchor] = target.split('#');
      const resolved = path ? normalize(join(dirname(file), path)) : file;
      if (!existsSync(join(ROOT, resolved))) return true;
      if (anchor === undefined || !resolved.endsWith('.md')) return false;
      return !anchors(readDoc(resolved)).has(anchor);
    });
    expect(broken).toEqual([]);
  });

  it('finds the links', () => {
    expect(relativeLinks(readDoc('README.md')).length).toBeGreaterThan(10);
    expect(relativeLinks('[a](b.md) `[c](d.md)`\n```md\n[e](f.md)\n```\n[g](https://x/)')).toEqual([
      'b.md',
    ]);
  });

  it('takes anchors as GitHub makes them', () => {
    expect(slug('GitLab CI/CD component')).toBe('gitlab-cicd-component');
    expect(slug('Run the sources with @github/local-action')).toBe(
      'run-the-sources-with-githublocal-action',
    );
    expect(slug('Which token should I use?')).toBe('which-token-should-i-use');
    expect(slug('Bundle, and why dist/ is committed')).toBe('bundle-and-why-dist-is-committed');
    expect(slug('`store-in` targets')).toBe('store-in-targets');
  });
});
