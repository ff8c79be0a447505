/**
 * Faults survived per entry, through the fleet library with its waits injected (settleMs 0): a
 * create whose reply is lost is reconciled (the token its request made, proven by the request's
 * marker, is revoked, and the create is tried once more) while the other entries go on; a store
 * that cannot be read is `unknown`, says why, and fails the plan (exit 1) without hiding the rest.
 */
import { describe, expect, it } from '@jest/globals';
import { parseFleetInputs, runFleet } from '../../src/fleet/run.js';
import { exitCode } from '../../src/fleet/report.js';
import { CLI_WORDS } from '../../src/inputs/words.js';
import { ADMIN_TOKEN } from '../simulator/gitlab-simulator.js';
import {
  entryOf,
  expectNoSecrets,
  expectNothingUnreported,
  fleetCli,
  fleetEnv,
  json,
  managed,
  manifestFile,
  tokenIds,
  useFleetSimulators,
} from './fleet-helpers.js';

const { gitlab, github } = useFleetSimulators();

describe('faults, entry by entry', () => {
  it('reconciles a create whose reply was lost, and goes on with the others', async () => {
    const file = manifestFile(`fleet: faults-1
tokens:
  deploy-widgets:
    kind: project
    project: acme/widgets
    scopes: [read_api]
    store-in: [gitlab-variable:acme/widgets:FAULTS_TOKEN]
  deploy-api:
    kind: project
    project: acme/api
    scopes: [read_api]
`);
    // GitLab makes the token, and the connection drops before the reply.
    gitlab.addFault({
      method: 'POST',
      pathPattern: /acme%2Fwidgets\/access_tokens$/,
      fault: { kind: 'reset', afterCreate: true },
    });
    const before = tokenIds(gitlab);
    const values: Record<string, string> = { 'base-url': gitlab.url, 'max-concurrency': '1' };
    const inputs = parseFleetInputs(
      (name) => values[name] ?? '',
      { GITLAB_TOKEN: ADMIN_TOKEN },
      CLI_WORDS,
      { mode: 'apply', file },
    );
    const lines: string[] = [];
    const secrets = new Set([ADMIN_TOKEN]);
    const run = await runFleet(inputs, {
      log: { info: (line) => lines.push(line), warning: (line) => lines.push(line) },
      onSecret: (secret) => secrets.add(secret),
      stop: { reason: undefined },
      secrets,
      settleMs: 0,
    });
    expect(exitCode(run, false)).toBe(0);
    expect(run.report.entries.map((entry) => entry.result)).toEqual(['created', 'created']);
    const [kept] = managed(gitlab, 'faults-1', 'deploy-widgets');
    const lost = gitlab.tokens.find(
      (token) => !before.has(token.id) && token.id !== kept.id && token.name === 'deploy-widgets',
    );
    expect(lost).toEqual(expect.objectContaining({ revoked: true }));
    expect(lines.join('\n')).toContain(
      `Revoked token ID ${lost?.id}, made by a request whose reply was lost.`,
    );
    expect(gitlab.variable({ project: 71 }, 'FAULTS_TOKEN')?.value).toBe(kept.token);
    const report = JSON.stringify(run.report);
    for (const secret of secrets) expect(report).not.toContain(secret);
    for (const secret of secrets) expect(lines.join('\n')).not.toContain(secret);
    expectNothingUnreported(gitlab, before, [
      { code: 0, stdout: report, stderr: lines.join('\n'), junit: '' },
    ]);
  });

  it('says a store cannot be read, and why, and exits 1 with the rest planned', async () => {
    const file = manifestFile(`fleet: faults-2
tokens:
  deploy-widgets:
    kind: project
    project: acme/widgets
    scopes: [read_api]
    store-in:
      - gitlab-variable:acme/nowhere:DEPLOY_TOKEN
  deploy-api:
    kind: project
    project: acme/api
    scopes: [read_api]
`);
    const plan = await fleetCli(['plan', file, '--output', 'json'], fleetEnv(github), gitlab);
    expectNoSecrets(plan, gitlab);
    expect(plan.code).toBe(1);
    const widgets = entryOf(json(plan), 'deploy-widgets');
    expect(widgets).toEqual(
      expect.objectContaining({
        action: 'create',
        stores: [{ target: 'gitlab-variable:acme/nowhere:DEPLOY_TOKEN', state: 'unknown' }],
        reasons: [
          'missing: no token of this entry at project acme/widgets',
          expect.stringMatching(
            /^store unreadable: gitlab-variable:acme\/nowhere:DEPLOY_TOKEN: .*404/,
          ),
        ],
        error: expect.stringMatching(/^store unreadable: /),
      }),
    );
    expect(entryOf(json(plan), 'deploy-api')).toEqual(
      expect.objectContaining({ action: 'create' }),
    );
    expect(entryOf(json(plan), 'deploy-api').error).toBeUndefined();
  });
});
