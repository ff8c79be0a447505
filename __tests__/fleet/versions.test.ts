/**
 * Older GitLab: before 17.7 GitLab keeps no token descriptions, so a fleet's tokens carry no
 * marker; entries are matched by their exact name (the plan says so) and prune is refused.
 * Group service-account tokens need the list route (17.11) for a credential that is not an
 * administrator: such an entry is refused with that reason, the others go on.
 */
import { describe, expect, it } from '@jest/globals';
import { GROUP_OWNER_TOKEN } from '../simulator/gitlab-simulator.js';
import {
  entryOf,
  expectNoSecrets,
  expectNothingUnreported,
  fleetCli,
  fleetEnv,
  json,
  manifestFile,
  tokenIds,
  useFleetSimulators,
  type CliRun,
} from './fleet-helpers.js';

const { gitlab, github } = useFleetSimulators({ version: '17.6' });

describe('GitLab 17.6 (no token descriptions)', () => {
  it('matches entries by name, says so, and refuses prune', async () => {
    const file = manifestFile(`fleet: old
tokens:
  alice-sync:
    kind: personal
    user: 42
    scopes: [read_api]
    name: alice sync
    store-in: [gitlab-variable:acme/widgets:DEPLOY_TOKEN]
`);
    const before = tokenIds(gitlab);
    const runs: CliRun[] = [];
    const run = async (args: string[]) => {
      const result = await fleetCli([args[0], file, ...args.slice(1)], fleetEnv(github), gitlab);
      expectNoSecrets(result, gitlab);
      runs.push(result);
      return result;
    };
    const created = await run(['apply', '--output', 'json']);
    expect(created.code).toBe(0);
    expect(created.stderr).toContain('note: GitLab 17.6.0-ee keeps no token descriptions');
    const made = gitlab.tokens.find((token) => !before.has(token.id));
    expect(made).toEqual(expect.objectContaining({ name: 'alice sync', description: null }));
    // No fleet marker was sent: GitLab would drop it, and the run would warn about it.
    const post = gitlab.requests.find(
      (request) => request.method === 'POST' && request.path.endsWith('/personal_access_tokens'),
    );
    expect(post).toBeDefined();
    expect(JSON.stringify(post?.body)).not.toContain('fleet=');
    expect(created.stderr).not.toMatch(/warning/);

    const plan = await run(['plan']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(
      'note: GitLab 17.6.0-ee keeps no token descriptions (they need 17.7 or later): entries are matched by their exact name, and prune is not available.',
    );
    expect(plan.stdout).toMatch(/alice-sync\s+personal\s+user 42\s+none/);

    gitlab.requests.length = 0;
    const pruned = await run(['apply', '--prune']);
    expect(pruned.code).toBe(1);
    expect(pruned.stderr).toContain('--prune needs GitLab 17.7 or later');
    expect(gitlab.requests.filter((request) => request.method !== 'GET')).toEqual([]);
    expect(entryOf(json(created), 'alice-sync').token?.id).toBe(made?.id);
    expectNothingUnreported(gitlab, before, runs);
  });
});

describe('GitLab 17.10 and a group Owner (no service-account token list)', () => {
  it('refuses a service-account entry with the version it needs, and plans the others', async () => {
    gitlab.setVersion('17.10');
    const file = manifestFile(`fleet: sa
tokens:
  robot:
    kind: service-account
    group: acme
    user: 90
    scopes: [read_api]
  group-bot:
    kind: group
    group: acme
    scopes: [read_api]
`);
    const plan = await fleetCli(
      ['plan', file, '--output', 'json'],
      fleetEnv(github, { GITLAB_TOKEN: GROUP_OWNER_TOKEN }),
      gitlab,
    );
    expectNoSecrets(plan, gitlab, [GROUP_OWNER_TOKEN]);
    expect(plan.code).toBe(1);
    const report = json(plan);
    expect(entryOf(report, 'robot').error).toMatch(
      /needs GitLab 17\.11 or later \(this instance runs 17\.10/,
    );
    expect(entryOf(report, 'group-bot').action).toBe('create');
  });
});
