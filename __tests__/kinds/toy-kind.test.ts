/**
 * Adding a kind is one module and one line: a toy kind (toy-kind.ts) is registered with one call
 * and goes through the same code as the built-in kinds, in-process against the simulator:
 * create (tokens/many.ts, with its outputs and log line), list (tokens/expiring.ts) and revoke
 * (tokens/revoke.ts), and the journal the post step reads.
 */
import { describe, expect, it } from '@jest/globals';
import { clientFor } from '../../src/gitlab/client.js';
import { registerKind } from '../../src/kinds/index.js';
import { failureDescriber } from '../../src/messages/describe-error.js';
import { listActiveTokens } from '../../src/tokens/expiring.js';
import { readEntry, stateJournal } from '../../src/tokens/journal.js';
import { createTokens } from '../../src/tokens/many.js';
import { madeLine, madeTokens, tokenOutputs } from '../../src/tokens/outputs.js';
import { parseRunInputs } from '../../src/tokens/inputs.js';
import { revokeTokens } from '../../src/tokens/revoke.js';
import { MAINTAINER_TOKEN } from '../simulator/gitlab-simulator.js';
import { useSimulator } from '../helpers/simulator-fixture.js';
import { deployBot } from './toy-kind.js';

registerKind(deployBot); // the one line

const sim = useSimulator();
const NOW = new Date();

describe('a kind added as one module and one registry line', () => {
  it('creates, lists and revokes through the shared code, leaving no active token unreported', async () => {
    const values: Record<string, string> = {
      'base-url': sim.url,
      'gitlab-token': MAINTAINER_TOKEN,
      'project-id': 'acme/app',
      scopes: 'read_api',
      name: 'toy-deploy',
      'expires-at': '30d',
    };
    const inputs = parseRunInputs((name) => values[name] ?? '', {}, NOW);
    // The inputs select a project token; the toy kind is the same target under its own name.
    inputs.targets = [{ kind: 'deploy-bot', projectId: 'acme/app' }];
    const client = clientFor(inputs);
    const describe = failureDescriber(client, { instanceUrl: inputs.instanceUrl });
    const secrets: string[] = [];
    const state: Record<string, string> = {};
    const log = { info: () => {}, warning: (line: string) => secrets.push(`warning ${line}`) };
    try {
      const results = await createTokens(
        client,
        inputs,
        {
          onSecret: (secret) => secrets.push(secret),
          log,
          journal: stateJournal((key, value) => (state[key] = value), false),
        },
        describe,
      );
      expect(results.map((result) => result.error)).toEqual([undefined]);
      const [made] = madeTokens(results);
      expect(secrets).toEqual([made.token.token]);
      expect(tokenOutputs([made])).toEqual([
        expect.objectContaining({ type: 'deploy-bot', target: 'acme/app', access_level: 40 }),
      ]);
      expect(madeLine(made)).toMatch(
        new RegExp(
          `^Created token ID ${made.token.id} for deploy bot of acme/app \\(bot user \\d+\\)`,
        ),
      );
      // The journal names the toy kind, and reads back as its target.
      const entries = Object.values(state).map((value) => readEntry(value));
      expect(entries.at(-1)).toEqual(
        expect.objectContaining({ target: { kind: 'deploy-bot', projectId: 'acme/app' } }),
      );

      const listings = await listActiveTokens(
        client,
        { targets: [{ kind: 'deploy-bot', projectId: 'acme/app' }], within: undefined },
        new Set(secrets),
        NOW,
        describe,
      );
      expect(listings).toEqual([
        expect.objectContaining({
          label: 'deploy bot of acme/app',
          tokens: [expect.objectContaining({ id: made.token.id, type: 'deploy-bot' })],
        }),
      ]);

      const revoked = await revokeTokens(
        client,
        [{ id: made.token.id, target: made.target }],
        { onSecret: () => {}, log },
        new Set(secrets),
        describe,
      );
      expect(revoked).toEqual([expect.objectContaining({ outcome: 'revoked' })]);
      // Nothing this test made is left active.
      expect(sim.tokens.filter((token) => !token.revoked && token.name === 'toy-deploy')).toEqual(
        [],
      );
    } finally {
      client.dispose();
    }
  });
});
