/**
 * The other kinds of bot token through the action's main and post steps and the CLI — project
 * access tokens (a Maintainer's credential), group access tokens (an Owner's) and impersonation
 * tokens (an administrator's) — each through its own endpoints: create, if-exists rotate and fail,
 * a lost reply, the post step's revoke, the CLI, and the errors for each kind.
 */
import { describe, expect, it } from '@jest/globals';
import {
  ADMIN_TOKEN,
  DEVELOPER_TOKEN,
  GROUP_OWNER_TOKEN,
  MAINTAINER_TOKEN,
  SEED_GROUPS,
  SEED_PROJECTS,
  type SimToken,
} from './simulator/gitlab-simulator.js';
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
const PROJECT = `/api/v4/projects/${SEED_PROJECTS.app}/access_tokens`;
const PROJECT_BY_PATH = '/api/v4/projects/acme%2Fapp/access_tokens';
const GROUP = `/api/v4/groups/${SEED_GROUPS.acme}/access_tokens`;

function run(inputs: Record<string, string>, credential: string): Promise<StepResult> {
  return runMainStep({
    inputs: {
      'base-url': sim.url,
      'gitlab-token': credential,
      scopes: 'read_repository',
      ...inputs,
    },
  });
}

const lastToken = (): SimToken => sim.tokens[sim.tokens.length - 1];
const made = (from: number): SimToken[] => sim.tokens.slice(from);

/** No secret printed; every active token this run made is output or named in a warning. */
function expectClean(result: StepResult, credential: string, from: number): void {
  expectNoSecretsIn(result, [credential], [sim]);
  const reported = new Set<number>(
    result.outputs.tokens
      ? (JSON.parse(result.outputs.tokens) as { id: number }[]).map((t) => t.id)
      : [],
  );
  const warnings = commands(result.stdout, 'warning').join('\n');
  for (const token of made(from).filter((t) => t.active)) {
    expect(reported.has(token.id) || warnings.includes(`Token ID ${token.id}`)).toBe(true);
  }
}

describe('project access tokens', () => {
  it("a Maintainer mints a deploy bot's token: one POST, the bot's ID, kind, target and level", async () => {
    const from = sim.tokens.length;
    const result = await run(
      {
        'project-id': String(SEED_PROJECTS.app),
        'access-level': 'reporter',
        'expires-at': '30d',
        scopes: 'read_repository, read_api',
      },
      MAINTAINER_TOKEN,
    );
    expect(result.code).toBe(0);
    expect(sim.requests.map(requestLine)).toEqual([`POST ${PROJECT}`]);
    expect(sim.requests[0].body).toMatchObject({
      scopes: ['read_repository', 'read_api'],
      access_level: 20,
    });
    const token = lastToken();
    expect(result.outputs['user-id']).toBe(String(token.user_id));
    // A later step uses it: the token authenticates as its bot user.
    const me = await fetch(`${sim.url}/api/v4/user`, {
      headers: { 'private-token': result.outputs.token },
    });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { id: number }).id).toBe(token.user_id);
    expect(result.outputs.token).toBe(token.token);
    expect(JSON.parse(result.outputs.tokens)).toEqual([
      expect.objectContaining({
        type: 'project',
        target: String(SEED_PROJECTS.app),
        access_level: 20,
        user_id: token.user_id,
        id: token.id,
      }),
    ]);
    expect(maskedFirst(result.stdout, token.token)).toBe(true);
    expect(result.summary).toContain('<td>project</td>');
    expect(result.summary).toContain('<td>reporter</td>');
    expectClean(result, MAINTAINER_TOKEN, from);
  });

  it('by full path: one POST; the post step revokes it through the project route', async () => {
    const from = sim.tokens.length;
    const inputs = { 'project-id': 'acme/app', revoke: 'true', name: 'project bot pair' };
    const main = await run(inputs, MAINTAINER_TOKEN);
    expect(main.code).toBe(0);
    expect(sim.requests.map(requestLine)).toEqual([`POST ${PROJECT_BY_PATH}`]);
    const [token] = made(from);
    sim.requests.length = 0;
    const post = await runPostStep(main, {
      inputs: { 'base-url': sim.url, 'gitlab-token': MAINTAINER_TOKEN, revoke: 'true' },
    });
    expect(post.code).toBe(0);
    expect(sim.requests.map(requestLine)).toEqual([`DELETE ${PROJECT_BY_PATH}/${token.id}`]);
    expect(token.active).toBe(false);
    expect(post.stdout).toContain(`Revoked token ID ${token.id}.`);
    expectClean(main, MAINTAINER_TOKEN, from);
    expectNoSecretsIn(post, [MAINTAINER_TOKEN], [sim]);
  });

  it('if-exists rotate lists and rotates through the project routes; fail names the token', async () => {
    const inputs = { 'project-id': String(SEED_PROJECTS.app), name: 'project bot rerun' };
    const first = await run({ ...inputs, 'expires-at': '10d' }, MAINTAINER_TOKEN);
    expect(first.code).toBe(0);
    const old = lastToken();
    sim.requests.length = 0;
    const from = sim.tokens.length;
    const rotated = await run(
      { ...inputs, 'expires-at': '20d', 'if-exists': 'rotate' },
      MAINTAINER_TOKEN,
    );
    expect(rotated.code).toBe(0);
    expect(sim.requests.map(requestLine)).toEqual([
      `GET ${PROJECT}?state=active&search=project+bot+rerun&per_page=100&page=1`,
      `POST ${PROJECT}/${old.id}/rotate`,
    ]);
    expect(old.active).toBe(false);
    expect(rotated.outputs.token).toBe(lastToken().token);
    expectClean(rotated, MAINTAINER_TOKEN, from);
    const failed = await run({ ...inputs, 'if-exists': 'fail' }, MAINTAINER_TOKEN);
    expect(failed.code).toBe(1);
    expect(commands(failed.stdout, 'error')[0]).toContain(
      `The project ${SEED_PROJECTS.app} already has an active token named "project bot rerun" (ID ${lastToken().id})`,
    );
  });

  it('a lost reply: the orphan is proven by its marker and revoked; one active token', async () => {
    const from = sim.tokens.length;
    sim.addFault({
      method: 'POST',
      pathPattern: /access_tokens$/,
      fault: { kind: 'reset', afterCreate: true },
    });
    const result = await run(
      { 'project-id': String(SEED_PROJECTS.app), name: 'project bot lost' },
      MAINTAINER_TOKEN,
    );
    expect(result.code).toBe(0);
    const [orphan, kept] = made(from);
    expect(orphan.active).toBe(false);
    expect(kept.active).toBe(true);
    expect(result.outputs.id).toBe(String(kept.id));
    expectClean(result, MAINTAINER_TOKEN, from);
  });

  it('the same project by ID and by path, one reply lost: each keeps its own reported token', async () => {
    const from = sim.tokens.length;
    sim.addFault({
      method: 'POST',
      pathPattern: /^\/api\/v4\/projects\/70\/access_tokens$/,
      fault: { kind: 'status', status: 502, afterCreate: true },
    });
    const result = await run(
      { 'project-id': 'acme/app\n70', 'max-concurrency': '1' },
      MAINTAINER_TOKEN,
    );
    expect(result.code).toBe(0);
    const outputs = JSON.parse(result.outputs.tokens) as { id: number }[];
    expect(outputs).toHaveLength(2);
    for (const { id } of outputs) {
      expect(sim.tokens.find((token) => token.id === id)?.active).toBe(true);
    }
    expectClean(result, MAINTAINER_TOKEN, from);
  });

  it('a Developer is refused: the message names the Maintainer role', async () => {
    const result = await run({ 'project-id': String(SEED_PROJECTS.app) }, DEVELOPER_TOKEN);
    expect(result.code).toBe(1);
    const [error] = commands(result.stdout, 'error');
    expect(error).toContain('400');
    expect(error).toContain('needs the Maintainer role (or higher) in the project');
    expectNoSecretsIn(result, [DEVELOPER_TOKEN], [sim]);
  });

  it('read_user is refused for a bot, and the message says why', async () => {
    const result = await run(
      { 'project-id': String(SEED_PROJECTS.app), scopes: 'read_user' },
      MAINTAINER_TOKEN,
    );
    expect(result.code).toBe(1);
    expect(commands(result.stdout, 'error')[0]).toContain('a bot cannot have read_user');
  });

  it('an access level above the creator’s own is refused, naming access-level', async () => {
    const result = await run(
      { 'project-id': String(SEED_PROJECTS.app), 'access-level': 'owner' },
      MAINTAINER_TOKEN,
    );
    expect(result.code).toBe(1);
    expect(commands(result.stdout, 'error')[0]).toMatch(/access-level/);
  });

  it('bad combinations fail before any request, naming the inputs', async () => {
    const result = await run(
      { 'project-id': '70', 'user-id': '42', impersonation: 'true' },
      MAINTAINER_TOKEN,
    );
    expect(result.code).toBe(1);
    const error = commands(result.stdout, 'error').join('\n');
    expect(error).toContain('project-id: goes without user-id');
    expect(error).toContain('impersonation: is for a user');
    expect(sim.requests).toEqual([]);
  });

  it('the CLI mints and revokes one with --project-id', async () => {
    const from = sim.tokens.length;
    const env = { GITLAB_TOKEN: MAINTAINER_TOKEN };
    const create = await runCli(
      [
        '--base-url',
        sim.url,
        '--project-id',
        'acme/app',
        '--scopes',
        'read_api',
        '--output',
        'json',
      ],
      env,
    );
    expect(create.code).toBe(0);
    const [output] = JSON.parse(create.stdout) as { id: number; type: string; target: string }[];
    expect(output).toMatchObject({ type: 'project', target: 'acme/app' });
    const revoke = await runCli(
      ['revoke', '--base-url', sim.url, '--project-id', 'acme/app', '--id', String(output.id)],
      env,
    );
    expect(revoke.code).toBe(0);
    expect(revoke.stderr).toContain(`Revoked token ID ${output.id}.`);
    expect(made(from).every((token) => !token.active)).toBe(true);
    expectNoSecretsIn({ stdout: '', stderr: create.stderr }, [MAINTAINER_TOKEN], [sim]);
    expectNoSecretsIn(revoke, [MAINTAINER_TOKEN], [sim]);
  });
});

describe('group access tokens', () => {
  it('an Owner mints, and the post step revokes, a group bot token', async () => {
    const from = sim.tokens.length;
    const main = await run(
      { 'group-id': 'acme', 'access-level': 'developer', revoke: 'true', name: 'group bot' },
      GROUP_OWNER_TOKEN,
    );
    expect(main.code).toBe(0);
    expect(sim.requests.map(requestLine)).toEqual(['POST /api/v4/groups/acme/access_tokens']);
    const [token] = made(from);
    expect(JSON.parse(main.outputs.tokens)[0]).toMatchObject({
      type: 'group',
      target: 'acme',
      access_level: 30,
    });
    sim.requests.length = 0;
    const post = await runPostStep(main, {
      inputs: { 'base-url': sim.url, 'gitlab-token': GROUP_OWNER_TOKEN, revoke: 'true' },
    });
    expect(sim.requests.map(requestLine)).toEqual([
      `DELETE /api/v4/groups/acme/access_tokens/${token.id}`,
    ]);
    expect(token.active).toBe(false);
    expectClean(main, GROUP_OWNER_TOKEN, from);
    expectNoSecretsIn(post, [GROUP_OWNER_TOKEN], [sim]);
  });

  it('if-exists rotate through the group routes', async () => {
    await run({ 'group-id': String(SEED_GROUPS.acme), name: 'group bot rerun' }, GROUP_OWNER_TOKEN);
    const old = lastToken();
    sim.requests.length = 0;
    const from = sim.tokens.length;
    const result = await run(
      { 'group-id': String(SEED_GROUPS.acme), name: 'group bot rerun', 'if-exists': 'rotate' },
      GROUP_OWNER_TOKEN,
    );
    expect(result.code).toBe(0);
    expect(sim.requests.map(requestLine)[1]).toBe(`POST ${GROUP}/${old.id}/rotate`);
    expect(old.active).toBe(false);
    expectClean(result, GROUP_OWNER_TOKEN, from);
  });

  it('a Developer of the group is refused, the message names the Owner role', async () => {
    const result = await run({ 'group-id': 'acme' }, DEVELOPER_TOKEN);
    expect(result.code).toBe(1);
    expect(commands(result.stdout, 'error')[0]).toContain('needs the Owner role in the group');
  });
});

describe('impersonation tokens', () => {
  it('an administrator mints one, revoked through the impersonation route', async () => {
    const from = sim.tokens.length;
    const main = await run(
      { 'user-id': '42', impersonation: 'true', 'expires-at': '2d', revoke: 'true', scopes: 'api' },
      ADMIN_TOKEN,
    );
    expect(main.code).toBe(0);
    expect(sim.requests.map(requestLine)).toEqual(['POST /api/v4/users/42/impersonation_tokens']);
    const [token] = made(from);
    expect(token.impersonation).toBe(true);
    expect(JSON.parse(main.outputs.tokens)[0]).toMatchObject({
      type: 'impersonation',
      user_id: 42,
    });
    sim.requests.length = 0;
    const post = await runPostStep(main, {
      inputs: { 'base-url': sim.url, 'gitlab-token': ADMIN_TOKEN, revoke: 'true' },
    });
    expect(sim.requests.map(requestLine)).toEqual([
      `DELETE /api/v4/users/42/impersonation_tokens/${token.id}`,
    ]);
    expect(token.active).toBe(false);
    expectClean(main, ADMIN_TOKEN, from);
    expectNoSecretsIn(post, [ADMIN_TOKEN], [sim]);
  });

  it('if-exists rotate finds the impersonation token, not a personal one of the same name', async () => {
    await run({ 'user-id': '43', name: 'twin', 'expires-at': '3d' }, ADMIN_TOKEN);
    const personal = lastToken();
    await run(
      { 'user-id': '43', name: 'twin', impersonation: 'true', 'expires-at': '3d' },
      ADMIN_TOKEN,
    );
    const old = lastToken();
    const from = sim.tokens.length;
    const result = await run(
      {
        'user-id': '43',
        name: 'twin',
        impersonation: 'true',
        'expires-at': '4d',
        'if-exists': 'rotate',
      },
      ADMIN_TOKEN,
    );
    expect(result.code).toBe(0);
    expect(old.active).toBe(false);
    expect(personal.active).toBe(true);
    expect(lastToken().impersonation).toBe(true);
    expectClean(result, ADMIN_TOKEN, from);
  });

  it('the CLI revokes one with --user-id and --impersonation', async () => {
    await run({ 'user-id': '44', impersonation: 'true', 'expires-at': '2d' }, ADMIN_TOKEN);
    const token = lastToken();
    const revoke = await runCli(
      [
        'revoke',
        '--base-url',
        sim.url,
        '--user-id',
        '44',
        '--impersonation',
        '--id',
        String(token.id),
      ],
      { GITLAB_TOKEN: ADMIN_TOKEN },
    );
    expect(revoke.code).toBe(0);
    expect(token.active).toBe(false);
    expectNoSecretsIn(revoke, [ADMIN_TOKEN], [sim]);
  });
});
