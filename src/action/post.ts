/**
 * The post step. It runs whatever the job's outcome and reads only the journal the main step left
 * in the state (IDs, names, markers; never a secret):
 * - requests whose reply never came (a cancel, a crash, a lost reply): their tokens, if GitLab made
 *   them, are useless (nobody has the secret) and are revoked when proven this run's;
 * - with `revoke: true`, every token made is revoked; without it, an interrupted main step's tokens
 *   are named so that nobody is left holding an unreported token.
 * It never fails the job: what it cannot confirm is a warning naming the token.
 */
import * as core from '@actions/core';
import { clientFor, retryPolicy, type GitLabClient } from '../gitlab/client.js';
import { environmentProxySecrets } from '../http/proxy.js';
import { provenOurs } from '../tokens/identity.js';
import { parseConnectionInputs, type ConnectionInputs } from '../inputs/connection.js';
import { tokenKind, type KindContext } from '../kinds/index.js';
import { outcomeText, revokeTokens } from '../tokens/revoke.js';
import { describeError, failureDescriber, gatherDiagnostics } from '../messages/describe-error.js';

import { STATE_INTERRUPTED, STATE_REPORTED, type JournalEntry } from '../tokens/journal.js';
import { readJournal } from '../tokens/journal.js';
import { journalState } from './state.js';
import type { PersonalAccessToken } from '../gitlab/token.js';
import type { RunOptions } from '../util/waits.js';

/** Failures worded for the action's reader. */
const describer = (client: GitLabClient, connection: ConnectionInputs) =>
  failureDescriber(client, {
    instanceUrl: connection.instanceUrl,
    skipAuth: connection.credential === undefined,
  });

/** The post step. `options` are the tests' (zero waits); a runner passes none. */
export async function runPost(options: RunOptions = {}): Promise<void> {
  const journal = readJournal(journalState());
  if (journal.length === 0) return;
  const secrets = new Set([
    ...[core.getInput('gitlab-token'), process.env.GITLAB_TOKEN ?? '']
      .map((s) => s.trim())
      .filter(Boolean),
    ...environmentProxySecrets(process.env),
  ]);
  const made = journal.filter((entry) => entry.id !== undefined);
  // A token being replaced is not a request: it is named, never looked for or revoked.
  const replaced = journal.flatMap((entry) => (entry.replacing ? [entry.replacing] : []));
  const pending = journal.filter(
    (entry) => entry.id === undefined && !entry.refused && entry.replacing === undefined,
  );
  const revoke = /^true$/i.test(core.getInput('revoke').trim());
  // A main step that was cancelled, or stopped before it reported (crashed, killed), leaves the
  // naming of the tokens it made to this one: later steps that would use them never run.
  const interrupted =
    core.getState(STATE_INTERRUPTED) === 'true' || core.getState(STATE_REPORTED) !== 'true';
  if (!revoke && pending.length === 0) {
    if (interrupted) nameActive(made, replaced);
    return;
  }
  for (const secret of secrets) core.setSecret(secret);
  let connection: ConnectionInputs;
  try {
    connection = parseConnectionInputs((name) => core.getInput(name), process.env);
  } catch (error) {
    const ids = made.map((entry) => entry.id).join(', ') || 'none';
    const lost = pending.length > 0 ? `; ${pending.length} request(s) whose reply never came` : '';
    core.warning(
      `Could not reach GitLab to clean up (token IDs made: ${ids}${lost}): ${describeError(error, { instanceUrl: '', secrets })} Revoke them by hand.`,
    );
    return;
  }
  const client = clientFor(connection, undefined, core.debug, retryPolicy(options.waits));
  const context: KindContext = {
    onSecret: (secret) => {
      secrets.add(secret);
      core.setSecret(secret);
    },
    log: { info: core.info, warning: core.warning },
  };
  try {
    await revokeLost(client, connection, pending, made, context, secrets);
    if (revoke) await revokeMade(client, connection, made, context, secrets);
    else if (interrupted) nameActive(made, replaced);
  } finally {
    client.dispose();
  }
}

function nameActive(made: JournalEntry[], replaced: number[]): void {
  if (made.length > 0) {
    const ids = made.map((entry) => entry.id).join(', ');
    core.warning(
      `The main step stopped before it finished; the token(s) it made stay active (revoke is not true): token ID ${ids}. Revoke them by hand if nothing uses them.`,
    );
  }
  if (replaced.length > 0) {
    // Replaced last: a renewal revokes the old token only once the new one is stored everywhere.
    core.warning(
      `The main step stopped while replacing token ID ${replaced.join(', ')}: it was not revoked by this run unless the log says so, and the store-in targets hold it or its replacement. Check which one they hold before revoking either.`,
    );
  }
}

async function revokeMade(
  client: GitLabClient,
  connection: ConnectionInputs,
  made: JournalEntry[],
  context: KindContext,
  secrets: Set<string>,
): Promise<void> {
  const requests = made.map((entry) => ({ id: entry.id as number, target: entry.target }));
  for (const result of await revokeTokens(
    client,
    requests,
    context,
    secrets,
    describer(client, connection),
  )) {
    const { id } = result.request;
    if ('error' in result) {
      core.warning(
        `GitLab did not confirm revoking token ID ${id}: it may still be active, revoke it by hand. ${result.error}`,
      );
    } else if (result.outcome === 'revoked') {
      core.info(outcomeText(id, result.outcome));
    } else {
      core.notice(outcomeText(id, result.outcome));
    }
  }
}

/**
 * Requests whose token never arrived: look for their tokens (a late commit, a cancel mid-request)
 * and revoke those proven this run's; name the others made around then (a rotation's successor
 * is never proven: it keeps the old token's description). Each target and name is listed once.
 */
async function revokeLost(
  client: GitLabClient,
  connection: ConnectionInputs,
  pending: JournalEntry[],
  made: JournalEntry[],
  context: KindContext,
  secrets: Set<string>,
): Promise<void> {
  const groups = new Map<string, JournalEntry[]>();
  for (const entry of pending) {
    const key = JSON.stringify([entry.target, entry.name]);
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  }
  const kept = new Set(made.map((entry) => entry.id as number));
  for (const entries of groups.values()) {
    const { target, name, uniqueName } = entries[0];
    const kind = tokenKind(target.kind);
    const markers = new Set(entries.flatMap((entry) => (entry.marker ? [entry.marker] : [])));
    try {
      const found = await kind.list(client, target, { name });
      const proof = { markers, uniqueName, kept };
      const orphans = found.filter((token) => provenOurs(token, proof));
      const requests = orphans.map((token) => ({ id: token.id, target }));
      for (const result of await revokeTokens(
        client,
        requests,
        context,
        secrets,
        describer(client, connection),
      )) {
        const { id } = result.request;
        if ('error' in result) {
          core.warning(
            `Token ID ${id} was made by a request of this run whose reply never came, and GitLab did not confirm revoking it: revoke it by hand. ${result.error}`,
          );
        } else {
          core.info(
            `Token ID ${id} was made by a request whose reply never came: ${outcomeText(id, result.outcome)}`,
          );
        }
      }
      nameStrangers(client, kind.label(target), name, entries, found, orphans, kept);
    } catch (error) {
      const message = describeError(error, {
        instanceUrl: connection.instanceUrl,
        groupId: target.groupId,
        kind: target.kind,
        secrets,
        diagnostics: await gatherDiagnostics(client, error),
      });
      core.warning(
        `${entries.length} request(s) for a token named ${JSON.stringify(name)} of ${kind.label(target)} never got a reply, and the tokens could not be listed to check whether GitLab made one: check by hand. ${message}`,
      );
    }
  }
}

/** Active same-name tokens made since the earliest of these requests (GitLab's clock), unproven. */
function nameStrangers(
  client: GitLabClient,
  label: string,
  name: string,
  entries: JournalEntry[],
  found: PersonalAccessToken[],
  orphans: PersonalAccessToken[],
  kept: Set<number>,
): void {
  const sent = Math.min(...entries.map((entry) => Date.parse(entry.at ?? '') || Infinity));
  const since = Number.isFinite(sent) ? client.serverTime(sent) : undefined;
  if (since === undefined) return;
  const proven = new Set(orphans.map((token) => token.id));
  const strangers = found.filter(
    (token) =>
      !proven.has(token.id) &&
      !kept.has(token.id) &&
      Date.parse(token.created_at) >= since - 60_000,
  );
  if (strangers.length === 0) return;
  const rotation = entries.find((entry) => entry.rotating !== undefined)?.rotating;
  const why =
    rotation === undefined
      ? 'around the time of a request of this run whose reply never came'
      : `around the time of a rotation of token ID ${rotation} whose reply never came (GitLab shows a rotated token's secret only once)`;
  core.warning(
    `Token ID ${strangers.map((token) => token.id).join(', ')} named ${JSON.stringify(name)} of ${label} was made ${why}, but nothing proves this run made it, so it was left active: if nothing uses it, revoke it by hand.`,
  );
}
