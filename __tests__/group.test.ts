/** Tokens for group service accounts (GitLab.com), main and post step. */
import { describe, expect, it } from '@jest/globals';
import {
  ADMIN_TOKEN,
  GROUP_OWNER_TOKEN,
  SEED_GROUPS,
  SEED_USERS,
  USER_TOKEN,
} from './simulator/gitlab-simulator.js';
import { journalOf } from './helpers/promises.js';
import { expectNoSecretsIn, useSimulator } from './helpers/simulator-fixture.js';
import {
  commands,
  maskedFirst,
  requestLine,
  runMainStep,
  runPostStep,
  type StepResult,
} from './helpers/run-action.js';
import type { SimToken } from './simulator/gitlab-simulator.js';

/** After each test, gitlabDotCom is back to false. */
const sim = useSimulator();
const SA = SEED_USERS.serviceAccount;
const GROUP_TOKENS = `/api/v4/groups/${SEED_GROUPS.acme}/service_accounts/${SA}/personal_access_tokens`;

function run(inputs: Record<string, string>): Promise<StepResult> {
  return runMainStep({
    inputs: {
      'base-url': sim.url,
      'gitlab-token': GROUP_OWNER_TOKEN,
      'group-id': String(SEED_GROUPS.acme),
      'user-id': String(SA),
      scopes: 'read_api',
      ...inputs,
    },
  });
}

function expectNoLeaks(result: StepResult, credential = GROUP_OWNER_TOKEN): void {
  expectNoSecretsIn(result, [credential], [sim]);
}

const lastToken = (): (typeof sim.tokens)[number] => sim.tokens[sim.tokens.length - 1];

describe('group service accounts', () => {
  it('creates a token by numeric group ID with exactly one request', async () => {
    sim.gitlabDotCom = true;
    const result = await run({ 'expires-at': '2d', name: 'deploy' });
    expect(result.code).toBe(0);
    expect(sim.requests.map(requestLine)).toEqual([`POST ${GROUP_TOKENS}`]);
    expect(sim.requests[0].headers['private-token']).toBe(GROUP_OWNER_TOKEN);
    expect(sim.requests[0].body).toMatchObject({ name: 'deploy', scopes: ['read_api'] });
    const made = lastToken();
    expect(made.user_id).toBe(SA);
    expect(result.outputs.token).toBe(made.token);
    expect(result.outputs.id).toBe(String(made.id));
    expect(result.outputs['user-id']).toBe(String(SA));
    expect(JSON.parse(result.outputs.tokens)).toEqual([
      expect.objectContaining({ id: made.id, token: made.token, user_id: SA }),
    ]);
    expect(maskedFirst(result.stdout, made.token)).toBe(true);
    expect(maskedFirst(result.stdout, GROUP_OWNER_TOKEN)).toBe(true);
    expect(result.summary).toContain(`<td>${made.id}</td>`);
    expectNoLeaks(result);
  });

  it('creates a token by the group path', async () => {
    const result = await run({ 'group-id': 'acme' });
    expect(result.code).toBe(0);
    expect(sim.requests.map(requestLine)).toEqual([
      `POST /api/v4/groups/acme/service_accounts/${SA}/personal_access_tokens`,
    ]);
    expect(result.outputs.token).toBe(lastToken().token);
    expectNoLeaks(result);
  });

  it('URL-encodes a nested path; a top-level service account is not found through a subgroup', async () => {
    const before = sim.tokens.length;
    const result = await run({ 'group-id': 'acme/platform' });
    expect(result.code).toBe(1);
    expect(sim.requests.map(requestLine)).toEqual([
      `POST /api/v4/groups/acme%2Fplatform/service_accounts/${SA}/personal_access_tokens`,
    ]);
    const [error] = commands(result.stdout, 'error');
    expect(error).toContain('404 User Not Found');
    expect(error).toContain('not found through its subgroups');
    expect(sim.tokens).toHaveLength(before);
    expect(result.outputs.token).toBeUndefined();
    expectNoLeaks(result);
  });

  it('403 for a credential that is not an Owner names the user and what is needed', async () => {
    const before = sim.tokens.length;
    const result = await run({ 'gitlab-token': USER_TOKEN });
    expect(result.code).toBe(1);
    const [error] = commands(result.stdout, 'error');
    expect(error).toContain('403 Forbidden');
    expect(error).toContain('(@alice) must be an Owner of the top-level group');
    expect(sim.tokens).toHaveLength(before);
    expectNoLeaks(result, USER_TOKEN);
  });

  it('404 for a user that is not a service account of the group', async () => {
    const result = await run({ 'user-id': String(SEED_USERS.alice) });
    expect(result.code).toBe(1);
    expect(commands(result.stdout, 'error')[0]).toContain('404 User Not Found');
    expectNoLeaks(result);
  });

  it('revokes in the post step through the group endpoint', async () => {
    const main = await run({ revoke: 'true' });
    expect(main.code).toBe(0);
    const made = lastToken();
    const [entry] = journalOf(main);
    expect(entry).toMatchObject({
      kind: 'service-account',
      user_id: SA,
      group_id: String(SEED_GROUPS.acme),
      id: made.id,
    });
    sim.requests.length = 0;
    const post = await runPostStep(main, {
      inputs: {
        'base-url': sim.url,
        'gitlab-token': GROUP_OWNER_TOKEN,
        'group-id': String(SEED_GROUPS.acme),
        revoke: 'true',
      },
    });
    expect(post.code).toBe(0);
    expect(sim.requests.map(requestLine)).toEqual([`DELETE ${GROUP_TOKENS}/${made.id}`]);
    expect(made.active).toBe(false);
    expect(post.stdout).toContain(`Revoked token ID ${made.id}.`);
    expectNoLeaks(main);
    expectNoLeaks(post);
  });

  it('the post step reads group-id as the main step does (slashes, spaces)', async () => {
    const main = await run({ 'group-id': ' /acme/ ', revoke: 'true' });
    expect(main.code).toBe(0);
    const made = lastToken();
    sim.requests.length = 0;
    const post = await runPostStep(main, {
      inputs: {
        'base-url': sim.url,
        'gitlab-token': GROUP_OWNER_TOKEN,
        'group-id': ' /acme/ ',
        revoke: 'true',
      },
    });
    expect(sim.requests.map(requestLine)).toEqual([
      `DELETE /api/v4/groups/acme/service_accounts/${SA}/personal_access_tokens/${made.id}`,
    ]);
    expect(made.active).toBe(false);
    expect(commands(post.stdout, 'notice')).toEqual([]);
    expectNoLeaks(main);
    expectNoLeaks(post);
  });

  it('if-exists: rotate lists and rotates through the group endpoints', async () => {
    const first = await run({ name: 'group-rerun', 'expires-at': '3d' });
    expect(first.code).toBe(0);
    const old = lastToken();
    sim.requests.length = 0;
    const second = await run({ name: 'group-rerun', 'expires-at': '3d', 'if-exists': 'rotate' });
    expect(second.code).toBe(0);
    expect(sim.requests.map(requestLine)).toEqual([
      `GET ${GROUP_TOKENS}?state=active&search=group-rerun&per_page=100&page=1`,
      `POST ${GROUP_TOKENS}/${old.id}/rotate`,
    ]);
    const rotated = lastToken();
    expect(rotated.id).not.toBe(old.id);
    expect(old.active).toBe(false);
    expect(second.outputs.token).toBe(rotated.token);
    expect(maskedFirst(second.stdout, rotated.token)).toBe(true);
    expectNoLeaks(first);
    expectNoLeaks(second);
  });

  it('the simulator refuses group routes for a token that is not the service account’s', async () => {
    const main = await runMainStep({
      inputs: { 'base-url': sim.url, 'gitlab-token': ADMIN_TOKEN, 'user-id': '42', scopes: 'api' },
    });
    expect(main.code).toBe(0);
    const alices = lastToken();
    const headers = { 'private-token': GROUP_OWNER_TOKEN };
    const revoke = await fetch(`${sim.url}${GROUP_TOKENS}/${alices.id}`, {
      method: 'DELETE',
      headers,
    });
    const rotate = await fetch(`${sim.url}${GROUP_TOKENS}/${alices.id}/rotate`, {
      method: 'POST',
      headers,
    });
    const subgroup = await fetch(
      `${sim.url}/api/v4/groups/${SEED_GROUPS.platform}/service_accounts/${SA}/personal_access_tokens`,
      { headers },
    );
    const stranger = await fetch(`${sim.url}${GROUP_TOKENS}`, {
      headers: { 'private-token': USER_TOKEN },
    });
    // The subgroup's Owner passes `authorize! :admin_service_accounts` (inherited ownership), but
    // the account is not among the subgroup's provisioned users: 404 User Not Found
    // (ee/lib/api/group_service_accounts.rb `validate_service_account_user`).
    expect([revoke.status, rotate.status, subgroup.status, stranger.status]).toEqual([
      404, 404, 404, 403,
    ]);
    expect(alices.active).toBe(true);
    expectNoLeaks(main, ADMIN_TOKEN);
  });
});

/** The group routes arrived over several releases: what the action does on each. */
describe('group service accounts on older GitLab', () => {
  async function made(
    version: string,
    name: string,
  ): Promise<{ main: StepResult; token: SimToken }> {
    sim.setVersion(version);
    const main = await run({ name, revoke: 'true' });
    expect(main.code).toBe(0);
    const token = lastToken();
    sim.requests.length = 0;
    return { main, token };
  }

  function post(main: StepResult, credential = GROUP_OWNER_TOKEN): Promise<StepResult> {
    return runPostStep(main, {
      inputs: { 'base-url': sim.url, 'gitlab-token': credential, revoke: 'true' },
    });
  }

  it('17.9, an Owner: no revoke route, so the token is rotated and its successor revokes itself', async () => {
    const { main, token } = await made('17.9.0-ee', 'group-old-revoke');
    const result = await post(main);
    expect(result.code).toBe(0);
    const successor = lastToken();
    expect(sim.requests.map(requestLine)).toEqual([
      `DELETE ${GROUP_TOKENS}/${token.id}`,
      `DELETE /api/v4/personal_access_tokens/${token.id}`,
      `POST ${GROUP_TOKENS}/${token.id}/rotate`,
      'DELETE /api/v4/personal_access_tokens/self',
    ]);
    expect(sim.requests[3].headers['private-token']).toBe(successor.token);
    expect(token.active).toBe(false);
    expect(successor.active).toBe(false);
    expect(result.stdout).toContain(`rotating it into token ID ${successor.id}`);
    expect(commands(result.stdout, 'warning')).toEqual([]);
    expect(result.stdout).not.toContain('already revoked');
    expectNoLeaks(main);
    expectNoLeaks(result);
  });

  it('17.9, an administrator: the instance-wide revoke route is used', async () => {
    const { main, token } = await made('17.9.0-ee', 'group-old-admin');
    const result = await post(main, ADMIN_TOKEN);
    expect(sim.requests.map(requestLine)).toEqual([
      `DELETE ${GROUP_TOKENS}/${token.id}`,
      `DELETE /api/v4/personal_access_tokens/${token.id}`,
    ]);
    expect(token.active).toBe(false);
    expect(result.stdout).toContain(`Revoked token ID ${token.id}.`);
    expectNoLeaks(result, ADMIN_TOKEN);
  });

  it('17.10, if-exists with an Owner: says listing needs GitLab 17.11', async () => {
    sim.setVersion('17.10.3-ee');
    const result = await run({ name: 'group-old-list', 'if-exists': 'rotate' });
    expect(result.code).toBe(1);
    const [error] = commands(result.stdout, 'error');
    expect(error).toContain('needs GitLab 17.11 or later (this instance runs 17.10.3-ee)');
    expect(sim.requests.map(requestLine)).not.toContain(expect.stringMatching(/^POST/));
    expectNoLeaks(result);
  });

  it('17.10, if-exists with an administrator: the instance-wide list is used', async () => {
    sim.setVersion('17.10.3-ee');
    const result = await runMainStep({
      inputs: {
        'base-url': sim.url,
        'gitlab-token': ADMIN_TOKEN,
        'group-id': String(SEED_GROUPS.acme),
        'user-id': String(SA),
        scopes: 'read_api',
        name: 'group-old-list-admin',
        'if-exists': 'rotate',
      },
    });
    expect(result.code).toBe(0);
    expect(sim.requests.map(requestLine)[1]).toMatch(
      new RegExp(`^GET /api/v4/personal_access_tokens\\?user_id=${SA}&state=active`),
    );
    expectNoLeaks(result, ADMIN_TOKEN);
  });

  it('17.8, an administrator: a rotation that ignores expires-at warns with both dates', async () => {
    sim.setVersion('17.8.0-ee');
    const admin = (inputs: Record<string, string>): Promise<StepResult> =>
      run({ 'gitlab-token': ADMIN_TOKEN, name: 'group-old-rotate', ...inputs });
    expect((await admin({ 'expires-at': '3d' })).code).toBe(0);
    const result = await admin({ 'expires-at': '20d', 'if-exists': 'rotate' });
    expect(result.code).toBe(0);
    const want = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
    expect(result.outputs['expires-at']).not.toBe(want);
    const [warning] = commands(result.stdout, 'warning').filter((line) => line.includes(want));
    expect(warning).toContain(`not ${want} as requested`);
    expect(warning).toContain(`expires ${result.outputs['expires-at']}`);
    expectNoLeaks(result, ADMIN_TOKEN);
  });
});
