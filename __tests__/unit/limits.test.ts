/** Unit tests of the outputs-size estimate and of the job summary's table. */
import { describe, expect, it } from '@jest/globals';
import {
  estimateOutputBytes,
  maxUsersWithinOutputLimit,
  OUTPUTS_LIMIT_BYTES,
  outputLimitProblem,
} from '../../src/action/limits.js';
import { firstTokenOutputs, tokenOutputs } from '../../src/tokens/outputs.js';
import { summaryTable } from '../../src/action/summary.js';
import type { NewToken } from '../../src/tokens/make.js';
import type { TokenResult } from '../../src/tokens/many.js';
import type { TargetRef } from '../../src/inputs/targets.js';

const users = (count: number): { id: number }[] =>
  Array.from({ length: count }, (_, i) => ({ id: i + 1 }));
const targets = (count: number): TargetRef[] =>
  users(count).map((user) => ({ kind: 'personal', user }));

function token(id: number, name: string, scopes: string[]): NewToken {
  return {
    target: { kind: 'personal', userId: 1_000_000 + id },
    token: {
      id: 10_000_000 + id,
      user_id: 1_000_000 + id,
      name,
      scopes,
      // The longest GitLab tokens: a routable glpat- token.
      token: `glpat-${'A'.repeat(27)}.01.${'b'.repeat(9)}`,
      expires_at: '2031-12-31',
      created_at: '2031-01-01T00:00:00.000Z',
      revoked: false,
      active: true,
      last_used_at: null,
    },
  };
}

describe('estimateOutputBytes', () => {
  it.each([
    ['a short name', 'ci', ['api']],
    ['255 ASCII characters', 'n'.repeat(255), ['read_api']],
    ['255 characters JSON escapes', '"\\'.repeat(127), ['api', 'read_user']],
    ['255 three-byte characters', '日'.repeat(255), ['api', 'read_api', 'write_repository']],
  ])('is an upper bound of the real outputs, not far above (%s)', (_, name, scopes) => {
    const made = users(200).map(({ id }) => token(id, name, scopes));
    const real =
      Buffer.byteLength(JSON.stringify(tokenOutputs(made))) +
      Object.values(firstTokenOutputs(made)).reduce((sum, v) => sum + Buffer.byteLength(v), 0);
    const estimate = estimateOutputBytes({ targets: targets(200), name, scopes });
    expect(estimate).toBeGreaterThanOrEqual(real);
    expect(estimate).toBeLessThan(real * 1.5);
  });

  it('lets 1,000 users with a long ASCII name through', () => {
    expect(
      outputLimitProblem({ targets: targets(1000), name: 'n'.repeat(255), scopes: ['api'] }),
    ).toBeUndefined();
  });

  it('refuses what cannot fit, naming how many users fit', () => {
    const request = {
      targets: targets(1000),
      name: '日'.repeat(255),
      scopes: ['api', 'read_api', 'read_user', 'read_repository'],
    };
    const fit = maxUsersWithinOutputLimit(request);
    expect(estimateOutputBytes({ ...request, targets: targets(fit) })).toBeLessThanOrEqual(
      OUTPUTS_LIMIT_BYTES,
    );
    expect(estimateOutputBytes({ ...request, targets: targets(fit + 1) })).toBeGreaterThan(
      OUTPUTS_LIMIT_BYTES,
    );
    const problem = outputLimitProblem(request);
    expect(problem).toContain(`At most ${fit} fit with this name and these scopes`);
    expect(problem).toMatch(
      /^user-id: 1000 tokens would make outputs of up to \d+ kB \(a name of 255 characters, 4 scopes\)/,
    );
  });
});

describe('summaryTable', () => {
  const result = (id: number, name = 'nightly'): TokenResult => ({
    ref: { kind: 'personal', user: { id } },
    userId: id,
    created: token(id, name, ['api']),
  });

  it('flattens every cell to one line and escapes it', () => {
    const made = result(1, 'a\n\nb <i>');
    made.created!.token.expires_at = '2031-01-01\n\n';
    const [, row] = summaryTable([made], true);
    expect(row.map((cell) => cell.data)).toEqual([
      'personal',
      'user 1 (ID 1)',
      'a b &#60;i&#62;',
      '10000001',
      'api',
      '-',
      '2031-01-01',
      'yes',
    ]);
  });

  it('stops before the budget with a note naming what is left out', () => {
    const results = [
      ...users(10).map(({ id }) => result(id)),
      { ref: { kind: 'personal', user: { username: 'x' } }, error: 'no' } as TokenResult,
    ];
    const table = summaryTable(results, false, 600);
    const note = table[table.length - 1];
    expect(note).toHaveLength(1);
    expect(note[0].colspan).toBe('8');
    const shown = table.length - 2;
    expect(note[0].data).toMatch(
      new RegExp(
        `^${11 - shown} more rows are not shown \\(${10 - shown} of them with a token made, 1 failed\\)`,
      ),
    );
    const html = table
      .slice(0, -1)
      .map((row) => `<tr>${row.map((c) => `<td>${c.data}</td>`).join('')}</tr>`)
      .join('');
    expect(Buffer.byteLength(html)).toBeLessThanOrEqual(600);
  });

  it('keeps every row when they fit', () => {
    expect(
      summaryTable(
        users(3).map(({ id }) => result(id)),
        false,
      ),
    ).toHaveLength(4);
  });
});
