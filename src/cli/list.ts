/**
 * `create-gitlab-token list [TARGET] [--expiring-within Nd] [--output json]`: the active tokens
 * of the targets (tokens/expiring.ts), as a table or JSON on stdout, a line per target on stderr.
 */
import { clientFor, retryPolicy } from '../gitlab/client.js';
import { parseConnectionInto, type ConnectionInputs } from '../inputs/connection.js';
import { parseDays } from '../inputs/fields.js';
import { InputError, Problems, type Env, type InputReader } from '../inputs/problems.js';
import { DEFAULT_MAX_CONCURRENCY } from '../inputs/request.js';
import { parseBoolean, parseGroupId } from '../inputs/fields.js';
import { parseTargets, type TargetRef } from '../inputs/targets.js';
import { CLI_WORDS, type Words } from '../inputs/words.js';
import { describeError, failureDescriber } from '../messages/describe-error.js';
import {
  expiringWithin,
  listActiveTokens,
  type ListWindow,
  type TargetListing,
} from '../tokens/expiring.js';
import { oneLine, quote } from '../util/text.js';
import { announceInstance, writeFailure, type CliIo } from './io.js';
import { usageError } from './usage.js';
import type { Waits } from '../util/waits.js';

export type ListOutput = 'text' | 'json';

export interface ListInputs extends ConnectionInputs {
  targets: TargetRef[];
  /** --expiring-within: the number of days, and the last expiry date (UTC) it lists */
  within: ListWindow | undefined;
  output: ListOutput;
  /** the reader's words, for messages */
  words: Words;
}

/** Flags of `create` that mean nothing to `list`. */
const NOT_FOR_LIST = [
  'scopes',
  'name',
  'expires-at',
  'description',
  'access-level',
  'if-exists',
  'rotate-before',
  'max-concurrency',
  'store-in',
];
/**
 * `--expiring-within N` or `Nd` (a bare number is days too): tokens that expire on or before the
 * date N days from today (UTC). A sentence saying what is wrong, or undefined when not set.
 */
export function parseExpiringWithin(raw: string, now: Date): ListWindow | string | undefined {
  const days = parseDays(raw, true);
  return typeof days === 'number' ? expiringWithin(days, now) : days;
}

/** Parses the flags of `list`; throws InputError listing every problem, before any request. */
export function parseListInputs(
  read: InputReader,
  ids: readonly string[],
  env: Env,
  now: Date,
  words: Words = CLI_WORDS,
): ListInputs {
  const problems = new Problems(words);
  const connection = parseConnectionInto(read, env, problems);
  for (const input of NOT_FOR_LIST) {
    if (read(input).trim()) problems.add(input, 'goes without list (it lists tokens, makes none)');
  }
  if (parseBoolean(read, 'self-rotate', problems)) {
    problems.add('self-rotate', 'goes without list (it lists tokens, rotates none)');
  }
  if (parseBoolean(read, 'dry-run', problems)) {
    problems.add('dry-run', 'goes without list (it only reads: it changes nothing anyway)');
  }
  if (ids.length > 0) problems.add('id', 'goes with revoke, not with list');
  const output = read('output').trim().toLowerCase() || 'text';
  if (output !== 'text' && output !== 'json') {
    problems.add('output', `expected json or text with list, got ${quote(read('output').trim())}`);
  }
  const parsed = parseExpiringWithin(read('expiring-within'), now);
  if (typeof parsed === 'string') problems.add('expiring-within', parsed);
  const within = typeof parsed === 'string' ? undefined : parsed;
  const groupId = parseGroupId(read('group-id'), problems);
  const targets = parseTargets(read, problems, 'list', groupId);
  problems.throwIfAny();
  return {
    ...connection,
    targets,
    within,
    output: output as ListOutput,
    words,
  };
}

/** `--output json`: one array of every listed token (`[]` for none), for jq and the like. */
export function listJson(listings: readonly TargetListing[]): string {
  const tokens = listings.flatMap((listing) => ('tokens' in listing ? listing.tokens : []));
  return `${JSON.stringify(tokens, null, 2)}\n`;
}

const COLUMNS = ['TYPE', 'TARGET', 'ID', 'NAME', 'EXPIRES', 'DAYS', 'LAST USED', 'SCOPES'];
const MAX_CELL = 40;

/** The default output: a table, one line per token (nothing for none). One line per cell. */
export function listTable(listings: readonly TargetListing[]): string {
  const rows = listings
    .flatMap((listing) => ('tokens' in listing ? listing.tokens : []))
    .map((token) =>
      [
        token.type,
        String(token.target),
        String(token.id),
        token.name,
        token.expires_at ?? 'never',
        token.days_left === null ? '-' : String(token.days_left),
        token.last_used_at ?? 'never',
        token.scopes.join(',') || '-',
      ].map((cell) => oneLine(cell, MAX_CELL) || '-'),
    );
  if (rows.length === 0) return '';
  const widths = COLUMNS.map((title, column) =>
    Math.max([...title].length, ...rows.map((row) => [...row[column]].length)),
  );
  const line = (cells: string[]): string =>
    `${cells
      .map((cell, column) =>
        column === cells.length - 1
          ? cell
          : cell.padEnd(widths[column] + cell.length - [...cell].length),
      )
      .join('  ')}\n`;
  return [COLUMNS, ...rows].map(line).join('');
}

/** The line on stderr that says what was listed for a target, or why it could not be. */
export function listingLine(listing: TargetListing, within: ListInputs['within']): string {
  if ('error' in listing) return `error: ${listing.error}`;
  const count = listing.tokens.length;
  const soon = within ? ` expiring by ${within.lastDay} (within ${within.days} days)` : '';
  return `Listed ${count} active token${count === 1 ? '' : 's'} of ${listing.label}${soon}.`;
}

/**
 * The `list` command: 0 when every target was listed (whatever expires), 1 when one could not
 * be (the others are still printed) or stdout could not be written; `usage` reports bad flags
 * (before any request) and returns its exit code.
 */
export async function runList(
  read: InputReader,
  ids: readonly string[],
  env: Env,
  io: CliIo,
  secrets: Set<string>,
  now: Date,
  words: Words = CLI_WORDS,
  waits?: Waits,
): Promise<number> {
  let inputs: ListInputs;
  try {
    inputs = parseListInputs(read, ids, env, now, words);
  } catch (error) {
    if (error instanceof InputError)
      return usageError(io, describeError(error, { instanceUrl: '', secrets, words }), 'list');
    throw error;
  }
  announceInstance(io, inputs);
  const client = clientFor(inputs, DEFAULT_MAX_CONCURRENCY, undefined, retryPolicy(waits));
  try {
    if (inputs.insecureHttp) {
      io.stderr(
        'warning: plain http to a remote host: the credential crosses the network unencrypted\n',
      );
    }
    const describe = failureDescriber(client, {
      instanceUrl: inputs.instanceUrl,
      skipAuth: inputs.credential === undefined,
      words: inputs.words,
    });
    const listings = await listActiveTokens(client, inputs, secrets, now, describe);
    for (const listing of listings) io.stderr(`${listingLine(listing, inputs.within)}\n`);
    const out = inputs.output === 'json' ? listJson(listings) : listTable(listings);
    try {
      if (out) await io.stdout(out);
    } catch (error) {
      const why = writeFailure(error);
      io.stderr(`error: the list could not be written to stdout (${oneLine(why, 200)})\n`);
      return 1;
    }
    return listings.every((listing) => 'tokens' in listing) ? 0 : 1;
  } finally {
    client.dispose();
  }
}
