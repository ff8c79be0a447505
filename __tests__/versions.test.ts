/**
 * The important paths across GitLab's versions, against the version-faithful simulator
 * (sim.setVersion; the gates are the simulator's SINCE, read from GitLab's source).
 *
 * The matrix: each version in VERSIONS (16.0 to the simulator's 18.x) runs every path it has.
 * - user token (admin API): create (one POST; description kept from 17.7, warned about before)
 *   then the post step revokes it; if-exists rotate with expires-at (honoured from 16.6, warned
 *   about before) and without (one week, logged); if-exists fail; CLI revoke.
 * - group service-account token (Owner credential): create (16.1+; on 16.0 a clear error) then
 *   the post step revokes it (group route 17.10+; before, the instance route, refused to an
 *   Owner, then rotate-and-self-revoke); if-exists rotate (17.11+ for an Owner, who is told the
 *   version before; an administrator falls back to the instance list, and sees expires_at
 *   honoured from 17.9, warned about before); CLI revoke --group-id (Owner, and an
 *   administrator where the instance fallback applies).
 * - lost replies, one per kind before 17.7 (proof by the step's unique default name) and one
 *   after (proof by the marker in the description).
 * Every test asserts that no secret is printed anywhere but its ::add-mask:: line and that every
 * active token the run made is in the outputs or named in a warning.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  ADMIN_TOKEN,
  GROUP_OWNER_TOKEN,
  SEED_GROUPS,
  SEED_USERS,
  SIM_VERSION,
  SINCE,
  type Fault,
  type SimToken,
} from './simulator/gitlab-simulator.js';
import { versionAtLeast } from './simulator/sim-version.js';
import { expectNoSecretsIn, useSimulator } from './helpers/simulator-fixture.js';
import {
  commands,
  maskedFirst,
  requestLine,
  runCli,
  runMainStep,
  runPostStep,
  type StepResult,
} from './helpers/run-action.js';

const sim = useSimulator();

/** 16.0 to 18.x: every version where a gate of the paths below changes, and both sides of it. */
const VERSIONS = [
  '16.0.0-ee',
  '16.5.0-ee',
  '16.6.0-ee',
  '17.6.0-ee',
  '17.7.0-ee',
  '17.9.0-ee',
  '17.10.0-ee',
  '17.11.0-ee',
  SIM_VERSION.version,
] as const;

const USER = 43;
const SA = SEED_USERS.serviceAccount;
const GROUP = SEED_GROUPS.acme;
const USER_CREATE = `/api/v4/users/${USER}/personal_access_tokens`;
const SA_TOKENS = `/api/v4/groups/${GROUP}/service_accounts/${SA}/personal_access_tokens`;
const MARKED = /^matrix run \[create-gitlab-token [0-9a-f]{12}\]$/;

type CliResult = Awaited<ReturnType<typeof runCli>>;

const days = (n: number): string =>
  new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
/** A name no other test uses: the simulator's tokens live for the whole file. */
const nameFor = (path: string, version: string): string => `mx-${path}-${version}`;
const userList = (name: string, userId: number = USER): string =>
  `GET /api/v4/personal_access_tokens?user_id=${userId}&state=active&search=${name}&per_page=100&page=1`;
const impersonationList = `GET /api/v4/users/${USER}/impersonation_tokens?state=active&per_page=100&page=1`;
const saList = (name: string): string =>
  `GET ${SA_TOKENS}?state=active&search=${name}&per_page=100&page=1`;

function expectNoLeaks(result: Parameters<typeof expectNoSecretsIn>[0], credential: string): void {
  expectNoSecretsIn(result, [credential], [sim]);
}

/** IDs in a main step's `tokens` output. */
function outputIds(result: StepResult): number[] {
  const tokens = JSON.parse(result.outputs.tokens ?? '[]') as { id: number }[];
  return tokens.map((token) => token.id);
}

/** Every token made since `from` that is still active is reported, or named in a warning. */
function expectAllReported(from: number, reported: number[], warnings: string[]): void {
  const text = warnings.join('\n');
  const unreported = sim.tokens
    .slice(from)
    .filter((token) => sim.refresh(token).active)
    .filter((token) => !reported.includes(token.id) && !text.includes(`ID ${token.id}`))
    .map((token) => token.id);
  expect(unreported).toEqual([]);
}

/** CLI warnings: `warning: ` lines of stderr. */
const cliWarnings = (result: CliResult): string[] =>
  result.stderr.split('\n').filter((line) => line.startsWith('warning: '));

const activeNamed = (name: string): number[] =>
  sim.tokens.filter((token) => sim.refresh(token).active && token.name === name).map((t) => t.id);

/** A token made straight through GitLab's API, as an earlier run would have; requests forgotten. */
async function seed(path: string, credential: string, name: string): Promise<SimToken> {
  const response = await fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: { 'private-token': credential, 'content-type': 'application/json' },
    body: JSON.stringify({ name, scopes: ['read_api'], expires_at: days(3) }),
  });
  expect(response.status).toBe(201);
  const { id } = (await response.json()) as { id: number };
  sim.requests.length = 0;
  return sim.tokens.find((token) => token.id === id) as SimToken;
}

const seedUserToken = (name: string): Promise<SimToken> => seed(USER_CREATE, ADMIN_TOKEN, name);
const seedSaToken = (name: string): Promise<SimToken> => seed(SA_TOKENS, GROUP_OWNER_TOKEN, name);

function runUser(inputs: Record<string, string>): Promise<StepResult> {
  return runMainStep({
    inputs: {
      'base-url': sim.url,
      'gitlab-token': ADMIN_TOKEN,
      'user-id': String(USER),
      scopes: 'read_api',
      ...inputs,
    },
  });
}

function runSa(inputs: Record<string, string>): Promise<StepResult> {
  return runMainStep({
    inputs: {
      'base-url': sim.url,
      'gitlab-token': GROUP_OWNER_TOKEN,
      'group-id': String(GROUP),
      'user-id': String(SA),
      scopes: 'read_api',
      ...inputs,
    },
  });
}

function cli(args: string[], credential: string): Promise<CliResult> {
  return runCli(['--base-url', sim.url, ...args], { GITLAB_TOKEN: credential });
}

/** The journal entries (`cgt-…`) of a main step's state. */
function journal(main: StepResult): Record<string, unknown>[] {
  return Object.entries(main.state)
    .filter(([key]) => key.startsWith('cgt-') && !['cgt-interrupted', 'cgt-reported'].includes(key))
    .map(([, value]) => JSON.parse(value) as Record<string, unknown>);
}

/**
 * What revoking a service account's token sends on `version` with `credential`: the group route
 * (17.10+); before it, the instance route, which an administrator may use and an Owner may not,
 * who then rotates the token through the group route and lets its successor revoke itself.
 */
function saRevokeLines(version: string, id: number, admin: boolean): string[] {
  if (versionAtLeast(version, SINCE.groupServiceAccountRevoke))
    return [`DELETE ${SA_TOKENS}/${id}`];
  const instance = [`DELETE ${SA_TOKENS}/${id}`, `DELETE /api/v4/personal_access_tokens/${id}`];
  if (admin) return instance;
  return [
    ...instance,
    `POST ${SA_TOKENS}/${id}/rotate`,
    'DELETE /api/v4/personal_access_tokens/self',
  ];
}

describe.each(VERSIONS)('GitLab %s', (version) => {
  const has = (since: string): boolean => versionAtLeast(version, since);
  const keepsDescription = has(SINCE.description);

  beforeEach(() => sim.setVersion(version));

  describe('user token', () => {
    it('create: one POST, the outputs, the description kept or its loss warned about; the post step revokes it', async () => {
      const name = nameFor('user-create', version);
      const from = sim.tokens.length;
      const main = await runUser({
        name,
        description: 'matrix run',
        'expires-at': '5d',
        revoke: 'true',
      });
      expect(main.code).toBe(0);
      expect(sim.requests.map(requestLine)).toEqual([`POST ${USER_CREATE}`]);
      expect(sim.requests[0].body).toEqual({
        name,
        scopes: ['read_api'],
        expires_at: days(5),
        description: expect.stringMatching(MARKED),
      });
      const [made] = sim.tokens.slice(from);
      expect(sim.tokens.length - from).toBe(1);
      expect(made.description).toBe(
        keepsDescription ? (sim.requests[0].body as { description: string }).description : null,
      );
      expect(main.outputs).toMatchObject({
        token: made.token,
        id: String(made.id),
        name,
        'user-id': String(USER),
        scopes: 'read_api',
        'expires-at': days(5),
      });
      expect(outputIds(main)).toEqual([made.id]);
      expect(maskedFirst(main.stdout, made.token)).toBe(true);
      expect(commands(main.stdout, 'warning')).toEqual(
        keepsDescription
          ? []
          : [
              `GitLab ignored the description of token ID ${made.id}: token descriptions need GitLab 17.7 or later.`,
            ],
      );
      expect(journal(main)).toEqual([
        expect.objectContaining({ kind: 'personal', user_id: USER, name, id: made.id }),
      ]);
      expectAllReported(from, outputIds(main), commands(main.stdout, 'warning'));
      expectNoLeaks(main, ADMIN_TOKEN);

      sim.requests.length = 0;
      const post = await runPostStep(main, {
        inputs: { 'base-url': sim.url, 'gitlab-token': ADMIN_TOKEN, revoke: 'true' },
      });
      expect(post.code).toBe(0);
      expect(sim.requests.map(requestLine)).toEqual([
        `DELETE /api/v4/personal_access_tokens/${made.id}`,
      ]);
      expect(sim.refresh(made).active).toBe(false);
      expect(post.stdout).toContain(`Revoked token ID ${made.id}.`);
      expect(commands(post.stdout, 'warning')).toEqual([]);
      expectAllReported(from, [], commands(post.stdout, 'warning'));
      expectNoLeaks(post, ADMIN_TOKEN);
    });

    it('if-exists rotate with expires-at: honoured from 16.6, warned about with both dates before', async () => {
      const name = nameFor('user-rotate-exp', version);
      const old = await seedUserToken(name);
      const from = sim.tokens.length;
      const result = await runUser({ name, 'expires-at': '9d', 'if-exists': 'rotate' });
      expect(result.code).toBe(0);
      expect(sim.requests.map(requestLine)).toEqual([
        userList(name),
        impersonationList,
        `POST /api/v4/personal_access_tokens/${old.id}/rotate`,
      ]);
      expect(sim.requests[2].body).toEqual({ expires_at: days(9) });
      const [rotated] = sim.tokens.slice(from);
      expect(rotated.previous_id).toBe(old.id);
      expect(sim.refresh(old).active).toBe(false);
      expect(activeNamed(name)).toEqual([rotated.id]);
      const honoured = has(SINCE.rotateExpiresAt);
      expect(rotated.expires_at).toBe(honoured ? days(9) : days(7));
      expect(result.outputs.token).toBe(rotated.token);
      expect(result.outputs['expires-at']).toBe(rotated.expires_at);
      expect(result.stdout).toContain(`Rotated token ID ${old.id} into token ID ${rotated.id}`);
      const warnings = commands(result.stdout, 'warning');
      if (honoured) expect(warnings).toEqual([]);
      else {
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toContain(
          `Token ID ${rotated.id} expires ${days(7)}, not ${days(9)} as requested`,
        );
      }
      expect(maskedFirst(result.stdout, rotated.token)).toBe(true);
      expectAllReported(from, outputIds(result), warnings);
      expectNoLeaks(result, ADMIN_TOKEN);
    });

    it('if-exists rotate without expires-at: GitLab gives one week, and the log says so', async () => {
      const name = nameFor('user-rotate-week', version);
      const old = await seedUserToken(name);
      const from = sim.tokens.length;
      const result = await runUser({ name, 'if-exists': 'rotate', 'expires-at': '' });
      expect(result.code).toBe(0);
      expect(sim.requests.map(requestLine)).toEqual([
        userList(name),
        impersonationList,
        `POST /api/v4/personal_access_tokens/${old.id}/rotate`,
      ]);
      expect(sim.requests[2].rawBody).toBe('');
      const [rotated] = sim.tokens.slice(from);
      expect(rotated.expires_at).toBe(days(7));
      expect(result.outputs['expires-at']).toBe(days(7));
      expect(result.stdout).toContain(
        `GitLab rotates a token without expires-at into one that lives one week: token ID ${rotated.id} expires ${days(7)}.`,
      );
      expect(commands(result.stdout, 'warning')).toEqual([]);
      expect(activeNamed(name)).toEqual([rotated.id]);
      expectAllReported(from, outputIds(result), commands(result.stdout, 'warning'));
      expectNoLeaks(result, ADMIN_TOKEN);
    });

    it('if-exists fail: lists, makes nothing, names the token that exists', async () => {
      const name = nameFor('user-fail', version);
      const existing = await seedUserToken(name);
      const from = sim.tokens.length;
      const result = await runUser({ name, 'if-exists': 'fail' });
      expect(result.code).toBe(1);
      expect(sim.requests.map(requestLine)).toEqual([userList(name), impersonationList]);
      const [error] = commands(result.stdout, 'error');
      expect(error).toContain(`already has an active token named "${name}" (ID ${existing.id})`);
      expect(error).toContain('if-exists is fail');
      expect(sim.tokens.length).toBe(from);
      expect(sim.refresh(existing).active).toBe(true);
      expect(result.outputs.token).toBeUndefined();
      expectNoLeaks(result, ADMIN_TOKEN);
    });

    it('CLI revoke: one DELETE, the token inactive, only the confirmed outcome reported', async () => {
      const token = await seedUserToken(nameFor('user-cli-revoke', version));
      const from = sim.tokens.length;
      const result = await cli(['revoke', '--id', String(token.id)], ADMIN_TOKEN);
      expect(result.code).toBe(0);
      expect(sim.requests.map(requestLine)).toEqual([
        `DELETE /api/v4/personal_access_tokens/${token.id}`,
      ]);
      expect(sim.refresh(token).active).toBe(false);
      expect(result.stderr).toContain(`Revoked token ID ${token.id}.`);
      expect(result.stdout).toBe('');
      expectAllReported(from, [], cliWarnings(result));
      expectNoLeaks(result, ADMIN_TOKEN);
    });
  });

  describe('group service-account token', () => {
    if (!has(SINCE.groupServiceAccountTokens)) {
      it('create: GitLab has no such route yet, and the error says so with the version', async () => {
        const from = sim.tokens.length;
        const result = await runSa({ name: nameFor('sa-none', version) });
        expect(result.code).toBe(1);
        expect(sim.requests.map(requestLine)).toEqual([`POST ${SA_TOKENS}`, 'GET /api/v4/version']);
        const [error] = commands(result.stdout, 'error');
        expect(error).toContain('404 Not Found');
        expect(error).toContain(`GitLab ${version} answers at ${sim.url}`);
        expect(error).toContain('has no such endpoint: it needs a newer GitLab');
        expect(sim.tokens.length).toBe(from);
        expect(journal(result)).toEqual([expect.objectContaining({ refused: true })]);
        expectNoLeaks(result, GROUP_OWNER_TOKEN);
      });
      return;
    }

    it('create (Owner): one POST, description per version; the post step revokes it through what this version has', async () => {
      const name = nameFor('sa-create', version);
      const from = sim.tokens.length;
      const main = await runSa({ name, description: 'matrix run', revoke: 'true' });
      expect(main.code).toBe(0);
      expect(sim.requests.map(requestLine)).toEqual([`POST ${SA_TOKENS}`]);
      expect(sim.requests[0].body).toMatchObject({
        name,
        description: expect.stringMatching(MARKED),
      });
      const [made] = sim.tokens.slice(from);
      expect(made.user_id).toBe(SA);
      expect(made.description === null).toBe(!keepsDescription);
      expect(main.outputs).toMatchObject({ token: made.token, id: String(made.id), name });
      expect(main.outputs['user-id']).toBe(String(SA));
      expect(commands(main.stdout, 'warning')).toEqual(
        keepsDescription
          ? []
          : [
              `GitLab ignored the description of token ID ${made.id}: token descriptions need GitLab 17.7 or later.`,
            ],
      );
      expect(journal(main)).toEqual([
        expect.objectContaining({
          kind: 'service-account',
          user_id: SA,
          group_id: String(GROUP),
          id: made.id,
        }),
      ]);
      expect(maskedFirst(main.stdout, made.token)).toBe(true);
      expectAllReported(from, outputIds(main), commands(main.stdout, 'warning'));
      expectNoLeaks(main, GROUP_OWNER_TOKEN);

      sim.requests.length = 0;
      const beforePost = sim.tokens.length;
      const post = await runPostStep(main, {
        inputs: {
          'base-url': sim.url,
          'gitlab-token': GROUP_OWNER_TOKEN,
          'group-id': String(GROUP),
          revoke: 'true',
        },
      });
      expect(post.code).toBe(0);
      expect(sim.requests.map(requestLine)).toEqual(saRevokeLines(version, made.id, false));
      expect(sim.refresh(made).active).toBe(false);
      const successors = sim.tokens.slice(beforePost);
      if (has(SINCE.groupServiceAccountRevoke)) {
        expect(successors).toEqual([]);
        expect(post.stdout).toContain(`Revoked token ID ${made.id}.`);
      } else {
        // the successor authenticated the self-revoke, and is revoked by it
        expect(successors.map((t) => t.previous_id)).toEqual([made.id]);
        expect(sim.requests[3].headers['private-token']).toBe(successors[0].token);
        expect(post.stdout).toContain(`rotating it into token ID ${successors[0].id}`);
        expect(post.stdout).toContain(`Revoked token ID ${made.id}.`);
      }
      expect(commands(post.stdout, 'warning')).toEqual([]);
      expectAllReported(from, [], commands(post.stdout, 'warning'));
      expectNoLeaks(post, GROUP_OWNER_TOKEN);
    });

    if (has(SINCE.groupServiceAccountList)) {
      it('if-exists rotate (Owner): the group list and the group rotate, expires-at honoured', async () => {
        const name = nameFor('sa-rotate', version);
        const old = await seedSaToken(name);
        const from = sim.tokens.length;
        const result = await runSa({ name, 'expires-at': '9d', 'if-exists': 'rotate' });
        expect(result.code).toBe(0);
        expect(sim.requests.map(requestLine)).toEqual([
          saList(name),
          `POST ${SA_TOKENS}/${old.id}/rotate`,
        ]);
        expect(sim.requests[1].body).toEqual({ expires_at: days(9) });
        const [rotated] = sim.tokens.slice(from);
        expect(rotated.expires_at).toBe(days(9));
        expect(sim.refresh(old).active).toBe(false);
        expect(activeNamed(name)).toEqual([rotated.id]);
        expect(result.outputs.token).toBe(rotated.token);
        expect(commands(result.stdout, 'warning')).toEqual([]);
        expectAllReported(from, outputIds(result), commands(result.stdout, 'warning'));
        expectNoLeaks(result, GROUP_OWNER_TOKEN);
      });
    } else {
      it('if-exists rotate (Owner): no list route yet, the error names 17.11 and this version', async () => {
        const name = nameFor('sa-rotate-owner', version);
        const existing = await seedSaToken(name);
        const from = sim.tokens.length;
        const result = await runSa({ name, 'if-exists': 'rotate' });
        expect(result.code).toBe(1);
        expect(sim.requests.map(requestLine)).toEqual([
          saList(name),
          userList(name, SA),
          'GET /api/v4/version',
        ]);
        const [error] = commands(result.stdout, 'error');
        expect(error).toContain(`needs GitLab 17.11 or later (this instance runs ${version})`);
        expect(sim.tokens.length).toBe(from);
        expect(sim.refresh(existing).active).toBe(true);
        expectNoLeaks(result, GROUP_OWNER_TOKEN);
      });

      it('if-exists rotate (administrator): the instance list, then the group rotate; expires_at honoured from 17.9, warned about before', async () => {
        const name = nameFor('sa-rotate-admin', version);
        const old = await seedSaToken(name);
        const from = sim.tokens.length;
        const result = await runSa({
          'gitlab-token': ADMIN_TOKEN,
          name,
          'expires-at': '9d',
          'if-exists': 'rotate',
        });
        expect(result.code).toBe(0);
        expect(sim.requests.map(requestLine)).toEqual([
          saList(name),
          userList(name, SA),
          `POST ${SA_TOKENS}/${old.id}/rotate`,
        ]);
        const [rotated] = sim.tokens.slice(from);
        const honoured = has(SINCE.groupServiceAccountRotateExpiresAt);
        expect(rotated.expires_at).toBe(honoured ? days(9) : days(7));
        expect(result.outputs['expires-at']).toBe(rotated.expires_at);
        expect(sim.refresh(old).active).toBe(false);
        expect(activeNamed(name)).toEqual([rotated.id]);
        const warnings = commands(result.stdout, 'warning');
        if (honoured) expect(warnings).toEqual([]);
        else {
          expect(warnings).toHaveLength(1);
          expect(warnings[0]).toContain(
            `Token ID ${rotated.id} expires ${days(7)}, not ${days(9)} as requested`,
          );
        }
        expectAllReported(from, outputIds(result), warnings);
        expectNoLeaks(result, ADMIN_TOKEN);
      });
    }

    it('CLI revoke --group-id (Owner): the exact fallback sequence, the token inactive', async () => {
      const token = await seedSaToken(nameFor('sa-cli-revoke', version));
      const from = sim.tokens.length;
      const result = await cli(
        ['revoke', '--id', String(token.id), '--group-id', String(GROUP), '--user-id', String(SA)],
        GROUP_OWNER_TOKEN,
      );
      expect(result.code).toBe(0);
      expect(sim.requests.map(requestLine)).toEqual(saRevokeLines(version, token.id, false));
      expect(sim.refresh(token).active).toBe(false);
      expect(result.stderr).toContain(`Revoked token ID ${token.id}.`);
      expect(cliWarnings(result)).toEqual([]);
      expectAllReported(from, [], cliWarnings(result));
      expectNoLeaks(result, GROUP_OWNER_TOKEN);
    });

    if (!has(SINCE.groupServiceAccountRevoke)) {
      it('CLI revoke --group-id (administrator): the instance route after the missing group route', async () => {
        const token = await seedSaToken(nameFor('sa-cli-revoke-admin', version));
        const from = sim.tokens.length;
        const result = await cli(
          [
            'revoke',
            '--id',
            String(token.id),
            '--group-id',
            String(GROUP),
            '--user-id',
            String(SA),
          ],
          ADMIN_TOKEN,
        );
        expect(result.code).toBe(0);
        expect(sim.requests.map(requestLine)).toEqual(saRevokeLines(version, token.id, true));
        expect(sim.refresh(token).active).toBe(false);
        expect(result.stderr).toContain(`Revoked token ID ${token.id}.`);
        expectAllReported(from, [], cliWarnings(result));
        expectNoLeaks(result, ADMIN_TOKEN);
      });
    }
  });
});

/**
 * From 17.3 an administrator may turn off require_personal_access_token_expiry; GitLab then makes
 * tokens without expires_at that never expire, on create and on rotate alike
 * (app/services/personal_access_tokens/rotate_service.rb `expires_at`: the given date, else
 * `enforced_expiration_date`, which is `default_expiration_date` (one week) only
 * `if Gitlab::CurrentSettings.require_personal_access_token_expiry?`, else nil).
 */
describe(`GitLab ${SIM_VERSION.version} with require_personal_access_token_expiry off`, () => {
  beforeEach(() => {
    sim.requireExpiry = false;
  });

  it('create without expires-at: the token never expires, and the step warns', async () => {
    const from = sim.tokens.length;
    const result = await runUser({ name: 'mx-noexpiry-create', 'expires-at': '' });
    expect(result.code).toBe(0);
    const [made] = sim.tokens.slice(from);
    expect(made.expires_at).toBeNull();
    expect(commands(result.stdout, 'warning')).toEqual([
      `Token ID ${made.id} has no expiry date: this GitLab does not enforce one and expires-at was empty. Set expires-at to bound its life.`,
    ]);
    expectAllReported(from, outputIds(result), commands(result.stdout, 'warning'));
    expectNoLeaks(result, ADMIN_TOKEN);
  });

  // Where GitLab does not require expiry, a rotation without expires-at gives a token that never
  // expires (rotate_service.rb): the step must not claim one week, and warns as a create does.
  it('rotate without expires-at: the token never expires; the step does not claim one week, it warns', async () => {
    const name = 'mx-noexpiry-rotate';
    const old = await seedUserToken(name);
    const from = sim.tokens.length;
    const result = await runUser({ name, 'if-exists': 'rotate', 'expires-at': '' });
    expect(result.code).toBe(0);
    const [rotated] = sim.tokens.slice(from);
    expect(rotated.previous_id).toBe(old.id);
    expect(rotated.expires_at).toBeNull();
    expect(result.outputs['expires-at']).toBe('');
    expectAllReported(from, outputIds(result), commands(result.stdout, 'warning'));
    expectNoLeaks(result, ADMIN_TOKEN);
    expect(result.stdout).not.toContain('lives one week');
    expect(commands(result.stdout, 'warning')).toEqual([
      expect.stringContaining(`Token ID ${rotated.id} has no expiry date`),
    ]);
  });
});

/**
 * Before 17.10 an Owner's revoke ends the token by rotating it through the group route. With a
 * --user-id that is not a service account of the group, GitLab finds no such account and revokes
 * nothing (ee/lib/api/group_service_accounts.rb `validate_service_account_user`: 16.1 to 17.0
 * `not_found!`, i.e. `{"message":"404 Not Found"}`; from 17.1 `not_found!('User')`).
 */
describe('CLI revoke --group-id with a --user-id that is not the group’s service account (Owner, before 17.10)', () => {
  async function revokeAsWrongAccount(version: string): Promise<void> {
    sim.setVersion(version);
    const token = await seedSaToken(nameFor('sa-wrong-account', version));
    const from = sim.tokens.length;
    const result = await cli(
      ['revoke', '--id', String(token.id), '--group-id', String(GROUP), '--user-id', '42'],
      GROUP_OWNER_TOKEN,
    );
    expect(sim.requests.map(requestLine)).toEqual([
      `DELETE /api/v4/groups/${GROUP}/service_accounts/42/personal_access_tokens/${token.id}`,
      `DELETE /api/v4/personal_access_tokens/${token.id}`,
      `POST /api/v4/groups/${GROUP}/service_accounts/42/personal_access_tokens/${token.id}/rotate`,
    ]);
    expect(sim.refresh(token).active).toBe(true);
    expect(sim.tokens.length).toBe(from);
    expectNoLeaks(result, GROUP_OWNER_TOKEN);
    expect(result.stderr).not.toContain('no longer exists');
    expect(result.stderr).toContain(`GitLab did not confirm revoking token ID ${token.id}`);
    expect(result.code).toBe(1);
  }

  it.each(['17.6.0-ee', '17.9.0-ee'])(
    '%s: "404 User Not Found", so the revoke is not confirmed and the CLI fails',
    revokeAsWrongAccount,
  );

  // A plain `{"message":"404 Not Found"}` proves nothing on the group routes: before 17.1 they
  // answer exactly that for an account that is not the group's (and the rotate route for a token
  // of another user), so the CLI must not say the token is gone while it is still active.
  it.each(['16.5.0-ee', '16.6.0-ee'])(
    '%s: "404 Not Found" from the account check is not proof the token is gone; the CLI must not say so',
    revokeAsWrongAccount,
  );
});

describe('a lost reply to the create is reconciled, before and after descriptions (17.7)', () => {
  const reset: Fault = { kind: 'reset', afterCreate: true };

  /** The step's tokens: the orphan (revoked) and the one it kept, which is the output. */
  function expectOneKept(result: StepResult, from: number): { orphan: SimToken; kept: SimToken } {
    expect(result.code).toBe(0);
    const made = sim.tokens.slice(from);
    expect(made).toHaveLength(2);
    const [orphan, kept] = made;
    expect(orphan.name).toBe(result.outputs.name);
    expect(sim.refresh(orphan).active).toBe(false);
    expect(made.filter((token) => sim.refresh(token).active)).toEqual([kept]);
    expect(result.outputs.token).toBe(kept.token);
    expect(outputIds(result)).toEqual([kept.id]);
    expect(result.stdout).toContain(`Revoked token ID ${orphan.id}, made by a request`);
    expectAllReported(from, outputIds(result), commands(result.stdout, 'warning'));
    return { orphan, kept };
  }

  const lostList = (path: string, extra = ''): unknown =>
    expect.stringMatching(
      new RegExp(
        `^GET ${path}\\?${extra}state=active&search=[^&]+&created_after=[^&]+&per_page=100&page=1$`,
      ),
    );

  it('user token on 17.6: proven by the unique default name (GitLab drops the marker)', async () => {
    sim.setVersion('17.6.0-ee');
    sim.addFault({
      method: 'POST',
      pathPattern: /^\/api\/v4\/users\/43\/personal_access_tokens$/,
      fault: reset,
    });
    const from = sim.tokens.length;
    const result = await runUser({});
    const { orphan } = expectOneKept(result, from);
    expect(orphan.description).toBeNull();
    const list = lostList('/api/v4/personal_access_tokens', `user_id=${USER}&`);
    expect(sim.requests.map(requestLine)).toEqual([
      `POST ${USER_CREATE}`,
      list,
      `DELETE /api/v4/personal_access_tokens/${orphan.id}`,
      `POST ${USER_CREATE}`,
      list,
    ]);
    expectNoLeaks(result, ADMIN_TOKEN);
  });

  it('user token on 18.x: proven by the marker (explicit name)', async () => {
    const name = 'mx-lost-user-marker';
    sim.addFault({
      method: 'POST',
      pathPattern: /^\/api\/v4\/users\/43\/personal_access_tokens$/,
      fault: reset,
    });
    const from = sim.tokens.length;
    const result = await runUser({ name });
    const { orphan } = expectOneKept(result, from);
    expect(orphan.description).toMatch(/^\[create-gitlab-token [0-9a-f]{12}\]$/);
    const list = lostList('/api/v4/personal_access_tokens', `user_id=${USER}&`);
    expect(sim.requests.map(requestLine)).toEqual([
      `POST ${USER_CREATE}`,
      list,
      `DELETE /api/v4/personal_access_tokens/${orphan.id}`,
      `POST ${USER_CREATE}`,
      list,
    ]);
    expectNoLeaks(result, ADMIN_TOKEN);
  });

  it('service-account token on 17.6 (administrator): proven by the unique default name, through the instance fallbacks', async () => {
    sim.setVersion('17.6.0-ee');
    sim.addFault({
      method: 'POST',
      pathPattern: /service_accounts\/90\/personal_access_tokens$/,
      fault: reset,
    });
    const from = sim.tokens.length;
    const result = await runSa({ 'gitlab-token': ADMIN_TOKEN });
    const { orphan } = expectOneKept(result, from);
    expect(orphan.description).toBeNull();
    const group = lostList(SA_TOKENS);
    const instance = lostList('/api/v4/personal_access_tokens', `user_id=${SA}&`);
    expect(sim.requests.map(requestLine)).toEqual([
      `POST ${SA_TOKENS}`,
      group,
      instance,
      `DELETE ${SA_TOKENS}/${orphan.id}`,
      `DELETE /api/v4/personal_access_tokens/${orphan.id}`,
      `POST ${SA_TOKENS}`,
      group,
      instance,
    ]);
    expectNoLeaks(result, ADMIN_TOKEN);
  });

  it('service-account token on 18.x (Owner): proven by the marker, through the group routes', async () => {
    const name = 'mx-lost-sa-marker';
    sim.addFault({
      method: 'POST',
      pathPattern: /service_accounts\/90\/personal_access_tokens$/,
      fault: reset,
    });
    const from = sim.tokens.length;
    const result = await runSa({ name });
    const { orphan } = expectOneKept(result, from);
    expect(orphan.description).toMatch(/^\[create-gitlab-token [0-9a-f]{12}\]$/);
    const group = lostList(SA_TOKENS);
    expect(sim.requests.map(requestLine)).toEqual([
      `POST ${SA_TOKENS}`,
      group,
      `DELETE ${SA_TOKENS}/${orphan.id}`,
      `POST ${SA_TOKENS}`,
      group,
    ]);
    expectNoLeaks(result, GROUP_OWNER_TOKEN);
  });
});
