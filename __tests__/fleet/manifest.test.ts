/**
 * The manifest is checked in one place (src/fleet/manifest.ts) before any request: every problem
 * names the file, the line and the entry, all are reported together, and the CLI exits 2 without
 * asking GitLab anything.
 */
import { describe, expect, it } from '@jest/globals';
import { ManifestError, parseManifest } from '../../src/fleet/manifest.js';
import { fleetCli, fleetEnv, manifestFile, useFleetSimulators } from './fleet-helpers.js';

const { gitlab, github } = useFleetSimulators();

/** The problems parseManifest reports for `text` (none: []). */
function problems(text: string): string[] {
  try {
    parseManifest(text, 'tokens.yml');
    return [];
  } catch (error) {
    if (error instanceof ManifestError) return error.problems;
    throw error;
  }
}

const VALID = `fleet: acme
defaults:
  expires-in: 60d
  rotate-before: 10d
  scopes: [read_api]
tokens:
  deploy-widgets:
    kind: project
    project: acme/widgets
    access-level: developer
    store-in:
      - gitlab-variable:acme/widgets:DEPLOY_TOKEN
  alice-sync:
    kind: personal
    user: alice
    scopes: [api]
    name: alice sync
`;

describe('a valid manifest', () => {
  it('reads entries with their defaults, owners and stores', () => {
    const manifest = parseManifest(VALID, 'tokens.yml');
    expect(manifest.fleet).toBe('acme');
    expect(manifest.entries).toEqual([
      expect.objectContaining({
        id: 'deploy-widgets',
        line: 7,
        kind: 'project',
        owner: { kind: 'project', projectId: 'acme/widgets' },
        name: 'deploy-widgets',
        scopes: ['read_api'],
        accessLevel: 30,
        expiresInDays: 60,
        rotateBeforeDays: 10,
        stores: [expect.objectContaining({ type: 'gitlab-variable', key: 'DEPLOY_TOKEN' })],
      }),
      expect.objectContaining({
        id: 'alice-sync',
        kind: 'personal',
        owner: { kind: 'personal', user: { username: 'alice' } },
        name: 'alice sync',
        scopes: ['api'],
        accessLevel: undefined,
      }),
    ]);
  });

  it('applies 90d and 14d when nothing is said, and a default only where it fits the kind', () => {
    const manifest = parseManifest(
      `fleet: ops
defaults:
  access-level: reporter
tokens:
  me:
    kind: personal
    user: 42
    scopes: [read_api]
`,
      'tokens.yml',
    );
    expect(manifest.entries[0]).toEqual(
      expect.objectContaining({
        owner: { kind: 'personal', user: { id: 42 } },
        accessLevel: undefined,
        expiresInDays: 90,
        rotateBeforeDays: 14,
      }),
    );
  });
});

describe('an invalid manifest', () => {
  it.each([
    ['YAML that does not parse', 'fleet: acme\ntokens: [\n', /^tokens\.yml:3: not valid YAML/],
    [
      'a duplicate entry id',
      'fleet: acme\ntokens:\n  a:\n    kind: project\n    project: x/y\n    scopes: [api]\n  a:\n    kind: project\n',
      /^tokens\.yml:7: "a" is given twice/,
    ],
    ['no fleet name', 'tokens: {}\n', /^tokens\.yml:1: fleet: required/],
    [
      'a bad fleet name',
      'fleet: Acme Co\ntokens: {}\n',
      /^tokens\.yml:1: fleet: required.*"Acme Co"/,
    ],
    ['an unknown top-level key', 'fleet: a\ntoken: {}\n', /^tokens\.yml:2: unknown key "token"/],
    [
      'an unknown entry key',
      'fleet: a\ntokens:\n  x:\n    kind: project\n    project: a/b\n    scope: [api]\n',
      /^tokens\.yml:6: tokens\.x: unknown key "scope"/,
    ],
    [
      'an unknown kind',
      'fleet: a\ntokens:\n  x:\n    kind: deploy-key\n    project: a/b\n',
      /^tokens\.yml:4: tokens\.x: kind: expected one of personal, impersonation, service-account, project, group, self, got "deploy-key"/,
    ],
    [
      'an unknown scope',
      'fleet: a\ntokens:\n  x:\n    kind: project\n    project: a/b\n    scopes:\n      - read_api\n      - write_everything\n',
      /^tokens\.yml:8: tokens\.x: scopes: unknown scope "write_everything"/,
    ],
    [
      "a scope a bot's token cannot have",
      'fleet: a\ntokens:\n  x:\n    kind: group\n    group: a\n    scopes: [read_user]\n',
      /^tokens\.yml:6: tokens\.x: scopes: a group token's bot user cannot have read_user/,
    ],
    [
      'a missing owner',
      'fleet: a\ntokens:\n  x:\n    kind: service-account\n    group: acme\n    scopes: [api]\n',
      /^tokens\.yml:3: tokens\.x: kind service-account needs user:/,
    ],
    [
      'an owner field of another kind',
      'fleet: a\ntokens:\n  x:\n    kind: project\n    project: a/b\n    user: 42\n    scopes: [api]\n',
      /^tokens\.yml:6: tokens\.x: user does not go with kind project/,
    ],
    [
      'an access level for a user token',
      'fleet: a\ntokens:\n  x:\n    kind: personal\n    user: 42\n    scopes: [api]\n    access-level: owner\n',
      /^tokens\.yml:7: tokens\.x: access-level does not go with kind personal/,
    ],
    [
      'a bad access level',
      'fleet: a\ntokens:\n  x:\n    kind: project\n    project: a/b\n    scopes: [api]\n    access-level: boss\n',
      /^tokens\.yml:7: tokens\.x: access-level: expected guest, planner/,
    ],
    [
      'rotate-before not shorter than expires-in',
      'fleet: a\ntokens:\n  x:\n    kind: project\n    project: a/b\n    scopes: [api]\n    expires-in: 14d\n',
      /^tokens\.yml:7: tokens\.x: rotate-before \(14d\) must be shorter than expires-in \(14d\)/,
    ],
    [
      "a lifetime over the instance's maximum",
      'fleet: a\ntokens:\n  x:\n    kind: project\n    project: a/b\n    scopes: [api]\n    expires-in: 400d\n',
      /^tokens\.yml:7: tokens\.x: expires-in: 400 days is over the instance's maximum lifetime of 365 days/,
    ],
    [
      'a bad day count',
      'fleet: a\ntokens:\n  x:\n    kind: project\n    project: a/b\n    scopes: [api]\n    expires-in: 90\n',
      /^tokens\.yml:7: tokens\.x: expires-in: expected a number of days such as 30d, got 90/,
    ],
    [
      'a bad store-in target',
      'fleet: a\ntokens:\n  x:\n    kind: project\n    project: a/b\n    scopes: [api]\n    store-in:\n      - vault:secret/x\n',
      /^tokens\.yml:8: tokens\.x: store-in: "vault:secret\/x": expected gitlab-variable/,
    ],
    [
      'the credential itself without a store',
      'fleet: a\ntokens:\n  me:\n    kind: self\n',
      /^tokens\.yml:3: tokens\.me: kind self needs store-in/,
    ],
    [
      'scopes for the credential itself',
      'fleet: a\ntokens:\n  me:\n    kind: self\n    scopes: [api]\n    store-in: [gitlab-variable:a/b:T]\n',
      /^tokens\.yml:5: tokens\.me: scopes does not go with kind self/,
    ],
  ])('refuses %s, naming the file, line and entry', (_, text, expected) => {
    const found = problems(text);
    expect(found).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });

  it('refuses two entries writing one store target, naming both', () => {
    const found = problems(`fleet: a
tokens:
  one:
    kind: project
    project: a/b
    scopes: [api]
    store-in: [gitlab-variable:a/b:TOKEN]
  two:
    kind: project
    project: a/c
    scopes: [api]
    store-in:
      - gitlab-variable:A/B:TOKEN
`);
    expect(found).toEqual([
      'tokens.yml:8: tokens.two: store-in: "gitlab-variable:A/B:TOKEN" is also written by entry one (line 3): one target holds one token',
    ]);
  });

  it('reports every problem at once', () => {
    const found = problems(`fleet: a
tokens:
  one:
    kind: project
    scopes: [nope]
  two:
    kind: nobody
`);
    expect(found).toEqual([
      'tokens.yml:3: tokens.one: kind project needs project: (whose token it is)',
      'tokens.yml:5: tokens.one: scopes: unknown scope "nope"',
      expect.stringMatching(/^tokens\.yml:7: tokens\.two: kind: expected one of/),
    ]);
  });
});

describe('the CLI with an invalid manifest', () => {
  it('exits 2 before any request, naming the file, line and entry', async () => {
    const file = manifestFile(
      'fleet: acme\ntokens:\n  x:\n    kind: project\n    project: a/b\n    scopes: [api]\n    expires-in: 1000d\n',
    );
    const run = await fleetCli(['plan', file], fleetEnv(github), gitlab);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `${file}:7: tokens.x: expires-in: 1000 days is over the instance's maximum`,
    );
    expect(run.stdout).toBe('');
    expect(gitlab.requests).toEqual([]);
    expect(github.requests).toEqual([]);
  });

  it('exits 2 for a missing file, a bad shard, or flags of a single token', async () => {
    const env = fleetEnv(github);
    const missing = await fleetCli(['apply', '/nonexistent/tokens.yml'], env, gitlab);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      '/nonexistent/tokens.yml: the manifest cannot be read (ENOENT)',
    );
    const file = manifestFile('fleet: acme\ntokens: {}\n');
    const shard = await fleetCli(['plan', file, '--shard', '3/2'], env, gitlab);
    expect(shard.code).toBe(2);
    expect(shard.stderr).toContain('--shard: expected I/N');
    const scopes = await fleetCli(['plan', file, '--scopes', 'api'], env, gitlab);
    expect(scopes.code).toBe(2);
    expect(scopes.stderr).toContain('--scopes: goes without a fleet');
    const detailed = await fleetCli(['apply', file, '--detailed-exitcode'], env, gitlab);
    expect(detailed.code).toBe(2);
    const noMode = await fleetCli([file], env, gitlab);
    expect(noMode.code).toBe(2);
    expect(gitlab.requests).toEqual([]);
  });

  it('exits 2 for github-secret targets without a GitHub token', async () => {
    const file = manifestFile(`fleet: acme
tokens:
  x:
    kind: project
    project: acme/app
    scopes: [api]
    store-in: [github-secret:acme/app:TOKEN]
`);
    const env = fleetEnv(github);
    delete env.GITHUB_TOKEN;
    const run = await fleetCli(['plan', file], env, gitlab);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file}:3: tokens.x: github-secret targets need GITHUB_TOKEN`);
    expect(gitlab.requests).toEqual([]);
  });

  it('refuses the fleet flags on other commands', async () => {
    const run = await fleetCli([], {}, gitlab);
    expect(run.code).toBe(2);
    let stderr = '';
    const { runCli } = await import('../../src/cli/main.js');
    const code = await runCli(
      ['list', '--junit', 'x.xml'],
      { GITLAB_TOKEN: 'glpat-FAKE' },
      {
        stdout: () => Promise.resolve(),
        stderr: (text) => {
          stderr += text;
        },
      },
    );
    expect(code).toBe(2);
    expect(stderr).toContain('--junit: goes with fleet');
  });
});
