/**
 * The workflows' own rules, beyond what actionlint (npm run lint:workflows) checks: every action
 * pinned by full commit SHA with its version in a comment, no checkout that leaves credentials
 * behind, and a release workflow that checks the commit before it tags anything.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ROOT } from '../helpers/run-action.js';

const DIR = join(ROOT, '.github', 'workflows');
const WORKFLOWS = readdirSync(DIR).filter((file) => /\.ya?ml$/.test(file));
const read = (file: string): string => readFileSync(join(DIR, file), 'utf8');

/** A job's lines: from `  <name>:` to the next job (or the end). */
function job(yaml: string, name: string): string {
  const body = yaml.split(/^jobs:\s*$/m)[1] ?? '';
  const start = body.search(new RegExp(`^ {2}${name}:\\s*$`, 'm'));
  if (start < 0) return '';
  const rest = body.slice(start + 1);
  const end = rest.search(/^ {2}[a-z][a-z0-9_-]*:\s*$/m);
  return end < 0 ? body.slice(start) : body.slice(start, start + 1 + end);
}

describe.each(WORKFLOWS)('%s', (file) => {
  const yaml = read(file);

  it('pins every action by full commit SHA, with its version in a comment', () => {
    const uses = [...yaml.matchAll(/^\s*(?:- )?uses:\s*(.*)$/gm)].map((match) => match[1].trim());
    expect(uses.length).toBeGreaterThan(0);
    for (const use of uses.filter((value) => !value.startsWith('./'))) {
      expect({
        use,
        pinned: /^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+){0,2}$/.test(use),
      }).toEqual({ use, pinned: true });
    }
  });

  it('checks out without persisting credentials', () => {
    const checkouts = yaml.split(/^\s*- uses: actions\/checkout@/m).slice(1);
    for (const step of checkouts) {
      const own = step.split(/^\s*- /m)[0];
      expect(own).toMatch(/^\s+persist-credentials: false$/m);
    }
  });

  it('gives the workflow no permissions beyond reading, unless a job asks for them', () => {
    expect(yaml).toMatch(/^permissions:( \{\}|\n {2}contents: read)$/m);
  });
});

describe('release.yml', () => {
  const yaml = read('release.yml');
  const verify = job(yaml, 'verify');
  const release = job(yaml, 'release');
  const npm = job(yaml, 'npm');

  it('stamps, checks, bundles and runs npm test in a read-only job, and commits there', () => {
    expect(verify).toMatch(/permissions:\n\s+contents: read\n/);
    expect(verify).toContain('node scripts/release.mjs stamp --version "$VERSION"');
    expect(verify).toContain('--repository "$GITHUB_REPOSITORY"');
    expect(verify).toContain('node scripts/release.mjs check --repository "$GITHUB_REPOSITORY"');
    expect(verify).toContain('npm run bundle');
    expect(verify).toContain('git status --porcelain -- dist/');
    expect(verify).toMatch(/run: npm test$/m);
    expect(verify).toContain('git commit --quiet --message "$1"');
    expect(verify).toContain('node scripts/release.mjs unstamp');
    expect(verify).not.toMatch(/git push|git\/(tags|refs)"|gh release create/);
    // The stamp comes before the checks, the commits after them.
    expect(verify.indexOf('release.mjs stamp')).toBeLessThan(verify.indexOf('run: npm test'));
    expect(verify.indexOf('run: npm test')).toBeLessThan(verify.indexOf('commit "Release v'));
  });

  it('pushes, tags and releases only after verify, in the one job that may write', () => {
    expect(release).toMatch(/^ {4}needs: verify$/m);
    expect(release).toMatch(/permissions:\n\s+contents: write\n/);
    // The commits verify tested, fast-forward and atomic with the tag, or nothing.
    expect(release).toContain(
      'push --atomic origin "$NEXT:refs/heads/$BRANCH" "refs/tags/v$VERSION"',
    );
    expect(release).not.toMatch(/--force|\+\$NEXT|push -f/);
    expect(release).toContain('tag -a "v$VERSION"');
    expect(release).toContain('gh release create');
    // git and gh only: nothing from the repository runs with contents: write.
    expect(release).not.toMatch(/\bnpm |\bnode |scripts\//);
    // The major tag moves only for a release, not a pre-release.
    expect(release).toMatch(/if: needs\.verify\.outputs\.prerelease == 'false'/);
  });

  it('publishes to npm after the release, with provenance, installing nothing', () => {
    expect(npm).toMatch(/^ {4}needs: \[verify, release\]$/m);
    expect(npm).toMatch(/^ {4}environment: npm$/m);
    expect(npm).toMatch(/permissions:\n\s+contents: read\n\s+id-token: write/);
    expect(npm).toContain('node scripts/release.mjs pack-cli');
    expect(npm).toContain('--provenance --access public');
    expect(npm).toMatch(/NODE_AUTH_TOKEN: \$\{\{ secrets\.NPM_TOKEN \}\}/);
    const commands = npm
      .split('\n')
      .filter((line) => !line.trim().startsWith('#'))
      .join('\n');
    expect(commands).not.toMatch(/npm (ci|install)|npm run/);
    // Only this job may mint an id-token.
    expect(yaml.split('id-token: write').length - 1).toBe(1);
  });

  it('publishes no dependency cache into the checks of a release', () => {
    expect(yaml).not.toMatch(/^\s+cache: npm$/m);
    expect(verify).toMatch(/package-manager-cache: false/);
    expect(npm).toMatch(/package-manager-cache: false/);
  });
});
