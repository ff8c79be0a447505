/**
 * A credential that keeps itself alive: a `self` entry rotates the credential running the fleet
 * when it is due, first and alone, stores the new secret (here the CI/CD variable a scheduled job
 * reads), and the rest of the run carries on with it. And the two-credential pattern of
 * docs/fleet.md: two fleets, each run with the other's credential, renew each other by create,
 * store, revoke.
 */
import { describe, expect, it } from '@jest/globals';
import { SEED_PROJECTS, SEED_USERS } from '../simulator/gitlab-simulator.js';
import {
  entryOf,
  expectNoSecrets,
  expectNothingUnreported,
  fleetCli,
  fleetEnv,
  json,
  manifestFile,
  managed,
  tokenIds,
  useFleetSimulators,
  type CliRun,
} from './fleet-helpers.js';

const { gitlab, github } = useFleetSimulators();

let credentials = 0;
/** A fresh administrator's credential (visibly fake), expiring in `days`. */
function credential(days: number): string {
  credentials += 1;
  const secret = `glpat-FAKE-fleet-cred-${String(credentials).padStart(6, '0')}`;
  gitlab.addCredential(secret, SEED_USERS.root, ['api'], {
    expiresAt: gitlab.inDays(days),
    name: 'fleet credential',
  });
  return secret;
}

const manifest = (fleet: string): string => `fleet: ${fleet}
tokens:
  fleet-credential:
    kind: self
    expires-in: 60d
    rotate-before: 14d
    store-in:
      - gitlab-variable:acme/app:FLEET_TOKEN
  deploy-widgets:
    kind: project
    project: acme/widgets
    scopes: [read_api]
`;

describe('a self entry', () => {
  it('rotates the due credential first, stores it, and carries on with it', async () => {
    const old = credential(5);
    const before = tokenIds(gitlab);
    const file = manifestFile(manifest('self-1'));
    const rotatedAt: number[] = [];
    gitlab.onRequestHandled = (request, status) => {
      if (request.path.endsWith('/self/rotate') && status === 200)
        rotatedAt.push(gitlab.requests.indexOf(request));
    };
    const run = await fleetCli(
      ['apply', file, '--output', 'json'],
      fleetEnv(github, { GITLAB_TOKEN: old }),
      gitlab,
    );
    expectNoSecrets(run, gitlab, [old]);
    expect(run.code).toBe(0);
    const report = json(run);
    const rotated = gitlab.tokens.find(
      (token) => token.previous_id !== null && !before.has(token.id),
    );
    if (!rotated) throw new Error('no rotation');
    expect(entryOf(report, 'fleet-credential')).toEqual(
      expect.objectContaining({
        kind: 'self',
        target: null,
        action: 'renew',
        reasons: [
          `expires ${gitlab.inDays(5)}, within rotate-before (14d)`,
          'store missing: gitlab-variable:acme/app:FLEET_TOKEN',
        ],
        result: 'renewed',
        token: expect.objectContaining({ id: rotated.id, expires_at: gitlab.inDays(60) }),
      }),
    );
    expect(entryOf(report, 'deploy-widgets').result).toBe('created');
    expect(gitlab.tokenIsActive(old)).toBe(false);
    expect(gitlab.variable({ project: SEED_PROJECTS.app }, 'FLEET_TOKEN')).toEqual(
      expect.objectContaining({
        value: rotated.token,
        description: `fleet self-1 entry fleet-credential: token ID ${rotated.id} (written by create-gitlab-token)`,
      }),
    );
    // Everything after the rotation went with the new secret.
    expect(rotatedAt).toHaveLength(1);
    const after = gitlab.requests.slice(rotatedAt[0] + 1);
    expect(after.length).toBeGreaterThan(1);
    expect(after.every((request) => request.headers['private-token'] === rotated.token)).toBe(true);
    expect(gitlab.requests.filter((request) => request.path.endsWith('/rotate'))).toHaveLength(1);
    expectNothingUnreported(gitlab, before, [run]);

    // The next run reads the credential from the variable: nothing is due.
    gitlab.requests.length = 0;
    const next = await fleetCli(
      ['apply', file, '--output', 'json'],
      fleetEnv(github, { GITLAB_TOKEN: rotated.token }),
      gitlab,
    );
    expectNoSecrets(next, gitlab, [old]);
    expect(next.code).toBe(0);
    expect(json(next).entries.map((entry) => [entry.action, entry.result])).toEqual([
      ['none', 'unchanged'],
      ['none', 'unchanged'],
    ]);
    expect(gitlab.requests.filter((request) => request.method !== 'GET')).toEqual([]);
  });

  it('says where the new secret is when its store fails after the rotation, and carries on', async () => {
    const old = credential(5);
    const before = tokenIds(gitlab);
    const file = manifestFile(manifest('self-3'));
    gitlab.addFault({
      method: 'POST',
      pathPattern: /\/projects\/acme%2Fapp\/variables$/,
      fault: { kind: 'status', status: 500 },
    });
    const run = await fleetCli(
      ['apply', file, '--output', 'json'],
      fleetEnv(github, { GITLAB_TOKEN: old }),
      gitlab,
    );
    expectNoSecrets(run, gitlab, [old]);
    expect(run.code).toBe(1);
    const rotated = gitlab.tokens.find(
      (token) => token.previous_id !== null && !before.has(token.id),
    );
    if (!rotated) throw new Error('no rotation');
    const self = entryOf(json(run), 'fleet-credential');
    expect(self).toEqual(
      expect.objectContaining({
        result: 'failed',
        token: expect.objectContaining({ id: rotated.id }),
        error: expect.stringContaining(
          `The credential was rotated (new token ID ${rotated.id}; the old one no longer works): its new secret is in no output (a fleet never prints a secret)`,
        ),
      }),
    );
    expect(entryOf(json(run), 'deploy-widgets').result).toBe('created');
    expectNothingUnreported(gitlab, before, [run]);
  });

  it('is refused in a sharded run, before any request', async () => {
    const file = manifestFile(manifest('self-2'));
    const run = await fleetCli(['plan', file, '--shard', '1/2'], fleetEnv(github), gitlab);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `${file}:3: tokens.fleet-credential: kind self goes without shards`,
    );
    expect(gitlab.requests).toEqual([]);
  });
});

describe('two credentials renewing each other', () => {
  it('keeps both alive by create, store, revoke, each run with the other one', async () => {
    const keeper = (fleet: string, entry: string, key: string): string =>
      manifestFile(`fleet: ${fleet}
tokens:
  ${entry}:
    kind: personal
    user: root
    scopes: [api]
    store-in:
      - gitlab-variable:acme/app:${key}
`);
    const renewsFleet = keeper('keeper-a', 'fleet-credential', 'FLEET_CREDENTIAL');
    const renewsAdmin = keeper('keeper-b', 'admin-credential', 'ADMIN_CREDENTIAL');
    const variable = (key: string): string =>
      gitlab.variable({ project: SEED_PROJECTS.app }, key)?.value ?? '';
    const bootstrap = credential(30);
    const before = tokenIds(gitlab);
    const runs: CliRun[] = [];
    const apply = async (file: string, secret: string) => {
      const run = await fleetCli(
        ['apply', file, '--output', 'json'],
        fleetEnv(github, { GITLAB_TOKEN: secret }),
        gitlab,
      );
      expectNoSecrets(run, gitlab, [bootstrap]);
      runs.push(run);
      expect(run.code).toBe(0);
      return json(run);
    };
    // Bootstrap: the first credential makes the fleet's, which makes the administrator's.
    await apply(renewsFleet, bootstrap);
    await apply(renewsAdmin, variable('FLEET_CREDENTIAL'));
    const fleetToken = managed(gitlab, 'keeper-a', 'fleet-credential')[0];
    const adminToken = managed(gitlab, 'keeper-b', 'admin-credential')[0];
    // The fleet's credential comes due: the administrator's renews it.
    fleetToken.expires_at = gitlab.inDays(3);
    const renewed = await apply(renewsFleet, variable('ADMIN_CREDENTIAL'));
    expect(entryOf(renewed, 'fleet-credential').result).toBe('renewed');
    expect(fleetToken.revoked).toBe(true);
    // The new fleet credential (from its variable) finds the administrator's up to date.
    const checked = await apply(renewsAdmin, variable('FLEET_CREDENTIAL'));
    expect(entryOf(checked, 'admin-credential').result).toBe('unchanged');
    expect(adminToken.active).toBe(true);
    expectNothingUnreported(gitlab, before, runs);
  });
});
