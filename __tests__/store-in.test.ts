/**
 * `store-in` through the action and the CLI, as a scheduled renewal runs it: a project bot's token
 * due for renewal is replaced (new token, stored in a CI/CD variable and a GitHub secret, then the
 * old one revoked) with no moment in which a consumer reading the targets holds a dead token; a
 * token not due is left alone; a failed store leaves the old token working.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  MAINTAINER_TOKEN,
  SEED_GROUPS,
  SEED_PROJECTS,
  type SimToken,
} from './simulator/gitlab-simulator.js';
import { GITHUB_READ_TOKEN, GITHUB_WRITE_TOKEN } from './simulator/github-simulator.js';
import { expectNoSecretsIn, useSimulator } from './helpers/simulator-fixture.js';
import { useGitHubSimulator } from './helpers/github-simulator-fixture.js';
import { expectNothingUnreported } from './helpers/promises.js';
import { runCli, runMainStep, type StepResult } from './helpers/run-action.js';

const sim = useSimulator();
const github = useGitHubSimulator();
const PROJECT = SEED_PROJECTS.app;
const REPO = 'acme/app';
const NAME = 'deploy bot';
const VARIABLE = `gitlab-variable:acme/app:DEPLOY_TOKEN`;
const SECRET = `github-secret:${REPO}:GITLAB_TOKEN`;

// Each test starts with no bot token of earlier tests active (the simulator keeps its tokens).
beforeEach(() => {
  for (const token of sim.tokens) {
    token.revoked = true;
    token.active = false;
  }
});

/** The tokens made since the test began (the one made by existingToken() included). */
const thisTest = (since: number): SimToken[] => sim.tokens.filter((token) => token.id > since);

const days = (n: number): string =>
  new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

/** The project's bot token that earlier runs made, expiring in `expiresInDays`. */
async function existingToken(expiresInDays: number): Promise<SimToken> {
  const response = await fetch(`${sim.url}/api/v4/projects/${PROJECT}/access_tokens`, {
    method: 'POST',
    headers: { 'private-token': MAINTAINER_TOKEN, 'content-type': 'application/json' },
    body: JSON.stringify({ name: NAME, scopes: ['api'], expires_at: days(expiresInDays) }),
  });
  expect(response.status).toBe(201);
  const { id } = (await response.json()) as { id: number };
  sim.requests.length = 0;
  return sim.tokens.find((token) => token.id === id) as SimToken;
}

function renew(inputs: Record<string, string> = {}): Promise<StepResult> {
  return runMainStep({
    inputs: {
      'base-url': sim.url,
      'gitlab-token': MAINTAINER_TOKEN,
      'project-id': 'acme/app',
      name: NAME,
      scopes: 'api',
      'if-exists': 'rotate',
      'rotate-before': '30d',
      'expires-at': '90d',
      'store-in': `${VARIABLE}\n${SECRET}`,
      'github-token': GITHUB_WRITE_TOKEN,
      ...inputs,
    },
    env: { GITHUB_API_URL: github.url },
  });
}

const variableValue = (): string | null | undefined =>
  sim.variable({ project: PROJECT }, 'DEPLOY_TOKEN')?.value;

async function works(secret: string): Promise<boolean> {
  const response = await fetch(`${sim.url}/api/v4/user`, {
    headers: { 'private-token': secret },
  });
  return response.status === 200;
}

/**
 * A consumer that keeps reading the targets and calling GitLab with what it read, and a check
 * after every request either simulator answers: every target always holds an active token.
 */
function watchConsumers(): { stop(): Promise<string[]> } {
  const problems: string[] = [];
  const check = (where: string): void => {
    const value = variableValue();
    if (typeof value === 'string' && !sim.tokenIsActive(value)) {
      problems.push(`${where}: the variable holds a dead token`);
    }
    const secret = github.secret(REPO, 'GITLAB_TOKEN');
    if (secret !== undefined && !sim.tokenIsActive(secret)) {
      problems.push(`${where}: the GitHub secret holds a dead token`);
    }
  };
  sim.onRequestHandled = (request) => check(`after GitLab ${request.method} ${request.path}`);
  github.onRequestHandled = (request) => check(`after GitHub ${request.method} ${request.path}`);
  let running = true;
  const loop = (async () => {
    while (running) {
      const value = variableValue();
      if (typeof value !== 'string') break;
      const ok = await works(value);
      // A consumer that read the variable before a store may find its token revoked only if
      // the variable had already moved on: a refusal of what the variable still holds is a
      // failed consumer request.
      if (!ok && variableValue() === value) problems.push('a consumer was refused');
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      sim.onRequestHandled = undefined;
      github.onRequestHandled = undefined;
      return problems;
    },
  };
}

const requestLines = (): string[] =>
  sim.requests.map((request) => `${request.method} ${request.path}`);

describe('store-in: a scheduled renewal', () => {
  it('renews a due token into a CI/CD variable and a GitHub secret, consumers never failing', async () => {
    const old = await existingToken(10);
    sim.addVariable({
      project: PROJECT,
      key: 'DEPLOY_TOKEN',
      value: old.token,
      masked: true,
      protected: true,
    });
    const consumers = watchConsumers();
    const result = await renew();
    const problems = await consumers.stop();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(problems).toEqual([]);
    const fresh = sim.tokens[sim.tokens.length - 1];
    expect(fresh.id).not.toBe(old.id);
    expect(result.outputs.rotated).toBe('true');
    expect(result.outputs.id).toBe(String(fresh.id));
    expect(old.active).toBe(false);
    expect(fresh.active).toBe(true);
    // Both targets hold the new secret, and the variable kept its settings.
    const variable = sim.variable({ project: PROJECT }, 'DEPLOY_TOKEN');
    expect(variable).toEqual(
      expect.objectContaining({ value: fresh.token, masked: true, protected: true }),
    );
    expect(github.secret(REPO, 'GITLAB_TOKEN')).toBe(fresh.token);
    expect(await works(fresh.token)).toBe(true);
    // Checked first, then made, stored, and only then the old one revoked.
    const writes = requestLines().filter((line) => !line.startsWith('GET /api/v4/user '));
    const order = [
      writes.indexOf('GET /api/v4/projects/acme%2Fapp/variables/DEPLOY_TOKEN'),
      writes.indexOf('POST /api/v4/projects/acme%2Fapp/access_tokens'),
      writes.indexOf('PUT /api/v4/projects/acme%2Fapp/variables/DEPLOY_TOKEN'),
      writes.indexOf(`DELETE /api/v4/projects/acme%2Fapp/access_tokens/${old.id}`),
    ];
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(github.requests.map((request) => request.method)).toEqual(['GET', 'PUT']);
    expect(result.stdout).toContain(`Stored token ID ${fresh.id} in ${VARIABLE} (updated)`);
    expect(result.stdout).toContain(`Stored token ID ${fresh.id} in ${SECRET} (created)`);
    expectNoSecretsIn(result, [MAINTAINER_TOKEN, GITHUB_WRITE_TOKEN], [sim]);
    expectNothingUnreported(thisTest(old.id), result);
  });

  it('skips a token that is not due: targets checked, nothing changed', async () => {
    const current = await existingToken(60);
    sim.addVariable({ project: PROJECT, key: 'DEPLOY_TOKEN', value: current.token, masked: true });
    const result = await renew();
    expect(result.code).toBe(0);
    expect(result.outputs.rotated).toBe('false');
    expect(result.outputs.id).toBe(String(current.id));
    expect(result.outputs.token).toBeUndefined();
    expect(requestLines().filter((line) => !line.startsWith('GET'))).toEqual([]);
    // The public key, and whether the secret exists yet (a missing one is warned about).
    expect(github.requests.map((request) => request.method)).toEqual(['GET', 'GET']);
    expect(variableValue()).toBe(current.token);
    expect(current.active).toBe(true);
    expectNoSecretsIn(result, [MAINTAINER_TOKEN, GITHUB_WRITE_TOKEN], [sim]);
  });

  it('a failed store leaves the old token working and in every target', async () => {
    const old = await existingToken(10);
    sim.addVariable({ project: PROJECT, key: 'DEPLOY_TOKEN', value: old.token, masked: true });
    // This token may read the public key, but GitHub refuses the write (403).
    const result = await renew({ 'github-token': GITHUB_READ_TOKEN });
    expect(result.code).toBe(1);
    const made = sim.tokens[sim.tokens.length - 1];
    expect(made.id).not.toBe(old.id);
    expect(made.active).toBe(false);
    expect(old.active).toBe(true);
    expect(await works(old.token)).toBe(true);
    expect(variableValue()).toBe(old.token);
    expect(github.secret(REPO, 'GITLAB_TOKEN')).toBeUndefined();
    const error = result.stdout.split('\n').find((line) => line.startsWith('::error::')) ?? '';
    expect(error).toContain(SECRET);
    expect(error).toContain('403');
    expect(error).toContain('Secrets (read and write)');
    expect(error).toContain(`${VARIABLE} put back as it was`);
    expect(error).toContain(`The new token ID ${made.id} was revoked, so nothing changed`);
    expect(error).toContain(`Token ID ${old.id} stays active`);
    expect(result.outputs.token).toBeUndefined();
    expectNoSecretsIn(result, [MAINTAINER_TOKEN, GITHUB_READ_TOKEN], [sim]);
    expectNothingUnreported(thisTest(old.id), result);
  });

  it('a first run makes the token and creates the variable masked and protected', async () => {
    const since = Math.max(0, ...sim.tokens.map((token) => token.id));
    const result = await renew({ 'store-in': VARIABLE });
    expect(result.code).toBe(0);
    const made = sim.tokens[sim.tokens.length - 1];
    expect(result.outputs.rotated).toBe('false');
    expect(sim.variable({ project: PROJECT }, 'DEPLOY_TOKEN')).toEqual(
      expect.objectContaining({ value: made.token, masked: true, protected: true }),
    );
    expectNoSecretsIn(result, [MAINTAINER_TOKEN], [sim]);
    expectNothingUnreported(thisTest(since), result);
  });

  it('a target the credential may not write fails before anything changes', async () => {
    const old = await existingToken(10);
    // The Maintainer of acme/app is no Owner of the group acme.
    const result = await renew({ 'store-in': `gitlab-variable:acme:GROUP_TOKEN` });
    expect(result.code).toBe(1);
    expect(requestLines().filter((line) => !line.startsWith('GET'))).toEqual([]);
    expect(old.active).toBe(true);
    const error = result.stdout.split('\n').find((line) => line.startsWith('::error::')) ?? '';
    expect(error).toContain('gitlab-variable:acme:GROUP_TOKEN');
    expect(error).toContain('Owner');
    expect(error).toContain('Nothing was changed');
    expect(sim.variablesOf({ group: SEED_GROUPS.acme })).toEqual([]);
    expectNoSecretsIn(result, [MAINTAINER_TOKEN], [sim]);
  });

  it('asks for the environment scope when several variables share the key', async () => {
    const old = await existingToken(10);
    for (const environmentScope of ['production', 'staging']) {
      sim.addVariable({
        project: PROJECT,
        key: 'DEPLOY_TOKEN',
        value: old.token,
        masked: true,
        environmentScope,
      });
    }
    const refused = await renew({ 'store-in': VARIABLE });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('gitlab-variable:acme/app:DEPLOY_TOKEN:<environment scope>');
    expect(old.active).toBe(true);
    const result = await renew({ 'store-in': `${VARIABLE}:staging` });
    expect(result.code).toBe(0);
    const fresh = sim.tokens[sim.tokens.length - 1];
    expect(sim.variable({ project: PROJECT }, 'DEPLOY_TOKEN', 'staging')?.value).toBe(fresh.token);
    expect(sim.variable({ project: PROJECT }, 'DEPLOY_TOKEN', 'production')?.value).toBe(old.token);
    expectNoSecretsIn(result, [MAINTAINER_TOKEN], [sim]);
    expectNothingUnreported(thisTest(old.id), result);
  });
});

/** The credential `secret` rotates itself (with store-in and the rest in `inputs`). */
function selfRotate(secret: string, inputs: Record<string, string>): Promise<StepResult> {
  return runMainStep({
    inputs: { 'base-url': sim.url, 'gitlab-token': secret, 'self-rotate': 'true', ...inputs },
    env: { GITHUB_API_URL: github.url },
  });
}

describe('store-in with self-rotate', () => {
  it('a github-token that cannot write the secret stops the rotation before it happens', async () => {
    // Each secret is proven writable first (issue #18): the credential is never rotated into a
    // secret that ends in a masked output nobody can copy.
    const old = await existingToken(10);
    const from = sim.tokens.length;
    const result = await selfRotate(old.token, {
      'expires-at': '90d',
      'store-in': SECRET,
      'github-token': GITHUB_READ_TOKEN,
    });
    expect(result.code).toBe(1);
    expect(old.active).toBe(true);
    expect(sim.tokens.length).toBe(from);
    expect(result.outputs.token ?? '').toBe('');
    const error = result.stdout.split('\n').find((line) => line.startsWith('::error::')) ?? '';
    expect(error).toContain(SECRET);
    expectNoSecretsIn(result, [old.token, GITHUB_READ_TOKEN], [sim]);
    expectNothingUnreported(thisTest(old.id), result);
  });

  it('writes the CI/CD variable with the new secret (the old one is revoked by then)', async () => {
    const old = await existingToken(10);
    sim.addVariable({ project: PROJECT, key: 'BOT_TOKEN', value: old.token, masked: true });
    const result = await selfRotate(old.token, {
      'expires-at': '90d',
      'store-in': 'gitlab-variable:acme/app:BOT_TOKEN',
    });
    expect(result.code).toBe(0);
    const fresh = sim.tokens[sim.tokens.length - 1];
    expect(old.active).toBe(false);
    expect(sim.variable({ project: PROJECT }, 'BOT_TOKEN')?.value).toBe(fresh.token);
    const put = sim.requests.find((request) => request.method === 'PUT');
    expect(put?.headers['private-token']).toBe(fresh.token);
    expectNoSecretsIn(result, [old.token], [sim]);
    expectNothingUnreported(thisTest(old.id), result);
  });

  it('a target that fails its check stops the rotation', async () => {
    const old = await existingToken(10);
    const result = await selfRotate(old.token, {
      'store-in': `github-secret:${REPO}:missing-env:GITLAB_TOKEN`,
      'github-token': GITHUB_WRITE_TOKEN,
    });
    expect(result.code).toBe(1);
    expect(old.active).toBe(true);
    expect(requestLines().some((line) => line.includes('rotate'))).toBe(false);
    expect(result.stdout).toContain('404');
    expectNoSecretsIn(result, [old.token, GITHUB_WRITE_TOKEN], [sim]);
  });
});

const enterprise = useGitHubSimulator({ simulator: { prefix: '/api/v3' } });

describe('store-in elsewhere', () => {
  it('GitHub Enterprise Server: GITHUB_API_URL with /api/v3, and a User-Agent', async () => {
    const old = await existingToken(10);
    const result = await runMainStep({
      inputs: {
        'base-url': sim.url,
        'gitlab-token': MAINTAINER_TOKEN,
        'project-id': 'acme/app',
        name: NAME,
        scopes: 'api',
        'if-exists': 'create',
        'store-in': SECRET,
        'github-token': GITHUB_WRITE_TOKEN,
      },
      env: { GITHUB_API_URL: enterprise.url },
    });
    expect(enterprise.url).toMatch(/\/api\/v3$/);
    expect(result.code).toBe(0);
    const made = sim.tokens[sim.tokens.length - 1];
    expect(enterprise.secret(REPO, 'GITLAB_TOKEN')).toBe(made.token);
    expect(enterprise.requests.map((request) => request.path)).toEqual([
      '/api/v3/repos/acme/app/actions/secrets/public-key',
      '/api/v3/repos/acme/app/actions/secrets/GITLAB_TOKEN',
    ]);
    for (const request of enterprise.requests) {
      expect(request.headers['user-agent']).toBe('create-gitlab-token');
      expect(request.headers['x-github-api-version']).toBe('2022-11-28');
    }
    expectNoSecretsIn(result, [MAINTAINER_TOKEN, GITHUB_WRITE_TOKEN], [sim]);
    expectNothingUnreported(thisTest(old.id), result);
  });

  it('the CLI takes the same targets, and GITHUB_TOKEN', async () => {
    const old = await existingToken(10);
    sim.addVariable({ project: PROJECT, key: 'DEPLOY_TOKEN', value: old.token, masked: true });
    const result = await runCli(
      [
        '--base-url',
        sim.url,
        '--project-id',
        'acme/app',
        '--name',
        NAME,
        '--scopes',
        'api',
        '--if-exists',
        'rotate',
        '--rotate-before',
        '30d',
        '--store-in',
        VARIABLE,
        '--store-in',
        SECRET,
      ],
      {
        GITLAB_TOKEN: MAINTAINER_TOKEN,
        GITHUB_TOKEN: GITHUB_WRITE_TOKEN,
        GITHUB_API_URL: github.url,
      },
    );
    expect(result.code).toBe(0);
    const fresh = sim.tokens[sim.tokens.length - 1];
    expect(old.active).toBe(false);
    expect(variableValue()).toBe(fresh.token);
    expect(github.secret(REPO, 'GITLAB_TOKEN')).toBe(fresh.token);
    expect(result.stderr).toContain(`Stored token ID ${fresh.id} in ${SECRET}`);
    for (const secret of [old.token, fresh.token, MAINTAINER_TOKEN, GITHUB_WRITE_TOKEN]) {
      expect(result.stdout).not.toContain(secret);
      expect(result.stderr).not.toContain(secret);
    }
    // Every active token the command made is named on stderr.
    const unnamed = thisTest(old.id).filter(
      (token) => token.active && !result.stderr.includes(`token ID ${token.id}`),
    );
    expect(unnamed).toEqual([]);
  });
});
