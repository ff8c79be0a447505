/**
 * End-to-end: the GitLab CI/CD component's job (templates/create-token.yml), its shell lines run
 * with `sh` as a runner would: the variables, `script` (download and check of the CLI, the
 * token, the user's commands) and `after_script` (the revoke), against the simulator.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Duplex } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import {
  ADMIN_TOKEN,
  MAINTAINER_TOKEN,
  SEED_PROJECTS,
  type SimToken,
} from './simulator/gitlab-simulator.js';
import { expectNoSecretsIn, useSimulator } from './helpers/simulator-fixture.js';
import { CLI, checkRun, childEnv, ROOT, watchRun } from './helpers/run-action.js';
import { environmentProxySecrets } from '../src/http/proxy.js';
import { closeServer } from './simulator/close-server.js';
import { ConnectProxy } from './simulator/connect-proxy.js';

const sim = useSimulator();

/** The job of the component, read from its YAML (the layout is ours). */
interface Job {
  variables: [string, string][];
  script: string[];
  afterScript: string[];
}

/** The token job of the component, read with a YAML parser (as GitLab reads it: anchors too). */
function readJob(): Job {
  const text = readFileSync(join(ROOT, 'templates', 'create-token.yml'), 'utf8');
  const body = parseAllDocuments(text)[1].toJS() as Record<
    string,
    { variables: Record<string, string>; script: string[]; after_script: string[] }
  >;
  const job = body['$[[ inputs.job-name ]]'];
  return {
    variables: Object.entries(job.variables).map(([key, value]): [string, string] => [
      key,
      String(value),
    ]),
    script: job.script,
    afterScript: job.after_script,
  };
}

let cliServer: Server;
const cliSockets = new Set<Duplex>();
let cliUrl = '';
let cliPort = 0;
/** How many times the CLI was downloaded. */
let cliDownloads = 0;
const cliSha256 = createHash('sha256').update(readFileSync(CLI)).digest('hex');

beforeAll(async () => {
  // Serves dist/cli/index.js, as the pinned raw URL would.
  cliServer = createServer((_, res) => {
    cliDownloads += 1;
    res.end(readFileSync(CLI));
  });
  cliServer.on('connection', (socket) => cliSockets.add(socket));
  await new Promise<void>((resolve) => cliServer.listen(0, '127.0.0.1', resolve));
  const address = cliServer.address();
  cliPort = typeof address === 'object' && address ? address.port : 0;
  cliUrl = `http://127.0.0.1:${cliPort}/cli.js`;
  await proxy.start();
});
afterAll(async () => {
  await proxy.stop();
  await closeServer(cliServer, cliSockets);
});

/** A forward proxy that sends every host to 127.0.0.1: a name that does not resolve works. */
const proxy = new ConnectProxy({ resolveTo: '127.0.0.1' });
/** Node 24 (the component's default image), whose fetch can use the proxy variables. */
const NODE_24_DIR = join(ROOT, 'node_modules', 'node', 'bin');

interface JobRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** what the user's commands saw, one value a line */
  seen: string;
  /** the files the job left in the project directory */
  left: string[];
}

interface JobOptions {
  /** more variables of the job (proxy variables) */
  env?: Record<string, string>;
  /** the directory of the `node` the job runs (the image's) */
  nodeDir?: string;
}

/** Runs the job's `script` then its `after_script`, each in a fresh `sh`, as a runner does. */
async function runJob(
  inputs: Record<string, string>,
  userScript: string,
  options: JobOptions = {},
): Promise<JobRun> {
  const job = readJob();
  const watch = watchRun();
  const projectDir = mkdtempSync(join(tmpdir(), 'cgt-component-'));
  try {
    const given: Record<string, string> = {
      'gitlab-token': '$CREATE_GITLAB_TOKEN_CREDENTIAL',
      'base-url': sim.url,
      'group-id': '',
      'project-id': '',
      'access-level': '',
      'user-id': '',
      impersonation: 'false',
      description: '',
      name: '',
      'expires-at': '30d',
      'if-exists': 'create',
      scopes: '',
      'rotate-before': '',
      'self-rotate': 'false',
      'store-in': '',
      'github-token': '',
      revoke: 'auto',
      'dry-run': 'false',
      'cli-version': 'unreleased',
      'cli-url': cliUrl,
      'cli-sha256': cliSha256,
      ...inputs,
    };
    const env: Record<string, string> = {
      ...childEnv({}),
      PATH: `${options.nodeDir ?? dirname(process.execPath)}:${process.env.PATH ?? ''}`,
      CI_PROJECT_DIR: projectDir,
      CI_PROJECT_PATH: 'acme/app',
      CI_PIPELINE_ID: '31337',
      CREATE_GITLAB_TOKEN_CREDENTIAL: ADMIN_TOKEN,
      CGT_TEST_SEEN: join(projectDir, 'seen'),
      ...options.env,
    };
    delete env.GITHUB_REPOSITORY;
    // GitLab substitutes the inputs, then expands variables in variables.
    for (const [key, raw] of job.variables) {
      const value = raw.replace(/\$\[\[ inputs\.([a-z0-9-]+) \]\]/g, (_, name: string) => {
        if (!(name in given)) throw new Error(`no value for input ${name}`);
        return given[name];
      });
      env[key] = value.replace(/\$([A-Z_][A-Z0-9_]*)/g, (_, name: string) => env[name] ?? '');
    }
    const script = job.script
      .map((item) => (item === '$[[ inputs.script ]]' ? userScript : item))
      .join('\n');
    const main = await sh(`set -e\n${script}`, env, projectDir);
    const after = await sh(job.afterScript.join('\n'), env, projectDir);
    const seenFile = env.CGT_TEST_SEEN;
    const log = { stdout: main.stdout + after.stdout, stderr: main.stderr + after.stderr };
    // No secret in the job's log, and every token the CLI made named there.
    checkRun(watch, log, [ADMIN_TOKEN, ...environmentProxySecrets(env)]);
    return {
      code: main.code,
      ...log,
      seen: existsSync(seenFile) ? readFileSync(seenFile, 'utf8') : '',
      left: readdirSync(projectDir).filter((file) => file !== 'seen'),
    };
  } finally {
    rmSync(projectDir, { recursive: true, force: true });
  }
}

function sh(
  script: string,
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('sh', ['-c', script], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/** The user's commands: write what they see to a file (never to the log). */
const RECORD =
  'printf \'%s\\n\' "$GITLAB_NEW_TOKEN" "$GITLAB_NEW_TOKEN_ID" "$GITLAB_NEW_TOKEN_USER_ID" "$GITLAB_NEW_TOKEN_EXPIRES_AT" > "$CGT_TEST_SEEN"';

describe('GitLab CI/CD component', () => {
  it('mints the token, hands it to the script, revokes it in after_script', async () => {
    const result = await runJob({ 'user-id': '42', scopes: 'read_api' }, RECORD);
    expect(result.code).toBe(0);
    expect(sim.tokens).not.toHaveLength(0);
    const token = sim.tokens[sim.tokens.length - 1];
    expect(token.name).toMatch(
      /^GitLab CI acme\/app pipeline 31337 job \d+ [0-9a-f]{6}$|^GitLab CI acme\/app pipeline 31337 [0-9a-f]{6}$/,
    );
    expect(result.seen).toBe(`${token.token}\n${token.id}\n42\n${token.expires_at}\n`);
    expect(token.active).toBe(false);
    expect(result.stderr).toContain(`Revoked token ID ${token.id}.`);
    // The downloaded CLI and the IDs file are gone.
    expect(result.left).toEqual([]);
    expectNoSecretsIn(result, [ADMIN_TOKEN], [sim]);
  });

  it('reads what GitLab returns as text: a "$(…)" in a value is never run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cgt-hostile-'));
    const mark = join(dir, 'pwned');
    const secret = `glpat-FAKE$(touch ${mark})\`touch ${mark}\`0012`;
    const expiry = `2031-01-01'$(touch ${mark})'`;
    try {
      sim.addFault({
        method: 'POST',
        pathPattern: /personal_access_tokens$/,
        fault: {
          kind: 'status',
          status: 201,
          body: {
            id: 9012,
            user_id: 42,
            name: `$(touch ${mark})`,
            token: secret,
            scopes: ['read_api'],
            expires_at: expiry,
            created_at: new Date().toISOString(),
          },
        },
      });
      const result = await runJob({ 'user-id': '42', scopes: 'read_api' }, RECORD);
      expect(result.code).toBe(0);
      expect(existsSync(mark)).toBe(false);
      // Not a token GitLab mints: the reply is refused (and looked into as lost), the retry's
      // real token is what the script sees, and after_script revokes that one.
      const token = sim.tokens[sim.tokens.length - 1];
      expect(result.seen).toBe(`${token.token}\n${token.id}\n42\n${token.expires_at}\n`);
      expect(result.seen).not.toContain('touch');
      expect(token.active).toBe(false);
      expectNoSecretsIn(result, [ADMIN_TOKEN, secret], [sim]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a project access token: minted for the project, revoked in after_script by its route', async () => {
    const from = sim.tokens.length;
    const result = await runJob({ 'project-id': 'acme/app', scopes: 'read_api' }, RECORD);
    expect(result.code).toBe(0);
    const [token] = sim.tokens.slice(from);
    expect(result.seen).toBe(
      `${token.token}\n${token.id}\n${token.user_id}\n${token.expires_at}\n`,
    );
    expect(sim.requests.map((r) => `${r.method} ${r.path}`)).toContain(
      `DELETE /api/v4/projects/acme%2Fapp/access_tokens/${token.id}`,
    );
    expect(token.active).toBe(false);
    expectNoSecretsIn(result, [ADMIN_TOKEN], [sim]);
  });

  it('a refused request fails the job, and after_script has nothing to revoke', async () => {
    const result = await runJob({ 'user-id': '999', scopes: 'read_api' }, RECORD);
    expect(result.code).toBe(1);
    expect(result.seen).toBe('');
    expect(result.stderr).toContain('404 User Not Found');
    expect(sim.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
    expect(result.left).toEqual([]);
    expectNoSecretsIn(result, [ADMIN_TOKEN], [sim]);
  });

  it('a failing script still revokes the token and deletes the downloaded CLI', async () => {
    const result = await runJob({ 'user-id': '42', scopes: 'read_api' }, `${RECORD}\nexit 7`);
    expect(result.code).toBe(7);
    const token = sim.tokens[sim.tokens.length - 1];
    expect(result.seen).toBe(`${token.token}\n${token.id}\n42\n${token.expires_at}\n`);
    expect(token.active).toBe(false);
    expect(result.left).toEqual([]);
    expectNoSecretsIn(result, [ADMIN_TOKEN], [sim]);
  });

  it('no credential: the job stops before the download, in GitLab words', async () => {
    const downloads = cliDownloads;
    const result = await runJob({ 'user-id': '42', scopes: 'read_api' }, RECORD, {
      env: { CREATE_GITLAB_TOKEN_CREDENTIAL: '' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Define the CI/CD variable CREATE_GITLAB_TOKEN_CREDENTIAL');
    expect(result.stderr).not.toContain('${{');
    expect(cliDownloads).toBe(downloads);
    expect(sim.requests).toEqual([]);
    expect(result.left).toEqual([]);
  });
});

describe('GitLab CI/CD component: a token that outlives the job', () => {
  it('a credential renews itself into its own CI/CD variable (self-rotate, store-in)', async () => {
    // A project bot's token that may write the project's variables (Maintainer, api).
    const made = await fetch(`${sim.url}/api/v4/projects/${SEED_PROJECTS.app}/access_tokens`, {
      method: 'POST',
      headers: { 'private-token': MAINTAINER_TOKEN, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'renewing bot',
        scopes: ['api'],
        access_level: 40,
        expires_at: new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10),
      }),
    });
    const { id } = (await made.json()) as { id: number };
    const old = sim.tokens.find((token) => token.id === id) as SimToken;
    sim.addVariable({
      project: SEED_PROJECTS.app,
      key: 'BOT_TOKEN',
      value: old.token,
      masked: true,
    });
    sim.requests.length = 0;
    const result = await runJob(
      {
        'gitlab-token': '$BOT_TOKEN',
        'self-rotate': 'true',
        'rotate-before': '30d',
        'expires-at': '90d',
        'store-in': 'gitlab-variable:acme/app:BOT_TOKEN',
        revoke: 'false',
      },
      RECORD,
      { env: { BOT_TOKEN: old.token } },
    );
    expect(result.stderr).not.toContain('error');
    expect(result.code).toBe(0);
    const fresh = sim.tokens[sim.tokens.length - 1];
    expect(fresh.id).not.toBe(old.id);
    expect(old.active).toBe(false);
    expect(fresh.active).toBe(true);
    expect(sim.variable({ project: SEED_PROJECTS.app }, 'BOT_TOKEN')?.value).toBe(fresh.token);
    expect(result.seen.split('\n')[0]).toBe(fresh.token);
    // Nothing revoked in after_script, and nothing left behind.
    expect(sim.requests.filter((request) => request.method === 'DELETE')).toEqual([]);
    expect(result.left).toEqual([]);
    expectNoSecretsIn(result, [ADMIN_TOKEN, MAINTAINER_TOKEN, old.token], [sim]);
  });

  it.each([
    ['user-id', '42,43'],
    ['user-id', '42\n43'],
    ['project-id', 'acme/app,acme/other'],
  ])(
    '%s with a list (%j) is refused before anything happens: one token per job',
    async (input, value) => {
      const downloads = cliDownloads;
      const result = await runJob({ [input]: value, scopes: 'read_api' }, RECORD);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('the component makes one token per job');
      expect(cliDownloads).toBe(downloads);
      expect(sim.requests).toEqual([]);
    },
  );

  it('store-in takes one target per line: an environment scope may hold a space', async () => {
    sim.addVariable({
      project: SEED_PROJECTS.app,
      key: 'DEPLOY_TOKEN',
      value: 'glpat-FAKE-old-value-0000000001',
      masked: true,
      environmentScope: 'review apps',
    });
    sim.requests.length = 0;
    const result = await runJob(
      {
        'project-id': 'acme/app',
        scopes: 'read_api',
        'expires-at': '30d',
        'store-in':
          'gitlab-variable:acme/app:DEPLOY_TOKEN:review apps\ngitlab-variable:acme/app:OTHER_TOKEN',
        revoke: 'false',
      },
      RECORD,
      { env: { CREATE_GITLAB_TOKEN_CREDENTIAL: MAINTAINER_TOKEN } },
    );
    expect(result.stderr).not.toContain('error');
    expect(result.code).toBe(0);
    const fresh = sim.tokens[sim.tokens.length - 1];
    expect(fresh.active).toBe(true);
    const scoped = sim.variable({ project: SEED_PROJECTS.app }, 'DEPLOY_TOKEN', 'review apps');
    expect(scoped?.value).toBe(fresh.token);
    expect(sim.variable({ project: SEED_PROJECTS.app }, 'OTHER_TOKEN')?.value).toBe(fresh.token);
    expectNoSecretsIn(result, [ADMIN_TOKEN, MAINTAINER_TOKEN], [sim]);
  });

  it('store-in with revoke true is refused before anything happens', async () => {
    const downloads = cliDownloads;
    const result = await runJob(
      {
        'project-id': 'acme/app',
        scopes: 'api',
        'store-in': 'gitlab-variable:acme/app:KEY',
        revoke: 'true',
      },
      RECORD,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("set the component's revoke input to false");
    expect(cliDownloads).toBe(downloads);
    expect(sim.requests).toEqual([]);
  });
});

describe('GitLab CI/CD component: the download and the proxy variables', () => {
  afterEach(() => proxy.reset());

  // A name that does not resolve: only a download through the proxy can reach it.
  const hiddenUrl = (): string => `http://cli.proxy.test:${cliPort}/cli.js`;
  /** What the proxy was asked for: Node's fetch tunnels plain http too (CONNECT). */
  const proxied = (): string[] => [...proxy.connects, ...proxy.requests];

  it.each([['HTTP_PROXY'], ['http_proxy']])(
    'goes through %s (as curl would), the checksum still checked',
    async (variable) => {
      const result = await runJob(
        { 'user-id': '42', scopes: 'read_api', 'cli-url': hiddenUrl() },
        RECORD,
        { env: { [variable]: proxy.url }, nodeDir: NODE_24_DIR },
      );
      expect(result.code).toBe(0);
      expect(proxied()).toEqual([`cli.proxy.test:${cliPort}`]);
      const token = sim.tokens[sim.tokens.length - 1];
      expect(token.active).toBe(false);
      expect(result.left).toEqual([]);
      expectNoSecretsIn(result, [ADMIN_TOKEN], [sim]);
    },
  );

  it('goes around the proxy for a host in NO_PROXY', async () => {
    const result = await runJob({ 'user-id': '42', scopes: 'read_api' }, RECORD, {
      env: { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' },
      nodeDir: NODE_24_DIR,
    });
    expect(result.code).toBe(0);
    expect(proxied()).toEqual([]);
  });

  it('a download that differs from cli-sha256 is refused, through the proxy too', async () => {
    const result = await runJob(
      { 'user-id': '42', scopes: 'read_api', 'cli-url': hiddenUrl(), 'cli-sha256': '0'.repeat(64) },
      RECORD,
      { env: { HTTP_PROXY: proxy.url }, nodeDir: NODE_24_DIR },
    );
    expect(result.code).not.toBe(0);
    expect(proxied()).toEqual([`cli.proxy.test:${cliPort}`]);
    expect(result.stderr).toContain(
      `sha256 of ${hiddenUrl()} is ${cliSha256}, not ${'0'.repeat(64)}`,
    );
    expect(sim.requests).toEqual([]);
    expect(result.left).toEqual([]);
  });
});

/**
 * A stand-in npm registry on 127.0.0.1 that holds one version of the create-gitlab-token package
 * (dist/cli/index.js packed by `npm pack`), as the release workflow publishes it.
 */
const PACKAGE_VERSION = '9.9.9-test';
const registrySockets = new Set<Duplex>();
let registry: Server;
let registryUrl = '';
let registryHits: string[] = [];
/** What the registry serves as the tarball: the packed file, or other bytes (tampering). */
let tarball = Buffer.alloc(0);
let packed = Buffer.alloc(0);
const packDir = mkdtempSync(join(tmpdir(), 'cgt-npm-package-'));

beforeAll(async () => {
  const source = join(packDir, 'package');
  mkdirSync(source);
  writeFileSync(
    join(source, 'package.json'),
    JSON.stringify({
      name: 'create-gitlab-token',
      version: PACKAGE_VERSION,
      type: 'module',
      bin: { 'create-gitlab-token': 'index.js' },
    }),
  );
  copyFileSync(CLI, join(source, 'index.js'));
  const npm = process.env.npm_execpath;
  const args = npm ? [npm, 'pack', '--silent'] : ['pack', '--silent'];
  const packedName = execFileSync(npm ? process.execPath : 'npm', args, {
    cwd: source,
    encoding: 'utf8',
  }).trim();
  packed = readFileSync(join(source, packedName));
  registry = createServer((req, res) => {
    registryHits.push(req.url ?? '');
    if (req.url === '/create-gitlab-token') {
      const integrity = `sha512-${createHash('sha512').update(packed).digest('base64')}`;
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          name: 'create-gitlab-token',
          'dist-tags': { latest: PACKAGE_VERSION },
          versions: {
            [PACKAGE_VERSION]: {
              name: 'create-gitlab-token',
              version: PACKAGE_VERSION,
              bin: { 'create-gitlab-token': 'index.js' },
              dist: { tarball: `${registryUrl}create-gitlab-token.tgz`, integrity },
            },
          },
        }),
      );
    } else if (req.url === '/create-gitlab-token.tgz') {
      res.end(tarball);
    } else {
      res.statusCode = 404;
      res.end('{"error":"Not found"}');
    }
  });
  registry.on('connection', (socket) => registrySockets.add(socket));
  await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
  const address = registry.address();
  registryUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
});
afterAll(async () => {
  await closeServer(registry, registrySockets);
  rmSync(packDir, { recursive: true, force: true });
});

/** The job with no cli-url: the npm package at cli-version, from the stand-in registry. */
function npmJob(inputs: Record<string, string>, userScript = RECORD): Promise<JobRun> {
  registryHits = [];
  return runJob({ 'cli-url': '', 'cli-sha256': '', ...inputs }, userScript, {
    env: {
      npm_config_registry: registryUrl,
      npm_config_cache: join(packDir, `cache-${Math.random().toString(16).slice(2)}`),
      npm_config_update_notifier: 'false',
    },
  });
}

describe('GitLab CI/CD component: the CLI from the npm package', () => {
  it('runs the package at cli-version by default, and nothing is downloaded from cli-url', async () => {
    tarball = packed;
    const downloads = cliDownloads;
    const result = await npmJob({
      'user-id': '42',
      scopes: 'read_api',
      'cli-version': PACKAGE_VERSION,
    });
    expect(result.code).toBe(0);
    // npm may read the package's document more than once; the tarball once.
    expect([...new Set(registryHits)]).toEqual([
      '/create-gitlab-token',
      '/create-gitlab-token.tgz',
    ]);
    expect(registryHits.filter((hit) => hit.endsWith('.tgz'))).toHaveLength(1);
    expect(cliDownloads).toBe(downloads);
    const token = sim.tokens[sim.tokens.length - 1];
    expect(result.seen).toBe(`${token.token}\n${token.id}\n42\n${token.expires_at}\n`);
    expect(token.active).toBe(false);
    expect(result.left).toEqual([]);
    expectNoSecretsIn(result, [ADMIN_TOKEN], [sim]);
  });

  it('refuses a package whose bytes differ from the registry\u2019s integrity hash', async () => {
    tarball = Buffer.concat([packed, Buffer.from('tampered')]);
    const result = await npmJob({
      'user-id': '42',
      scopes: 'read_api',
      'cli-version': PACKAGE_VERSION,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `create-gitlab-token: npm could not fetch create-gitlab-token@${PACKAGE_VERSION}`,
    );
    expect(sim.requests).toEqual([]);
    expect(result.left).toEqual([]);
  });

  it('an unreleased component without cli-url says which input to set, before anything runs', async () => {
    const result = await npmJob({ 'user-id': '42', scopes: 'read_api' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "set the component's cli-version input to a published version of the create-gitlab-token npm package, or cli-url and cli-sha256.",
    );
    expect(registryHits).toEqual([]);
    expect(sim.requests).toEqual([]);
  });

  it('cli-url without cli-sha256 is refused before the download', async () => {
    const downloads = cliDownloads;
    const result = await runJob({ 'user-id': '42', scopes: 'read_api', 'cli-sha256': '' }, RECORD);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('create-gitlab-token: cli-url needs cli-sha256');
    expect(cliDownloads).toBe(downloads);
    expect(sim.requests).toEqual([]);
  });
});

describe('GitLab CI/CD component: dry-run', () => {
  it('checks and says what would be made, makes nothing, and skips script', async () => {
    const before = sim.tokens.length;
    const result = await runJob(
      { 'user-id': '@bob', scopes: 'read_api', name: 'nightly', 'dry-run': 'true' },
      RECORD,
    );
    expect(result.code).toBe(0);
    expect(sim.tokens).toHaveLength(before);
    expect(sim.requests.filter((request) => request.method !== 'GET')).toEqual([]);
    expect(result.stderr).toContain('Dry run: checking only; nothing is changed.');
    expect(result.stderr).toMatch(/^Would create a token named "nightly" for user 43 /m);
    expect(result.stdout).toContain(
      "create-gitlab-token: dry run: the job's script is not run (no token was made).",
    );
    expect(result.seen).toBe('');
    expect(result.left).toEqual([]);
  });
});
