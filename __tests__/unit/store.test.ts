/**
 * Unit tests for store-in: the targets' forms and problems, the inputs that go (or do not go)
 * with it, and the sealed box, opened by libsodium itself (what GitHub runs).
 */
import { describe, expect, it } from '@jest/globals';
import sodium from 'libsodium-wrappers';
import { InputError } from '../../src/inputs/problems.js';
import { parseRunInputs } from '../../src/tokens/inputs.js';
import { sealedBox } from '../../src/stores/seal.js';
import { parseGitHubApiUrl, parseStoreIn } from '../../src/stores/targets.js';

const NOW = new Date('2026-11-27T12:00:00Z');
const CREDENTIAL = 'glpat-FAKE-unit-credential-01';
const GITHUB_TOKEN = 'ghp_FAKEunitsecretswriter000000000000';

function parse(values: Record<string, string>, env: Record<string, string> = {}) {
  return parseRunInputs(
    (name) =>
      ({ 'gitlab-token': CREDENTIAL, 'project-id': 'acme/app', scopes: 'api', ...values })[name] ??
      '',
    { GITHUB_REPOSITORY: 'o/r', GITHUB_RUN_ID: '7', ...env },
    NOW,
  );
}

function problems(values: Record<string, string>, env: Record<string, string> = {}): string[] {
  try {
    parse(values, env);
  } catch (error) {
    if (error instanceof InputError) return error.problems;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('parseStoreIn', () => {
  it('reads every form, one per line', () => {
    const { targets, problems: bad } = parseStoreIn(
      [
        'gitlab-variable:acme/app:DEPLOY_TOKEN',
        ' gitlab-variable:70:DEPLOY_TOKEN:production ',
        'gitlab-variable:acme:GROUP_TOKEN:review/*',
        'github-secret:octo-org/octo-repo:GITLAB_TOKEN',
        'github-secret:octo-org/octo-repo:production:GITLAB_TOKEN',
        '',
      ].join('\n'),
    );
    expect(bad).toEqual([]);
    expect(targets).toEqual([
      expect.objectContaining({ type: 'gitlab-variable', owner: 'acme/app', key: 'DEPLOY_TOKEN' }),
      expect.objectContaining({ owner: '70', environmentScope: 'production' }),
      expect.objectContaining({ owner: 'acme', key: 'GROUP_TOKEN', environmentScope: 'review/*' }),
      expect.objectContaining({
        type: 'github-secret',
        repository: 'octo-org/octo-repo',
        name: 'GITLAB_TOKEN',
        environment: undefined,
      }),
      expect.objectContaining({ environment: 'production', name: 'GITLAB_TOKEN' }),
    ]);
    expect(targets[0]).toEqual(expect.objectContaining({ environmentScope: undefined }));
  });

  it.each([
    ['ci-variable:acme/app:KEY', 'expected gitlab-variable'],
    ['gitlab-variable:acme/app', 'the variable key'],
    ['gitlab-variable:acme/app:BAD-KEY', 'the variable key'],
    ['gitlab-variable:../x:KEY', 'neither a numeric project ID nor a full path'],
    ['gitlab-variable:acme/app:KEY:prod;rm', 'environment scope'],
    ['github-secret:octo-repo:NAME', 'not a repository'],
    ['github-secret:o/r:GITHUB_TOKEN', 'must be letters'],
    ['github-secret:o/r:1NAME', 'must be letters'],
    ['github-secret:o/r:a:b:NAME', 'expected gitlab-variable'],
  ])('refuses %s', (line, expected) => {
    const { targets, problems: bad } = parseStoreIn(line);
    expect(targets).toEqual([]);
    expect(bad).toHaveLength(1);
    expect(bad[0]).toContain(expected);
  });

  it('refuses the same place twice (GitHub secret names ignore case)', () => {
    const { problems: bad } = parseStoreIn(
      'github-secret:o/r:TOKEN\ngithub-secret:O/R:token\ngitlab-variable:a/b:K\ngitlab-variable:a/b:K',
    );
    expect(bad).toHaveLength(2);
    expect(bad.every((problem) => problem.includes('listed twice'))).toBe(true);
  });
});

describe('store-in with the other inputs', () => {
  it('needs github-token for GitHub targets, and takes GITHUB_API_URL', () => {
    expect(problems({ 'store-in': 'github-secret:o/r:TOKEN' })).toEqual([
      expect.stringMatching(/^github-token: required for github-secret targets/),
    ]);
    const inputs = parse(
      { 'store-in': 'github-secret:o/r:TOKEN', 'github-token': GITHUB_TOKEN },
      { GITHUB_API_URL: 'https://github.example.com/api/v3/' },
    );
    expect(inputs.github).toEqual({
      apiUrl: 'https://github.example.com/api/v3',
      token: GITHUB_TOKEN,
    });
  });

  it('writes one token per step, and never one revoked at the end of the job', () => {
    const found = problems({
      'project-id': 'acme/app\nacme/other',
      revoke: 'true',
      'store-in': 'gitlab-variable:acme/app:TOKEN',
    });
    expect(found).toEqual([
      expect.stringMatching(/^store-in: writes one token's secret, and this step makes 2/),
      expect.stringMatching(/^store-in: goes without revoke: true/),
    ]);
  });

  it('goes with self-rotate', () => {
    const inputs = parseRunInputs(
      (name) =>
        ({
          'gitlab-token': CREDENTIAL,
          'self-rotate': 'true',
          'store-in': 'gitlab-variable:acme/app:BOT_TOKEN',
        })[name] ?? '',
      {},
      NOW,
    );
    expect(inputs.stores).toEqual([expect.objectContaining({ key: 'BOT_TOKEN' })]);
  });

  it('refuses plain http to GitHub unless it is this machine', () => {
    expect(parseGitHubApiUrl(undefined)).toBe('https://api.github.com');
    expect(parseGitHubApiUrl('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    expect(parseGitHubApiUrl('http://github.example.com')).toEqual({
      problem: expect.stringContaining('must use https'),
    });
    expect(parseGitHubApiUrl('https://user:pw@github.example.com')).toEqual({
      problem: expect.stringContaining('without credentials'),
    });
  });
});

describe('sealedBox', () => {
  it('is opened by libsodium with the recipient key, and differs every time', async () => {
    await sodium.ready;
    const recipient = sodium.crypto_box_keypair();
    const key = Buffer.from(recipient.publicKey).toString('base64');
    const value = 'glpat-FAKE-sealed-value-000000001';
    const first = sealedBox(value, key);
    const second = sealedBox(value, key);
    expect(first).not.toBe(second);
    for (const sealed of [first, second]) {
      const opened = sodium.crypto_box_seal_open(
        Buffer.from(sealed, 'base64'),
        recipient.publicKey,
        recipient.privateKey,
      );
      expect(Buffer.from(opened).toString('utf8')).toBe(value);
    }
    const other = sodium.crypto_box_keypair();
    expect(() =>
      sodium.crypto_box_seal_open(Buffer.from(first, 'base64'), other.publicKey, other.privateKey),
    ).toThrow();
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => sealedBox('x', Buffer.alloc(31).toString('base64'))).toThrow(/31 bytes/);
  });
});
