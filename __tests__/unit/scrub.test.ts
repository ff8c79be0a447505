/** Unit tests of scrubSecrets on transformed secrets, and of gitlabErrorText on hostile bodies. */
import { describe, expect, it } from '@jest/globals';
import { scrubSecrets } from '../../src/util/scrub.js';
import { gitlabErrorText } from '../../src/messages/describe-error.js';

const SECRET = 'glpat-FAKE+unit/secret=0001xyz';
const b64 = (text: string): string => Buffer.from(text).toString('base64');

describe('scrubSecrets finds transformed secrets', () => {
  const split = (text: string, by: string): string =>
    [text.slice(0, 9), text.slice(9, 20), text.slice(20)].join(by);
  it.each([
    ['as is', SECRET],
    ['split by a line break', split(SECRET, '\n')],
    ['split by CRLF and spaces', split(SECRET, '\r\n  ')],
    ['split by zero-width spaces', split(SECRET, '\u200b')],
    ['split by escaped line breaks', split(SECRET, '\\n')],
    ['URL-encoded', encodeURIComponent(SECRET)],
    ['URL-encoded with lower-case hex', encodeURIComponent(SECRET).toLowerCase()],
    ['URL-encoded twice', encodeURIComponent(encodeURIComponent(SECRET))],
    ['upper-cased', SECRET.toUpperCase()],
    ['lower-cased', SECRET.toLowerCase()],
    ['base64', b64(SECRET)],
    ['base64url', b64(SECRET).replace(/\+/g, '-').replace(/\//g, '_')],
    ...['a', 'ab', 'abc', 'root', 'oauth2'].map((user): [string, string] => [
      `base64 of ${user}:secret (Basic auth)`,
      `Basic ${b64(`${user}:${SECRET}`)}`,
    ]),
    ['base64 of secret:x', b64(`${SECRET}:x`)],
  ])('%s', (_, form) => {
    const text = `before ${form} after`;
    const scrubbed = scrubSecrets(text, [SECRET]);
    expect(scrubbed).not.toContain(form);
    expect(scrubbed).toMatch(/^before .*\*\*\*.* after$/);
    // Nothing long of the secret survives, in any of its spellings.
    expect(scrubbed.toLowerCase()).not.toContain('unit/secret');
    expect(scrubbed).not.toContain(b64(SECRET).slice(4, 20));
  });

  it('keeps the text around the secret and drops invisible characters', () => {
    expect(scrubSecrets(`a\u200bb ${SECRET.toUpperCase()} c`, [SECRET])).toBe('ab *** c');
  });

  it('replaces overlapping finds once', () => {
    expect(scrubSecrets(`x ${SECRET}${SECRET} y`, [SECRET, SECRET.slice(0, 20)])).toBe('x *** y');
  });

  it('finds token-shaped text in any case', () => {
    expect(scrubSecrets('a GLPAT-ABCDEFGH12345 b')).toBe('a *** b');
  });
});

describe('gitlabErrorText quotes only the message fields', () => {
  it.each([
    [{ message: '404 User Not Found' }, '404 User Not Found'],
    [
      { message: { name: ['has already been taken', 'is too long'] } },
      'name has already been taken, is too long',
    ],
    [
      { message: { error: 'This endpoint has been requested too many times.' } },
      'error This endpoint has been requested too many times.',
    ],
    [{ error: 'scopes does not have a valid value' }, 'scopes does not have a valid value'],
    [
      {
        error: 'insufficient_scope',
        error_description: 'The request requires higher privileges.',
        scope: 'api',
      },
      'insufficient_scope: The request requires higher privileges. (scope: api)',
    ],
    [
      { error: 'invalid_token', error_description: 'Token was revoked.' },
      'invalid_token: Token was revoked.',
    ],
    [{ debug: 'internal', headers: { authorization: 'Bearer x' } }, ''],
    [['a', 'b'], ''],
    [42, ''],
    [undefined, ''],
    ['Retry later', 'Retry later'],
    ['line one\nline two', 'line one line two'],
    [
      '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>secret here</body></html>',
      '502 Bad Gateway',
    ],
    ['<html><body>no title</body></html>', ''],
  ])('%j', (body, text) => {
    expect(gitlabErrorText(body)).toBe(text);
  });

  it('bounds a long plain body, dropping a cut word whole', () => {
    const text = gitlabErrorText(`${'word '.repeat(39)}abcdefghijklmnopqrstuvwxyz`);
    expect([...text].length).toBeLessThanOrEqual(201);
    expect(text.endsWith('word…')).toBe(true);
  });

  it('survives deep and wide bodies, bounded', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 20_000; i++) deep = { message: deep, list: [deep] };
    expect(() => gitlabErrorText(deep)).not.toThrow();
    expect(gitlabErrorText(deep).length).toBeLessThanOrEqual(1001);
    let nested: unknown = ['x'];
    for (let i = 0; i < 20_000; i++) nested = [nested];
    expect(gitlabErrorText({ message: { field: nested } })).toBe('');
    const wide = {
      message: Object.fromEntries(
        Array.from({ length: 5000 }, (_, i) => [`f${i}`, 'y'.repeat(500)]),
      ),
    };
    expect(gitlabErrorText(wide).length).toBeLessThanOrEqual(1001);
  });
});
