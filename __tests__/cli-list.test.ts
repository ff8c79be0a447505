/**
 * The CLI's `list` against the simulator: a user's, a project's, a group's and a service account's
 * active tokens, `--expiring-within`, every page, older versions that ignore GitLab's filters, a
 * failing target beside a working one, and bad flags refused before any request. Nothing secret is
 * printed.
 */
import { describe, expect, it } from '@jest/globals';
import {
  ADMIN_TOKEN,
  GROUP_OWNER_TOKEN,
  MAINTAINER_TOKEN,
  SEED_GROUPS,
  SEED_USERS,
  USER_TOKEN,
  type SimToken,
} from './simulator/gitlab-simulator.js';
import { expectNoSecretsIn, useSimulator } from './helpers/simulator-fixture.js';
import { requestLine, runCli } from './helpers/run-action.js';

type CliResult = Awaited<ReturnType<typeof runCli>>;

/** A Maintainer's token with read_api only: listing needs no more. */
const READ_API_TOKEN = 'glpat-FAKE-read-api-maint-0009';
const sim = useSimulator({
  seed: (s) => s.addCredential(READ_API_TOKEN, SEED_USERS.maintainer, ['read_api']),
});
const USAGE = 'Usage:\n  create-gitlab-token [create]';

function list(args: string[], credential = ADMIN_TOKEN): Promise<CliResult> {
  return runCli(['list', '--base-url', sim.url, ...args], { GITLAB_TOKEN: credential });
}

/** Neither the credential nor any token secret the simulator made is printed. */
function expectNoLeaks(result: CliResult, credential = ADMIN_TOKEN): void {
  expectNoSecretsIn(result, [credential], [sim]);
}

const today = (): string => new Date().toISOString().slice(0, 10);

/**
 * Seeds and runs `work` on one UTC day: tokens are dated relative to today, and so is the CLI's
 * `--expiring-within`; a run that straddles midnight UTC is done again with fresh targets.
 */
async function onOneDay<T>(work: () => Promise<T>): Promise<T> {
  for (;;) {
    const day = today();
    const result = await work();
    if (today() === day) return result;
  }
}

let nextUserId = 3000;
function freshUser(): number {
  const id = nextUserId++;
  sim.addUser({ id, username: `list-user-${id}` });
  return id;
}

let nextResourceId = 700;
/** A project in the group acme (so acme's Owner and the administrator may read its tokens). */
function freshProject(): string {
  const id = nextResourceId++;
  const fullPath = `acme/list-${id}`;
  sim.addProject({
    id,
    fullPath,
    namespaceId: SEED_GROUPS.acme,
    members: [{ userId: SEED_USERS.maintainer, accessLevel: 40 }],
  });
  return fullPath;
}
function freshGroup(): string {
  const id = nextResourceId++;
  const fullPath = `acme/list-group-${id}`;
  sim.addGroup({ id, fullPath, parentId: SEED_GROUPS.acme });
  return fullPath;
}

interface Seed {
  name: string;
  /** days from today; null: no expiry date */
  days: number | null;
  revoked?: boolean;
  impersonation?: boolean;
}

function addUserToken(userId: number, seed: Seed): SimToken {
  const token = sim.addToken({
    userId,
    name: seed.name,
    description: null,
    scopes: ['api', 'read_api'],
    expiresAt: seed.days === null ? null : sim.inDays(seed.days),
    impersonation: seed.impersonation ?? false,
    previousId: null,
  });
  if (seed.revoked) sim.revoke(token);
  return token;
}

/** A project's or group's access token: its own bot, a member at `level`. */
function addResourceToken(
  type: 'project' | 'group',
  fullPath: string,
  seed: Seed,
  level: 10 | 20 | 30 | 40 | 50 = 30,
): SimToken {
  const id = (type === 'project' ? sim.resolveProject(fullPath) : sim.resolveGroup(fullPath))?.id;
  if (id === undefined) throw new Error(`no ${type} ${fullPath}`);
  const bot = sim.addBotUser({ type, id }, seed.name, level);
  return addUserToken(bot.id, seed);
}

/** The mix every target gets: listed or not, by `--expiring-within 30d`. */
const MIX: Seed[] = [
  { name: 'in 5 days', days: 5 },
  { name: 'in exactly 30 days', days: 30 },
  { name: 'in 31 days', days: 31 },
  { name: 'no expiry', days: null },
  { name: 'revoked, in 3 days', days: 3, revoked: true },
  { name: 'expired today', days: 0 },
  { name: 'expired yesterday', days: -1 },
];

function parsed(result: CliResult): Record<string, unknown>[] {
  return JSON.parse(result.stdout) as Record<string, unknown>[];
}
const names = (result: CliResult): unknown[] => parsed(result).map((token) => token.name);

describe('CLI: list a user’s tokens', () => {
  it('--expiring-within 30d --output json: the active tokens that expire on or before today + 30, soonest first', async () => {
    const { result, user, tokens } = await onOneDay(async () => {
      const user = freshUser();
      const tokens = MIX.map((seed) => addUserToken(user, seed));
      sim.requests.length = 0;
      const result = await list([
        '--user-id',
        String(user),
        '--expiring-within',
        '30d',
        '--output',
        'json',
      ]);
      return { result, user, tokens };
    });
    expect(result.code).toBe(0);
    const [in5, in30] = tokens;
    expect(parsed(result)).toEqual([
      {
        id: in5.id,
        name: 'in 5 days',
        type: 'personal',
        target: user,
        user_id: user,
        scopes: ['api', 'read_api'],
        created_at: in5.created_at,
        expires_at: in5.expires_at,
        days_left: 5,
        last_used_at: null,
      },
      {
        id: in30.id,
        name: 'in exactly 30 days',
        type: 'personal',
        target: user,
        user_id: user,
        scopes: ['api', 'read_api'],
        created_at: in30.created_at,
        expires_at: in30.expires_at,
        days_left: 30,
        last_used_at: null,
      },
    ]);
    // GitLab's own filters narrow the list (expires_before is `expires_at <` the date)
    const first = sim.requests[0];
    expect(first.path).toBe('/api/v4/personal_access_tokens');
    expect(first.query).toMatchObject({
      user_id: String(user),
      state: 'active',
      expires_before: sim.inDays(31),
      per_page: '100',
    });
    expect(result.stderr).toContain(
      `Listed 2 active tokens of user ${user} expiring by ${sim.inDays(30)} (within 30 days).`,
    );
    expectNoLeaks(result);
  });

  it('without --expiring-within: every active token, those without an expiry date last', async () => {
    const { result } = await onOneDay(async () => {
      const user = freshUser();
      MIX.forEach((seed) => addUserToken(user, seed));
      return { result: await list(['--user-id', String(user), '--output', 'json']) };
    });
    expect(result.code).toBe(0);
    expect(names(result)).toEqual(['in 5 days', 'in exactly 30 days', 'in 31 days', 'no expiry']);
    const noExpiry = parsed(result)[3];
    expect(noExpiry).toMatchObject({ expires_at: null, days_left: null });
    expectNoLeaks(result);
  });

  it('an administrator’s list types the user’s impersonation tokens', async () => {
    const { result, user } = await onOneDay(async () => {
      const user = freshUser();
      addUserToken(user, { name: 'personal', days: 10 });
      addUserToken(user, { name: 'impersonation', days: 12, impersonation: true });
      addUserToken(user, {
        name: 'revoked impersonation',
        days: 12,
        impersonation: true,
        revoked: true,
      });
      sim.requests.length = 0;
      return { result: await list(['--user-id', String(user), '--output', 'json']), user };
    });
    expect(result.code).toBe(0);
    expect(parsed(result).map(({ name, type }) => [name, type])).toEqual([
      ['personal', 'personal'],
      ['impersonation', 'impersonation'],
    ]);
    expect(sim.requests.map((request) => request.path)).toEqual([
      '/api/v4/personal_access_tokens',
      `/api/v4/users/${user}/impersonation_tokens`,
    ]);
    expectNoLeaks(result);
  });

  it('--user-id --impersonation lists only the impersonation tokens', async () => {
    const { result } = await onOneDay(async () => {
      const user = freshUser();
      addUserToken(user, { name: 'personal', days: 10 });
      addUserToken(user, { name: 'impersonation', days: 12, impersonation: true });
      return {
        result: await list([
          '--user-id',
          `@list-user-${user}`,
          '--impersonation',
          '--output',
          'json',
        ]),
      };
    });
    expect(result.code).toBe(0);
    expect(parsed(result).map(({ name, type }) => [name, type])).toEqual([
      ['impersonation', 'impersonation'],
    ]);
    expectNoLeaks(result);
  });

  it('no target: the credential’s own user’s tokens (never the whole instance’s, for an administrator)', async () => {
    const { result, mine } = await onOneDay(async () => {
      const other = freshUser();
      addUserToken(other, { name: 'someone else’s', days: 3 });
      const mine = addUserToken(SEED_USERS.root, { name: 'root’s own', days: 4 });
      sim.requests.length = 0;
      return { result: await list(['--expiring-within', '7d', '--output', 'json']), mine };
    });
    expect(result.code).toBe(0);
    expect(parsed(result)).toEqual([
      expect.objectContaining({ id: mine.id, type: 'personal', target: SEED_USERS.root }),
    ]);
    expect(sim.requests.map(requestLine)[0]).toBe('GET /api/v4/user');
    expect(sim.requests[1].query.user_id).toBe(String(SEED_USERS.root));
    expect(result.stderr).toContain(`of user ${SEED_USERS.root} (the credential's own)`);
    expectNoLeaks(result);
  });

  it('no target, a user who is no administrator: their own tokens, no impersonation look-up', async () => {
    const { result, mine } = await onOneDay(async () => {
      const mine = addUserToken(SEED_USERS.alice, { name: 'alice’s', days: 2 });
      sim.requests.length = 0;
      return {
        result: await list(['--expiring-within', '2d', '--output', 'json'], USER_TOKEN),
        mine,
      };
    });
    expect(result.code).toBe(0);
    expect(parsed(result).map((token) => token.id)).toContain(mine.id);
    expect(sim.requests.map((request) => request.path)).toEqual([
      '/api/v4/user',
      '/api/v4/personal_access_tokens',
    ]);
    expectNoLeaks(result, USER_TOKEN);
  });

  it('reads every page: 150 tokens expiring soon, 20 not', async () => {
    const { result, soon } = await onOneDay(async () => {
      const user = freshUser();
      const soon = Array.from({ length: 150 }, (_, i) =>
        addUserToken(user, { name: `bulk ${i}`, days: 1 + (i % 20) }),
      );
      for (let i = 0; i < 20; i++) addUserToken(user, { name: `later ${i}`, days: 90 });
      sim.requests.length = 0;
      const result = await list([
        '--user-id',
        String(user),
        '--expiring-within',
        '20d',
        '--output',
        'json',
      ]);
      return { result, soon };
    });
    expect(result.code).toBe(0);
    const listed = parsed(result);
    expect(listed).toHaveLength(150);
    expect(new Set(listed.map((token) => token.id))).toEqual(
      new Set(soon.map((token) => token.id)),
    );
    const pages = sim.requests
      .filter((request) => request.path === '/api/v4/personal_access_tokens')
      .map((request) => request.query.page);
    expect(pages).toEqual(['1', '2']);
    expectNoLeaks(result);
  });

  it('the default output is a table, one line per token, whatever the names hold', async () => {
    const { result, hostile } = await onOneDay(async () => {
      const user = freshUser();
      addUserToken(user, { name: 'deploy bot', days: 9 });
      const hostile = addUserToken(user, { name: `evil\nFORGED LINE ${ADMIN_TOKEN}`, days: 8 });
      return {
        result: await list(['--user-id', String(user), '--expiring-within', '10d']),
        hostile,
      };
    });
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^TYPE +TARGET +ID +NAME +EXPIRES +DAYS +LAST USED +SCOPES$/);
    expect(lines[1]).toContain(`${hostile.id}`);
    expect(lines[1]).toContain('evil FORGED LINE ***');
    expect(lines[2]).toMatch(
      /personal +\d+ +\d+ +deploy bot +\d{4}-\d\d-\d\d +9 +never +api,read_api$/,
    );
    expect(result.stdout).not.toMatch(/^FORGED/m);
    expectNoLeaks(result);
  });

  it('a token whose name holds a secret: the name is printed without it', async () => {
    const { result } = await onOneDay(async () => {
      const user = freshUser();
      addUserToken(user, { name: `pasted ${ADMIN_TOKEN} here`, days: 3 });
      addUserToken(user, { name: 'glpat-FAKE-looks-like-a-token-1234', days: 3 });
      return { result: await list(['--user-id', String(user), '--output', 'json']) };
    });
    expect(result.code).toBe(0);
    expect(names(result)).toEqual(['pasted *** here', '***']);
    expectNoLeaks(result);
  });
});

describe('CLI: list project, group and service-account tokens', () => {
  it.each(['project', 'group'] as const)(
    '%s access tokens: access_level, the target as given, the same mix',
    async (type) => {
      const { result, path, tokens } = await onOneDay(async () => {
        const path = type === 'project' ? freshProject() : freshGroup();
        const tokens = MIX.map((seed) => addResourceToken(type, path, seed));
        const result = await list(
          [`--${type}-id`, path, '--expiring-within', '30d', '--output', 'json'],
          type === 'project' ? MAINTAINER_TOKEN : GROUP_OWNER_TOKEN,
        );
        return { result, path, tokens };
      });
      expect(result.code).toBe(0);
      expect(parsed(result)).toEqual(
        [tokens[0], tokens[1]].map((token, i) => ({
          id: token.id,
          name: token.name,
          type,
          target: path,
          user_id: token.user_id,
          scopes: ['api', 'read_api'],
          access_level: 30,
          created_at: token.created_at,
          expires_at: token.expires_at,
          days_left: [5, 30][i],
          last_used_at: null,
        })),
      );
      expectNoLeaks(result, type === 'project' ? MAINTAINER_TOKEN : GROUP_OWNER_TOKEN);
    },
  );

  it('a Maintainer’s token with read_api only is enough', async () => {
    const { result } = await onOneDay(async () => {
      const path = freshProject();
      addResourceToken('project', path, { name: 'read me', days: 3 });
      return { result: await list(['--project-id', path, '--output', 'json'], READ_API_TOKEN) };
    });
    expect(result.code).toBe(0);
    expect(names(result)).toEqual(['read me']);
    expectNoLeaks(result, READ_API_TOKEN);
  });

  it('several projects at once, in the order given', async () => {
    const { result } = await onOneDay(async () => {
      const a = freshProject();
      const b = freshProject();
      addResourceToken('project', a, { name: 'a soon', days: 2 });
      addResourceToken('project', b, { name: 'b soon', days: 1 });
      addResourceToken('project', b, { name: 'b later', days: 100 });
      return {
        result: await list([
          '--project-id',
          `${a},${b}`,
          '--expiring-within',
          '30d',
          '--output',
          'json',
        ]),
      };
    });
    expect(result.code).toBe(0);
    expect(names(result)).toEqual(['a soon', 'b soon']);
    expectNoLeaks(result);
  });

  it('a group service account’s tokens through the group (a group Owner)', async () => {
    const { result } = await onOneDay(async () => {
      addUserToken(SEED_USERS.serviceAccount, { name: 'sa soon', days: 6 });
      addUserToken(SEED_USERS.serviceAccount, { name: 'sa later', days: 60 });
      sim.requests.length = 0;
      const result = await list(
        [
          '--group-id',
          'acme',
          '--user-id',
          String(SEED_USERS.serviceAccount),
          '--expiring-within',
          '7d',
          '--output',
          'json',
        ],
        GROUP_OWNER_TOKEN,
      );
      return { result };
    });
    expect(result.code).toBe(0);
    expect(parsed(result)).toEqual([
      expect.objectContaining({
        name: 'sa soon',
        type: 'service-account',
        target: 'acme',
        user_id: SEED_USERS.serviceAccount,
        days_left: 6,
      }),
    ]);
    expect(sim.requests.map((request) => request.path)).toEqual([
      `/api/v4/groups/acme/service_accounts/${SEED_USERS.serviceAccount}/personal_access_tokens`,
    ]);
    expectNoLeaks(result, GROUP_OWNER_TOKEN);
  });

  it('a service account’s tokens before GitLab 17.11 with an Owner’s credential: exit 1 naming the version', async () => {
    sim.setVersion('17.10');
    const result = await list(
      ['--group-id', 'acme', '--user-id', String(SEED_USERS.serviceAccount), '--output', 'json'],
      GROUP_OWNER_TOKEN,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('[]\n');
    expect(result.stderr).toContain(
      `error: service account ${SEED_USERS.serviceAccount} of group acme:`,
    );
    expect(result.stderr).toContain('needs GitLab 17.11 or later (this instance runs 17.10.0-ee)');
    expectNoLeaks(result, GROUP_OWNER_TOKEN);
  });
});

describe('CLI: list on older GitLab versions, which ignore the filters', () => {
  it('16.0: expires_before unknown to the personal access token list; the list is filtered here', async () => {
    sim.setVersion('16.0');
    const { result, user } = await onOneDay(async () => {
      const user = freshUser();
      MIX.forEach((seed) => addUserToken(user, seed));
      sim.requests.length = 0;
      const result = await list([
        '--user-id',
        String(user),
        '--expiring-within',
        '30d',
        '--output',
        'json',
      ]);
      return { result, user };
    });
    expect(result.code).toBe(0);
    expect(names(result)).toEqual(['in 5 days', 'in exactly 30 days']);
    expect(sim.requests[0].query).toMatchObject({
      user_id: String(user),
      expires_before: sim.inDays(31),
    });
    expectNoLeaks(result);
  });

  it('16.0: a project list ignores state too (revoked and expired tokens come back); none is listed', async () => {
    sim.setVersion('16.0');
    const { result } = await onOneDay(async () => {
      const path = freshProject();
      MIX.forEach((seed) => addResourceToken('project', path, seed));
      return { result: await list(['--project-id', path, '--output', 'json']) };
    });
    expect(result.code).toBe(0);
    expect(names(result)).toEqual(['in 5 days', 'in exactly 30 days', 'in 31 days', 'no expiry']);
    expectNoLeaks(result);
  });

  it.each(['17.6', '18.6'])('%s: the same tokens as on 16.0', async (version) => {
    sim.setVersion(version);
    const { result } = await onOneDay(async () => {
      const path = freshProject();
      MIX.forEach((seed) => addResourceToken('project', path, seed));
      return {
        result: await list(['--project-id', path, '--expiring-within', '30d', '--output', 'json']),
      };
    });
    expect(result.code).toBe(0);
    expect(names(result)).toEqual(['in 5 days', 'in exactly 30 days']);
    expectNoLeaks(result);
  });
});

describe('CLI: list failures', () => {
  it('a target that fails (403) does not hide the others: they are printed, and the exit is 1', async () => {
    const { result, failing } = await onOneDay(async () => {
      const working = freshProject();
      const failing = freshProject();
      addResourceToken('project', working, { name: 'working soon', days: 4 });
      addResourceToken('project', failing, { name: 'unseen', days: 4 });
      sim.addFault({
        method: 'GET',
        pathPattern: new RegExp(`/projects/${encodeURIComponent(failing)}/access_tokens$`),
        times: Infinity,
        fault: { kind: 'status', status: 403, body: { message: '403 Forbidden' } },
      });
      const result = await list([
        '--project-id',
        `${failing},${working}`,
        '--expiring-within',
        '30d',
        '--output',
        'json',
      ]);
      sim.clearFaults();
      return { result, failing };
    });
    expect(result.code).toBe(1);
    expect(names(result)).toEqual(['working soon']);
    expect(result.stderr).toContain(`error: project ${failing}: GitLab answered 403 Forbidden`);
    expect(result.stderr).toContain('Maintainer role');
    expect(result.stderr).toMatch(/Listed 1 active token of project acme\/list-\d+ expiring by/);
    expectNoLeaks(result);
  });

  it('a user the credential may not read (401), beside its own tokens: exit 1, the rest printed', async () => {
    const { result } = await onOneDay(async () => {
      addUserToken(SEED_USERS.alice, { name: 'alice again', days: 1 });
      return {
        result: await list(
          [
            '--user-id',
            `${SEED_USERS.bob},${SEED_USERS.alice}`,
            '--expiring-within',
            '1d',
            '--output',
            'json',
          ],
          USER_TOKEN,
        ),
      };
    });
    expect(result.code).toBe(1);
    expect(names(result)).toContain('alice again');
    expect(result.stderr).toContain(
      `error: user ${SEED_USERS.bob}: GitLab answered 401 Unauthorized`,
    );
    expectNoLeaks(result, USER_TOKEN);
  });

  it.each([
    [['--expiring-within', '0d'], 'expiring-within: expected a number of days from 1 to 3650'],
    [['--expiring-within', '30x'], 'expiring-within: expected'],
    [['--expiring-within', 'd'], 'expiring-within: expected'],
    [['--expiring-within=-1d'], 'expiring-within: expected'],
    [['--expiring-within', '1.5d'], 'expiring-within: expected'],
    [['--expiring-within', '3651d'], 'expiring-within: expected'],
    [['--expiring-within', '30 days'], 'expiring-within: expected'],
    [['--output', 'token'], 'output: expected json or text with list'],
    [['--scopes', 'api'], 'scopes: goes without list'],
    [['--name', 'x'], 'name: goes without list'],
    [['--rotate-before', '30d'], 'rotate-before: goes without list'],
    [['--self-rotate'], 'self-rotate: goes without list'],
    [['--store-in', 'gitlab-variable:acme/app:TOKEN'], 'store-in: goes without list'],
    [['--id', '5'], 'id: goes with revoke'],
    [['--impersonation'], 'user-id: required with impersonation'],
    [['--project-id', 'a/b', '--user-id', '4'], '--project-id: goes without --user-id'],
    [['--project-id', 'nopath'], 'project-id: "nopath" is neither'],
    [['--user-id', 'bad user'], 'user-id: "bad user" is neither'],
  ])('2 and a one-line error for list %j, before any request', async (args, message) => {
    const result = await list(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toContain(USAGE);
    expect(result.stderr).toMatch(/^Run 'create-gitlab-token list --help' for usage\.$/m);
    expect(result.stdout).toBe('');
    expect(sim.requests).toEqual([]);
    expectNoLeaks(result);
  });

  it('--expiring-within goes with list only', async () => {
    const result = await runCli(
      ['--base-url', sim.url, '--user-id', '42', '--scopes', 'api', '--expiring-within', '30d'],
      { GITLAB_TOKEN: ADMIN_TOKEN },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--expiring-within: goes with list');
    expect(sim.requests).toEqual([]);
  });

  it('--help names list and --expiring-within', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('create-gitlab-token list [TARGET] [--expiring-within Nd]');
    expect(result.stdout).toContain('--expiring-within Nd');
  });
});
