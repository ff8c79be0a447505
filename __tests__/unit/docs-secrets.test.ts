/**
 * No example in the docs, and no workflow of this repository, writes a secret into a script with
 * `${{ … }}`: the runner pastes the value into the script before the shell reads it, so the
 * shell would take it as code (and a script that echoes it prints it). A secret reaches a
 * `run:` block only through `env:`. Secrets: the action's `token` and `tokens` outputs (of any
 * step), and `secrets.*`. The docs: the README, SECURITY.md, CONTRIBUTING.md, CHANGELOG.md and
 * every docs/*.md.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { DOC_FILES, readDoc, yamlBlocks } from '../helpers/docs.js';
import { ROOT } from '../helpers/run-action.js';

/** An expression that reads a secret: `outputs.token`, `outputs.tokens`, `secrets.X`. */
const SECRET_EXPRESSION =
  /\$\{\{[^}]*?(\boutputs\s*(\.\s*tokens?\b|\[\s*['"]tokens?['"]\s*\])|\bsecrets\s*[.[])[^}]*\}\}/;

/** Every `run:` value of a YAML text: the line itself, or a `|`/`>` block's indented lines. */
function runScripts(yaml: string): string[] {
  const lines = yaml.split('\n');
  const scripts: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const match = /^( *)(- +)?run:(.*)$/.exec(lines[i]);
    if (!match) continue;
    const keyIndent = match[1].length + (match[2]?.length ?? 0);
    const rest = match[3];
    const body = [rest];
    if (/^\s*[|>][-+0-9]*\s*(#.*)?$/.test(rest)) {
      for (i++; i < lines.length; i++) {
        const line = lines[i];
        if (line.trim() !== '' && line.length - line.trimStart().length <= keyIndent) break;
        body.push(line);
      }
      i--;
    }
    scripts.push(body.join('\n'));
  }
  return scripts;
}

/** The `run:` scripts of a YAML text that interpolate a secret. */
function secretInterpolations(yaml: string): string[] {
  return runScripts(yaml).filter((script) => SECRET_EXPRESSION.test(script));
}

const WORKFLOWS = readdirSync(join(ROOT, '.github', 'workflows'))
  .filter((file) => /\.ya?ml$/.test(file))
  .map((file) => join('.github', 'workflows', file));

describe('secrets never written into scripts with ${{ … }}', () => {
  it('reads the docs/ folder too', () => {
    expect(DOC_FILES).toEqual(expect.arrayContaining(['docs/reference.md', 'docs/renewal.md']));
  });

  it.each(DOC_FILES)('%s: its YAML examples pass secrets through env:', (file) => {
    const blocks = yamlBlocks(readDoc(file)).map((block) => block.text);
    if (file === 'README.md') expect(blocks.length).toBeGreaterThanOrEqual(2);
    expect({ file, interpolated: blocks.flatMap(secretInterpolations) }).toEqual({
      file,
      interpolated: [],
    });
  });

  it.each(WORKFLOWS)('%s passes secrets through env:', (file) => {
    const yaml = readFileSync(join(ROOT, file), 'utf8');
    expect(runScripts(yaml).length).toBeGreaterThan(0);
    expect(secretInterpolations(yaml)).toEqual([]);
  });

  it('the docs do hand the token outputs to a script, through env: (the README too)', () => {
    const handing = (file: string): string[] =>
      yamlBlocks(readDoc(file))
        .map((block) => block.text)
        .filter((block) => /^\s+[A-Z_]+: \$\{\{ steps\.\w+\.outputs\.tokens? \}\}$/m.test(block));
    expect(handing('README.md').length).toBeGreaterThanOrEqual(1);
    expect(DOC_FILES.flatMap(handing).length).toBeGreaterThanOrEqual(3);
  });

  describe('the check itself', () => {
    it.each([
      ['a one-line run', `- run: echo '\${{ steps.gitlab.outputs.token }}'`],
      ['the tokens output', `- run: jq . <<< '\${{ steps.bots.outputs.tokens }}'`],
      ['index syntax', `- run: use "\${{ steps.x.outputs['token'] }}"`],
      ['a secret', `- run: curl -H "PRIVATE-TOKEN: \${{ secrets.GITLAB_TOKEN }}" x`],
      [
        'a block run of a job step',
        [
          '    steps:',
          '      - name: use',
          '        run: |',
          '          set -e',
          '          git clone "https://oauth2:${{ steps.gitlab.outputs.token }}@host/x.git"',
          '        env:',
          '          X: y',
        ].join('\n'),
      ],
      ['a folded run', ['- run: >-', '    echo', '    ${{steps.a.outputs.token}}'].join('\n')],
    ])('finds %s', (_, yaml) => {
      expect(secretInterpolations(yaml)).toHaveLength(1);
    });

    it.each([
      ['env:', ['- run: use "$TOKEN"', '  env:', '    TOKEN: ${{ steps.a.outputs.token }}']],
      ['with:', ['- uses: x/y@v1', '  with:', '    token: ${{ steps.a.outputs.token }}']],
      ['another output', ['- run: echo "${{ steps.a.outputs.id }} ${{ steps.a.outputs.name }}"']],
      ['a comment naming it', ['- run: ./store.sh # the secret is in steps.a.outputs.token']],
      [
        'the lines after a block run',
        ['- run: |', '    use "$T"', '  env:', '    T: ${{ secrets.X }}', '- run: echo'],
      ],
    ])('lets %s pass', (_, lines) => {
      expect(secretInterpolations(lines.join('\n'))).toEqual([]);
    });
  });
});
