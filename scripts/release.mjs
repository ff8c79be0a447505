// The release's one script (see CONTRIBUTING.md, "Cutting a release"). It imports node:* only,
// so the release workflow runs it right after checkout, before `npm ci`.
//
//   node scripts/release.mjs stamp --version X.Y.Z --repository owner/name --date YYYY-MM-DD
//   node scripts/release.mjs unstamp
//   node scripts/release.mjs check --repository owner/name
//   node scripts/release.mjs notes --version X.Y.Z
//   node scripts/release.mjs pack-cli --out DIR --repository owner/name
//
// stamp     writes the version into package.json, package-lock.json, src/util/release.ts and the
//           component's `cli-version` default (and the default docs/component.md shows for it,
//           when its table has that row); moves CHANGELOG.md's Unreleased section under
//           `## [X.Y.Z] - YYYY-MM-DD` and rewrites its links; fills the placeholder
//           OWNER/create-gitlab-token in the docs with the repository it is given.
// unstamp   sets the versions back to unreleased (main's state between releases); the CHANGELOG
//           and the filled repository stay.
// check     lists every placeholder left, every link or `uses:` naming another repository's
//           create-gitlab-token, and versions that disagree.
// notes     prints a version's CHANGELOG section: the release notes.
// pack-cli  builds the npm package of the command line from dist/cli/ into DIR.
//
// Every command takes --root DIR, the repository's files (default: the current directory).
// Exit 0: done. 1: refused, with one line on stderr saying why (check: one line per finding,
// then a summary). 2: a usage error.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const NAME = 'create-gitlab-token';
/** What the docs say until the first release fills it in from the repository it runs in. */
const PLACEHOLDER = `OWNER/${NAME}`;
/** The versions of a tree between releases: src/util/release.ts and the component say this... */
const UNRELEASED = 'unreleased';
/** ...and package.json this (npm wants a semantic version there). */
const UNRELEASED_PACKAGE = '0.0.0-unreleased';

const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?$/;
const REPOSITORY = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/;

const PACKAGE_JSON = 'package.json';
const PACKAGE_LOCK = 'package-lock.json';
const SOURCE = 'src/util/release.ts';
const COMPONENT = 'templates/create-token.yml';
const CHANGELOG = 'CHANGELOG.md';
/** Its table of inputs shows cli-version's default, which __tests__ compare with the component. */
const COMPONENT_DOC = 'docs/component.md';

class Refusal extends Error {}
class UsageError extends Error {}

const refuse = (message) => {
  throw new Refusal(message);
};

// ---------------------------------------------------------------------------------------------
// Arguments

const COMMANDS = {
  stamp: { version: true, repository: true, date: true },
  unstamp: {},
  check: { repository: true },
  notes: { version: true },
  'pack-cli': { out: true, repository: true },
};

function parse(argv) {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') {
    throw new UsageError(`commands: ${Object.keys(COMMANDS).join(', ')} (see its first lines)`);
  }
  const required = COMMANDS[command];
  if (!required) throw new UsageError(`unknown command '${command}'`);
  const options = { root: { type: 'string' } };
  for (const name of Object.keys(required)) options[name] = { type: 'string' };
  let values;
  try {
    ({ values } = parseArgs({ args: rest, options, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError(error.message);
  }
  for (const name of Object.keys(required)) {
    if (!values[name]) throw new UsageError(`${command} needs --${name}`);
  }
  const root = resolve(values.root ?? '.');
  if (values.version !== undefined && !SEMVER.test(values.version)) {
    refuse(`'${values.version}' is not a semantic version X.Y.Z (or X.Y.Z-pre), without a v`);
  }
  if (values.repository !== undefined) checkRepository(values.repository);
  if (values.date !== undefined) checkDate(values.date);
  return { command, root, ...values };
}

function checkRepository(repository) {
  const name = repository.split('/')[1] ?? '';
  if (!REPOSITORY.test(repository) || name === '.' || name === '..') {
    refuse(`'${repository}' is not a GitHub repository owner/name`);
  }
}

function checkDate(date) {
  const day = new Date(`${date}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(day.getTime())) {
    refuse(`'${date}' is not a date YYYY-MM-DD`);
  }
  if (day.toISOString().slice(0, 10) !== date) refuse(`'${date}' is not a date YYYY-MM-DD`);
}

// ---------------------------------------------------------------------------------------------
// Files

function read(root, path) {
  const full = join(root, path);
  if (!existsSync(full)) refuse(`${path} is missing (in ${root})`);
  return readFileSync(full, 'utf8');
}

function readJson(root, path) {
  try {
    return JSON.parse(read(root, path));
  } catch (error) {
    if (error instanceof Refusal) throw error;
    return refuse(`${path} is not JSON: ${error.message}`);
  }
}

/** npm's and prettier's layout of package.json and package-lock.json. */
const json = (value) => `${JSON.stringify(value, null, 2)}\n`;

/** Every file of a directory, recursively, relative to root, sorted. */
function walk(root, dir) {
  const full = join(root, dir);
  if (!existsSync(full)) return [];
  return readdirSync(full)
    .sort()
    .flatMap((entry) => {
      const path = `${dir}/${entry}`;
      return statSync(join(root, path)).isDirectory() ? walk(root, path) : [path];
    });
}

/**
 * The files the placeholder is filled in and checked in: the docs, the CHANGELOG, the component.
 * Not .github/CODEOWNERS: its `@OWNER/maintainers` is a team to choose, not this repository's
 * owner (its own comment says so).
 */
function docFiles(root) {
  return [
    ...['README.md', 'CONTRIBUTING.md', CHANGELOG, 'SECURITY.md', 'action.yml'].filter((path) =>
      existsSync(join(root, path)),
    ),
    ...walk(root, 'docs').filter((path) => path.endsWith('.md')),
    ...walk(root, 'templates').filter((path) => /\.ya?ml$/.test(path)),
  ];
}

// ---------------------------------------------------------------------------------------------
// Versions

const SOURCE_LINE = /^export const VERSION: string = '([^'\n]*)';$/m;

/** The component's `cli-version` input: the line of its default and the value it holds. */
function componentDefault(text) {
  const lines = text.split('\n');
  const input = lines.findIndex((line) => /^\s+cli-version:\s*$/.test(line));
  if (input < 0) return null;
  const indent = lines[input].length - lines[input].trimStart().length;
  for (let i = input + 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    const own = line.length - line.trimStart().length;
    if (own <= indent) break;
    const match = /^(\s+)default:\s*(.*?)\s*$/.exec(line);
    if (match && match[1].length === indent + 2) {
      return { index: i, indent: match[1], value: match[2].replace(/^(['"])(.*)\1$/, '$2') };
    }
  }
  return null;
}

/** The version each place says, `unreleased` for package.json's 0.0.0-unreleased. */
function readVersions(root) {
  const pkg = readJson(root, PACKAGE_JSON);
  const lock = readJson(root, PACKAGE_LOCK);
  const source = SOURCE_LINE.exec(read(root, SOURCE));
  if (!source) refuse(`${SOURCE} has no line export const VERSION: string = '...';`);
  const component = componentDefault(read(root, COMPONENT));
  if (!component) {
    refuse(`${COMPONENT} has no cli-version input with a default (unreleased, or the version)`);
  }
  const fromPackage = (value) => (value === UNRELEASED_PACKAGE ? UNRELEASED : String(value));
  return {
    [PACKAGE_JSON]: fromPackage(pkg.version),
    [`${PACKAGE_LOCK} (version)`]: fromPackage(lock.version),
    [`${PACKAGE_LOCK} (packages[""].version)`]: fromPackage(lock.packages?.['']?.version),
    [SOURCE]: source[1],
    [`${COMPONENT} (cli-version)`]: component.value,
  };
}

/** The one version of the tree, or a refusal that names each place. */
function treeVersion(root) {
  const versions = readVersions(root);
  const values = new Set(Object.values(versions));
  if (values.size !== 1) {
    const each = Object.entries(versions).map(([where, value]) => `${where} ${value}`);
    refuse(`the versions disagree: ${each.join(', ')}`);
  }
  return [...values][0];
}

/** The new texts of the version files, all saying `version` (a release, or unreleased). */
function versionFiles(root, version) {
  const packageVersion = version === UNRELEASED ? UNRELEASED_PACKAGE : version;
  const pkg = readJson(root, PACKAGE_JSON);
  pkg.version = packageVersion;
  const lock = readJson(root, PACKAGE_LOCK);
  lock.version = packageVersion;
  lock.packages[''].version = packageVersion;
  const source = read(root, SOURCE).replace(
    SOURCE_LINE,
    `export const VERSION: string = '${version}';`,
  );
  const componentText = read(root, COMPONENT);
  const lines = componentText.split('\n');
  const component = componentDefault(componentText);
  lines[component.index] =
    `${component.indent}default: ${version === UNRELEASED ? UNRELEASED : `'${version}'`}`;
  const files = new Map([
    [PACKAGE_JSON, json(pkg)],
    [PACKAGE_LOCK, json(lock)],
    [SOURCE, source],
    [COMPONENT, lines.join('\n')],
  ]);
  const doc = existsSync(join(root, COMPONENT_DOC))
    ? documentedDefault(read(root, COMPONENT_DOC), version)
    : null;
  if (doc !== null) files.set(COMPONENT_DOC, doc);
  return files;
}

/**
 * docs/component.md with the default cell of its `cli-version` row saying `version`, the cell's
 * width kept (the table stays as prettier aligns it); null without such a row.
 */
function documentedDefault(text, version) {
  const lines = text.split('\n');
  const index = lines.findIndex((line) => /^\|\s*`cli-version`\s*\|/.test(line));
  if (index < 0) return null;
  const cells = lines[index].split(/(?<!\\)\|/);
  if (!/^\s*`[^`]*`\s*$/.test(cells[2])) return null;
  const value = ` \`${version}\``;
  cells[2] = value.length + 1 <= cells[2].length ? value.padEnd(cells[2].length) : `${value} `;
  lines[index] = cells.join('|');
  const changed = lines.join('\n');
  return changed === text ? null : changed;
}

/** Semantic versions' order: -1, 0 or 1 (pre-releases before their release). */
function compareVersions(a, b) {
  const [, ...x] = SEMVER.exec(a);
  const [, ...y] = SEMVER.exec(b);
  for (let i = 0; i < 3; i++) {
    if (Number(x[i]) !== Number(y[i])) return Number(x[i]) < Number(y[i]) ? -1 : 1;
  }
  if (x[3] === y[3]) return 0;
  if (x[3] === undefined) return 1;
  if (y[3] === undefined) return -1;
  const p = x[3].split('.');
  const q = y[3].split('.');
  for (let i = 0; i < Math.max(p.length, q.length); i++) {
    if (p[i] === undefined) return -1;
    if (q[i] === undefined) return 1;
    if (p[i] === q[i]) continue;
    const [m, n] = [/^\d+$/.test(p[i]), /^\d+$/.test(q[i])];
    if (m && n) return Number(p[i]) < Number(q[i]) ? -1 : 1;
    if (m !== n) return m ? -1 : 1;
    return p[i] < q[i] ? -1 : 1;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// CHANGELOG.md

const LINK_REF = /^\[[^\]]+\]: \S+/;
const COMMENT = /^<!--.*-->\s*$/;

/** The CHANGELOG's lines, its sections (`## ` headings) and the link references at its end. */
function changelogParts(text) {
  const lines = text.replace(/\n+$/, '').split('\n');
  let refs = lines.length;
  while (refs > 0) {
    const line = lines[refs - 1];
    if (line.trim() === '' || LINK_REF.test(line) || COMMENT.test(line)) refs--;
    else break;
  }
  const headings = [];
  for (let i = 0; i < refs; i++) if (lines[i].startsWith('## ')) headings.push(i);
  const sections = headings.map((start, n) => ({
    heading: lines[start],
    start,
    end: n + 1 < headings.length ? headings[n + 1] : refs,
  }));
  return { lines, sections, refs: lines.slice(refs).filter((line) => LINK_REF.test(line)) };
}

/** A section's text: without comments, link references and the blank lines around it. */
function sectionBody(lines, { start, end }) {
  const body = lines.slice(start + 1, end).filter((line) => !COMMENT.test(line));
  while (body.length > 0 && body[0].trim() === '') body.shift();
  while (body.length > 0 && body[body.length - 1].trim() === '') body.pop();
  return body;
}

const versionOf = (heading) => /^## \[([^\]]+)\]/.exec(heading)?.[1];

function stampChangelog(text, version, repository, date) {
  const { lines, sections, refs } = changelogParts(text);
  const unreleased = sections.find((section) => versionOf(section.heading) === 'Unreleased');
  if (!unreleased || unreleased.heading.trim() !== '## [Unreleased]') {
    refuse(`${CHANGELOG} has no '## [Unreleased]' heading`);
  }
  const body = sectionBody(lines, unreleased);
  if (body.length === 0) {
    refuse(`${CHANGELOG}: nothing under '## [Unreleased]': write what v${version} changes first`);
  }
  const released = sections.map((section) => versionOf(section.heading)).filter(Boolean);
  if (released.includes(version)) refuse(`${CHANGELOG} has a section [${version}] already`);
  const newest = released
    .filter((value) => SEMVER.test(value))
    .sort(compareVersions)
    .pop();
  if (newest && compareVersions(version, newest) <= 0) {
    refuse(`${version} is not newer than ${newest}, the newest version in ${CHANGELOG}`);
  }
  const url = `https://github.com/${repository}`;
  const links = [
    `[Unreleased]: ${url}/compare/v${version}...HEAD`,
    `[${version}]: ${url}/releases/tag/v${version}`,
    ...refs.filter((line) => !isRefTo(line, version)),
  ];
  const before = lines.slice(0, unreleased.start);
  const after = lines.slice(unreleased.end, sections.at(-1).end);
  while (after.length > 0 && after[after.length - 1].trim() === '') after.pop();
  return [
    ...before,
    '## [Unreleased]',
    '',
    `## [${version}] - ${date}`,
    '',
    ...body,
    '',
    ...(after.length > 0 ? [...after, ''] : []),
    ...links,
    '',
  ].join('\n');
}

/** A link reference to [Unreleased] or to this version: both are written anew. */
function isRefTo(line, version) {
  const label = /^\[([^\]]+)\]:/.exec(line)[1];
  return label.toLowerCase() === 'unreleased' || label === version;
}

function notesOf(text, version) {
  const { lines, sections } = changelogParts(text);
  const section = sections.find((entry) => versionOf(entry.heading) === version);
  const body = section ? sectionBody(lines, section) : [];
  if (body.length === 0) refuse(`${CHANGELOG} has no section '## [${version}] - YYYY-MM-DD'`);
  return `${body.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Commands

function write(root, files) {
  for (const [path, text] of files) writeFileSync(join(root, path), text);
}

function stamp({ root, version, repository, date }) {
  const current = treeVersion(root);
  const files = new Map();
  if (current === version) {
    // A second run on the same tree: the versions and the CHANGELOG say it already.
    notesOf(read(root, CHANGELOG), version);
  } else if (current !== UNRELEASED) {
    refuse(`the tree is stamped v${current} already, not unreleased: it cannot become v${version}`);
  } else {
    for (const [path, text] of versionFiles(root, version)) files.set(path, text);
    files.set(CHANGELOG, stampChangelog(read(root, CHANGELOG), version, repository, date));
  }
  let filled = 0;
  for (const path of docFiles(root)) {
    const text = files.get(path) ?? read(root, path);
    const count = text.split(PLACEHOLDER).length - 1;
    if (count === 0) continue;
    filled += count;
    files.set(path, text.split(PLACEHOLDER).join(repository));
  }
  write(root, files);
  const what = current === version ? `v${version} (stamped already)` : `v${version} of ${date}`;
  console.log(
    `Stamped ${what} for ${repository}: ${[...files.keys()].join(', ') || 'nothing to change'}; ` +
      `${PLACEHOLDER} filled ${filled} times.`,
  );
}

function unstamp({ root }) {
  const current = treeVersion(root);
  if (current === UNRELEASED) {
    console.log('Unreleased already: nothing to change.');
    return;
  }
  const files = versionFiles(root, UNRELEASED);
  write(root, files);
  console.log(`Back to unreleased after v${current}: ${[...files.keys()].join(', ')}.`);
}

/** Where a line names a GitHub repository's create-gitlab-token: links, `uses:`, `repository:`. */
const NAMED =
  /(?:github\.com\/|githubusercontent\.com\/|uses:\s*|repository:\s*)([\w.-]+)\/create-gitlab-token(?![\w-])/g;

function check({ root, repository }) {
  const findings = [];
  for (const path of docFiles(root)) {
    read(root, path)
      .split('\n')
      .forEach((line, index) => {
        const where = `${path}:${index + 1}`;
        if (/\bOWNER\//.test(line)) {
          findings.push(`${where}: the placeholder OWNER/ is left (stamp fills it)`);
        }
        for (const [, owner] of line.matchAll(NAMED)) {
          const named = `${owner}/${NAME}`;
          if (owner !== 'OWNER' && named.toLowerCase() !== repository.toLowerCase()) {
            findings.push(`${where}: names ${named}, not ${repository}`);
          }
        }
      });
  }
  let version = '';
  try {
    version = treeVersion(root);
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    findings.push(error.message);
  }
  if (findings.length > 0) {
    for (const finding of findings) console.error(finding);
    refuse(`${findings.length} problem(s) for ${repository}: see the lines above`);
  }
  console.log(`No placeholder left, no other repository named, one version (${version}).`);
}

function notes({ root, version }) {
  process.stdout.write(notesOf(read(root, CHANGELOG), version));
}

const PACKAGE_FILES = ['LICENSE', 'README.md', 'index.js', 'licenses.txt', 'package.json'];

function packageReadme(repository, version) {
  const major = version.split('.')[0];
  const url = `https://github.com/${repository}`;
  return `# create-gitlab-token

Create, rotate, revoke and list GitLab access tokens from the command line: users' personal
access and impersonation tokens, service accounts' tokens, project and group access tokens. It is
the command line of the [create-gitlab-token](${url}) GitHub Action, one self-contained file with
no dependencies, for Node 22 or later.

\`\`\`sh
npx create-gitlab-token@${major} --help
export GITLAB_TOKEN="$MAINTAINER_TOKEN"   # the credential: from the environment, never a flag
npx create-gitlab-token@${major} --base-url https://gitlab.example.com --project-id my-group/my-app \\
  --access-level reporter --scopes read_repository --expires-at 2d --output json
\`\`\`

Commands: \`create\` (the default), \`rotate\`, \`revoke\`, \`list\` and \`fleet\`. The guide, with
every flag: [docs/cli.md](${url}/blob/v${version}/docs/cli.md). What changed:
[CHANGELOG.md](${url}/blob/v${version}/CHANGELOG.md).

Each version is published by the repository's release workflow, with provenance: \`npm audit
signatures\` checks it, and the package page links the workflow run that built it.

MIT licensed; the licenses of the bundled code are in \`licenses.txt\`.
`;
}

function packCli({ root, out, repository }) {
  const pkg = readJson(root, PACKAGE_JSON);
  const version = String(pkg.version);
  if (version === UNRELEASED_PACKAGE || !SEMVER.test(version)) {
    refuse(`package.json says ${version}: only a stamped release is published (stamp first)`);
  }
  const cli = join(root, 'dist', 'cli');
  const index = read(root, 'dist/cli/index.js');
  if (!index.startsWith('#!/usr/bin/env node\n')) {
    refuse('dist/cli/index.js does not start with #!/usr/bin/env node');
  }
  read(root, 'dist/cli/licenses.txt');
  read(root, 'LICENSE');
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  let said = '';
  try {
    said = execFileSync(process.execPath, [join(cli, 'index.js'), '--version'], {
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
  } catch (error) {
    refuse(`node dist/cli/index.js --version failed: ${String(error.message).split('\n')[0]}`);
  }
  if (said !== `${NAME} ${version}\n`) {
    refuse(`dist/cli/index.js says '${said.trim()}', package.json ${version}: npm run bundle`);
  }
  const target = resolve(out);
  if (existsSync(target) && readdirSync(target).length > 0) {
    refuse(`${relative(process.cwd(), target) || target} is not empty: remove it first`);
  }
  mkdirSync(target, { recursive: true });
  const url = `https://github.com/${repository}`;
  const manifest = {
    name: NAME,
    version,
    description: 'Create, rotate, revoke and list GitLab access tokens from the command line',
    keywords: [
      'gitlab',
      'token',
      'personal-access-token',
      'project-access-token',
      'group-access-token',
      'service-account',
      'rotation',
      'cli',
    ],
    homepage: `${url}/blob/v${version}/docs/cli.md`,
    bugs: { url: `${url}/issues` },
    // npm's provenance check: the repository of the package is the one the workflow runs in.
    repository: { type: 'git', url: `git+${url}.git` },
    license: pkg.license,
    type: 'module',
    bin: { [NAME]: 'index.js' },
    files: ['index.js', 'licenses.txt'],
    engines: pkg.engines,
  };
  writeFileSync(join(target, 'package.json'), json(manifest));
  copyFileSync(join(cli, 'index.js'), join(target, 'index.js'));
  chmodSync(join(target, 'index.js'), 0o755);
  copyFileSync(join(cli, 'licenses.txt'), join(target, 'licenses.txt'));
  copyFileSync(join(root, 'LICENSE'), join(target, 'LICENSE'));
  writeFileSync(join(target, 'README.md'), packageReadme(repository, version));
  console.log(`Packed ${NAME}@${version} into ${target}: ${PACKAGE_FILES.join(', ')}.`);
}

const RUN = { stamp, unstamp, check, notes, 'pack-cli': packCli };

try {
  const args = parse(process.argv.slice(2));
  RUN[args.command](args);
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`release.mjs: ${error.message}`);
    process.exitCode = 2;
  } else if (error instanceof Refusal) {
    console.error(`release.mjs: ${error.message}`);
    process.exitCode = 1;
  } else {
    throw error;
  }
}
