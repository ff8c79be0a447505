/**
 * The manifests in the docs are manifests: every fenced YAML example with `fleet:` and `tokens:`
 * passes the manifest's own parser and schema (src/fleet/manifest.ts), and docs/fleet.md holds a
 * complete one (every kind, defaults, store targets of both types).
 */
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { parseManifest } from '../../src/fleet/manifest.js';
import { DOC_FILES, readDoc, yamlBlocks } from '../helpers/docs.js';

const manifests = DOC_FILES.flatMap((file) => yamlBlocks(readDoc(file), file)).filter((block) => {
  try {
    const value = parse(block.text) as Record<string, unknown> | null;
    return typeof value === 'object' && value !== null && 'fleet' in value && 'tokens' in value;
  } catch {
    return false;
  }
});

describe('the manifests in the docs', () => {
  it('are there, in docs/fleet.md', () => {
    expect(
      manifests.filter((block) => block.file === 'docs/fleet.md').length,
    ).toBeGreaterThanOrEqual(3);
  });

  it.each(manifests.map((block) => [`${block.file}:${block.line}`, block.text]))(
    '%s passes the manifest schema',
    (where, text) => {
      expect(() => parseManifest(text, where)).not.toThrow();
    },
  );

  it('include a complete one: every kind, defaults, both store types', () => {
    const [first] = manifests.filter((block) => block.file === 'docs/fleet.md');
    const manifest = parseManifest(first.text, 'docs/fleet.md');
    expect(new Set(manifest.entries.map((entry) => entry.kind))).toEqual(
      new Set(['personal', 'service-account', 'project', 'group', 'self']),
    );
    expect(first.text).toMatch(/^defaults:/m);
    const types = new Set(
      manifest.entries.flatMap((entry) => entry.stores.map((target) => target.type)),
    );
    expect(types).toEqual(new Set(['gitlab-variable', 'github-secret']));
  });
});
