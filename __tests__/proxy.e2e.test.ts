/**
 * End-to-end: HTTPS_PROXY / HTTP_PROXY / NO_PROXY are honoured, and plain http to a remote host
 * needs allow-insecure-http. @actions/http-client never proxies loopback hosts, so the action is
 * pointed at `gitlab.proxy.test` (a name that does not resolve) and the CONNECT proxy on
 * 127.0.0.1 maps every target to 127.0.0.1, where the simulator serves TLS with a certificate
 * made for that name when the tests start.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN_TOKEN, GitLabSimulator } from './simulator/gitlab-simulator.js';
import { ConnectProxy } from './simulator/connect-proxy.js';
import { commands, runMainStep, type StepResult } from './helpers/run-action.js';
import { expectNoSecretsIn } from './helpers/simulator-fixture.js';

const HOST = 'gitlab.proxy.test';
const tlsSim = new GitLabSimulator();
const plainSim = new GitLabSimulator();
const proxy = new ConnectProxy({ resolveTo: '127.0.0.1' });
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
  proxy.connects.length = 0;
  proxy.requests.length = 0;
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
    // @actions/http-client tunnels plain http through the proxy with CONNECT as well.
    expect(proxy.connects).toEqual([`${HOST}:${new URL(httpUrl).port}`]);
    expect(plainSim.requests).toHaveLength(1);
    expect(result.outputs.token).toBe(plainSim.tokens[plainSim.tokens.length - 1].token);
    expectNoLeaks(result);
  });
});
