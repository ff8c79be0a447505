/**
 * action.yml against GitHub's metadata rules and against the code and docs: a description the
 * Marketplace takes whole, allowed branding, every input and output described, node24 entry
 * points that exist, and every input documented in docs/reference.md (docs-reference.test.ts
 * compares the two in full) and read by the code.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { VERSION } from '../../src/util/release.js';
import { ROOT } from '../helpers/run-action.js';

const yaml = readFileSync(join(ROOT, 'action.yml'), 'utf8');
const reference = readFileSync(join(ROOT, 'docs', 'reference.md'), 'utf8');
/** Every source file (but the vendored stubs), wherever the layout puts it. */
const source = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.ts') && !file.startsWith('vendor'))
  .map((file) => readFileSync(join(ROOT, 'src', file), 'utf8'))
  .join('\n');

/** The names under a top-level section (`inputs:`/`outputs:`), with their own lines. */
function section(name: string): Map<string, string> {
  const body = yaml.split(new RegExp(`^${name}:\\s*$`, 'm'))[1]?.split(/^\S/m)[0] ?? '';
  const entries = new Map<string, string>();
  let current: string | undefined;
  for (const line of body.split('\n')) {
    const key = /^ {2}([a-z][a-z0-9-]*):\s*$/.exec(line);
    if (key) {
      current = key[1];
      entries.set(current, '');
    } else if (current) {
      entries.set(current, `${entries.get(current)}${line}\n`);
    }
  }
  return entries;
}

// GitHub's branding colours, and Feather icons GitHub refuses (docs: metadata syntax, branding).
const COLOURS = [
  'white',
  'black',
  'yellow',
  'blue',
  'green',
  'orange',
  'red',
  'purple',
  'gray-dark',
];
const REFUSED_ICONS = ['key', 'tool', 'coffee', 'hexagon', 'bold', 'chrome', 'codepen', 'github'];

describe('action.yml', () => {
  it("has a description GitHub's Marketplace takes whole (fewer than 125 characters)", () => {
    const { description } = parse(yaml) as { description?: unknown };
    expect(typeof description).toBe('string');
    expect((description as string).trim()).not.toBe('');
    expect({ description, length: (description as string).length < 125 }).toEqual({
      description,
      length: true,
    });
  });

  it('has allowed branding', () => {
    const icon = /^ {2}icon:\s*(\S+)\s*$/m.exec(yaml)?.[1];
    const color = /^ {2}color:\s*(\S+)\s*$/m.exec(yaml)?.[1];
    expect(icon).toMatch(/^[a-z0-9-]+$/);
    expect(REFUSED_ICONS).not.toContain(icon);
    expect(COLOURS).toContain(color);
  });

  it('runs on node24 with main and post files that exist', () => {
    expect(yaml).toMatch(/^ {2}using: node24$/m);
    for (const key of ['main', 'post']) {
      const file = new RegExp(`^ {2}${key}: (\\S+)$`, 'm').exec(yaml)?.[1] ?? '';
      expect(existsSync(join(ROOT, file))).toBe(true);
    }
  });

  it.each(['inputs', 'outputs'])('describes every one of its %s', (name) => {
    const entries = section(name);
    expect(entries.size).toBeGreaterThan(0);
    for (const [key, body] of entries) {
      expect({ key, described: /^ {4}description:\s*\S/m.test(body) }).toEqual({
        key,
        described: true,
      });
    }
  });

  it('documents every input in docs/reference.md and reads each in the code', () => {
    for (const input of section('inputs').keys()) {
      expect({ input, documented: reference.includes(`| \`${input}\``) }).toEqual({
        input,
        documented: true,
      });
      expect({ input, read: source.includes(`'${input}'`) }).toEqual({ input, read: true });
    }
  });
});

describe('the release', () => {
  const readJson = (file: string): Record<string, unknown> =>
    JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as Record<string, unknown>;
  const pkg = readJson('package.json') as { version: string };
  const lock = readJson('package-lock.json') as {
    version: string;
    packages: Record<string, { version?: string }>;
  };

  // Between releases the code says `unreleased` and package.json 0.0.0-unreleased; the release
  // workflow stamps X.Y.Z in both (scripts/release.mjs, __tests__/unit/release-script.test.ts).
  it("the CLI's --version is package.json's version (unreleased: 0.0.0-unreleased)", () => {
    expect(VERSION).toMatch(/^(unreleased|\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?)$/);
    expect(pkg.version).toBe(VERSION === 'unreleased' ? '0.0.0-unreleased' : VERSION);
  });

  it("package-lock.json's two copies of the version are package.json's", () => {
    expect([lock.version, lock.packages[''].version]).toEqual([pkg.version, pkg.version]);
  });
});
