/**
 * End-to-end: HTTPS_PROXY / HTTP_PROXY / NO_PROXY are honoured, and plain http to a remote host
 * needs allow-insecure-http. @actions/http-client never proxies loopback hosts, so the action is
 * pointed at `gitlab.proxy.test` (a name that does not resolve) and the CONNECT proxy on
 * 127.0.0.1 maps every target to 127.0.0.1, where the simulator serves TLS with a certificate
 * made for that name when the tests start. The steps and the CLI run as the bundles in processes
 * of their own: Node reads NODE_EXTRA_CA_CERTS and NODE_DEBUG only when a process starts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN_TOKEN, GitLabSimulator } from './simulator/gitlab-simulator.js';
import { ConnectProxy } from './simulator/connect-proxy.js';
import { commands, findLeaks, runCli, runMainStep, type StepResult } from './helpers/run-action.js';
import { expectNoSecretsIn, watchSimulators } from './helpers/simulator-fixture.js';

const HOST = 'gitlab.proxy.test';
const tlsSim = new GitLabSimulator();
const plainSim = new GitLabSimulator();
const proxy = new ConnectProxy({ resolveTo: '127.0.0.1' });
watchSimulators(tlsSim, plainSim);
let certDir = '';
let caFile = '';
let httpsUrl = '';
let httpUrl = '';

function makeCertificate(dir: string): { key: string; cert: string } {
  const keyFile = join(dir, 'key.pem');
  caFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      caFile,
      '-days',
      '1',
      '-subj',
      `/CN=${HOST}`,
      '-addext',
      `subjectAltName=DNS:${HOST}`,
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(caFile, 'utf8') };
}

beforeAll(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'cgt-proxy-'));
  const tls = makeCertificate(certDir);
  tlsSim.seedDefaults();
  plainSim.seedDefaults();
  const tlsPort = new URL(await tlsSim.start('127.0.0.1', { tls })).port;
  const plainPort = new URL(await plainSim.start('127.0.0.1')).port;
  await proxy.start();
  httpsUrl = `https://${HOST}:${tlsPort}`;
  httpUrl = `http://${HOST}:${plainPort}`;
});
afterAll(async () => {
  await tlsSim.stop();
  await plainSim.stop();
  await proxy.stop();
  rmSync(certDir, { recursive: true, force: true });
});
afterEach(() => {
  tlsSim.requests.length = 0;
  plainSim.requests.length = 0;
  proxy.reset();
});

function run(
  baseUrl: string,
  env: Record<string, string>,
  inputs: Record<string, string> = {},
): Promise<StepResult> {
  return runMainStep({
    inputs: {
      'base-url': baseUrl,
      'gitlab-token': ADMIN_TOKEN,
      'user-id': '42',
      scopes: 'read_api',
      ...inputs,
    },
    env: { NODE_EXTRA_CA_CERTS: caFile, ...env },
    bundle: true,
  });
}

function expectNoLeaks(result: StepResult): void {
  expectNoSecretsIn(result, [ADMIN_TOKEN], [tlsSim, plainSim]);
}

describe('HTTPS_PROXY and NO_PROXY', () => {
  it('tunnels https through HTTPS_PROXY with CONNECT', async () => {
    const result = await run(httpsUrl, { HTTPS_PROXY: proxy.url });
    expect(result.code).toBe(0);
    const port = new URL(httpsUrl).port;
    expect(proxy.connects).toEqual([`${HOST}:${port}`]);
    expect(tlsSim.requests).toHaveLength(1);
    expect(tlsSim.requests[0].headers['private-token']).toBe(ADMIN_TOKEN);
    expect(tlsSim.requests[0].headers.host).toBe(`${HOST}:${port}`);
    expect(result.outputs.token).toBe(tlsSim.tokens[tlsSim.tokens.length - 1].token);
    expectNoLeaks(result);
  });

  it.each([HOST, `.proxy.test`, `${HOST}:${'PORT'}`])(
    'NO_PROXY=%s bypasses the proxy (and the name does not resolve)',
    async (entry) => {
      const noProxy = entry.replace('PORT', new URL(httpsUrl).port);
      const result = await run(httpsUrl, { HTTPS_PROXY: proxy.url, NO_PROXY: noProxy });
      expect(result.code).toBe(1);
      expect(proxy.connects).toEqual([]);
      expect(tlsSim.requests).toEqual([]);
      expect(commands(result.stdout, 'error')[0]).toContain(
        `Could not resolve the host of ${httpsUrl} for POST /users/42/personal_access_tokens`,
      );
      expectNoLeaks(result);
    },
  );

  it('an untrusted certificate behind the proxy is reported once, without a retry', async () => {
    const before = tlsSim.tokens.length;
    const result = await run(httpsUrl, { HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: '' });
    expect(result.code).toBe(1);
    expect(proxy.connects).toHaveLength(1);
    expect(tlsSim.requests).toEqual([]);
    const [error] = commands(result.stdout, 'error');
    expect(error).toContain(`The TLS certificate of ${httpsUrl} is not trusted`);
    expect(error).toContain('NODE_EXTRA_CA_CERTS');
    expect(tlsSim.tokens).toHaveLength(before);
    expectNoLeaks(result);
  });
});

describe('plain http to a remote host', () => {
  it('is refused before any request without allow-insecure-http', async () => {
    const result = await run(httpUrl, { HTTP_PROXY: proxy.url });
    expect(result.code).toBe(1);
    expect(commands(result.stdout, 'error')[0]).toContain(
      `base-url: uses plain http to ${HOST}, which would send the credential unencrypted`,
    );
    expect(proxy.requests).toEqual([]);
    expect(plainSim.requests).toEqual([]);
    expectNoLeaks(result);
  });

  it('goes through HTTP_PROXY with allow-insecure-http: true, with a warning', async () => {
    const result = await run(httpUrl, { HTTP_PROXY: proxy.url }, { 'allow-insecure-http': 'true' });
    expect(result.code).toBe(0);
    expect(commands(result.stdout, 'warning')).toEqual([
      'base-url uses plain http to a remote host (allow-insecure-http: true): the credential and the new token cross the network unencrypted.',
    ]);
    // Plain http goes to the proxy in absolute form, not through a CONNECT tunnel.
    expect(proxy.connects).toEqual([]);
    expect(proxy.requests).toEqual([`${httpUrl}/api/v4/users/42/personal_access_tokens`]);
    expect(plainSim.requests).toHaveLength(1);
    expect(result.outputs.token).toBe(plainSim.tokens[plainSim.tokens.length - 1].token);
    expectNoLeaks(result);
  });
});

const PROXY_USER = 'fake-proxy-user';
const PROXY_PASSWORD = 'FAKE-proxy-p@ss-0005';
const PROXY_BASIC = Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64');
/** The password as written in the URL, its decoded form and the Basic credential. */
const PROXY_SECRETS = [PROXY_PASSWORD, encodeURIComponent(PROXY_PASSWORD), PROXY_BASIC];

function proxyWithCredentials(): string {
  const url = new URL(proxy.url);
  url.username = PROXY_USER;
  url.password = encodeURIComponent(PROXY_PASSWORD);
  return url.toString();
}

describe('a proxy that does not tunnel', () => {
  it('never answers CONNECT: fails within timeout-seconds, nothing reached GitLab', async () => {
    proxy.connectMode = { kind: 'silent' };
    const before = tlsSim.tokens.length;
    const result = await run(httpsUrl, { HTTPS_PROXY: proxy.url }, { 'timeout-seconds': '1' });
    expect(result.code).toBe(1);
    expect(proxy.connects).toHaveLength(1);
    expect(tlsSim.requests).toEqual([]);
    expect(tlsSim.tokens).toHaveLength(before);
    const [error] = commands(result.stdout, 'error');
    expect(error).toContain(
      `No answer to POST /users/42/personal_access_tokens to ${httpsUrl} within 1 seconds (timeout-seconds)`,
    );
    expect(error).toContain(`the proxy ${proxy.url} did not open a tunnel`);
    expectNoLeaks(result);
  }, 20_000);

  it.each([
    [407, 'Proxy Authentication Required', 'user and password'],
    [502, 'Bad Gateway', 'HTTPS_PROXY'],
  ])(
    'answers CONNECT with %i: fails saying so, nothing reached GitLab',
    async (status, reason, hint) => {
      proxy.connectMode = { kind: 'refuse', status };
      const before = tlsSim.tokens.length;
      const result = await run(httpsUrl, { HTTPS_PROXY: proxyWithCredentials() });
      expect(result.code).toBe(1);
      expect(proxy.connects.length).toBeGreaterThanOrEqual(1);
      expect(tlsSim.requests).toEqual([]);
      expect(tlsSim.tokens).toHaveLength(before);
      const [error] = commands(result.stdout, 'error');
      expect(error).toContain(
        `The proxy ${proxy.url} refused to open a tunnel to ${HOST}:${new URL(httpsUrl).port} for POST /users/42/personal_access_tokens (${status} ${reason})`,
      );
      expect(error).toContain(hint);
      expectNoLeaks(result);
      expect(findLeaks(result, PROXY_SECRETS)).toEqual([]);
    },
  );
});

describe('proxy credentials', () => {
  it('are sent as Proxy-Authorization, masked, and cause no deprecation warning', async () => {
    const result = await run(httpsUrl, { HTTPS_PROXY: proxyWithCredentials() });
    expect(result.code).toBe(0);
    expect(proxy.authorizations).toEqual([`Basic ${PROXY_BASIC}`]);
    expect(tlsSim.requests[0].headers['proxy-authorization']).toBeUndefined();
    expect(result.stderr).not.toContain('DEP0005');
    expect(result.stderr).not.toContain('DeprecationWarning');
    expect(result.stdout).toContain(`::add-mask::${PROXY_PASSWORD}`);
    expectNoLeaks(result);
    expect(findLeaks(result, PROXY_SECRETS)).toEqual([]);
  });
});

describe('NODE_DEBUG', () => {
  const DEBUG = 'http,net,tls,https';

  it('the main step prints neither the credential nor the proxy password', async () => {
    const result = await run(httpsUrl, { HTTPS_PROXY: proxyWithCredentials(), NODE_DEBUG: DEBUG });
    expect(result.code).toBe(0);
    expect(result.outputs.token).toBe(tlsSim.tokens[tlsSim.tokens.length - 1].token);
    expect(commands(result.stdout, 'warning').join('\n')).toContain('NODE_DEBUG');
    expectNoLeaks(result);
    expect(findLeaks(result, PROXY_SECRETS)).toEqual([]);
  });

  it('a direct request prints no credential either', async () => {
    const loopback = `http://127.0.0.1:${new URL(httpUrl).port}`;
    const result = await run(loopback, { NODE_DEBUG: 'http' });
    expect(result.code).toBe(0);
    expect(commands(result.stdout, 'warning').join('\n')).toContain('NODE_DEBUG');
    expectNoLeaks(result);
  });

  it('the CLI prints neither the credential nor the proxy password', async () => {
    const result = await runCli(
      ['--base-url', httpsUrl, '--user-id', '42', '--scopes', 'read_api', '--output', 'json'],
      {
        GITLAB_TOKEN: ADMIN_TOKEN,
        HTTPS_PROXY: proxyWithCredentials(),
        NODE_DEBUG: DEBUG,
        NODE_EXTRA_CA_CERTS: caFile,
      },
      { bundle: true },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('NODE_DEBUG');
    const made = tlsSim.tokens[tlsSim.tokens.length - 1];
    expect(result.stdout).toContain(made.token);
    // The CLI's stdout is its output (the token); everything else must hold no secret.
    expect(findLeaks({ stdout: '', stderr: result.stderr }, [ADMIN_TOKEN, made.token])).toEqual([]);
    expect(findLeaks(result, [ADMIN_TOKEN, ...PROXY_SECRETS])).toEqual([]);
  });
});
