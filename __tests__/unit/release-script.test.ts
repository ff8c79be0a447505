/**
 * scripts/release.mjs, the release workflow's one script, on temporary copies of the files it
 * reads and writes (the script takes --root): `stamp` leaves no placeholder and one version
 * everywhere, moves the CHANGELOG's Unreleased section under the version and rewrites its links,
 * and refuses what cannot be released without changing a file; `check` names each leftover
 * placeholder and each link to another repository's copy; `unstamp` goes back to unreleased for
 * the next release; `pack-cli` makes the npm package of a CLI bundled from a stamped tree.
 *
 * The copies are main as it is before its first release, whatever this tree is (main, or the
 * release commit the workflow tests after stamping it): the docs say OWNER, the versions
 * unreleased, and the CHANGELOG is a short one with something under Unreleased.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ROOT } from '../helpers/run-action.js';

const SCRIPT = join(ROOT, 'scripts', 'release.mjs');
const REPO = 'acme-corp/create-gitlab-token';
const REPO_URL = `https://github.com/${REPO}`;
const DATE = '2026-12-05';
const PLACEHOLDER = 'OWNER/create-gitlab-token';
/** What the release workflow's verify job has in its checkout that the script reads or writes. */
const COPIED = [
  'README.md',
  'CONTRIBUTING.md',
  'CHANGELOG.md',
  'SECURITY.md',
  'action.yml',
  'LICENSE',
  'package.json',
  'package-lock.json',
  'docs',
  'templates',
  'src/util/release.ts',
];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const env = (): NodeJS.ProcessEnv => {
  const copy = { ...process.env };
  delete copy.NODE_OPTIONS; // jest's --experimental-vm-modules is not the script's
  return copy;
};

const result = (run: SpawnSyncReturns<string>): Run => ({
  code: run.status,
  stdout: run.stdout,
  stderr: run.stderr,
});

function release(root: string, ...args: string[]): Run {
  return result(
    spawnSync(process.execPath, [SCRIPT, ...args, '--root', root], {
      encoding: 'utf8',
      env: env(),
    }),
  );
}

const stamp = (root: string, version: string, repository = REPO): Run =>
  release(root, 'stamp', '--version', version, '--repository', repository, '--date', DATE);

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'release-script-'));
  dirs.push(dir);
  return dir;
}

/** The repository this tree's docs name: OWNER/create-gitlab-token before the first release. */
const NAMED = /^\[Unreleased\]: https:\/\/github\.com\/([^/\s]+\/[^/\s]+)\//m.exec(
  readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8'),
)?.[1];

/** What the copies' CHANGELOG has under `## [Unreleased]`: the first release's notes. */
const UNRELEASED_BODY = [
  'The first release: tokens for users and bots, masked and handed to later steps.',
  '',
  '### Added',
  '',
  '- **Tokens as code.** A manifest of tokens kept alive, see [the docs](docs/fleet.md).',
  '- `--version` says `unreleased` between releases.',
  '',
  '### Security',
  '',
  '- Secrets never reach a log.',
].join('\n');

/** This tree's CHANGELOG header, then Unreleased with the body above, as main has it. */
const CHANGELOG =
  `${readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8').split(/^## /m)[0]}` +
  `## [Unreleased]\n\n${UNRELEASED_BODY}\n\n` +
  '[Unreleased]: https://github.com/OWNER/create-gitlab-token/commits/HEAD\n';

/** A copy of the files as main has them before its first release, with cli-version's input. */
function fixture(extra: string[] = []): string {
  const root = tempDir();
  for (const path of [...COPIED, ...extra]) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    cpSync(join(ROOT, path), join(root, path), { recursive: true });
  }
  const template = join(root, 'templates', 'create-token.yml');
  const text = readFileSync(template, 'utf8');
  if (!/^ {4}cli-version:\s*$/m.test(text)) {
    writeFileSync(
      template,
      text.replace(
        /^ {2}inputs:\n/m,
        '  inputs:\n    cli-version:\n      default: unreleased\n' +
          '      description: The version of the create-gitlab-token package the job runs.\n',
      ),
    );
  }
  // Its row in docs/component.md's table of inputs, which shows the default.
  const doc = read(root, 'docs/component.md');
  if (!/^\| `cli-version`/m.test(doc)) {
    const lines = doc.split('\n');
    const after = lines.findIndex((line) => line.startsWith('| `cli-sha256`'));
    const widths = lines[after].split('|').map((cell) => cell.length);
    const row = ['', ' `cli-version`', ' `unreleased`', ' The version of the npm package.', '']
      .map((cell, i) => (i > 0 && i < 4 ? cell.padEnd(widths[i]) : cell))
      .join('|');
    lines.splice(after + 1, 0, row);
    writeFileSync(join(root, 'docs/component.md'), lines.join('\n'));
  }
  if (NAMED && NAMED !== PLACEHOLDER) {
    for (const path of docFiles(root)) {
      writeFileSync(join(root, path), read(root, path).split(NAMED).join(PLACEHOLDER));
    }
  }
  writeFileSync(join(root, 'CHANGELOG.md'), CHANGELOG);
  const unstamped = release(root, 'unstamp');
  if (unstamped.code !== 0) throw new Error(`unstamp: ${unstamped.stderr}`);
  return root;
}

const read = (root: string, path: string): string => readFileSync(join(root, path), 'utf8');

function walk(root: string, dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((entry) => {
    const path = `${dir}/${entry}`;
    return statSync(join(root, path)).isDirectory() ? walk(root, path) : [path];
  });
}

/** The files the placeholder is filled in: the docs, the CHANGELOG and the component. */
function docFiles(root: string): string[] {
  return [
    'README.md',
    'CONTRIBUTING.md',
    'CHANGELOG.md',
    'SECURITY.md',
    'action.yml',
    ...walk(root, 'docs').filter((path) => path.endsWith('.md')),
    ...walk(root, 'templates').filter((path) => /\.ya?ml$/.test(path)),
  ];
}

/** Every file of the copy with its text, to show that a refusal changed nothing. */
function snapshot(root: string): Record<string, string> {
  return Object.fromEntries(
    [...docFiles(root), 'package.json', 'package-lock.json', 'src/util/release.ts'].map((path) => [
      path,
      read(root, path),
    ]),
  );
}

/** `file:line` of every `OWNER/`, as a word (GROUP_OWNER_TOKEN is not one). */
function placeholders(root: string): string[] {
  return docFiles(root).flatMap((path) =>
    read(root, path)
      .split('\n')
      .flatMap((line, index) => (/\bOWNER\//.test(line) ? [`${path}:${index + 1}`] : [])),
  );
}

/** The version each place says. */
function versions(root: string): Record<string, string | undefined> {
  const pkg = JSON.parse(read(root, 'package.json')) as { version: string };
  const lock = JSON.parse(read(root, 'package-lock.json')) as {
    version: string;
    packages: Record<string, { version?: string }>;
  };
  const source = /^export const VERSION: string = '([^']*)';$/m.exec(
    read(root, 'src/util/release.ts'),
  );
  const component = /^ {4}cli-version:\n(?: {6}.*\n)*? {6}default: (.*)$/m.exec(
    read(root, 'templates/create-token.yml'),
  );
  return {
    package: pkg.version,
    lock: lock.version,
    lockRoot: lock.packages[''].version,
    source: source?.[1],
    component: component?.[1],
  };
}

/** An appended line's number in a file. */
function append(root: string, path: string, lines: string[]): number {
  const text = read(root, path);
  writeFileSync(join(root, path), `${text}${lines.join('\n')}\n`);
  return text.split('\n').length;
}

describe('check on an unreleased tree', () => {
  const root = fixture();

  it('fails, naming each placeholder by file and line', () => {
    const expected = placeholders(root);
    expect(expected.length).toBeGreaterThan(20);
    const run = release(root, 'check', '--repository', REPO);
    expect(run.code).toBe(1);
    for (const where of expected) expect(run.stderr).toContain(`${where}: the placeholder`);
    expect(run.stderr.trim().split('\n').at(-1)).toBe(
      `release.mjs: ${expected.length} problem(s) for ${REPO}: see the lines above`,
    );
  });
});

describe('stamp, then check', () => {
  const root = fixture();
  const before = snapshot(root);
  let stamped: Run;

  beforeAll(() => {
    stamped = stamp(root, '1.2.3');
  });

  it('stamps, and check then finds nothing', () => {
    expect(stamped).toMatchObject({ code: 0, stderr: '' });
    expect(stamped.stdout).toMatch(/^Stamped v1\.2\.3 of 2026-12-05 for acme-corp\/create-gitlab/);
    expect(release(root, 'check', '--repository', REPO)).toEqual({
      code: 0,
      stdout: 'No placeholder left, no other repository named, one version (1.2.3).\n',
      stderr: '',
    });
  });

  it('leaves no placeholder: each one names the repository, and nothing else changed', () => {
    expect(placeholders(root)).toEqual([]);
    for (const path of docFiles(root).filter(
      (file) => !['CHANGELOG.md', 'templates/create-token.yml', 'docs/component.md'].includes(file),
    )) {
      expect({ path, text: read(root, path) }).toEqual({
        path,
        text: before[path].split(PLACEHOLDER).join(REPO),
      });
    }
    expect(read(root, 'README.md')).toContain(`uses: ${REPO}@<full-commit-sha> # v1`);
  });

  it('writes the one version everywhere, the component quoting it, and its docs showing it', () => {
    expect(read(root, 'docs/component.md')).toBe(
      before['docs/component.md']
        .split(PLACEHOLDER)
        .join(REPO)
        .replace(
          /^(\| `cli-version` +\| )`unreleased`( *)\|/m,
          (_, cell: string, pad: string) => `${cell}\`1.2.3\`${pad}     |`,
        ),
    );
    expect(versions(root)).toEqual({
      package: '1.2.3',
      lock: '1.2.3',
      lockRoot: '1.2.3',
      source: '1.2.3',
      component: "'1.2.3'",
    });
  });

  it('moves Unreleased under the version, dated, and rewrites the links', () => {
    const changelog = read(root, 'CHANGELOG.md');
    const end =
      `## [Unreleased]\n\n## [1.2.3] - ${DATE}\n\n${UNRELEASED_BODY}\n\n` +
      `[Unreleased]: ${REPO_URL}/compare/v1.2.3...HEAD\n` +
      `[1.2.3]: ${REPO_URL}/releases/tag/v1.2.3\n`;
    expect(changelog.slice(-end.length)).toBe(end);
    expect(changelog.split('\n## ').length - 1).toBe(2);
    expect(changelog.startsWith(before['CHANGELOG.md'].split('## [Unreleased]')[0])).toBe(true);
  });

  it('gives that section as the release notes', () => {
    expect(release(root, 'notes', '--version', '1.2.3')).toEqual({
      code: 0,
      stdout: `${UNRELEASED_BODY}\n`,
      stderr: '',
    });
    expect(release(root, 'notes', '--version', '1.2.4')).toMatchObject({ code: 1, stdout: '' });
  });

  it('leaves files that prettier accepts as they are', () => {
    const changed = Object.keys(before).filter((path) => read(root, path) !== before[path]);
    expect(changed).toEqual(
      expect.arrayContaining(['CHANGELOG.md', 'README.md', 'package.json', 'docs/usage.md']),
    );
    const prettier = spawnSync(
      process.execPath,
      [
        join(ROOT, 'node_modules', 'prettier', 'bin', 'prettier.cjs'),
        '--config',
        join(ROOT, '.prettierrc.json'),
        '--check',
        ...changed.filter((path) => path !== 'package-lock.json'),
      ],
      { cwd: root, encoding: 'utf8', env: env() },
    );
    expect({ code: prettier.status, out: prettier.stdout + prettier.stderr }).toMatchObject({
      code: 0,
    });
  });

  it('refuses a second stamp with another version, in one line, and changes nothing', () => {
    const now = snapshot(root);
    const again = stamp(root, '1.3.0');
    expect(again).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'release.mjs: the tree is stamped v1.2.3 already, not unreleased: it cannot become v1.3.0\n',
    });
    expect(snapshot(root)).toEqual(now);
  });

  it('takes a second stamp with the same version as done', () => {
    const now = snapshot(root);
    expect(stamp(root, '1.2.3')).toMatchObject({ code: 0, stderr: '' });
    expect(snapshot(root)).toEqual(now);
  });

  it('check fails on a placeholder left behind, naming its file and line', () => {
    const text = read(root, 'docs/usage.md');
    try {
      const line = append(root, 'docs/usage.md', ['- uses: OWNER/create-gitlab-token@abc']);
      const run = release(root, 'check', '--repository', REPO);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        `docs/usage.md:${line}: the placeholder OWNER/ is left (stamp fills it)\n` +
          `release.mjs: 1 problem(s) for ${REPO}: see the lines above\n`,
      );
    } finally {
      writeFileSync(join(root, 'docs/usage.md'), text);
    }
  });

  it('check fails on a link or a uses: naming another repository, and only on those', () => {
    const text = read(root, 'CONTRIBUTING.md');
    try {
      const line = append(root, 'CONTRIBUTING.md', [
        'See https://github.com/upstream/create-gitlab-token/releases for the releases.',
        '      - uses: upstream/create-gitlab-token@v1',
        `Not these: ${REPO_URL}, ${REPO_URL}.git, https://github.com/upstream/create-gitlab-token-extras,`,
        '${{ secrets.GITLAB_GROUP_OWNER_TOKEN }}, an OWNER column,',
        'https://github.com/Acme-Corp/create-gitlab-token (GitHub ignores the case).',
      ]);
      const run = release(root, 'check', '--repository', REPO);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        `CONTRIBUTING.md:${line}: names upstream/create-gitlab-token, not ${REPO}\n` +
          `CONTRIBUTING.md:${line + 1}: names upstream/create-gitlab-token, not ${REPO}\n` +
          `release.mjs: 2 problem(s) for ${REPO}: see the lines above\n`,
      );
    } finally {
      writeFileSync(join(root, 'CONTRIBUTING.md'), text);
    }
  });

  it("check for a fork names every line that still points at the upstream's copy", () => {
    const run = release(root, 'check', '--repository', 'fork/create-gitlab-token');
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines.length).toBeGreaterThan(20);
    for (const line of lines.slice(0, -1)) {
      expect(line).toMatch(/^[\w/.-]+:\d+: names acme-corp\/create-gitlab-token, not fork\//);
    }
  });
});

describe('a fork whose repository has another name', () => {
  it('fills in the whole owner/name', () => {
    const root = fixture();
    expect(stamp(root, '0.1.0', 'someone/gitlab-tokens')).toMatchObject({ code: 0 });
    expect(read(root, 'README.md')).toContain('uses: someone/gitlab-tokens@<full-commit-sha>');
    expect(read(root, 'CHANGELOG.md')).toContain(
      '[0.1.0]: https://github.com/someone/gitlab-tokens/releases/tag/v0.1.0\n',
    );
    expect(release(root, 'check', '--repository', 'someone/gitlab-tokens')).toMatchObject({
      code: 0,
    });
  });
});

describe('unstamp, and the next release', () => {
  const root = fixture();

  it('goes back to unreleased in the versions only, and stamps the next version on top', () => {
    expect(stamp(root, '1.2.3')).toMatchObject({ code: 0 });
    const released = snapshot(root);
    expect(release(root, 'unstamp')).toEqual({
      code: 0,
      stdout:
        'Back to unreleased after v1.2.3: package.json, package-lock.json, ' +
        'src/util/release.ts, templates/create-token.yml, docs/component.md.\n',
      stderr: '',
    });
    expect(versions(root)).toEqual({
      package: '0.0.0-unreleased',
      lock: '0.0.0-unreleased',
      lockRoot: '0.0.0-unreleased',
      source: 'unreleased',
      component: 'unreleased',
    });
    const back = snapshot(root);
    for (const path of docFiles(root).filter(
      (file) => !['templates/create-token.yml', 'docs/component.md'].includes(file),
    )) {
      expect({ path, text: back[path] }).toEqual({ path, text: released[path] });
    }

    // Nothing under Unreleased yet: nothing to release.
    expect(stamp(root, '1.3.0')).toEqual({
      code: 1,
      stdout: '',
      stderr:
        "release.mjs: CHANGELOG.md: nothing under '## [Unreleased]': " +
        'write what v1.3.0 changes first\n',
    });
    const changelog = read(root, 'CHANGELOG.md');
    const entry = '### Fixed\n\n- Something that was broken.';
    writeFileSync(
      join(root, 'CHANGELOG.md'),
      changelog.replace('## [Unreleased]\n', `## [Unreleased]\n\n${entry}\n`),
    );
    expect(stamp(root, '1.2.0')).toMatchObject({
      code: 1,
      stderr: 'release.mjs: 1.2.0 is not newer than 1.2.3, the newest version in CHANGELOG.md\n',
    });
    expect(stamp(root, '1.3.0-rc.1')).toMatchObject({ code: 0 });

    const next = read(root, 'CHANGELOG.md');
    expect([...next.matchAll(/^## .*$/gm)].map((match) => match[0])).toEqual([
      '## [Unreleased]',
      `## [1.3.0-rc.1] - ${DATE}`,
      `## [1.2.3] - ${DATE}`,
    ]);
    expect(next).toContain(`## [1.3.0-rc.1] - ${DATE}\n\n${entry}\n\n## [1.2.3] - ${DATE}\n\n`);
    const links =
      `\n\n[Unreleased]: ${REPO_URL}/compare/v1.3.0-rc.1...HEAD\n` +
      `[1.3.0-rc.1]: ${REPO_URL}/releases/tag/v1.3.0-rc.1\n` +
      `[1.2.3]: ${REPO_URL}/releases/tag/v1.2.3\n`;
    expect(next.slice(-links.length)).toBe(links);
    expect(release(root, 'notes', '--version', '1.3.0-rc.1').stdout).toBe(`${entry}\n`);
    expect(versions(root).component).toBe("'1.3.0-rc.1'");
    expect(read(root, 'docs/component.md')).toMatch(/^\| `cli-version` +\| `1\.3\.0-rc\.1` +\| /m);
  });
});

describe('stamp refuses, in one line, and changes nothing', () => {
  const root = fixture();

  const refusals: [string, string[], () => void, RegExp][] = [
    ['a version that is not X.Y.Z', ['--version', '1.2'], () => {}, /not a semantic version/],
    ['a version with a v', ['--version', 'v1.2.3'], () => {}, /not a semantic version/],
    ['a repository that is not owner/name', ['--repository', 'acme'], () => {}, /owner\/name/],
    ['a date that does not exist', ['--date', '2026-02-30'], () => {}, /not a date/],
    [
      'an empty Unreleased section',
      [],
      () => {
        const text = read(root, 'CHANGELOG.md');
        writeFileSync(
          join(root, 'CHANGELOG.md'),
          text.replace(UNRELEASED_BODY, '<!-- nothing yet -->'),
        );
      },
      /nothing under '## \[Unreleased\]'/,
    ],
    [
      'versions that disagree',
      [],
      () =>
        writeFileSync(
          join(root, 'src/util/release.ts'),
          "export const VERSION: string = '1.0.0';\n",
        ),
      /the versions disagree: package\.json unreleased, .*src\/util\/release\.ts 1\.0\.0/,
    ],
    [
      'a component without its cli-version input',
      [],
      () => {
        const text = read(root, 'templates/create-token.yml');
        writeFileSync(
          join(root, 'templates/create-token.yml'),
          text.replace(/^ {4}cli-version:\n(?: {6}.*\n)*/m, ''),
        );
      },
      /templates\/create-token\.yml has no cli-version input/,
    ],
  ];

  it.each(refusals)('%s', (_, args, change, message) => {
    const saved = snapshot(root);
    try {
      change();
      const changed = snapshot(root);
      const options: Record<string, string> = {
        '--version': '1.2.3',
        '--repository': REPO,
        '--date': DATE,
      };
      for (let i = 0; i < args.length; i += 2) options[args[i]] = args[i + 1];
      const run = release(root, 'stamp', ...Object.entries(options).flat());
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^release\.mjs: [^\n]+\n$/);
      expect(run.stderr).toMatch(message);
      expect(snapshot(root)).toEqual(changed);
    } finally {
      for (const [path, text] of Object.entries(saved)) writeFileSync(join(root, path), text);
    }
  });

  it('a missing option is a usage error (2)', () => {
    expect(release(root, 'stamp', '--version', '1.2.3')).toMatchObject({
      code: 2,
      stderr: 'release.mjs: stamp needs --repository\n',
    });
  });
});

describe('pack-cli', () => {
  it('refuses an unreleased tree: nothing unreleased is published', () => {
    const root = fixture(['dist/cli']);
    const run = release(root, 'pack-cli', '--out', join(root, 'out'), '--repository', REPO);
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'release.mjs: package.json says 0.0.0-unreleased: only a stamped release is published ' +
        '(stamp first)\n',
    });
  });

  it('refuses a dist/cli/ that was not bundled from the stamped version', () => {
    const root = fixture(['dist/cli']);
    expect(stamp(root, '99.0.0')).toMatchObject({ code: 0 });
    const run = release(root, 'pack-cli', '--out', join(root, 'out'), '--repository', REPO);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toMatch(
      /^release\.mjs: dist\/cli\/index\.js says 'create-gitlab-token [^'\n]+', package\.json 99\.0\.0: npm run bundle\n$/,
    );
  });

  describe('a CLI bundled from a stamped tree', () => {
    const root = fixture(['src', 'tsconfig.json']);
    const out = join(root, 'out');
    let packed: Run;

    // What the release does: stamp, `npm run bundle` (here the CLI's part of it), pack-cli.
    beforeAll(() => {
      expect(stamp(root, '1.2.3')).toMatchObject({ code: 0 });
      symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
      const ncc = spawnSync(
        process.execPath,
        [
          join(ROOT, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js'),
          'build',
          'src/cli/index.ts',
          '-o',
          'dist/cli',
          '--minify',
          '--license',
          'licenses.txt',
          '--quiet',
        ],
        { cwd: root, encoding: 'utf8', env: env() },
      );
      expect({ code: ncc.status, out: ncc.stdout + ncc.stderr }).toMatchObject({ code: 0 });
      packed = release(root, 'pack-cli', '--out', out, '--repository', REPO);
    }, 240_000);

    // The link, not what it points at.
    afterAll(() => rmSync(join(root, 'node_modules'), { force: true }));

    it('writes a package.json with no dependencies, naming this repository', () => {
      expect(packed).toEqual({
        code: 0,
        stdout:
          `Packed create-gitlab-token@1.2.3 into ${out}: ` +
          'LICENSE, README.md, index.js, licenses.txt, package.json.\n',
        stderr: '',
      });
      const manifest = JSON.parse(read(out, 'package.json')) as Record<string, unknown>;
      expect(manifest).toEqual({
        name: 'create-gitlab-token',
        version: '1.2.3',
        description: expect.stringMatching(/^Create, rotate, revoke and list GitLab access tokens/),
        keywords: expect.arrayContaining(['gitlab', 'token', 'cli']),
        homepage: `${REPO_URL}/blob/v1.2.3/docs/cli.md`,
        bugs: { url: `${REPO_URL}/issues` },
        repository: { type: 'git', url: `git+${REPO_URL}.git` },
        license: 'MIT',
        type: 'module',
        bin: { 'create-gitlab-token': 'index.js' },
        files: ['index.js', 'licenses.txt'],
        engines: (JSON.parse(read(ROOT, 'package.json')) as { engines: unknown }).engines,
      });
      expect(String(manifest.description).length).toBeLessThan(100);
    });

    it('holds the bundle, executable, that says its version', () => {
      expect(readFileSync(join(out, 'index.js'))).toEqual(
        readFileSync(join(root, 'dist', 'cli', 'index.js')),
      );
      expect(statSync(join(out, 'index.js')).mode & 0o111).toBe(0o111);
      const run = spawnSync(process.execPath, [join(out, 'index.js'), '--version'], {
        encoding: 'utf8',
        env: env(),
      });
      expect(result(run)).toEqual({ code: 0, stdout: 'create-gitlab-token 1.2.3\n', stderr: '' });
      expect(read(out, 'licenses.txt')).toBe(read(root, 'dist/cli/licenses.txt'));
      expect(read(out, 'LICENSE')).toBe(read(ROOT, 'LICENSE'));
    });

    it('has a README for the package page', () => {
      const readme = read(out, 'README.md');
      expect(readme).toContain('npx create-gitlab-token@1 --help');
      expect(readme).toContain(`(${REPO_URL}/blob/v1.2.3/docs/cli.md)`);
      expect(readme).not.toMatch(/OWNER|unreleased/);
    });

    it('is exactly these files to npm pack (offline)', () => {
      const execpath = process.env.npm_execpath ?? '';
      const [command, ...prefix] = /npm-cli\.[cm]?js$/.test(execpath)
        ? [process.execPath, execpath]
        : ['npm'];
      const pack = spawnSync(command, [...prefix, 'pack', '--dry-run', '--json', out], {
        cwd: tempDir(),
        encoding: 'utf8',
        env: {
          ...env(),
          npm_config_cache: tempDir(),
          npm_config_offline: 'true',
          npm_config_update_notifier: 'false',
        },
      });
      expect({ code: pack.status, stderr: pack.stderr }).toMatchObject({ code: 0 });
      const [listing] = JSON.parse(pack.stdout) as { name: string; files: { path: string }[] }[];
      expect(listing.name).toBe('create-gitlab-token');
      expect(listing.files.map((file) => file.path).sort()).toEqual([
        'LICENSE',
        'README.md',
        'index.js',
        'licenses.txt',
        'package.json',
      ]);
    });

    it('refuses an output directory that is not empty', () => {
      expect(release(root, 'pack-cli', '--out', out, '--repository', REPO)).toMatchObject({
        code: 1,
        stderr: expect.stringMatching(/is not empty: remove it first\n$/),
      });
    });
  });
});
