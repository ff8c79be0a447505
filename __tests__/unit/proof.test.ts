/** Unit tests for what decides a token's fate: reply checks, 404 kinds, proof, versions, journal. */
import { describe, expect, it } from '@jest/globals';
import { GitLabApiError } from '../../src/gitlab/errors.js';
import { describedWith, userDescription } from '../../src/util/marker.js';
import { markerOf, provenOurs } from '../../src/tokens/identity.js';
import { isAlreadyRevoked } from '../../src/kinds/responses.js';
import { notFoundKind } from '../../src/gitlab/errors.js';
import { searchableName } from '../../src/kinds/list.js';
import { readEntry } from '../../src/tokens/journal.js';
import { readNewToken, readToken, UnusableReplyError } from '../../src/gitlab/token.js';
import { hasFeature, needsVersion, parseVersion } from '../../src/gitlab/features.js';

const TOKEN = {
  id: 7,
  name: 'n',
  revoked: false,
  created_at: '2026-11-27T00:00:00Z',
  scopes: ['api'],
  user_id: 42,
  last_used_at: null,
  active: true,
  expires_at: '2026-12-01',
};
const reply = { method: 'POST', path: '/users/42/personal_access_tokens', status: 201 };

describe('readToken / readNewToken', () => {
  it('keeps a well-formed record and its secret', () => {
    expect(readNewToken({ ...TOKEN, token: 'glpat-FAKE-0123456789' }, reply).token).toBe(
      'glpat-FAKE-0123456789',
    );
  });

  it.each([
    ['an HTML page', '<html>ok</html>'],
    ['no secret', TOKEN],
    ['an ID that is a path', { ...TOKEN, id: '../users/43', token: 'glpat-FAKE-0123456789' }],
    ['a fractional ID', { ...TOKEN, id: 1.5, token: 'glpat-FAKE-0123456789' }],
    ['a secret with a line break', { ...TOKEN, token: 'glpat-FAKE\n::warning::x' }],
    ['nothing (204)', undefined],
  ])('refuses a reply with %s', (_, data) => {
    expect(() => readNewToken(data, reply)).toThrow(UnusableReplyError);
  });

  it('drops list items whose IDs are not positive integers, and survives missing scopes', () => {
    expect(readToken({ ...TOKEN, id: '7\n::warning::x' })).toBeUndefined();
    expect(readToken({ ...TOKEN, id: -1 })).toBeUndefined();
    expect(readToken({ ...TOKEN, scopes: undefined })?.scopes).toEqual([]);
    expect(readToken({ ...TOKEN, expires_at: '2026-12-01\nEVIL=1' })?.expires_at).toBeNull();
    expect(readToken({ ...TOKEN, expires_at: ' 2026-12-01\n' })?.expires_at).toBe('2026-12-01');
  });
});

describe('notFoundKind', () => {
  const e404 = (body: unknown): GitLabApiError => new GitLabApiError('DELETE', '/x', 404, body);
  it.each([
    [{ message: '404 Not Found' }, 'token'],
    [{ message: '404 Not found' }, 'token'],
    [{ message: '404 Personal Access Token Not Found' }, 'token'],
    [{ message: '404 Group Not Found' }, 'group'],
    [{ message: '404 User Not Found' }, 'user'],
    [{ error: '404 Not Found' }, 'route'],
    ['<html>Not Found</html>', 'unknown'],
    [undefined, 'unknown'],
    [{ message: '404 Project Not Found' }, 'project'],
    [{ message: '404 Impersonation Token Not Found' }, 'token'],
    [{ message: '404 Could not find project access token with token_id: 5 Not Found' }, 'token'],
    [{ message: '404 Commit Not Found' }, 'unknown'],
    [{ message: '404 project Access Token Not Found' }, 'token'],
  ])('%j is a %s 404', (body, kind) => {
    expect(notFoundKind(e404(body))).toBe(kind);
  });

  it('is undefined for other statuses', () => {
    expect(notFoundKind(new GitLabApiError('GET', '/x', 400, {}))).toBeUndefined();
  });

  it('knows "Token already revoked"', () => {
    const body = { message: '400 Bad request - Token already revoked' };
    expect(isAlreadyRevoked(new GitLabApiError('POST', '/x', 400, body))).toBe(true);
    expect(isAlreadyRevoked(new GitLabApiError('POST', '/x', 400, { message: 'x' }))).toBe(false);
  });
});

describe('proof', () => {
  const marker = 'a1b2c3d4e5f6';
  const mine = { ...TOKEN, description: describedWith('deploy bot', marker) };
  const proof = { markers: new Set([marker]), uniqueName: false, kept: new Set<number>() };

  it('a marker of this run proves a token', () => {
    expect(markerOf(mine)).toBe(marker);
    expect(userDescription(mine.description)).toBe('deploy bot');
    expect(provenOurs(mine, proof)).toBe(true);
  });

  it('a kept token, another marker, or no description is not proven', () => {
    expect(provenOurs(mine, { ...proof, kept: new Set([mine.id]) })).toBe(false);
    expect(provenOurs({ ...TOKEN, description: describedWith('', '000000000000') }, proof)).toBe(
      false,
    );
    expect(provenOurs(TOKEN, proof)).toBe(false);
  });

  it("the step's own unique name proves a token where GitLab keeps no description", () => {
    expect(provenOurs(TOKEN, { ...proof, uniqueName: true })).toBe(true);
    // Where GitLab keeps descriptions, ours would carry a marker: another's marker, or none, is not ours.
    const other = { ...TOKEN, description: describedWith('', '000000000000') };
    expect(provenOurs(other, { ...proof, uniqueName: true })).toBe(false);
    expect(provenOurs({ ...TOKEN, description: null }, { ...proof, uniqueName: true })).toBe(false);
    expect(provenOurs(TOKEN, { ...proof, uniqueName: true, kept: new Set([7]) })).toBe(false);
  });

  it("uses GitLab's search only for names it matches as they are", () => {
    expect(searchableName('deploy bot')).toBe(true);
    expect(searchableName('deploy  bot')).toBe(false);
    expect(searchableName(' deploy')).toBe(false);
    expect(searchableName('say "hi"')).toBe(false);
  });
});

describe('versions', () => {
  it('reads versions and gates features', () => {
    expect(parseVersion('17.10.2-ee')).toEqual([17, 10]);
    expect(parseVersion('nonsense')).toBeUndefined();
    expect(hasFeature('17.10.2-ee', 'serviceAccountList')).toBe(false);
    expect(hasFeature('17.11.0', 'serviceAccountList')).toBe(true);
    expect(hasFeature('18.0.0', 'serviceAccountList')).toBe(true);
    expect(hasFeature(undefined, 'description')).toBeUndefined();
    expect(needsVersion('serviceAccountList', '17.10.2-ee')).toBe(
      'needs GitLab 17.11 or later (this instance runs 17.10.2-ee)',
    );
  });
});

describe('journal entries', () => {
  it('reads its own entries and refuses anything that could reach a URL unchecked', () => {
    const good = {
      kind: 'service-account',
      user_id: 90,
      group_id: 'acme/platform',
      name: 'n',
      id: 5,
    };
    expect(readEntry(JSON.stringify(good))).toEqual({
      target: { kind: 'service-account', userId: 90, groupId: 'acme/platform' },
      name: 'n',
      marker: undefined,
      id: 5,
      uniqueName: false,
      refused: undefined,
    });
    for (const bad of [
      { ...good, id: '5/../../x' },
      { ...good, user_id: 0 },
      { ...good, group_id: '../x' },
      { ...good, kind: 'other' },
      { ...good, marker: 'not-a-marker' },
    ]) {
      expect(readEntry(JSON.stringify(bad))).toBeUndefined();
    }
    expect(readEntry('null')).toBeUndefined();
  });
});
