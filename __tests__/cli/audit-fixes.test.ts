/**
 * The second audit's findings on tokens and the CLI (issue #18), in-process against the
 * simulator: each test failed before its fix.
 */
import { describe, expect, it } from '@jest/globals';
import { ADMIN_TOKEN, MAINTAINER_TOKEN, type SimToken } from '../simulator/gitlab-simulator.js';
import { expectNoSecretsIn, useSimulator } from '../helpers/simulator-fixture.js';
import { runCli as cliHere } from '../helpers/run-action.js';

const sim = useSimulator();
const active = (name: string): SimToken[] =>
  sim.tokens.filter((token) => token.active && token.name === name);

function cli(args: string[], env: Record<string, string> = {}) {
  return cliHere(['--base-url', sim.url, ...args], { GITLAB_TOKEN: ADMIN_TOKEN, ...env });
}

describe('token prefixes with @, : and . (application_setting.rb)', () => {
  it('a new token with such a prefix is handed on, not reconciled away', async () => {
    sim.tokenPrefix = 'acme@ci:v1.';
    const result = await cli([
      '--user-id',
      '42',
      '--scopes',
      'api',
      '--name',
      'prefixed',
      '--expires-at',
      '30d',
      '--output',
      'json',
    ]);
    expect(result.stderr).not.toMatch(/lost|garbled|no token value/i);
    expect(result.code).toBe(0);
    const [made] = JSON.parse(result.stdout) as { token: string; id: number }[];
    expect(made.token.startsWith('acme@ci:v1.')).toBe(true);
    expect(active('prefixed').map((token) => token.id)).toEqual([made.id]);
  });

  it('a rotation into such a token keeps the consumers\u2019 new secret', async () => {
    sim.tokenPrefix = 'acme@ci:v1.';
    const first = await cli([
      '--user-id',
      '42',
      '--scopes',
      'api',
      '--name',
      'rot',
      '--expires-at',
      '30d',
      '--output',
      'json',
    ]);
    expect(first.code).toBe(0);
    const result = await cli([
      '--user-id',
      '42',
      '--scopes',
      'api',
      '--name',
      'rot',
      '--expires-at',
      '60d',
      '--if-exists',
      'rotate',
      '--output',
      'json',
    ]);
    expect(result.code).toBe(0);
    const [rotated] = JSON.parse(result.stdout) as { token: string; id: number }[];
    expect(active('rot').map((token) => token.id)).toEqual([rotated.id]);
    expect(rotated.token.startsWith('acme@ci:v1.')).toBe(true);
  });
});

describe('impersonation tokens get no default expiry (lib/api/users.rb)', () => {
  it('impersonation without expires-at is refused before any request, naming expires-at', async () => {
    const result = await cli([
      '--user-id',
      '42',
      '--impersonation',
      '--scopes',
      'api',
      '--expires-at',
      '',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--expires-at: required with --impersonation/);
    expect(sim.requests).toEqual([]);
  });
});

describe('a replacement keeps the old token\u2019s access level and description, and says "replaced"', () => {
  it('a Reporter bot stays a Reporter when store-in renews it', async () => {
    const first = await cliHere(
      [
        '--base-url',
        sim.url,
        '--project-id',
        'acme/app',
        '--scopes',
        'read_api',
        '--access-level',
        'reporter',
        '--name',
        'bot',
        '--description',
        'deploys the app',
        '--expires-at',
        '5d',
        '--output',
        'json',
      ],
      { GITLAB_TOKEN: MAINTAINER_TOKEN },
    );
    expect(first.code).toBe(0);
    const [old] = JSON.parse(first.stdout) as { id: number; access_level: number }[];
    expect(old.access_level).toBe(20);
    const result = await cliHere(
      [
        '--base-url',
        sim.url,
        '--project-id',
        'acme/app',
        '--scopes',
        'read_api',
        '--name',
        'bot',
        '--if-exists',
        'rotate',
        '--rotate-before',
        '30d',
        '--expires-at',
        '60d',
        '--store-in',
        'gitlab-variable:acme/app:BOT_TOKEN',
        '--output',
        'json',
      ],
      { GITLAB_TOKEN: MAINTAINER_TOKEN },
    );
    expect(result.code).toBe(0);
    const [renewed] = JSON.parse(result.stdout) as { id: number; access_level: number }[];
    expect(renewed.access_level).toBe(20);
    const stored = sim.tokens.find((token) => token.id === renewed.id);
    expect(stored?.description).toMatch(/^deploys the app/);
    expect(result.stderr).toMatch(
      new RegExp(`Replaced token ID ${old.id} with token ID ${renewed.id}`),
    );
    expect(result.stderr).not.toMatch(/Rotated token ID/);
    expect(active('bot').map((token) => token.id)).toEqual([renewed.id]);
  });
});

describe('the CLI never rotates a secret into nowhere', () => {
  it.each([
    [['--self-rotate'], /--self-rotate needs --output or --store-in/],
    [
      ['--user-id', '42', '--scopes', 'api', '--name', 'x', '--if-exists', 'rotate'],
      /--if-exists rotate needs --output or --store-in/,
    ],
  ])('%j without --output or --store-in: exit 2 before any request', async (args, message) => {
    const result = await cli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(sim.requests).toEqual([]);
  });
});

describe('a cancelled or unverifiable self-rotation is "unknown", never "dead"', () => {
  it('a check after a lost reply that fails with a 5xx says the outcome is unknown and how to check', async () => {
    const made = await cli([
      '--user-id',
      '42',
      '--scopes',
      'api',
      '--name',
      'ci credential',
      '--expires-at',
      '10d',
      '--output',
      'token',
    ]);
    const secret = made.stdout.trim();
    sim.requests.length = 0;
    // The rotation's reply is lost; every GET of the credential after it gets a 503.
    sim.addFault({
      method: 'POST',
      pathPattern: /\/self\/rotate$/,
      fault: { kind: 'status', status: 502 },
    });
    sim.onRequestHandled = (request) => {
      if (request.method === 'POST' && /\/self\/rotate$/.test(request.path)) {
        sim.addFault({
          method: 'GET',
          pathPattern: /\/personal_access_tokens\/self$/,
          times: Infinity,
          fault: { kind: 'status', status: 503 },
        });
      }
    };
    const result = await cliHere(['--base-url', sim.url, '--self-rotate', '--output', 'token'], {
      GITLAB_TOKEN: secret,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/is unknown/);
    expect(result.stderr).not.toMatch(/no longer works/);
    expectNoSecretsIn({ stdout: result.stdout, stderr: result.stderr }, [secret], [sim]);
  });
});

describe('the CLI in a GitLab CI job talks to that job\u2019s instance', () => {
  it('without --base-url the credential goes to CI_SERVER_URL, and the log says so', async () => {
    const result = await cliHere(
      ['--user-id', '42', '--scopes', 'api', '--expires-at', '1d', '--output', 'json'],
      {
        GITLAB_TOKEN: ADMIN_TOKEN,
        GITLAB_CI: 'true',
        CI_SERVER_URL: sim.url,
        CI_PROJECT_PATH: 'acme/app',
      },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      `Using GitLab at ${sim.url} (this job's instance, CI_SERVER_URL).`,
    );
    expect(sim.requests.length).toBeGreaterThan(0);
    const [made] = JSON.parse(result.stdout) as { id: number }[];
    expect(sim.tokens.find((token) => token.id === made.id)?.active).toBe(true);
  });
});

describe('after a failed write to stdout, a stored token is never to be revoked', () => {
  it('names where the token is, and advises no revoke', async () => {
    let stderr = '';
    const { runCli } = await import('../../src/cli/main.js');
    const code = await runCli(
      [
        '--base-url',
        sim.url,
        '--project-id',
        'acme/app',
        '--scopes',
        'read_api',
        '--name',
        'piped',
        '--expires-at',
        '30d',
        '--store-in',
        'gitlab-variable:acme/app:PIPED_TOKEN',
        '--output',
        'json',
      ],
      { GITLAB_TOKEN: MAINTAINER_TOKEN },
      {
        stdout: () =>
          Promise.reject(Object.assign(new Error('stdout is closed'), { code: 'EPIPE' })),
        stderr: (text) => {
          stderr += text;
        },
      },
    );
    expect(code).toBe(1);
    const [made] = active('piped');
    expect(stderr).toMatch(
      new RegExp(
        `token ID ${made.id} is stored in gitlab-variable:acme/app:PIPED_TOKEN: it is in use, keep it`,
      ),
    );
    expect(stderr).not.toMatch(/Revoke them/);
  });
});
