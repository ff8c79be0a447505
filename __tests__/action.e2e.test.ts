/**
 * End-to-end: the bundles the runner runs (dist/index.js, then dist/post/index.js), each in a
 * process of its own with the runner's files, as @actions/core talks to it: inputs, masks,
 * outputs, the state the post step gets back, the job summary, a failure's exit code. The
 * action's behaviour is tested in this process (main.test.ts, post.test.ts and the others).
 */
import { describe, expect, it } from '@jest/globals';
import { ADMIN_TOKEN } from './simulator/gitlab-simulator.js';
import { journalOf } from './helpers/promises.js';
import { expectNoSecretsIn, useSimulator } from './helpers/simulator-fixture.js';
import {
  commands,
  maskedFirst,
  requestLine,
  runMainStep,
  runPostStep,
} from './helpers/run-action.js';

const sim = useSimulator();

describe('the bundled main and post steps', () => {
  it('the main step makes a token (outputs, masks, summary, journal); the post step revokes it', async () => {
    const inputs = {
      'base-url': sim.url,
      'gitlab-token': ADMIN_TOKEN,
      'user-id': '42',
      scopes: 'read_api',
      revoke: 'true',
    };
    const main = await runMainStep({ inputs, bundle: true });
    expect({ code: main.code, stderr: main.stderr }).toEqual({ code: 0, stderr: '' });
    const made = sim.tokens[sim.tokens.length - 1];
    expect(main.outputs).toMatchObject({ token: made.token, id: String(made.id), 'user-id': '42' });
    expect(JSON.parse(main.outputs.tokens)).toEqual([
      expect.objectContaining({ id: made.id, token: made.token }),
    ]);
    expect(maskedFirst(main.stdout, ADMIN_TOKEN)).toBe(true);
    expect(maskedFirst(main.stdout, made.token)).toBe(true);
    expect(main.summary).toContain('<h3>GitLab tokens</h3>');
    expect(main.summary).toContain(`<td>${made.id}</td>`);
    expect(journalOf(main)).toEqual([expect.objectContaining({ user_id: 42, id: made.id })]);
    expect(main.state['cgt-reported']).toBe('true');
    expectNoSecretsIn(main, [ADMIN_TOKEN], [sim]);

    sim.requests.length = 0;
    const post = await runPostStep(main, { inputs, bundle: true });
    expect({ code: post.code, stderr: post.stderr }).toEqual({ code: 0, stderr: '' });
    expect(sim.requests.map(requestLine)).toEqual([
      `DELETE /api/v4/personal_access_tokens/${made.id}`,
    ]);
    expect(made.revoked).toBe(true);
    expect(post.stdout).toContain(`Revoked token ID ${made.id}.`);
    expect(commands(post.stdout, 'warning')).toEqual([]);
    expectNoSecretsIn(post, [ADMIN_TOKEN], [sim]);
  });

  it('a failure is an error annotation and exit code 1', async () => {
    const result = await runMainStep({
      inputs: { 'base-url': sim.url, 'gitlab-token': ADMIN_TOKEN, 'user-id': '42', scopes: '' },
      bundle: true,
    });
    expect(result.code).toBe(1);
    expect(commands(result.stdout, 'error')).toEqual([expect.stringContaining('scopes: required')]);
    expect(sim.requests).toEqual([]);
    expect(result.outputs).toEqual({});
    expectNoSecretsIn(result, [ADMIN_TOKEN], [sim]);
  });
});
