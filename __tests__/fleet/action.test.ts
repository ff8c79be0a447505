/**
 * The action with `fleet`, in-process: the main step (src/action/main.ts) run with the runner's
 * environment (INPUT_* variables, the GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files), stdout
 * captured. The `plan` output is the JSON, the job summary the table, a failure fails the step,
 * the target inputs go without `fleet`, a credential that renews itself is masked at once, and no
 * secret is anywhere but on its mask line.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { runMain } from '../../src/action/main.js';
import { ADMIN_TOKEN, SEED_USERS } from '../simulator/gitlab-simulator.js';
import { GITHUB_WRITE_TOKEN } from '../simulator/github-simulator.js';
import {
  collectStep,
  findLeaks,
  maskedFirst,
  prepareStep,
  type StepResult,
} from '../helpers/run-action.js';
import { tokenSecrets } from '../helpers/simulator-fixture.js';
import {
  expectNothingUnreported,
  manifestFile,
  managed,
  tokenIds,
  useFleetSimulators,
  type FleetJson,
} from './fleet-helpers.js';

const { gitlab, github } = useFleetSimulators();

const savedEnv = { ...process.env };
afterEach(() => {
  process.exitCode = undefined;
});

/** The main step in this process, as the runner starts it; what it wrote, collected. */
async function mainStep(inputs: Record<string, string>): Promise<StepResult> {
  const prepared = prepareStep({
    inputs: { 'base-url': gitlab.url, ...inputs },
    env: { GITHUB_API_URL: github.url },
  });
  let stdout = '';
  const write = process.stdout.write.bind(process.stdout);
  process.env = { ...prepared.env };
  process.exitCode = undefined;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stdout.write;
  try {
    await runMain();
  } finally {
    process.stdout.write = write;
    process.env = { ...savedEnv };
  }
  const code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  process.exitCode = undefined;
  return collectStep(prepared, { code, stdout, stderr: '' });
}

function expectNoLeaks(result: StepResult, more: string[] = []): void {
  const secrets = [ADMIN_TOKEN, GITHUB_WRITE_TOKEN, ...more, ...tokenSecrets(gitlab)];
  expect(findLeaks(result, secrets)).toEqual([]);
  for (const output of Object.values(result.outputs)) {
    for (const secret of secrets) expect(output).not.toContain(secret);
  }
}

const manifest = (fleet: string): string =>
  manifestFile(`fleet: ${fleet}
tokens:
  deploy-widgets:
    kind: project
    project: acme/widgets
    scopes: [read_api]
    store-in:
      - gitlab-variable:acme/widgets:DEPLOY_TOKEN
      - github-secret:acme/app:WIDGETS_TOKEN
  deploy-api:
    kind: project
    project: acme/api
    scopes: [read_api]
`);

const credentials = { 'gitlab-token': ADMIN_TOKEN, 'github-token': GITHUB_WRITE_TOKEN };

describe('the action with fleet', () => {
  it('plans: the plan output is the JSON, the job summary the table; nothing changes', async () => {
    const file = manifest('action-1');
    const result = await mainStep({ ...credentials, fleet: file });
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.outputs.plan) as FleetJson;
    expect(plan).toEqual(
      expect.objectContaining({ fleet: 'action-1', shard: { index: 1, total: 1 } }),
    );
    expect(plan.entries.map((entry) => entry.action)).toEqual(['create', 'create']);
    expect(result.summary).toContain('<h3>GitLab token fleet action-1</h3>');
    expect(result.summary).toMatch(
      /<tr><th>ENTRY<\/th><th>KIND<\/th><th>OWNER<\/th><th>ACTION<\/th><th>EXPIRES<\/th><th>DAYS LEFT<\/th><th>STORES<\/th><\/tr>/,
    );
    expect(result.summary).toContain('<td>deploy-widgets</td><td>project</td>');
    expect(result.stdout).toContain('fleet action-1: 2 to create, 0 to renew, 0 up to date');
    expect(gitlab.requests.filter((request) => request.method !== 'GET')).toEqual([]);
    expectNoLeaks(result);
  });

  it('dry-run plans even with fleet-mode apply: nothing is made or stored', async () => {
    const file = manifest('action-dry');
    const before = tokenIds(gitlab);
    const result = await mainStep({
      ...credentials,
      fleet: file,
      'fleet-mode': 'apply',
      'dry-run': 'true',
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Dry run (dry-run: true): the fleet is planned, not applied.');
    const plan = JSON.parse(result.outputs.plan) as FleetJson;
    expect(plan.entries.map((entry) => [entry.action, entry.result])).toEqual([
      ['create', undefined],
      ['create', undefined],
    ]);
    expect(gitlab.requests.filter((request) => request.method !== 'GET')).toEqual([]);
    expect(tokenIds(gitlab)).toEqual(before);
    expect(github.secret('acme/app', 'WIDGETS_TOKEN')).toBeUndefined();
    expectNoLeaks(result);
  });

  it('applies, and fails the step naming an entry that failed', async () => {
    const file = manifest('action-2');
    const before = tokenIds(gitlab);
    gitlab.addFault({
      method: 'POST',
      pathPattern: /acme%2Fapi\/access_tokens$/,
      fault: { kind: 'status', status: 403, body: { message: '403 Forbidden' } },
    });
    const result = await mainStep({ ...credentials, fleet: file, 'fleet-mode': 'apply' });
    expect(result.code).toBe(1);
    const plan = JSON.parse(result.outputs.plan) as FleetJson;
    expect(plan.entries.map((entry) => entry.result)).toEqual(['created', 'failed']);
    expect(result.stdout).toMatch(/^::error::entry deploy-api: /m);
    expect(result.stdout).toMatch(
      /^::error::fleet action-2: 1 created, 0 renewed, 0 unchanged, 1 failed.*deploy-api failed/m,
    );
    const made = managed(gitlab, 'action-2', 'deploy-widgets')[0];
    expect(github.secret('acme/app', 'WIDGETS_TOKEN')).toBe(made.token);
    expectNoLeaks(result);
    expectNothingUnreported(gitlab, before, [
      { code: 1, stdout: result.outputs.plan, stderr: result.stdout, junit: '' },
    ]);
  });

  it('refuses the target inputs and a bad fleet-mode, before any request', async () => {
    const result = await mainStep({
      ...credentials,
      fleet: manifest('action-3'),
      'fleet-mode': 'destroy',
      scopes: 'api',
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('scopes: goes without a fleet');
    expect(result.stdout).toContain('fleet-mode: expected plan or apply, got "destroy"');
    expect(gitlab.requests).toEqual([]);
  });

  it('masks the new secret of a credential that renews itself before anything can print it', async () => {
    const credential = 'glpat-FAKE-action-fleet-cred01';
    gitlab.addCredential(credential, SEED_USERS.root, ['api'], { expiresAt: gitlab.inDays(3) });
    const file = manifestFile(`fleet: action-4
tokens:
  me:
    kind: self
    store-in: [gitlab-variable:acme/app:FLEET_TOKEN]
`);
    const before = tokenIds(gitlab);
    const result = await mainStep({
      'gitlab-token': credential,
      fleet: file,
      'fleet-mode': 'apply',
    });
    expect(result.code).toBe(0);
    const rotated = gitlab.tokens.find((token) => !before.has(token.id));
    if (!rotated) throw new Error('no rotation');
    expect(maskedFirst(result.stdout, rotated.token)).toBe(true);
    expect(JSON.parse(result.outputs.plan)).toEqual(
      expect.objectContaining({
        entries: [
          expect.objectContaining({
            result: 'renewed',
            token: expect.objectContaining({ id: rotated.id }),
          }),
        ],
      }),
    );
    expectNoLeaks(result, [credential]);
    expectNothingUnreported(gitlab, before, [
      { code: 0, stdout: result.outputs.plan, stderr: result.stdout, junit: '' },
    ]);
  });
});
