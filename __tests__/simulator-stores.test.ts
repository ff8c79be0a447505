// Checks the two stores the product writes secrets to, in the simulators themselves (not the
// action): GitLab CI/CD variables in the GitLab simulator and Actions secrets in the GitHub
// simulator, over HTTP on 127.0.0.1.
import { describe, expect, it } from '@jest/globals';
import * as http from 'node:http';
import nacl from 'tweetnacl';
import { blake2b } from '@noble/hashes/blake2.js';
import {
  DEVELOPER_TOKEN,
  GROUP_OWNER_TOKEN,
  MAINTAINER_TOKEN,
  SEED_GROUPS,
  SEED_PROJECTS,
  SEED_USERS,
  SEVERAL_VARIABLES_MESSAGE,
  USER_TOKEN,
  type RecordedRequest,
} from './simulator/gitlab-simulator.js';
import {
  GITHUB_NO_ACCESS_TOKEN,
  GITHUB_READ_TOKEN,
  GITHUB_WRITE_TOKEN,
  GitHubSimulator,
} from './simulator/github-simulator.js';
import { useSimulator } from './helpers/simulator-fixture.js';
import { useGitHubSimulator } from './helpers/github-simulator-fixture.js';

const READ_API_MAINTAINER = 'glpat-FAKE-read-api-maintainer-1';
const REVOKED_MAINTAINER = 'glpat-FAKE-revoked-maintainer-02';

const gitlab = useSimulator({
  seed: (s) => {
    s.addCredential(READ_API_MAINTAINER, SEED_USERS.maintainer, ['read_api']);
    s.addCredential(REVOKED_MAINTAINER, SEED_USERS.maintainer, ['api']);
    s.revokeCredential(REVOKED_MAINTAINER);
  },
});
const github = useGitHubSimulator();

interface Res {
  status: number;
  body: unknown;
  headers: Headers;
}

async function gl(
  method: string,
  path: string,
  token: string,
  body?: Record<string, unknown> | URLSearchParams,
): Promise<Res> {
  const headers: Record<string, string> = { 'PRIVATE-TOKEN': token };
  let payload: string | undefined;
  if (body instanceof URLSearchParams) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    payload = body.toString();
  } else if (body) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(`${gitlab.url}/api/v4/${path}`, { method, headers, body: payload });
  const text = await res.text();
  return {
    status: res.status,
    body: text ? (JSON.parse(text) as unknown) : null,
    headers: res.headers,
  };
}

const PROJECT = `projects/${SEED_PROJECTS.app}/variables`;
const PROJECT_BY_PATH = `projects/${encodeURIComponent('acme/app')}/variables`;
const GROUP = `groups/${SEED_GROUPS.acme}/variables`;

describe('GitLab CI/CD variables: permissions', () => {
  it('lets a Maintainer manage project variables, by numeric id or full path', async () => {
    const created = await gl('POST', PROJECT_BY_PATH, MAINTAINER_TOKEN, {
      key: 'DEPLOY_TOKEN',
      value: 'glpat-abcdefghij0123456789',
      masked: true,
      protected: true,
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      variable_type: 'env_var',
      key: 'DEPLOY_TOKEN',
      value: 'glpat-abcdefghij0123456789',
      hidden: false,
      protected: true,
      masked: true,
      raw: false,
      environment_scope: '*',
      description: null,
    });
    const listed = await gl('GET', PROJECT, MAINTAINER_TOKEN);
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([created.body]);
    expect(listed.headers.get('x-total')).toBe('1');
    expect(gitlab.variable({ project: SEED_PROJECTS.app }, 'DEPLOY_TOKEN')?.value).toBe(
      'glpat-abcdefghij0123456789',
    );
  });

  it('answers 403 to a Developer, 404 to a stranger and to an unknown project or group', async () => {
    expect(await gl('GET', PROJECT, DEVELOPER_TOKEN)).toMatchObject({
      status: 403,
      body: { message: '403 Forbidden' },
    });
    // `before { authorize! }` runs ahead of parameter validation
    expect(await gl('POST', PROJECT, DEVELOPER_TOKEN, {})).toMatchObject({ status: 403 });
    expect(await gl('GET', PROJECT, USER_TOKEN)).toMatchObject({
      status: 404,
      body: { message: '404 Project Not Found' },
    });
    expect(await gl('GET', 'projects/9999/variables', MAINTAINER_TOKEN)).toMatchObject({
      status: 404,
      body: { message: '404 Project Not Found' },
    });
    expect(await gl('GET', 'groups/9999/variables', GROUP_OWNER_TOKEN)).toMatchObject({
      status: 404,
      body: { message: '404 Group Not Found' },
    });
  });

  it('needs a group Owner for group variables', async () => {
    expect(await gl('GET', GROUP, MAINTAINER_TOKEN)).toMatchObject({ status: 403 });
    expect(await gl('GET', GROUP, DEVELOPER_TOKEN)).toMatchObject({ status: 403 });
    const created = await gl('POST', `groups/acme/variables`, GROUP_OWNER_TOKEN, {
      key: 'GROUP_TOKEN',
      value: 'secret-value-1234',
    });
    expect(created.status).toBe(201);
    expect(gitlab.variablesOf({ group: SEED_GROUPS.acme }).map((v) => v.key)).toEqual([
      'GROUP_TOKEN',
    ]);
    expect(gitlab.variablesOf({ project: SEED_PROJECTS.app })).toEqual([]);
  });

  it('lets read_api read but not write; a revoked credential gets 401', async () => {
    expect((await gl('GET', PROJECT, READ_API_MAINTAINER)).status).toBe(200);
    expect(
      await gl('POST', PROJECT, READ_API_MAINTAINER, { key: 'A_KEY', value: 'value' }),
    ).toMatchObject({ status: 403, body: { error: 'insufficient_scope', scope: 'api' } });
    expect(await gl('GET', PROJECT, REVOKED_MAINTAINER)).toMatchObject({
      status: 401,
      body: { error: 'invalid_token' },
    });
  });
});

describe('GitLab CI/CD variables: validation', () => {
  it('refuses a masked value outside the masking rules with the model error', async () => {
    for (const value of ['short', 'has a space in it', 'with$dollar-sign', 'line\nbreak12345']) {
      expect(
        await gl('POST', PROJECT, MAINTAINER_TOKEN, { key: 'M', value, masked: true }),
      ).toEqual(
        expect.objectContaining({ status: 400, body: { message: { value: ['is invalid'] } } }),
      );
    }
    // exactly 8 characters of the Base64 alphabet plus @ : . ~ - _ is enough
    const ok = await gl('POST', PROJECT, MAINTAINER_TOKEN, {
      key: 'M',
      value: 'a@b:c.d~',
      masked: true,
    });
    expect(ok.status).toBe(201);
    // an unmasked variable takes any value
    expect(
      (await gl('POST', PROJECT, MAINTAINER_TOKEN, { key: 'PLAIN', value: 'a b $c' })).status,
    ).toBe(201);
  });

  it('applies the relaxed rule to masked raw variables only where it exists', async () => {
    const body = { key: 'RAW', value: 'p@$$w0rd!#%', masked: true, raw: true };
    gitlab.maskedRawRelaxed = false;
    expect(await gl('POST', PROJECT, MAINTAINER_TOKEN, body)).toMatchObject({
      status: 400,
      body: { message: { value: ['is invalid'] } },
    });
    gitlab.maskedRawRelaxed = true;
    expect((await gl('POST', PROJECT, MAINTAINER_TOKEN, body)).status).toBe(201);
    // still no whitespace and at least 8 characters
    expect(
      (await gl('POST', PROJECT, MAINTAINER_TOKEN, { ...body, key: 'RAW2', value: 'a !b#cdefg' }))
        .status,
    ).toBe(400);
  });

  it('checks the key format and the parameters', async () => {
    expect(await gl('POST', PROJECT, MAINTAINER_TOKEN, { key: 'BAD-KEY', value: 'v' })).toEqual(
      expect.objectContaining({
        status: 400,
        body: { message: { key: ["can contain only letters, digits and '_'."] } },
      }),
    );
    expect(
      await gl('POST', PROJECT, MAINTAINER_TOKEN, { key: 'K'.repeat(256), value: 'v' }),
    ).toMatchObject({
      status: 400,
      body: { message: { key: ['is too long (maximum is 255 characters)'] } },
    });
    expect(await gl('POST', PROJECT, MAINTAINER_TOKEN, {})).toMatchObject({
      status: 400,
      body: { error: 'key is missing, value is missing' },
    });
    expect(
      await gl('POST', PROJECT, MAINTAINER_TOKEN, { key: 'K', value: 'v', variable_type: 'x' }),
    ).toMatchObject({ status: 400, body: { error: 'variable_type does not have a valid value' } });
    expect(gitlab.variablesOf({ project: SEED_PROJECTS.app })).toEqual([]);
  });

  it('refuses a second variable with the same key and scope', async () => {
    const form = new URLSearchParams({ key: 'TOKEN', value: 'one', environment_scope: 'prod' });
    expect((await gl('POST', PROJECT, MAINTAINER_TOKEN, form)).status).toBe(201);
    expect(await gl('POST', PROJECT, MAINTAINER_TOKEN, form)).toMatchObject({
      status: 400,
      body: { message: { key: ['(TOKEN) has already been taken'] } },
    });
    form.set('environment_scope', 'staging');
    expect((await gl('POST', PROJECT, MAINTAINER_TOKEN, form)).status).toBe(201);
    expect(gitlab.variablesOf({ project: SEED_PROJECTS.app })).toHaveLength(2);
  });
});

describe('GitLab CI/CD variables: environment scopes and updates', () => {
  function addScoped(): void {
    gitlab.addVariable({
      project: SEED_PROJECTS.app,
      key: 'TOKEN',
      value: 'prod-value',
      environmentScope: 'production',
    });
    gitlab.addVariable({
      project: SEED_PROJECTS.app,
      key: 'TOKEN',
      value: 'stg-value',
      environmentScope: 'staging',
    });
  }

  it('answers 409 without a filter when several scopes share a key, and honours the filter', async () => {
    addScoped();
    for (const method of ['GET', 'PUT', 'DELETE']) {
      expect(await gl(method, `${PROJECT}/TOKEN`, MAINTAINER_TOKEN)).toMatchObject({
        status: 409,
        body: { message: SEVERAL_VARIABLES_MESSAGE },
      });
    }
    const one = await gl(
      'GET',
      `${PROJECT}/TOKEN?filter[environment_scope]=staging`,
      MAINTAINER_TOKEN,
    );
    expect(one).toMatchObject({
      status: 200,
      body: { value: 'stg-value', environment_scope: 'staging' },
    });
    expect(
      await gl('GET', `${PROJECT}/TOKEN?filter[environment_scope]=review`, MAINTAINER_TOKEN),
    ).toMatchObject({ status: 404, body: { message: '404 Variable Not Found' } });
    const put = await gl(
      'PUT',
      `${PROJECT}/TOKEN?filter[environment_scope]=production`,
      MAINTAINER_TOKEN,
      new URLSearchParams({ value: 'new-prod' }),
    );
    expect(put).toMatchObject({
      status: 200,
      body: { value: 'new-prod', environment_scope: 'production' },
    });
    expect(gitlab.variable({ project: SEED_PROJECTS.app }, 'TOKEN', 'production')?.value).toBe(
      'new-prod',
    );
    expect(gitlab.variable({ project: SEED_PROJECTS.app }, 'TOKEN', 'staging')?.value).toBe(
      'stg-value',
    );
    const del = await gl(
      'DELETE',
      `${PROJECT}/TOKEN?filter[environment_scope]=staging`,
      MAINTAINER_TOKEN,
    );
    expect(del.status).toBe(204);
    expect(
      gitlab.variablesOf({ project: SEED_PROJECTS.app }).map((v) => v.environment_scope),
    ).toEqual(['production']);
  });

  it('updates only the attributes sent and keeps masked, protected and raw', async () => {
    gitlab.addVariable({
      project: SEED_PROJECTS.app,
      key: 'KEEP',
      value: 'old-value-123',
      masked: true,
      protected: true,
      raw: true,
    });
    const put = await gl('PUT', `${PROJECT}/KEEP`, MAINTAINER_TOKEN, { value: 'new-value-456' });
    expect(put).toMatchObject({
      status: 200,
      body: { key: 'KEEP', value: 'new-value-456', masked: true, protected: true, raw: true },
    });
    // the kept `masked` still validates the new value
    expect(await gl('PUT', `${PROJECT}/KEEP`, MAINTAINER_TOKEN, { value: 'no' })).toMatchObject({
      status: 400,
      body: { message: { value: ['is invalid'] } },
    });
    expect(gitlab.variable({ project: SEED_PROJECTS.app }, 'KEEP')?.value).toBe('new-value-456');
    expect(await gl('PUT', `${PROJECT}/NOPE`, MAINTAINER_TOKEN, { value: 'x' })).toMatchObject({
      status: 404,
      body: { message: '404 Variable Not Found' },
    });
  });

  it('group PUT without a filter updates the first match; group 404 says GroupVariable', async () => {
    gitlab.addVariable({
      group: SEED_GROUPS.acme,
      key: 'G',
      value: 'first',
      environmentScope: 'a',
    });
    gitlab.addVariable({
      group: SEED_GROUPS.acme,
      key: 'G',
      value: 'second',
      environmentScope: 'b',
    });
    expect((await gl('GET', `${GROUP}/G`, GROUP_OWNER_TOKEN)).status).toBe(409);
    expect(await gl('PUT', `${GROUP}/G`, GROUP_OWNER_TOKEN, { value: 'changed' })).toMatchObject({
      status: 200,
      body: { value: 'changed', environment_scope: 'a' },
    });
    expect(
      (
        await gl('PUT', `${GROUP}/G?filter[environment_scope]=b`, GROUP_OWNER_TOKEN, {
          value: 'bb',
        })
      ).body,
    ).toMatchObject({ value: 'bb', environment_scope: 'b' });
    expect(await gl('GET', `${GROUP}/NOPE`, GROUP_OWNER_TOKEN)).toMatchObject({
      status: 404,
      body: { message: '404 GroupVariable Not Found' },
    });
  });

  it('ignores the group filter before 16.9', async () => {
    gitlab.setVersion('16.8');
    gitlab.addVariable({
      group: SEED_GROUPS.acme,
      key: 'G',
      value: 'first',
      environmentScope: 'a',
    });
    gitlab.addVariable({
      group: SEED_GROUPS.acme,
      key: 'G',
      value: 'second',
      environmentScope: 'b',
    });
    expect(
      (await gl('GET', `${GROUP}/G?filter[environment_scope]=b`, GROUP_OWNER_TOKEN)).status,
    ).toBe(409);
    gitlab.setVersion('16.9');
    expect(
      (await gl('GET', `${GROUP}/G?filter[environment_scope]=b`, GROUP_OWNER_TOKEN)).body,
    ).toMatchObject({ value: 'second' });
  });
});

describe('GitLab CI/CD variables: versions and hidden variables', () => {
  it('hides the value of a masked_and_hidden variable and refuses to unmask it (17.4+)', async () => {
    const created = await gl('POST', PROJECT, MAINTAINER_TOKEN, {
      key: 'HIDDEN',
      value: 'hidden-value-123',
      masked_and_hidden: true,
    });
    expect(created).toMatchObject({
      status: 201,
      body: { value: null, hidden: true, masked: true },
    });
    expect((await gl('GET', `${PROJECT}/HIDDEN`, MAINTAINER_TOKEN)).body).toMatchObject({
      value: null,
    });
    expect(gitlab.variable({ project: SEED_PROJECTS.app }, 'HIDDEN')?.value).toBe(
      'hidden-value-123',
    );
    expect(await gl('PUT', `${PROJECT}/HIDDEN`, MAINTAINER_TOKEN, { masked: false })).toMatchObject(
      {
        status: 400,
        body: {
          message: {
            base: ['The visibility setting cannot be changed for masked and hidden variables.'],
          },
        },
      },
    );
    // a new value is fine
    expect(
      (await gl('PUT', `${PROJECT}/HIDDEN`, MAINTAINER_TOKEN, { value: 'next-value-456' })).status,
    ).toBe(200);
  });

  it('has no hidden field and drops masked_and_hidden before 17.4, no description before 16.2', async () => {
    gitlab.setVersion('17.3');
    const created = await gl('POST', PROJECT, MAINTAINER_TOKEN, {
      key: 'OLD',
      value: 'value-12345678',
      masked_and_hidden: true,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ value: 'value-12345678', masked: false });
    expect(created.body).not.toHaveProperty('hidden');
    expect(created.body).toHaveProperty('description', null);
    gitlab.setVersion('16.1');
    const old = await gl('GET', `${PROJECT}/OLD`, MAINTAINER_TOKEN);
    expect(old.body).not.toHaveProperty('description');
  });
});

describe('GitLab simulator hooks', () => {
  it('calls onRequestHandled after each reply, with the status', async () => {
    const seen: [string, number][] = [];
    gitlab.onRequestHandled = (req: RecordedRequest, status: number) =>
      seen.push([req.method, status]);
    await gl('GET', PROJECT, MAINTAINER_TOKEN);
    await gl('GET', PROJECT, DEVELOPER_TOKEN);
    expect(seen).toEqual([
      ['GET', 200],
      ['GET', 403],
    ]);
  });

  it('tells active secrets from revoked and unknown ones', () => {
    expect(gitlab.tokenIsActive(MAINTAINER_TOKEN)).toBe(true);
    expect(gitlab.tokenIsActive(REVOKED_MAINTAINER)).toBe(false);
    expect(gitlab.tokenIsActive('glpat-unknown')).toBe(false);
  });

  it('starts each test without variables or hook', () => {
    expect(gitlab.variables).toEqual([]);
    expect(gitlab.onRequestHandled).toBeUndefined();
  });
});

// ---- GitHub Actions secrets -------------------------------------------------------------------

/** libsodium's crypto_box_seal, with tweetnacl and BLAKE2b: epk || box(msg, blake2b(epk || pk)). */
function seal(message: string, publicKeyB64: string): string {
  const pk = new Uint8Array(Buffer.from(publicKeyB64, 'base64'));
  const eph = nacl.box.keyPair();
  const nonceInput = new Uint8Array(64);
  nonceInput.set(eph.publicKey, 0);
  nonceInput.set(pk, 32);
  const nonce = blake2b(nonceInput, { dkLen: 24 });
  const boxed = nacl.box(new TextEncoder().encode(message), nonce, pk, eph.secretKey);
  const out = new Uint8Array(32 + boxed.length);
  out.set(eph.publicKey, 0);
  out.set(boxed, 32);
  return Buffer.from(out).toString('base64');
}

async function gh(
  method: string,
  path: string,
  token: string | null,
  body?: unknown,
  extra: Record<string, string> = {},
): Promise<Res> {
  const headers: Record<string, string> = { 'user-agent': 'stores-test', ...extra };
  if (token) headers['authorization'] = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${github.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? (JSON.parse(text) as unknown) : null;
  } catch {
    // plain text
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

const REPO = '/repos/acme/app';

async function publicKey(
  path = `${REPO}/actions/secrets/public-key`,
): Promise<{ key_id: string; key: string }> {
  const res = await gh('GET', path, GITHUB_WRITE_TOKEN);
  expect(res.status).toBe(200);
  return res.body as { key_id: string; key: string };
}

describe('GitHub Actions secrets', () => {
  it('serves a 32-byte public key with GitHub-like headers', async () => {
    const res = await gh(
      'GET',
      `${REPO}/actions/secrets/public-key`,
      GITHUB_READ_TOKEN,
      undefined,
      {
        'x-github-api-version': '2022-11-28',
      },
    );
    expect(res.status).toBe(200);
    const body = res.body as { key_id: string; key: string };
    expect(body.key_id).toMatch(/^\d+$/);
    expect(Buffer.from(body.key, 'base64')).toHaveLength(32);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('x-github-api-version-selected')).toBe('2022-11-28');
  });

  it('opens a sealed box made with tweetnacl and BLAKE2b: 201 then 204', async () => {
    const key = await publicKey();
    const first = await gh('PUT', `${REPO}/actions/secrets/GITLAB_TOKEN`, GITHUB_WRITE_TOKEN, {
      encrypted_value: seal('glpat-first-secret', key.key),
      key_id: key.key_id,
    });
    expect(first.status).toBe(201);
    expect(first.body).toBeNull();
    expect(github.secret('acme/app', 'GITLAB_TOKEN')).toBe('glpat-first-secret');
    const second = await gh('PUT', `${REPO}/actions/secrets/gitlab_token`, GITHUB_WRITE_TOKEN, {
      encrypted_value: seal('glpat-second-secret', key.key),
      key_id: key.key_id,
    });
    expect(second.status).toBe(204);
    expect(github.secretsOf('acme/app')).toEqual({ GITLAB_TOKEN: 'glpat-second-secret' });
    const meta = await gh('GET', `${REPO}/actions/secrets/GITLAB_TOKEN`, GITHUB_READ_TOKEN);
    expect(meta).toMatchObject({ status: 200, body: { name: 'GITLAB_TOKEN' } });
    expect(Object.keys(meta.body as object).sort()).toEqual(['created_at', 'name', 'updated_at']);
  });

  it('refuses a wrong or stale key_id and a value the key does not open', async () => {
    const key = await publicKey();
    const path = `${REPO}/actions/secrets/GITLAB_TOKEN`;
    const wrong = await gh('PUT', path, GITHUB_WRITE_TOKEN, {
      encrypted_value: seal('x', key.key),
      key_id: '1',
    });
    expect(wrong.status).toBe(422);
    github.rotateKey('acme/app');
    expect(
      (
        await gh('PUT', path, GITHUB_WRITE_TOKEN, {
          encrypted_value: seal('x', key.key),
          key_id: key.key_id,
        })
      ).status,
    ).toBe(422);
    const fresh = await publicKey();
    expect(fresh.key_id).not.toBe(key.key_id);
    // sealed for the old key, sent with the new key_id: it does not open
    const unopened = await gh('PUT', path, GITHUB_WRITE_TOKEN, {
      encrypted_value: seal('x', key.key),
      key_id: fresh.key_id,
    });
    expect(unopened).toMatchObject({
      status: 422,
      body: { message: expect.stringMatching(/^Bad request/) },
    });
    expect(
      await gh('PUT', path, GITHUB_WRITE_TOKEN, { encrypted_value: seal('x', fresh.key) }),
    ).toMatchObject({
      status: 422,
      body: { message: 'Invalid request.\n\n"key_id" wasn\'t supplied.' },
    });
    expect(github.secret('acme/app', 'GITLAB_TOKEN')).toBeUndefined();
  });

  it('refuses names GitHub refuses', async () => {
    const key = await publicKey();
    for (const name of ['GITHUB_TOKEN_COPY', '1TOKEN', 'MY-TOKEN']) {
      const res = await gh('PUT', `${REPO}/actions/secrets/${name}`, GITHUB_WRITE_TOKEN, {
        encrypted_value: seal('x', key.key),
        key_id: key.key_id,
      });
      expect(res.status).toBe(422);
    }
    expect(github.secretsOf('acme/app')).toEqual({});
  });

  it('answers 401, 403 and 404 as GitHub does', async () => {
    expect(await gh('GET', `${REPO}/actions/secrets/public-key`, 'ghp_unknown')).toMatchObject({
      status: 401,
      body: {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
        status: '401',
      },
    });
    expect((await gh('GET', `${REPO}/actions/secrets/public-key`, null)).status).toBe(401);
    const key = await publicKey();
    const put = await gh('PUT', `${REPO}/actions/secrets/X`, GITHUB_READ_TOKEN, {
      encrypted_value: seal('x', key.key),
      key_id: key.key_id,
    });
    expect(put).toMatchObject({
      status: 403,
      body: { message: 'Resource not accessible by personal access token', status: '403' },
    });
    expect(
      await gh('GET', `${REPO}/actions/secrets/public-key`, GITHUB_NO_ACCESS_TOKEN),
    ).toMatchObject({
      status: 404,
      body: { message: 'Not Found' },
    });
    expect(
      (await gh('GET', '/repos/acme/other/actions/secrets/public-key', GITHUB_WRITE_TOKEN)).status,
    ).toBe(404);
  });

  it('refuses a request without a User-Agent with 403', async () => {
    const url = new URL(`${github.url}${REPO}/actions/secrets/public-key`);
    const { status, text } = await new Promise<{ status: number; text: string }>(
      (resolve, reject) => {
        const req = http.request(
          url,
          { method: 'GET', headers: { authorization: `token ${GITHUB_WRITE_TOKEN}` } },
          (res) => {
            let data = '';
            res.on('data', (c: Buffer) => (data += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text: data }));
          },
        );
        req.on('error', reject);
        req.end();
      },
    );
    expect(status).toBe(403);
    expect(text).toContain('User-Agent');
  });

  it('keeps environment secrets under their own key; unknown environments are 404', async () => {
    const envPath = `${REPO}/environments/production/secrets`;
    const envKey = await publicKey(`${envPath}/public-key`);
    const repoKey = await publicKey();
    expect(envKey.key).not.toBe(repoKey.key);
    const put = await gh('PUT', `${envPath}/GITLAB_TOKEN`, GITHUB_WRITE_TOKEN, {
      encrypted_value: seal('glpat-env', envKey.key),
      key_id: envKey.key_id,
    });
    expect(put.status).toBe(201);
    expect(github.secret('acme/app', 'GITLAB_TOKEN', 'production')).toBe('glpat-env');
    expect(github.secret('acme/app', 'GITLAB_TOKEN')).toBeUndefined();
    expect(
      (await gh('GET', `${REPO}/environments/nowhere/secrets/public-key`, GITHUB_WRITE_TOKEN))
        .status,
    ).toBe(404);
  });

  it('fails the next matching requests on demand and reports each reply', async () => {
    const seen: number[] = [];
    github.onRequestHandled = (_req, status) => seen.push(status);
    github.fail('GET', /public-key$/, 502, undefined, 2);
    expect((await gh('GET', `${REPO}/actions/secrets/public-key`, GITHUB_WRITE_TOKEN)).status).toBe(
      502,
    );
    expect((await gh('GET', `${REPO}/actions/secrets/public-key`, GITHUB_WRITE_TOKEN)).status).toBe(
      502,
    );
    expect((await gh('GET', `${REPO}/actions/secrets/public-key`, GITHUB_WRITE_TOKEN)).status).toBe(
      200,
    );
    expect(seen).toEqual([502, 502, 200]);
    expect(github.requests.map((r) => r.method)).toEqual(['GET', 'GET', 'GET']);
  });

  it('serves under /api/v3 as GitHub Enterprise Server does', async () => {
    const ghes = new GitHubSimulator({ prefix: '/api/v3' });
    ghes.seedDefaults();
    const base = await ghes.start();
    try {
      expect(base).toMatch(/\/api\/v3$/);
      const headers = { 'user-agent': 't', authorization: `Bearer ${GITHUB_WRITE_TOKEN}` };
      expect((await fetch(`${base}${REPO}/actions/secrets/public-key`, { headers })).status).toBe(
        200,
      );
      const bare = base.replace(/\/api\/v3$/, '');
      expect((await fetch(`${bare}${REPO}/actions/secrets/public-key`, { headers })).status).toBe(
        404,
      );
    } finally {
      await ghes.stop();
    }
  });
});
