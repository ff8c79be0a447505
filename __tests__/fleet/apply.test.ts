/**
 * `fleet apply` against the simulators, in-process: create from scratch, renew as create → store
 * everywhere → revoke the old (never GitLab's rotate), a second apply that changes nothing, a
 * failing entry that keeps its old token and revokes its new one while the others go on, prune,
 * GitLab's rate limits shared by the entries, and the exit codes. Every run is checked for
 * secrets in what it printed, and for active tokens it made and did not report.
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
  tokenIds,
  useFleetSimulators,
  type CliRun,
} from './fleet-helpers.js';

const { gitlab, github } = useFleetSimulators();

let fleet = 'acme';
let fleets = 0;
beforeEach(() => {
  fleets += 1;
  fleet = `apply-${fleets}`;
});

const BASE = `fleet: acme
tokens:
  deploy-widgets:
    kind: project
    project: acme/widgets
    scopes: [read_api]
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
      - github-secret:acme/app:API_TOKEN
  deploy-web:
    kind: project
    project: acme/web
    scopes: [read_repository]
    store-in:
      - gitlab-variable:acme/web:DEPLOY_TOKEN
`;

let file = '';
let before = new Set<number>();
const runs: CliRun[] = [];
beforeEach(() => {
  file = manifestFile(BASE.replace(/^fleet: acme$/m, `fleet: ${fleet}`));
  before = tokenIds(gitlab);
  runs.length = 0;
});

async function fleetRun(args: string[], path = file): Promise<CliRun> {
  const result = await fleetCli([args[0], path, ...args.slice(1)], fleetEnv(github), gitlab);
  expectNoSecrets(result, gitlab);
  runs.push(result);
  return result;
}

function only(entry: string): SimToken {
  const tokens = managed(gitlab, fleet, entry);
  expect(tokens).toHaveLength(1);
  return tokens[0];
}

/** What each store target holds: the token's ID (by secret), or undefined. */
function held(): Record<string, number | string | undefined> {
  const byValue = (value: string | undefined): number | string | undefined =>
    value === undefined
      ? undefined
      : (gitlab.tokens.find((token) => token.token === value)?.id ?? 'other');
  const variable = (project: number) => gitlab.variable({ project }, 'DEPLOY_TOKEN')?.value;
  return {
    widgets: byValue(variable(PROJECTS.widgets)),
    api: byValue(variable(PROJECTS.api)),
    web: byValue(variable(PROJECTS.web)),
    widgetsSecret: byValue(github.secret('acme/app', 'WIDGETS_TOKEN', 'production')),
    apiSecret: byValue(github.secret('acme/app', 'API_TOKEN')),
  };
}

/** Applies the manifest from scratch and forgets the requests. */
async function fromScratch(): Promise<void> {
  const result = await fleetRun(['apply', '--output', 'json']);
  expect(result.code).toBe(0);
  gitlab.requests.length = 0;
  github.requests.length = 0;
}

const writes = () =>
  [...gitlab.requests, ...github.requests].filter((request) => request.method !== 'GET');

describe('fleet apply', () => {
  it('creates every token and stores it everywhere, naming it in the variables', async () => {
    const result = await fleetRun(['apply', '--output', 'json']);
    expect(result.code).toBe(0);
    const report = json(result);
    expect(report.entries.map((entry) => [entry.id, entry.action, entry.result])).toEqual([
      ['deploy-widgets', 'create', 'created'],
      ['deploy-api', 'create', 'created'],
      ['deploy-web', 'create', 'created'],
    ]);
    const widgets = only('deploy-widgets');
    expect(widgets).toEqual(
      expect.objectContaining({
        name: 'deploy-widgets',
        scopes: ['read_api'],
        expires_at: gitlab.inDays(90),
        description: expect.stringMatching(
          new RegExp(
            `^\\[create-gitlab-token fleet=${fleet} entry=deploy-widgets kind=project\\] \\[create-gitlab-token [0-9a-f]{12}\\]$`,
          ),
        ),
      }),
    );
    expect(held()).toEqual({
      widgets: widgets.id,
      api: only('deploy-api').id,
      web: only('deploy-web').id,
      widgetsSecret: widgets.id,
      apiSecret: only('deploy-api').id,
    });
    const variable = gitlab.variable({ project: PROJECTS.widgets }, 'DEPLOY_TOKEN');
    expect(variable).toEqual(
      expect.objectContaining({
        masked: true,
        protected: true,
        description: `fleet ${fleet} entry deploy-widgets: token ID ${widgets.id} (written by create-gitlab-token)`,
      }),
    );
    for (const entry of report.entries) {
      expect(entry.stores.every((store) => store.state === 'current')).toBe(true);
    }
    expectNothingUnreported(gitlab, before, runs);
  });

  it('renews by create, store, revoke: never a rotation; a second apply changes nothing', async () => {
    await fromScratch();
    const old = only('deploy-widgets');
    old.expires_at = gitlab.inDays(3);
    const order: string[] = [];
    const record = (request: { method: string; path: string }): void => {
      if (request.method !== 'GET') order.push(`${request.method} ${request.path}`);
    };
    gitlab.onRequestHandled = record;
    github.onRequestHandled = record;
    const result = await fleetRun(['apply', '--output', 'json']);
    expect(result.code).toBe(0);
    const fresh = only('deploy-widgets');
    expect(fresh.id).not.toBe(old.id);
    expect(old).toEqual(expect.objectContaining({ revoked: true, active: false }));
    expect(held()).toEqual(expect.objectContaining({ widgets: fresh.id, widgetsSecret: fresh.id }));
    expect(entryOf(json(result), 'deploy-widgets')).toEqual(
      expect.objectContaining({
        action: 'renew',
        result: 'renewed',
        token: expect.objectContaining({ id: fresh.id, days_left: 90 }),
      }),
    );
    expect(entryOf(json(result), 'deploy-api').result).toBe('unchanged');
    // The order that keeps every consumer working: the new token, the stores, then the revoke.
    expect(order).toEqual([
      'POST /api/v4/projects/acme%2Fwidgets/access_tokens',
      'PUT /api/v4/projects/acme%2Fwidgets/variables/DEPLOY_TOKEN',
      'PUT /repos/acme/app/environments/production/secrets/WIDGETS_TOKEN',
      `DELETE /api/v4/projects/acme%2Fwidgets/access_tokens/${old.id}`,
    ]);
    expect(gitlab.requests.some((request) => request.path.endsWith('/rotate'))).toBe(false);
    gitlab.requests.length = 0;
    github.requests.length = 0;
    const again = await fleetRun(['apply', '--output', 'json']);
    expect(again.code).toBe(0);
    expect(json(again).entries.map((entry) => entry.result)).toEqual([
      'unchanged',
      'unchanged',
      'unchanged',
    ]);
    expect(writes()).toEqual([]);
    expectNothingUnreported(gitlab, before, runs);
  });

  it('keeps a failing entry on its old token, revokes its new one, and goes on with the others', async () => {
    await fromScratch();
    const old = {
      widgets: only('deploy-widgets'),
      api: only('deploy-api'),
      web: only('deploy-web'),
    };
    for (const token of Object.values(old)) token.expires_at = gitlab.inDays(2);
    const widgetsVariable = { ...gitlab.variable({ project: PROJECTS.widgets }, 'DEPLOY_TOKEN') };
    // deploy-widgets: its GitHub secret (written last) refuses; deploy-web: GitLab refuses the token.
    github.fail('PUT', /WIDGETS_TOKEN$/, 403, {
      message: 'Resource not accessible by personal access token',
    });
    gitlab.addFault({
      method: 'POST',
      pathPattern: /acme%2Fweb\/access_tokens$/,
      fault: {
        kind: 'status',
        status: 400,
        body: { message: '400 Bad request - Scopes are not allowed' },
      },
    });
    const result = await fleetRun(['apply', '--output', 'json']);
    expect(result.code).toBe(1);
    const report = json(result);
    expect(entryOf(report, 'deploy-api').result).toBe('renewed');
    expect(only('deploy-api').id).not.toBe(old.api.id);
    const widgets = entryOf(report, 'deploy-widgets');
    expect(widgets).toEqual(
      expect.objectContaining({
        result: 'failed',
        token: expect.objectContaining({ id: old.widgets.id }),
        error: expect.stringMatching(/github-secret:acme\/app:production:WIDGETS_TOKEN/),
      }),
    );
    // Its old token is active and back in the variable (value and description), its new one gone.
    expect(only('deploy-widgets').id).toBe(old.widgets.id);
    expect(gitlab.variable({ project: PROJECTS.widgets }, 'DEPLOY_TOKEN')).toEqual(
      expect.objectContaining({
        value: widgetsVariable.value,
        description: widgetsVariable.description,
      }),
    );
    expect(held()).toEqual(
      expect.objectContaining({
        widgets: old.widgets.id,
        widgetsSecret: old.widgets.id,
        web: old.web.id,
      }),
    );
    const web = entryOf(report, 'deploy-web');
    expect(web).toEqual(
      expect.objectContaining({
        result: 'failed',
        error: expect.stringContaining('Scopes are not allowed'),
      }),
    );
    expect(only('deploy-web').id).toBe(old.web.id);
    expect(result.stderr).toMatch(/error: entry deploy-widgets: /);
    expect(result.stderr).toMatch(/error: entry deploy-web: /);
    expectNothingUnreported(gitlab, before, runs);
    // The next apply renews what failed.
    gitlab.requests.length = 0;
    const next = await fleetRun(['apply', '--output', 'json']);
    expect(next.code).toBe(0);
    expect(json(next).entries.map((entry) => entry.result)).toEqual([
      'renewed',
      'unchanged',
      'renewed',
    ]);
    expectNothingUnreported(gitlab, before, runs);
  });

  it('keeps the new token, reported, when a GitHub secret already holds it', async () => {
    const text = BASE.replace(/^fleet: acme$/m, `fleet: ${fleet}`).replace(
      '      - github-secret:acme/app:API_TOKEN\n',
      '      - github-secret:acme/app:API_TOKEN\n      - github-secret:acme/app:production:API_TOKEN\n',
    );
    const path = manifestFile(text);
    github.fail('PUT', /environments\/production\/secrets\/API_TOKEN$/, 500);
    const result = await fleetRun(['apply', '--output', 'json'], path);
    expect(result.code).toBe(1);
    const api = entryOf(json(result), 'deploy-api');
    const made = managed(gitlab, fleet, 'deploy-api');
    expect(made).toHaveLength(1);
    expect(api.result).toBe('failed');
    expect(api.error).toContain(`token ID ${made[0].id}`);
    expect(github.secret('acme/app', 'API_TOKEN')).toBe(made[0].token);
    expectNothingUnreported(gitlab, before, runs);
  });

  it('prunes the tokens whose entry is gone only with --prune', async () => {
    await fromScratch();
    const web = only('deploy-web');
    // deploy-web is gone; acme/web is still named (by web-reader), so its token is found.
    const smaller = manifestFile(
      BASE.replace(/^fleet: acme$/m, `fleet: ${fleet}`).replace(
        /deploy-web:[\s\S]*$/,
        'web-reader:\n    kind: project\n    project: acme/web\n    scopes: [read_api]\n',
      ),
    );
    const without = await fleetRun(['apply', '--output', 'json'], smaller);
    expect(without.code).toBe(0);
    expect(json(without).unmanaged).toEqual([
      { id: web.id, name: 'deploy-web', entry: 'deploy-web' },
    ]);
    expect(web.active).toBe(true);
    const pruned = await fleetRun(['apply', '--output', 'json', '--prune'], smaller);
    expect(pruned.code).toBe(0);
    expect(json(pruned).unmanaged).toEqual([
      { id: web.id, name: 'deploy-web', entry: 'deploy-web', result: 'pruned' },
    ]);
    expect(web).toEqual(expect.objectContaining({ revoked: true, active: false }));
    const after = await fleetRun(
      ['plan', '--output', 'json', '--prune', '--detailed-exitcode'],
      smaller,
    );
    expect(after.code).toBe(0);
    expect(json(after).unmanaged).toEqual([]);
    expectNothingUnreported(gitlab, before, runs);
  });

  it("waits out GitLab's rate limits for all entries together", async () => {
    gitlab.addFault({
      method: 'POST',
      pathPattern: /access_tokens$/,
      times: 4,
      fault: { kind: 'rateLimit', retryAfterSeconds: 0 },
    });
    const result = await fleetRun(['apply', '--output', 'json', '--max-concurrency', '2']);
    expect(result.code).toBe(0);
    expect(json(result).entries.map((entry) => entry.result)).toEqual([
      'created',
      'created',
      'created',
    ]);
    for (const entry of ['deploy-widgets', 'deploy-api', 'deploy-web']) only(entry);
    expect(gitlab.peakInFlight).toBeLessThanOrEqual(2);
    expectNothingUnreported(gitlab, before, runs);
  });

  it('exits 1 and names the entries left when the rate-limit budget is spent', async () => {
    gitlab.addFault({
      method: 'POST',
      pathPattern: /access_tokens$/,
      times: Infinity,
      fault: { kind: 'rateLimit', retryAfterSeconds: 60 },
    });
    const result = await fleetRun([
      'apply',
      '--output',
      'json',
      '--max-concurrency',
      '1',
      '--max-wait-seconds',
      '0',
    ]);
    expect(result.code).toBe(1);
    const results = json(result).entries.map((entry) => [entry.result, entry.error]);
    expect(results[0]).toEqual(['failed', expect.stringMatching(/429|rate/i)]);
    expect(results.slice(1)).toEqual([
      ['unchanged', 'not started: GitLab kept rate-limiting past max-wait-seconds'],
      ['unchanged', 'not started: GitLab kept rate-limiting past max-wait-seconds'],
    ]);
    expect(managed(gitlab, fleet, 'deploy-widgets')).toEqual([]);
    expectNothingUnreported(gitlab, before, runs);
  });
});
