/**
 * The documentation the docs tests read: the Markdown files at the root and under docs/, and the
 * fenced YAML examples in them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './run-action.js';

/** Every Markdown file of the documentation, relative to the repository root. */
export const DOC_FILES: string[] = [
  'README.md',
  'SECURITY.md',
  'CONTRIBUTING.md',
  'CHANGELOG.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .sort()
    .map((file) => `docs/${file}`),
];

export function readDoc(file: string): string {
  return readFileSync(join(ROOT, file), 'utf8');
}

/** A fenced ```yaml (or ```yml) block: its text, without the fence's indentation, and where. */
export interface YamlBlock {
  file: string;
  /** The line of the opening fence, 1-based. */
  line: number;
  text: string;
}

/** Each fenced ```yaml (or ```yml) block of a Markdown text, also when indented in a list. */
export function yamlBlocks(markdown: string, file = ''): YamlBlock[] {
  const blocks: YamlBlock[] = [];
  const fence = /^( *)```ya?ml[ \t]*\n([\s\S]*?)^\1```[ \t]*$/gm;
  for (let match = fence.exec(markdown); match; match = fence.exec(markdown)) {
    const indent = match[1].length;
    const text = match[2]
      .split('\n')
      .map((line) => line.slice(Math.min(indent, line.length - line.trimStart().length)))
      .join('\n');
    const line = markdown.slice(0, match.index).split('\n').length;
    blocks.push({ file, line, text });
  }
  return blocks;
}
