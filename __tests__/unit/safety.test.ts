/** Unit tests of the text helpers, failure messages, base-url and expiry parsing. */
import { describe, expect, it } from '@jest/globals';
import { scrubSecrets } from '../../src/util/scrub.js';
import { oneLine, quote } from '../../src/util/text.js';
import { describeError } from '../../src/messages/describe-error.js';
import {
  GitLabApiError,
  GitLabNetworkError,
  GitLabRedirectError,
} from '../../src/gitlab/errors.js';
import { TokenReconcileError } from '../../src/tokens/errors.js';
import { isLoopbackHost, parseBaseUrl } from '../../src/inputs/connection.js';
import { parseExpiresAt } from '../../src/inputs/fields.js';

const CREDENTIAL = 'glpat-FAKE-unit-credential-01';
const ctx = { instanceUrl: 'https://gitlab.example.com', secrets: [CREDENTIAL] };

describe('text', () => {
  it('quote escapes every control character and line separator', () => {
    const quoted = quote('a\nb\r\u0000\u007f\u0085\u2028\u2029z');
    expect(quoted).toBe('"a\\nb\\r\\u0000\\u007f\\u0085\\u2028\\u2029z"');
    // eslint-disable-next-line no-control-regex
    expect(quoted).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
  });

  it('quote shortens long values by characters', () => {
    expect(quote('é'.repeat(100), 3)).toBe('"ééé…"');
  });

  it('oneLine flattens line breaks and bounds the length', () => {
    expect(oneLine('a\n::warning::b\u2028c', 100)).toBe('a ::warning::b c');
    expect(oneLine('x'.repeat(10), 4)).toBe('xxxx…');
  });

  it('scrubSecrets removes known secrets, their JSON-escaped form and token-shaped text', () => {
    const odd = 'FAKE"odd\\secret';
    const text = `a ${CREDENTIAL} b ${JSON.stringify(odd)} c glrt-ABCDEFGH12345 d ${odd}`;
    const scrubbed = scrubSecrets(text, [CREDENTIAL, odd]);
    expect(scrubbed).toBe('a *** b "***" c *** d ***');
  });

  it('scrubSecrets leaves ordinary text alone', () => {
    expect(scrubSecrets('glpat is a prefix; api-v4 too', ['abc'])).toBe(
      'glpat is a prefix; api-v4 too',
    );
  });
});

describe('describeError', () => {
  it('scrubs GitLab error text before shortening it', () => {
    const body = { message: `${'x'.repeat(295)}${CREDENTIAL}` };
    const message = describeError(new GitLabApiError('POST', '/users/1/x', 400, body, 1), ctx);
    expect(message).not.toContain(CREDENTIAL.slice(0, 8));
    expect(message).toContain('***');
  });

  it('keeps error text on one line', () => {
    const body = 'oops\n::warning::INJECTED\r\nmore';
    const message = describeError(new GitLabApiError('POST', '/x', 500, body, 1), ctx);
    expect(message).not.toMatch(/[\r\n]/);
    expect(message).toContain('problem on the GitLab side');
  });

  it('reads the secrets more than once even when given an iterator', () => {
    const secrets = new Set([CREDENTIAL]).values();
    const body = { message: `${'y'.repeat(400)} ${CREDENTIAL}` };
    const error = new TokenReconcileError(
      'the reply was lost',
      new GitLabApiError('GET', '/p', 500, body, 1),
    );
    const message = describeError(error, { ...ctx, secrets });
    expect(message).not.toContain(CREDENTIAL.slice(0, 10));
  });

  it('names the redirect target, scrubbed, and suggests base-url', () => {
    const error = new GitLabRedirectError(
      'POST',
      '/users/1/personal_access_tokens',
      301,
      `https://new.example.com/gitlab/api/v4/users/1/personal_access_tokens?t=${CREDENTIAL}`,
    );
    const message = describeError(error, ctx);
    expect(message).toContain('to https://new.example.com/gitlab/api/v4/users/1/');
    expect(message).toContain('set base-url to https://new.example.com/gitlab');
    expect(message).not.toContain(CREDENTIAL);
  });

  it('explains timeouts and unresolvable hosts', () => {
    const timeout = new GitLabNetworkError('GET', '/user', 'u', 'ETIMEDOUT', 'x', true, 2500);
    expect(describeError(timeout, ctx)).toContain('within 2.5 seconds (timeout-seconds)');
    const dns = new GitLabNetworkError('GET', '/user', 'u', 'ENOTFOUND', 'x', false);
    expect(describeError(dns, ctx)).toContain('Could not resolve the host');
    const other = new GitLabNetworkError('GET', '/user', 'u', 'EPIPE', `a\n${CREDENTIAL}`, true);
    expect(describeError(other, ctx)).toBe(
      'The connection failed during GET /user to https://gitlab.example.com (EPIPE: a ***).',
    );
  });
});

describe('parseBaseUrl', () => {
  it.each([
    ['https://gitlab.example.com', 'https://gitlab.example.com/api/v4'],
    ['https://gitlab.example.com/', 'https://gitlab.example.com/api/v4'],
    ['https://example.com/gitlab/api/v4/', 'https://example.com/gitlab/api/v4'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080/api/v4'],
    ['http://localhost', 'http://localhost/api/v4'],
    ['http://[::1]:3000', 'http://[::1]:3000/api/v4'],
    ['', 'https://gitlab.com/api/v4'],
  ])('%s -> %s', (raw, apiUrl) => {
    expect(parseBaseUrl(raw, false)).toMatchObject({ apiUrl, insecure: false });
  });

  it('refuses plain http to a remote host unless allowed', () => {
    expect(parseBaseUrl('http://gitlab.example.com', false)).toContain('uses plain http');
    expect(parseBaseUrl('http://127.0.0.1.example.com', false)).toContain('uses plain http');
    expect(parseBaseUrl('http://gitlab.example.com', true)).toMatchObject({ insecure: true });
  });

  it.each([
    ['ftp://x', 'expected an https:// URL'],
    ['https://u:p@x', 'must not contain a user name or password'],
    ['https://x/?a=1', 'must not contain a query'],
    ['not a url', 'expected an absolute URL'],
  ])('rejects %s', (raw, problem) => {
    expect(parseBaseUrl(raw, true)).toContain(problem);
  });

  it('knows loopback hosts', () => {
    expect(['127.1.2.3', 'LOCALHOST', '[::1]'].map(isLoopbackHost)).toEqual([true, true, true]);
    expect(['128.0.0.1', 'localhost.evil', '10.0.0.1'].map(isLoopbackHost)).toEqual([
      false,
      false,
      false,
    ]);
  });
});

describe('parseExpiresAt', () => {
  const now = new Date('2030-12-31T23:30:00Z');
  it('reads relative days from today in UTC', () => {
    expect(parseExpiresAt('1d', now)).toEqual({ date: '2031-01-01' });
    expect(parseExpiresAt('30D', now)).toEqual({ date: '2031-01-30' });
    expect(parseExpiresAt('', now)).toEqual({ date: undefined });
  });
  it('reads future dates only, and real ones', () => {
    expect(parseExpiresAt('2031-01-01', now)).toEqual({ date: '2031-01-01' });
    expect(parseExpiresAt('2030-12-31', now)).toContain('is not in the future');
    expect(parseExpiresAt('2031-02-29', now)).toContain('is not a calendar date');
    expect(parseExpiresAt('0d', now)).toContain('from 1 to 3650');
    expect(parseExpiresAt('tomorrow', now)).toContain('expected a date as YYYY-MM-DD');
  });
});
