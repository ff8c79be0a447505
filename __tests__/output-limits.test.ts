/**
 * GitHub's size limits (1 MB of outputs per job, 1 MiB of job summary per step) with the largest
 * requests the inputs allow, and GitLab-supplied text in the summary's cells.
 */
import { describe, expect, it } from '@jest/globals';
import { ADMIN_TOKEN } from './simulator/gitlab-simulator.js';
import { expectNoSecretsIn, useSimulator } from './helpers/simulator-fixture.js';
import { commands, runMainStep, type StepResult } from './helpers/run-action.js';
import type { TokenOutput } from '../src/tokens/outputs.js';

/** 1,000 users (the most user-id takes): IDs 1000..1999. */
const USERS = Array.from({ length: 1000 }, (_, i) => 1000 + i);
const sim = useSimulator({
  seed: (s) => {
    for (const id of USERS) s.addUser({ id, username: `many-${id}` });
  },
});

function run(extra: Record<string, string>, env?: Record<string, string>): Promise<StepResult> {
  return runMainStep({
    inputs: { 'base-url': sim.url, 'gitlab-token': ADMIN_TOKEN, scopes: 'read_api', ...extra },
    env,
  });
}

describe("GitHub's outputs limit", () => {
  it('fails from the inputs, before any request, saying how many users fit', async () => {
    const before = sim.tokens.length;
    const result = await run({
      'user-id': USERS.join('\n'),
      // 255 characters of 3 bytes each, and many scopes: about 1.1 MB of tokens output.
      name: '日'.repeat(255),
      scopes: 'api, read_api, read_user, read_repository, write_repository, read_registry',
    });
    expect(result.code).toBe(1);
    expect(sim.requests).toEqual([]);
    expect(sim.tokens.length).toBe(before);
    const errors = commands(result.stdout, 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^user-id: 1000 tokens would make outputs of up to \d+ kB/);
    const fit = Number(/At most (\d+) fit/.exec(errors[0])?.[1]);
    expect(fit).toBeGreaterThan(800);
    expect(fit).toBeLessThan(1000);
    expect(result.outputs).toEqual({});
    expectNoSecretsIn(result, [ADMIN_TOKEN], [sim]);
  });
});

describe("GitHub's job summary limit", () => {
  it('cuts the table with a note when 1,000 rows would pass 1 MiB; every token is still output', async () => {
    const before = sim.tokens.length;
    // '&' is one byte in the outputs but five (&#38;) in the summary's HTML.
    const result = await run({
      'user-id': USERS.join('\n'),
      name: '&'.repeat(255),
      'max-concurrency': '32',
    });
    expect(result.code).toBe(0);
    const made = sim.tokens.slice(before);
    expect(made).toHaveLength(1000);
    const tokens = JSON.parse(result.outputs.tokens) as TokenOutput[];
    expect(tokens.map((token) => token.user_id)).toEqual(USERS);
    expect(Buffer.byteLength(result.files.output)).toBeLessThan(1_000_000);
    expect(Buffer.byteLength(result.summary)).toBeLessThanOrEqual(1024 * 1024);
    const rows = [...result.summary.matchAll(/<tr>(.*?)<\/tr>/g)];
    expect(rows.length).toBeGreaterThan(500);
    expect(rows.length).toBeLessThan(1001);
    const shown = rows.length - 2;
    expect(rows[rows.length - 1][1]).toBe(
      `<td colspan="8">${1000 - shown} more rows are not shown (${1000 - shown} of them with a ` +
        `token made, 0 failed): the job summary stays within GitHub&#39;s limit of 1 MiB per ` +
        `step. Every token made is in the tokens output, and every failure in the log.</td>`,
    );
    expect(result.summary.trimEnd().endsWith('</table>')).toBe(true);
    expect(commands(result.stdout, 'error')).toEqual([]);
    expectNoSecretsIn(result, [ADMIN_TOKEN], [sim]);
  }, 60_000);
});

describe('GitLab-supplied text in the job summary', () => {
  it('keeps every cell on one line, so blank lines cannot end the table', async () => {
    const secret = 'glpat-FAKE-hostile-reply-000009';
    sim.addFault({
      method: 'POST',
      pathPattern: /personal_access_tokens$/,
      fault: {
        kind: 'status',
        status: 201,
        body: {
          id: 9009,
          user_id: 1000,
          name: 'first\n\n# Heading\n\n<script>x</script>',
          token: secret,
          scopes: ['read_api\n\n| a | b |'],
          expires_at: '2031-01-01\r\n\r\n',
          created_at: new Date().toISOString(),
          revoked: false,
          active: true,
          last_used_at: null,
        },
      },
    });
    const result = await run({ 'user-id': '1000' });
    expect(result.code).toBe(0);
    const table = /<table>[\s\S]*<\/table>/.exec(result.summary)?.[0] ?? '';
    expect(table).not.toMatch(/[\r\n]/);
    expect(table).toContain(
      '<td>first # Heading &#60;script&#62;x&#60;/script&#62;</td><td>9009</td>' +
        '<td>read_api | a | b |</td><td>-</td><td>2031-01-01</td>',
    );
    expectNoSecretsIn(result, [ADMIN_TOKEN, secret], [sim]);
  });
});
