/**
 * Issue #20, "Dry run", for the action: `dry-run: true` checks the inputs, the credential, the
 * targets, the store-in targets and what is due, says (log and job summary) what would be made,
 * rotated, stored or revoked, and changes nothing: GETs only, no token output but `tokens: []`,
 * and a post step with nothing to revoke. A failed check fails the step. In-process.
 */
import { describe, expect, it } from '@jest/globals';
import { ADMIN_TOKEN, MAINTAINER_TOKEN } from '../simulator/gitlab-simulator.js';
import { expectNoSecretsIn, useSimulator } from '../helpers/simulator-fixture.js';
import { runMainStep, runPostStep, type StepResult } from '../helpers/run-action.js';

const sim = useSimulator();

/** The main step with dry-run: only GETs reach GitLab, and no token or variable changes. */
async function dryRun(
  inputs: Record<string, string>,
  credential = ADMIN_TOKEN,
): Promise<StepResult> {
  const tokens = JSON.stringify(sim.tokens);
  const variables = JSON.stringify(sim.variables ?? null);
  sim.requests.length = 0;
  const result = await runMainStep({
    inputs: { 'base-url': sim.url, 'gitlab-token': credential, 'dry-run': 'true', ...inputs },
  });
  expect(sim.requests.filter((request) => request.method !== 'GET')).toEqual([]);
  expect(JSON.stringify(sim.tokens)).toBe(tokens);
  expect(JSON.stringify(sim.variables ?? null)).toBe(variables);
  expectNoSecretsIn(result, [ADMIN_TOKEN, MAINTAINER_TOKEN], [sim]);
  expect(result.stdout).toContain('Dry run (dry-run: true): checking only; nothing is changed.');
  return result;
}

describe('the action with dry-run: true', () => {
  it('says what would be made and that the post step would revoke it; outputs tokens [] only', async () => {
    const result = await dryRun({ 'user-id': '@bob', scopes: 'read_api', name: 'ci-bot' });
    expect(result.code).toBe(0);
    expect(result.outputs).toEqual({ tokens: '[]' });
    const log = result.stdout.split('\n');
    expect(log).toContain('The credential works: it is user @root (ID 1), an administrator.');
    expect(log).toContain('@bob is user 43.');
    expect(log).toContainEqual(
      expect.stringMatching(
        /^Would create a token named "ci-bot" for user 43 \(scopes read_api; expiring \d{4}-\d{2}-\d{2}\)\.$/,
      ),
    );
    expect(log).toContain('The post step would revoke what the run made (revoke).');
    expect(log).toContain('Dry run: every check passed; nothing was changed.');
    expect(result.summary).toContain('<h3>GitLab tokens: dry run</h3>');
    expect(result.summary).toContain('<li>@bob is user 43.</li>');

    // The post step finds nothing to revoke, and asks nothing of GitLab.
    sim.requests.length = 0;
    const post = await runPostStep(result);
    expect(post.code).toBe(0);
    expect(sim.requests).toEqual([]);
  });

  it('with if-exists rotate and store-in: checks the variable and says the due token would be replaced', async () => {
    const made = await runMainStep({
      inputs: {
        'base-url': sim.url,
        'gitlab-token': MAINTAINER_TOKEN,
        'project-id': 'acme/app',
        scopes: 'read_api',
        name: 'deploy-bot',
        'expires-at': '5d',
        revoke: 'false',
      },
    });
    expect(made.code).toBe(0);
    const old = made.outputs.id;
    const result = await dryRun(
      {
        'project-id': 'acme/app',
        scopes: 'read_api',
        name: 'deploy-bot',
        'if-exists': 'rotate',
        'rotate-before': '30d',
        'store-in': 'gitlab-variable:acme/app:DEPLOY_TOKEN',
      },
      MAINTAINER_TOKEN,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'The store-in targets can be written: gitlab-variable:acme/app:DEPLOY_TOKEN.',
    );
    expect(result.stdout).toContain(`Would replace token ID ${old} "deploy-bot" (expires `);
    expect(result.stdout).toContain(`then revoke token ID ${old}.`);
    // A renewal that is stored outlives the job: revoke (empty) keeps it.
    expect(result.stdout).not.toContain('The post step would revoke');
    expect(sim.tokens.find((token) => String(token.id) === old)?.active).toBe(true);
  });

  it('fails the step naming the failed check, and still changes nothing', async () => {
    const result = await dryRun({ 'user-id': '@nobody-here', scopes: 'read_api' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^::error::.*nobody-here/m);
    expect(result.stdout).toContain(
      '::error::Dry run: 1 check failed (above); nothing was changed.',
    );
    expect(result.outputs).toEqual({ tokens: '[]' });
  });

  it('refuses a dry-run that is not true or false before any request', async () => {
    sim.requests.length = 0;
    const result = await runMainStep({
      inputs: {
        'base-url': sim.url,
        'gitlab-token': ADMIN_TOKEN,
        'dry-run': 'yes',
        'user-id': '42',
        scopes: 'api',
      },
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('dry-run: expected true or false, got "yes"');
    expect(sim.requests).toEqual([]);
    expect(sim.tokens.filter((token) => token.active && token.user_id === 42)).toEqual([]);
  });
});
