/**
 * The component's header (`spec:inputs`) against its job, as GitLab reads them when it includes
 * the component (doc/ci/yaml/inputs.md): every `$[[ inputs.NAME ]]` the job uses is declared,
 * every declared input is used, and each default is a value GitLab accepts for its input (a
 * boolean for `type: boolean`, one of `options`, a match of `regex`), so that an include with no
 * inputs but the required ones is valid. The job itself runs in component.e2e.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import { ROOT } from '../helpers/run-action.js';
import { VERSION } from '../../src/util/release.js';

interface SpecInput {
  type?: 'string' | 'boolean' | 'number' | 'array';
  default?: unknown;
  options?: unknown[];
  regex?: string;
}

const text = readFileSync(join(ROOT, 'templates', 'create-token.yml'), 'utf8');
const [header, job] = parseAllDocuments(text);
const inputs = (header.toJS() as { spec: { inputs: Record<string, SpecInput> } }).spec.inputs;
const jobText = String(job);
const used = new Set([...jobText.matchAll(/\$\[\[ inputs\.([a-z0-9-]+) \]\]/g)].map((m) => m[1]));

describe('templates/create-token.yml', () => {
  it('is two YAML documents without errors: the header and the job', () => {
    expect(header.errors).toEqual([]);
    expect(job.errors).toEqual([]);
  });

  it('uses every input it declares, and declares every input it uses', () => {
    expect([...used].sort()).toEqual(Object.keys(inputs).sort());
  });

  it.each(Object.entries(inputs))('%s: its default is a value GitLab accepts', (_, input) => {
    if (!('default' in input)) return; // required: the include must give it
    const value = input.default;
    if (input.type === 'boolean') expect(typeof value).toBe('boolean');
    else if (input.type === 'array') expect(Array.isArray(value)).toBe(true);
    else expect(typeof value).toBe('string');
    if (input.options) expect(input.options).toContain(value);
    if (input.regex && value !== '') expect(String(value)).toMatch(new RegExp(input.regex));
  });

  it('runs the CLI of its own release by default: cli-version is VERSION', () => {
    expect(inputs['cli-version']?.default).toBe(VERSION);
  });
});
