/** Unit tests for the pure parts of the CLI's `list`: flags, dates, the filter and the output. */
import { describe, expect, it } from '@jest/globals';
import { InputError } from '../../src/inputs/problems.js';
import {
  daysLeft,
  isListed,
  type ListedToken,
  type TargetListing,
} from '../../src/tokens/expiring.js';
import {
  listJson,
  listTable,
  listingLine,
  parseExpiringWithin,
  parseListInputs,
} from '../../src/cli/list.js';
import type { PersonalAccessToken } from '../../src/gitlab/token.js';

const NOW = new Date('2026-11-27T12:00:00Z');
const CREDENTIAL = 'glpat-FAKE-unit-credential-01';

function parse(values: Record<string, string>, ids: string[] = []) {
  const read = (name: string): string => ({ 'gitlab-token': CREDENTIAL, ...values })[name] ?? '';
  return parseListInputs(read, ids, {}, NOW);
}

function problems(values: Record<string, string>, ids: string[] = []): string[] {
  try {
    parse(values, ids);
  } catch (error) {
    if (error instanceof InputError) return error.problems;
    throw error;
  }
  throw new Error('expected an InputError');
}

function token(fields: Partial<PersonalAccessToken>): PersonalAccessToken {
  return {
    id: 1,
    name: 't',
    revoked: false,
    created_at: '2026-01-01T00:00:00Z',
    scopes: ['api'],
    user_id: 42,
    last_used_at: null,
    active: true,
    expires_at: null,
    ...fields,
  };
}

describe('parseExpiringWithin', () => {
  it('is the date N days from today (UTC), as rotate-before', () => {
    expect(parseExpiringWithin('30d', NOW)).toEqual({ days: 30, lastDay: '2026-12-27' });
    expect(parseExpiringWithin(' 1D ', NOW)).toEqual({ days: 1, lastDay: '2026-11-28' });
    expect(parseExpiringWithin('3650d', NOW)).toEqual({ days: 3650, lastDay: '2036-11-24' });
    // just before midnight UTC, today is still the 27th
    expect(parseExpiringWithin('1d', new Date('2026-11-27T23:59:59Z'))).toEqual({
      days: 1,
      lastDay: '2026-11-28',
    });
  });

  it('is unset when empty', () => {
    expect(parseExpiringWithin('  ', NOW)).toBeUndefined();
  });

  it('takes a bare number as days (--expiring-within 30)', () => {
    expect(parseExpiringWithin('30', NOW)).toEqual({ days: 30, lastDay: '2026-12-27' });
  });

  it.each(['0d', '3651d', '0', 'd', '-1d', '1.5d', '30 days', '1w', '00000d', '١d'])(
    'refuses %j, quoting it',
    (value) => {
      const problem = parseExpiringWithin(value, NOW);
      expect(problem).toMatch(/^expected a number of days from 1 to 3650 such as 30d, got "/);
    },
  );
});

describe('daysLeft', () => {
  it('counts whole days from today (UTC) to the expiry date', () => {
    expect(daysLeft('2026-11-28', NOW)).toBe(1);
    expect(daysLeft('2026-12-27', NOW)).toBe(30);
    expect(daysLeft('2026-11-27', NOW)).toBe(0);
    expect(daysLeft('2027-11-27', NOW)).toBe(365);
    expect(daysLeft(null, NOW)).toBeNull();
  });
});

describe('isListed', () => {
  it('keeps active tokens whose expiry date is still ahead', () => {
    expect(isListed(token({ expires_at: '2026-11-28' }), NOW, undefined)).toBe(true);
    expect(isListed(token({ expires_at: null }), NOW, undefined)).toBe(true);
  });

  it('drops revoked, inactive and expired tokens, whatever `active` says', () => {
    expect(isListed(token({ revoked: true, expires_at: '2027-01-01' }), NOW, undefined)).toBe(
      false,
    );
    expect(isListed(token({ active: false }), NOW, undefined)).toBe(false);
    // expired at 00:00 UTC today, though listed as active by a lagging reply
    expect(isListed(token({ expires_at: '2026-11-27' }), NOW, undefined)).toBe(false);
    expect(isListed(token({ expires_at: '2026-11-01' }), NOW, undefined)).toBe(false);
  });

  it('with a last day: on or before it only, and never a token without an expiry date', () => {
    expect(isListed(token({ expires_at: '2026-12-27' }), NOW, '2026-12-27')).toBe(true);
    expect(isListed(token({ expires_at: '2026-12-28' }), NOW, '2026-12-27')).toBe(false);
    expect(isListed(token({ expires_at: null }), NOW, '2026-12-27')).toBe(false);
  });
});

describe('parseListInputs', () => {
  it('no target: the credential’s own user, a table', () => {
    expect(parse({})).toMatchObject({
      targets: [{ kind: 'own' }],
      within: undefined,
      output: 'text',
      credential: CREDENTIAL,
    });
  });

  it('the target flags of create, several users or projects, each once', () => {
    expect(parse({ 'user-id': '42, @alice,\n42,@Alice' }).targets).toEqual([
      { kind: 'personal', user: { id: 42 } },
      { kind: 'personal', user: { username: 'alice' } },
    ]);
    expect(parse({ 'user-id': '42', impersonation: 'true' }).targets).toEqual([
      { kind: 'impersonation', user: { id: 42 } },
    ]);
    expect(parse({ 'user-id': '90', 'group-id': 'acme' }).targets).toEqual([
      { kind: 'service-account', user: { id: 90 }, groupId: 'acme' },
    ]);
    expect(parse({ 'project-id': 'a/b,7,/a/b/' }).targets).toEqual([
      { kind: 'project', projectId: 'a/b' },
      { kind: 'project', projectId: '7' },
    ]);
    expect(parse({ 'group-id': 'acme/sub' }).targets).toEqual([
      { kind: 'group', groupId: 'acme/sub' },
    ]);
  });

  it('--expiring-within and --output json', () => {
    expect(parse({ 'expiring-within': '7d', output: 'JSON' })).toMatchObject({
      within: { days: 7, lastDay: '2026-12-04' },
      output: 'json',
    });
  });

  it('collects every problem, naming the flag', () => {
    expect(
      problems(
        {
          'expiring-within': 'soon',
          output: 'dotenv',
          scopes: 'api',
          'if-exists': 'rotate',
          'project-id': 'a/b',
          'user-id': '4',
        },
        ['5'],
      ),
    ).toEqual([
      '--scopes: goes without list (it lists tokens, makes none)',
      '--if-exists: goes without list (it lists tokens, makes none)',
      '--id: goes with revoke, not with list',
      '--output: expected json or text with list, got "dotenv"',
      '--expiring-within: expected a number of days from 1 to 3650 such as 30d, got "soon"',
      '--project-id: goes without --user-id: set one of them',
    ]);
    expect(problems({ impersonation: 'true' })).toEqual([
      '--user-id: required with impersonation: whose impersonation tokens to list',
    ]);
    expect(problems({ 'gitlab-token': '' })[0]).toMatch(/^GITLAB_TOKEN: required/);
  });
});

const listed = (fields: Partial<ListedToken>): ListedToken => ({
  id: 7,
  name: 'deploy',
  type: 'personal',
  target: 42,
  user_id: 42,
  scopes: ['api'],
  created_at: '2026-01-01T00:00:00Z',
  expires_at: '2026-12-01',
  days_left: 4,
  last_used_at: null,
  ...fields,
});

describe('output', () => {
  const listings: TargetListing[] = [
    { label: 'user 42', key: 'personal:42', tokens: [listed({})] },
    { label: 'project a/b', error: 'project a/b: GitLab answered 403 Forbidden' },
    {
      label: 'project c/d',
      key: 'project:c/d',
      tokens: [
        listed({
          id: 12345,
          name: 'a\nFORGED\u001b[31m',
          type: 'project',
          target: 'c/d',
          user_id: 5000,
          access_level: 30,
          expires_at: null,
          days_left: null,
          scopes: [],
        }),
      ],
    },
  ];

  it('json: one array of the listed tokens of every target that worked', () => {
    const parsed = JSON.parse(listJson(listings)) as ListedToken[];
    expect(parsed.map((entry) => entry.id)).toEqual([7, 12345]);
    expect(listJson([])).toBe('[]\n');
  });

  it('table: aligned columns, one line per token, control characters flattened', () => {
    const lines = listTable(listings).split('\n');
    expect(lines).toEqual([
      'TYPE      TARGET  ID     NAME           EXPIRES     DAYS  LAST USED  SCOPES',
      'personal  42      7      deploy         2026-12-01  4     never      api',
      'project   c/d     12345  a FORGED [31m  never       -     never      -',
      '',
    ]);
    expect(listTable([])).toBe('');
  });

  it('a line on stderr per target', () => {
    expect(listingLine(listings[0], { days: 30, lastDay: '2026-12-27' })).toBe(
      'Listed 1 active token of user 42 expiring by 2026-12-27 (within 30 days).',
    );
    expect(listingLine({ label: 'group g', key: 'group:g', tokens: [] }, undefined)).toBe(
      'Listed 0 active tokens of group g.',
    );
    expect(listingLine(listings[1], undefined)).toBe(
      'error: project a/b: GitLab answered 403 Forbidden',
    );
  });
});
