/**
 * `fleet plan` against the simulators, in-process: each entry's action and reasons (missing,
 * expiring, no expiry date, revoked, expired, another name, scopes, access level or kind, a store
 * missing or stale), the unmanaged tokens, an unmarked token of an entry's name left alone, every
 * owner and store place read once, the JSON shape, the JUnit report and the exit codes. A plan
 * changes nothing; every run is checked for secrets in what it printed.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import type { SimToken } from '../simulator/gitlab-simulator.js';
import {
  entryOf,
  expectNoSecrets,
  expectNothingUnreported,
  fleetCli,
  fleetEnv,
  json,
  managed,
  manifestFile,
  PROJECTS,
  tempDir,
  tokenIds,
  useFleetSimulators,
  type CliRun,
} from './fleet-helpers.js';

const { gitlab, github } = useFleetSimulators();

/** Each test its own fleet: the simulator keeps the tokens of earlier tests. */
let fleet = 'acme';
let fleets = 0;
beforeEach(() => {
  fleets += 1;
  fleet = `plan-${fleets}`;
});

const BASE = `fleet: acme
defaults:
  expires-in: 90d
  rotate-before: 14d
tokens:
  deploy-widgets:
    kind: project
    project: acme/widgets
    scopes: [read_api, read_repository]
    access-level: developer
    store-in:
      - gitlab-variable:acme/widgets:DEPLOY_TOKEN
      - github-secret:acme/app:production:WIDGETS_TOKEN
  deploy-api:
    kind: project
    project: acme/api
    scopes: [read_api]
    store-in:
      - gitlab-variable:acme/api:DEPLOY_TOKEN
  group-bot:
    kind: group
    group: acme
    scopes: [read_api]
    access-level: reporter
  alice:
    kind: personal
    user: alice
    scopes: [read_api]
`;

const env = (): Record<string, string> => fleetEnv(github);

/** The manifest of this test's fleet. */
const named = (text: string): string => text.replace(/^fleet: acme$/m, `fleet: ${fleet}`);

async function run(args: string[], text = BASE): Promise<CliRun & { file: string }> {
  const file = manifestFile(named(text));
  const result = await fleetCli([...args.slice(0, 1), file, ...args.slice(1)], env(), gitlab);
  expectNoSecrets(result, gitlab);
  return { ...result, file };
}

/** Applies BASE (or `text`), so that a plan has managed tokens to look at. */
async function applied(text = BASE): Promise<CliRun> {
  const before = tokenIds(gitlab);
  const result = await run(['apply', '--output', 'json'], text);
  expect(result.code).toBe(0);
  expectNothingUnreported(gitlab, before, [result]);
  gitlab.requests.length = 0;
  github.requests.length = 0;
  return result;
}

function only(entry: string): SimToken {
  const tokens = managed(gitlab, fleet, entry);
  expect(tokens).toHaveLength(1);
  return tokens[0];
}

/** What a plan may never do. */
function expectNoChange(): void {
  expect(gitlab.requests.filter((request) => request.method !== 'GET')).toEqual([]);
  expect(github.requests.filter((request) => request.method !== 'GET')).toEqual([]);
}

describe('fleet plan', () => {
  it('says create for every entry of a new fleet, reading each owner and store place once', async () => {
    const plan = await run(['plan', '--output', 'json']);
    expect(plan.code).toBe(0);
    const report = json(plan);
    expect(report.entries.map((entry) => [entry.id, entry.action])).toEqual([
      ['deploy-widgets', 'create'],
      ['deploy-api', 'create'],
      ['group-bot', 'create'],
      ['alice', 'create'],
    ]);
    expect(entryOf(report, 'deploy-widgets').reasons).toEqual([
      'missing: no token of this entry at project acme/widgets',
    ]);
    expect(entryOf(report, 'deploy-widgets').stores).toEqual([
      { target: 'gitlab-variable:acme/widgets:DEPLOY_TOKEN', state: 'missing' },
      { target: 'github-secret:acme/app:production:WIDGETS_TOKEN', state: 'missing' },
    ]);
    const lines = gitlab.requests.map((request) => `${request.method} ${request.path}`).sort();
    expect(lines).toEqual(
      [
        'GET /api/v4/groups/acme/access_tokens',
        'GET /api/v4/personal_access_tokens',
        'GET /api/v4/projects/acme%2Fapi/access_tokens',
        'GET /api/v4/projects/acme%2Fapi/variables',
        'GET /api/v4/projects/acme%2Fwidgets/access_tokens',
        'GET /api/v4/projects/acme%2Fwidgets/variables',
        'GET /api/v4/users',
        'GET /api/v4/version',
      ].sort(),
    );
    expect(github.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /repos/acme/app/environments/production/secrets',
    ]);
    expectNoChange();
  });

  it('says none for a fleet just applied, with every store current', async () => {
    await applied();
    const plan = await run(['plan', '--output', 'json', '--detailed-exitcode']);
    expect(plan.code).toBe(0);
    const report = json(plan);
    for (const entry of report.entries) {
      expect(entry).toEqual(expect.objectContaining({ action: 'none', reasons: [] }));
      expect(entry.token?.days_left).toBe(90);
      expect(entry.stores.every((store) => store.state === 'current')).toBe(true);
    }
    expect(report.unmanaged).toEqual([]);
    expectNoChange();
  });

  it('gives each drift its reason', async () => {
    await applied();
    const widgets = only('deploy-widgets');
    const api = only('deploy-api');
    const group = only('group-bot');
    const alice = only('alice');
    widgets.expires_at = gitlab.inDays(5);
    api.expires_at = null;
    gitlab.revoke(group);
    alice.expires_at = gitlab.today();
    gitlab.refresh(alice);
    const plan = await run(['plan', '--output', 'json', '--detailed-exitcode']);
    expect(plan.code).toBe(2);
    const report = json(plan);
    expect(entryOf(report, 'deploy-widgets')).toEqual(
      expect.objectContaining({
        action: 'renew',
        reasons: [`expires ${gitlab.inDays(5)}, within rotate-before (14d)`],
        token: expect.objectContaining({ id: widgets.id, days_left: 5 }),
      }),
    );
    expect(entryOf(report, 'deploy-api').reasons).toEqual(['no expiry date']);
    expect(entryOf(report, 'group-bot')).toEqual(
      expect.objectContaining({ action: 'renew', reasons: [`revoked: token ID ${group.id}`] }),
    );
    expect(entryOf(report, 'alice')).toEqual(
      expect.objectContaining({
        action: 'renew',
        reasons: [`expired: token ID ${alice.id} expired ${gitlab.today()}`],
      }),
    );
    expectNoChange();
  });

  it('renews when the name, scopes, access level or kind change', async () => {
    // `keeper` keeps group acme read after group-bot moves to a project.
    const others = `  keeper:
    kind: group
    group: acme
    scopes: [read_api]
`;
    await applied(`${BASE}${others}`);
    const changed = BASE.replace(
      'scopes: [read_api, read_repository]\n    access-level: developer',
      'scopes: [read_api]\n    access-level: maintainer\n    name: widgets deploy',
    ).replace(
      'group-bot:\n    kind: group\n    group: acme',
      'group-bot:\n    kind: project\n    project: acme/widgets',
    );
    const plan = await run(['plan', '--output', 'json'], `${changed}${others}`);
    const report = json(plan);
    expect(entryOf(report, 'deploy-widgets').reasons).toEqual([
      'scopes changed: the token has read_api,read_repository, the entry asks for read_api',
      'access level changed: the token has developer, the entry asks for maintainer',
      'name changed: the token is named "deploy-widgets"',
    ]);
    const group = only('group-bot');
    expect(entryOf(report, 'group-bot')).toEqual(
      expect.objectContaining({
        action: 'renew',
        reasons: [`kind changed: token ID ${group.id} is a group token of group acme`],
        token: null,
      }),
    );
    expect(entryOf(report, 'keeper').action).toBe('none');
  });

  it('says which store does not hold the token', async () => {
    await applied();
    const widgets = only('deploy-widgets');
    const api = only('deploy-api');
    // The variable names another token; the GitHub secret was updated before the token was made;
    // deploy-api's variable is gone.
    const variable = gitlab.variable({ project: PROJECTS.widgets }, 'DEPLOY_TOKEN');
    if (!variable) throw new Error('no variable');
    variable.description = 'fleet acme entry deploy-widgets: token ID 4242';
    widgets.created_at = new Date(Date.now() + 3_600_000).toISOString();
    const apiVariable = gitlab.variable({ project: PROJECTS.api }, 'DEPLOY_TOKEN');
    if (!apiVariable) throw new Error('no variable');
    gitlab.deleteVariable(apiVariable);
    const plan = await run(['plan', '--output', 'json']);
    const report = json(plan);
    expect(entryOf(report, 'deploy-widgets')).toEqual(
      expect.objectContaining({
        action: 'renew',
        reasons: [
          'store stale: gitlab-variable:acme/widgets:DEPLOY_TOKEN (holds token ID 4242)',
          'store stale: github-secret:acme/app:production:WIDGETS_TOKEN',
        ],
        stores: [
          { target: 'gitlab-variable:acme/widgets:DEPLOY_TOKEN', state: 'stale' },
          { target: 'github-secret:acme/app:production:WIDGETS_TOKEN', state: 'stale' },
        ],
      }),
    );
    expect(entryOf(report, 'deploy-api')).toEqual(
      expect.objectContaining({
        action: 'renew',
        reasons: ['store missing: gitlab-variable:acme/api:DEPLOY_TOKEN'],
        token: expect.objectContaining({ id: api.id }),
      }),
    );
  });

  it('compares a GitHub secret with the token at whole seconds', async () => {
    await applied();
    const widgets = only('deploy-widgets');
    // GitHub's updated_at has whole seconds: a token made within the same second is held.
    const second = Math.floor(Date.now() / 1000) * 1000;
    widgets.created_at = new Date(second + 999).toISOString();
    const variable = gitlab.variable({ project: PROJECTS.widgets }, 'DEPLOY_TOKEN');
    expect(variable?.description).toBe(
      `fleet ${fleet} entry deploy-widgets: token ID ${widgets.id} (written by create-gitlab-token)`,
    );
    const report = json(await run(['plan', '--output', 'json']));
    expect(entryOf(report, 'deploy-widgets').stores[1].state).toBe('current');
  });

  it('lists managed tokens whose entry is gone as unmanaged, and counts them only with --prune', async () => {
    await applied();
    const alice = only('alice');
    const without =
      BASE.slice(0, BASE.indexOf('  alice:')) +
      '  bob:\n    kind: personal\n    user: alice\n    scopes: [api]\n';
    const plan = await run(['plan', '--output', 'json', '--detailed-exitcode'], without);
    const report = json(plan);
    expect(report.unmanaged).toEqual([{ id: alice.id, name: 'alice', entry: 'alice' }]);
    expect(entryOf(report, 'bob').action).toBe('create');
    expect(plan.code).toBe(2);
    const noBob =
      BASE.slice(0, BASE.indexOf('  alice:')) +
      '  bob:\n    kind: personal\n    user: 42\n    scopes: [read_api]\n    name: alice\n';
    // bob names the same user by ID, but alice's token is not bob's (its marker says alice)
    const second = json(await run(['plan', '--output', 'json'], noBob));
    expect(entryOf(second, 'bob')).toEqual(expect.objectContaining({ action: 'create' }));
    expect(second.unmanaged).toEqual([{ id: alice.id, name: 'alice', entry: 'alice' }]);
    // With --prune the unmanaged tokens are pending changes; without any, nothing is.
    const pruning = await run(['plan', '--detailed-exitcode', '--prune'], without);
    expect(pruning.code).toBe(2);
    const onlyOthers = await run(['plan', '--detailed-exitcode', '--prune']);
    expect(onlyOthers.code).toBe(0);
    expectNoChange();
  });

  it('never takes an unmarked token of the same name for an entry', async () => {
    const bot = gitlab.addBotUser({ type: 'project', id: PROJECTS.api }, 'deploy-api', 40);
    const stranger = gitlab.addToken({
      userId: bot.id,
      name: 'deploy-api',
      description: null,
      scopes: ['read_api'],
      expiresAt: gitlab.inDays(2),
      impersonation: false,
      previousId: null,
    });
    const report = json(await run(['plan', '--output', 'json']));
    expect(entryOf(report, 'deploy-api')).toEqual(
      expect.objectContaining({ action: 'create', token: null }),
    );
    expect(report.unmanaged).toEqual([]);
    const before = tokenIds(gitlab);
    const apply = await run(['apply', '--output', 'json', '--prune']);
    expect(apply.code).toBe(0);
    expect(stranger).toEqual(expect.objectContaining({ active: true, revoked: false }));
    expect(gitlab.requests.some((request) => request.path.endsWith(`/${stranger.id}`))).toBe(false);
    expectNothingUnreported(gitlab, before, [apply]);
  });

  it('prints a table sorted by days left, and a JUnit report that fails what needs work', async () => {
    await applied();
    only('deploy-api').expires_at = gitlab.inDays(3);
    only('group-bot').expires_at = gitlab.inDays(40);
    const junit = `${tempDir()}/fleet.xml`;
    const plan = await run(['plan', '--junit', junit]);
    expect(plan.code).toBe(0);
    const [header, ...rows] = plan.stdout.split('\n');
    expect(header.split(/\s{2,}/)).toEqual([
      'ENTRY',
      'KIND',
      'OWNER',
      'ACTION',
      'EXPIRES',
      'DAYS LEFT',
      'STORES',
    ]);
    expect(rows.slice(0, 4).map((row) => row.split(/\s{2,}/).slice(0, 6))).toEqual([
      ['deploy-api', 'project', 'project acme/api', 'renew', gitlab.inDays(3), '3'],
      ['group-bot', 'group', 'group acme', 'none', gitlab.inDays(40), '40'],
      ['alice', 'personal', 'user 42', 'none', gitlab.inDays(90), '90'],
      ['deploy-widgets', 'project', 'project acme/widgets', 'none', gitlab.inDays(90), '90'],
    ]);
    expect(plan.stdout).toContain(
      `deploy-api: renew: expires ${gitlab.inDays(3)}, within rotate-before (14d)`,
    );
    expect(plan.stdout).toMatch(/fleet plan-\d+: 0 to create, 1 to renew, 3 up to date\n$/);
    expect(plan.junit).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="fleet plan-\d+ \(plan\)" tests="4" failures="1" errors="0">/,
    );
    expect(plan.junit.match(/<testcase /g)).toHaveLength(4);
    expect(plan.junit).toMatch(
      /<testcase classname="plan-\d+.project" name="deploy-api" time="0">\n\s+<failure message="renew: expires [\d-]+, within rotate-before \(14d\)" type="renew">/,
    );
    expect(plan.junit).toMatch(
      /<testcase classname="plan-\d+.group" name="group-bot" time="0">\n\s+<system-out>/,
    );
    expectNoSecrets(plan, gitlab);
  });

  it('gives the JSON exactly its shape', async () => {
    await applied();
    gitlab.revoke(only('alice'));
    const report = json(await run(['plan', '--output', 'json']));
    expect(Object.keys(report)).toEqual(['fleet', 'shard', 'entries', 'unmanaged']);
    expect(report.shard).toEqual({ index: 1, total: 1 });
    for (const entry of report.entries) {
      expect(Object.keys(entry)).toEqual([
        'id',
        'kind',
        'target',
        'action',
        'reasons',
        'token',
        'stores',
      ]);
      expect(Object.keys(entry.token ?? {})).toEqual(['id', 'name', 'expires_at', 'days_left']);
    }
    expect(entryOf(report, 'alice').target).toBe('@alice');
    expect(entryOf(report, 'group-bot').target).toBe('acme');
  });

  it('exits 1 when an owner or a store cannot be read, naming it, and plans the others', async () => {
    const text = `${BASE}  ghost:
    kind: project
    project: acme/ghost
    scopes: [read_api]
`;
    const plan = await run(['plan', '--output', 'json', '--detailed-exitcode'], text);
    expect(plan.code).toBe(1);
    const report = json(plan);
    expect(entryOf(report, 'ghost')).toEqual(
      expect.objectContaining({
        action: 'none',
        reasons: [
          expect.stringMatching(
            /^cannot be planned: .*acme%2Fghost.*check project: in the manifest/,
          ),
        ],
        error: expect.stringMatching(/^cannot be planned: /),
      }),
    );
    expect(entryOf(report, 'deploy-api').action).toBe('create');
    expect(plan.stderr).toMatch(/error: entry ghost: cannot be planned/);
  });
});
