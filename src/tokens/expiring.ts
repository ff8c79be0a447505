/**
 * The CLI's `list`: the active tokens of users, group service accounts, projects or groups (no
 * target: the credential's own user's), optionally only those that expire within N days, so that
 * a scheduled job can report what expires soon. Each kind's own `list` reads them (every page,
 * and its fallbacks for older versions); GitLab's filters (`state=active`, `expires_before`)
 * narrow the lists where the version knows them, and every token is checked again here, since
 * older versions ignore them. Token lists carry no secrets.
 */
import { mapWithConcurrency } from '../util/concurrency.js';
import { describeError, gatherDiagnostics } from '../messages/describe-error.js';
import { CLI_WORDS } from '../inputs/cli-words.js';
import type { Words } from '../inputs/words.js';
import { GitLabApiError, InputError } from '../gitlab/errors.js';
import { clientFor, type GitLabClient } from '../gitlab/client.js';
import {
  DEFAULT_MAX_CONCURRENCY,
  Problems,
  parseBoolean,
  parseConnectionInto,
  parseGroupId,
  parseProjects,
  parseUsers,
  type ConnectionInputs,
  type Env,
  type InputReader,
  type UserRef,
} from '../inputs/token-request.js';
import { tokenKind, type TokenTarget } from '../kinds/index.js';
import type { TokenFilter } from '../kinds/list.js';
import { isTokenId, type PersonalAccessToken } from '../gitlab/token.js';
import { scrubSecrets } from '../util/scrub.js';
import { oneLine, quote } from '../util/text.js';
import { currentUser, resolveUserId } from '../gitlab/users.js';
import { retryPolicy, type Waits } from '../util/waits.js';

/** Whose tokens, as the flags name them (before any look-up). */
export type ListTarget =
  | { kind: 'own' }
  | { kind: 'personal' | 'impersonation'; user: UserRef }
  | { kind: 'service-account'; user: UserRef; groupId: string }
  | { kind: 'project'; projectId: string }
  | { kind: 'group'; groupId: string };

export type ListOutput = 'text' | 'json';

export interface ListInputs extends ConnectionInputs {
  targets: ListTarget[];
  /** --expiring-within: the number of days, and the last expiry date (UTC) it lists */
  within: { days: number; lastDay: string } | undefined;
  output: ListOutput;
  /** the reader's words, for messages */
  words: Words;
}

export type TokenType = 'personal' | 'impersonation' | 'service-account' | 'project' | 'group';

/** One token as `--output json` prints it. */
export interface ListedToken {
  id: number;
  name: string;
  type: TokenType;
  /** the user ID (a user's tokens); the group (a service account's); the project or group */
  target: number | string;
  /** the token's user: the user, the service account, or the project's or group's bot */
  user_id: number;
  scopes: string[];
  /** project and group access tokens only */
  access_level?: number | null;
  created_at: string | null;
  expires_at: string | null;
  /** whole days from today (UTC) to expires_at, when the token stops working at 00:00 UTC */
  days_left: number | null;
  last_used_at: string | null;
}

export type TargetListing =
  { label: string; tokens: ListedToken[]; key: string } | { label: string; error: string };

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
const MAX_DAYS = 3650;
const DAY_MS = 86_400_000;

const utcDay = (now: Date): string => now.toISOString().slice(0, 10);

function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * `Nd` (as rotate-before): tokens that expire within N days, that is on or before the date N
 * days from today (UTC). A sentence saying what is wrong, or undefined when not set.
 */
export function parseExpiringWithin(
  raw: string,
  now: Date,
): { days: number; lastDay: string } | string | undefined {
  const value = raw.trim();
  if (value === '') return undefined;
  const match = /^(\d{1,4})d$/i.exec(value);
  const days = match ? Number(match[1]) : 0;
  if (days < 1 || days > MAX_DAYS) {
    return `expected a number of days from 1 to ${MAX_DAYS} such as 30d, got ${quote(value)}`;
  }
  return { days, lastDay: addDays(utcDay(now), days) };
}

/**
 * Whole days from today (UTC) to `expiresAt`: the token stops working at 00:00 UTC that day, so
 * 1 means at the next midnight UTC (the time until then, rounded up). Null without a date.
 */
export function daysLeft(expiresAt: string | null, now: Date): number | null {
  if (expiresAt === null) return null;
  return Math.round(
    (Date.parse(`${expiresAt}T00:00:00Z`) - Date.parse(`${utcDay(now)}T00:00:00Z`)) / DAY_MS,
  );
}

/**
 * Whether a token is listed: active (not revoked, and its expiry date not reached: GitLab's
 * `active` may lag, and older versions ignore `state`), and with `lastDay`, expiring on or
 * before it. A token without an expiry date never breaks on a date, so `--expiring-within`
 * leaves it out (as GitLab's `expires_before` does); without the flag it is listed.
 */
export function isListed(
  token: PersonalAccessToken,
  now: Date,
  lastDay: string | undefined,
): boolean {
  const today = utcDay(now);
  if (!token.active || token.revoked) return false;
  if (token.expires_at !== null && token.expires_at <= today) return false;
  return lastDay === undefined || (token.expires_at !== null && token.expires_at <= lastDay);
}

/** The items of a comma or newline list, each once (the first spelling kept). */
function distinct(raw: string): string {
  const seen = new Set<string>();
  const kept: string[] = [];
  for (const item of raw.split(/[\n,]/).map((value) => value.trim())) {
    const key = item
      .toLowerCase()
      .replace(/^@/, '')
      .replace(/^\/+|\/+$/g, '');
    if (item === '' || seen.has(key)) continue;
    seen.add(key);
    kept.push(item);
  }
  return kept.join('\n');
}

/** The targets, from the same flags as `create` (none: the credential's own user). */
function parseListTargets(read: InputReader, problems: Problems): ListTarget[] {
  const userRaw = read('user-id').trim();
  const projectRaw = read('project-id').trim();
  const groupRaw = read('group-id').trim();
  const groupId = parseGroupId(groupRaw, problems);
  const impersonation = parseBoolean(read, 'impersonation', problems);
  if (projectRaw) {
    if (userRaw)
      problems.add('project-id', `goes without ${problems.ref('user-id')}: set one of them`);
    if (groupRaw)
      problems.add('project-id', `goes without ${problems.ref('group-id')}: set one of them`);
    if (impersonation) {
      problems.add(
        'impersonation',
        `is for a user\u2019s tokens (${problems.ref('user-id')}), not a project`,
      );
    }
    return parseProjects(distinct(projectRaw), problems).map((projectId) => ({
      kind: 'project',
      projectId,
    }));
  }
  if (groupRaw && !userRaw) {
    if (impersonation) {
      problems.add(
        'impersonation',
        `is for a user\u2019s tokens (${problems.ref('user-id')}), not a group`,
      );
    }
    return groupId === undefined ? [] : [{ kind: 'group', groupId }];
  }
  if (userRaw) {
    if (impersonation && groupRaw) {
      problems.add(
        'impersonation',
        `goes without ${problems.ref('group-id')} (a service account has none)`,
      );
    }
    return parseUsers(distinct(userRaw), problems).map((user): ListTarget => {
      if (groupId !== undefined) return { kind: 'service-account', user, groupId };
      return { kind: impersonation ? 'impersonation' : 'personal', user };
    });
  }
  if (impersonation) {
    problems.add('user-id', 'required with impersonation: whose impersonation tokens to list');
  }
  return [{ kind: 'own' }];
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
  if (ids.length > 0) problems.add('id', 'goes with revoke, not with list');
  const output = read('output').trim().toLowerCase() || 'text';
  if (output !== 'text' && output !== 'json') {
    problems.add('output', `expected json or text with list, got ${quote(read('output').trim())}`);
  }
  const within = parseExpiringWithin(read('expiring-within'), now);
  if (typeof within === 'string') problems.add('expiring-within', within);
  const targets = parseListTargets(read, problems);
  problems.throwIfAny();
  return {
    ...connection,
    targets,
    within: typeof within === 'string' ? undefined : within,
    output: output as ListOutput,
    words,
  };
}

/** How a target is named in messages before its users are looked up. */
function refLabel(target: ListTarget): string {
  const who = (ref: UserRef): string => ('id' in ref ? String(ref.id) : `@${ref.username}`);
  switch (target.kind) {
    case 'own':
      return "the credential's own user";
    case 'personal':
      return `user ${who(target.user)}`;
    case 'impersonation':
      return `user ${who(target.user)} (impersonation)`;
    case 'service-account':
      return `service account ${who(target.user)} of group ${target.groupId}`;
    case 'project':
      return `project ${target.projectId}`;
    case 'group':
      return `group ${target.groupId}`;
  }
}

/** A caller that may not list impersonation tokens is not an administrator. */
function refused(error: unknown): boolean {
  return error instanceof GitLabApiError && [401, 403].includes(error.status);
}

/**
 * A user's personal access tokens, typed. An administrator's list includes the user's
 * impersonation tokens without saying which they are (PersonalAccessTokensFinder: only a
 * non-administrator's list has `impersonation: false`), so the user's impersonation list tells;
 * a caller refused that list is no administrator, and its list holds none.
 */
async function personalTokens(
  client: GitLabClient,
  target: TokenTarget,
  filter: TokenFilter,
  mayHoldImpersonation: boolean,
): Promise<{ token: PersonalAccessToken; type: TokenType }[]> {
  const found = await tokenKind('personal').list(client, target, filter);
  let impersonationIds = new Set<number>();
  if (found.length > 0 && mayHoldImpersonation) {
    try {
      const theirs = await tokenKind('impersonation').list(client, target, {});
      impersonationIds = new Set(theirs.map((token) => token.id));
    } catch (error) {
      if (!refused(error)) throw error;
    }
  }
  return found.map((token) => ({
    token,
    type: impersonationIds.has(token.id) ? 'impersonation' : 'personal',
  }));
}

interface Resolved {
  target: TokenTarget;
  shown: number | string;
  label: string;
  /** the same target reached twice (a username and its ID) is listed once */
  key: string;
}

async function resolveTarget(
  client: GitLabClient,
  target: ListTarget,
): Promise<Resolved & { admin?: boolean }> {
  if (target.kind === 'project' || target.kind === 'group') {
    const kindTarget: TokenTarget =
      target.kind === 'project'
        ? { kind: 'project', projectId: target.projectId }
        : { kind: 'group', groupId: target.groupId };
    const shown = target.kind === 'project' ? target.projectId : target.groupId;
    return {
      target: kindTarget,
      shown,
      label: refLabel(target),
      key: `${target.kind}:${shown.toLowerCase()}`,
    };
  }
  if (target.kind === 'own') {
    const user = await currentUser(client);
    if (!isTokenId(user?.id)) throw new Error('GET /user did not say which user this is');
    return {
      target: { kind: 'personal', userId: user.id },
      shown: user.id,
      label: `user ${user.id} (the credential's own)`,
      key: `personal:${user.id}`,
      admin: user.is_admin === true,
    };
  }
  const userId = await resolveUserId(client, target.user);
  const kindTarget: TokenTarget =
    target.kind === 'service-account'
      ? { kind: 'service-account', userId, groupId: target.groupId }
      : { kind: target.kind, userId };
  const group = target.kind === 'service-account' ? `:${target.groupId.toLowerCase()}` : '';
  return {
    target: kindTarget,
    shown: target.kind === 'service-account' ? target.groupId : userId,
    label: tokenKind(kindTarget.kind).label(kindTarget),
    key: `${target.kind}:${userId}${group}`,
  };
}

function listed(
  token: PersonalAccessToken,
  type: TokenType,
  shown: number | string,
  now: Date,
  secrets: Iterable<string>,
): ListedToken {
  // Everything here is GitLab's data: a name may hold anything, even a secret pasted into it.
  const text = (value: string): string => scrubSecrets(value, secrets);
  const resource = type === 'project' || type === 'group';
  return {
    id: token.id,
    name: text(token.name),
    type,
    target: shown,
    user_id: token.user_id,
    scopes: token.scopes.map(text),
    ...(resource ? { access_level: token.access_level ?? null } : {}),
    created_at: token.created_at ? text(token.created_at) : null,
    expires_at: token.expires_at,
    days_left: daysLeft(token.expires_at, now),
    last_used_at: token.last_used_at === null ? null : text(token.last_used_at),
  };
}

/** Soonest expiry first, tokens without one last; then by ID. */
function byExpiry(a: ListedToken, b: ListedToken): number {
  if (a.expires_at !== b.expires_at) {
    if (a.expires_at === null) return 1;
    if (b.expires_at === null) return -1;
    return a.expires_at < b.expires_at ? -1 : 1;
  }
  return a.id - b.id;
}

/**
 * Every target's listed tokens, or the message saying why that target could not be listed: one
 * failing target does not hide the others. Several targets are read at once (bounded).
 */
export async function listActiveTokens(
  client: GitLabClient,
  inputs: Pick<ListInputs, 'targets' | 'within' | 'instanceUrl' | 'credential'> & {
    words?: Words;
  },
  secrets: Set<string>,
  now: Date,
): Promise<TargetListing[]> {
  const lastDay = inputs.within?.lastDay;
  // GitLab's expires_before is `expires_at < date`: the day after the last one listed.
  const filter: TokenFilter = lastDay === undefined ? {} : { expiresBefore: addDays(lastDay, 1) };
  const listings = await mapWithConcurrency(
    inputs.targets,
    DEFAULT_MAX_CONCURRENCY,
    async (target): Promise<TargetListing> => {
      let label = refLabel(target);
      try {
        const resolved = await resolveTarget(client, target);
        label = resolved.label;
        const kind = resolved.target.kind;
        const found =
          kind === 'personal'
            ? await personalTokens(client, resolved.target, filter, resolved.admin ?? true)
            : (await tokenKind(kind).list(client, resolved.target, filter)).map((token) => ({
                token,
                type: kind as TokenType,
              }));
        const tokens = found
          .filter(({ token }) => isListed(token, now, lastDay))
          .map(({ token, type }) => listed(token, type, resolved.shown, now, secrets))
          .sort(byExpiry);
        return { label, tokens, key: resolved.key };
      } catch (error) {
        const diagnostics = await gatherDiagnostics(client, error);
        const context = {
          instanceUrl: inputs.instanceUrl,
          subject: label,
          groupId: 'groupId' in target ? target.groupId : undefined,
          kind: target.kind === 'own' ? ('personal' as const) : target.kind,
          skipAuth: inputs.credential === undefined,
          secrets,
          diagnostics,
          words: inputs.words,
        };
        return { label, error: describeError(error, context) };
      }
    },
  );
  const seen = new Set<string>();
  return listings.filter((listing) => {
    if (!('key' in listing)) return true;
    if (seen.has(listing.key)) return false;
    seen.add(listing.key);
    return true;
  });
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

export interface ListIo {
  /** Resolves once the text is written; rejects when it cannot be (a closed pipe: EPIPE). */
  stdout(text: string): Promise<void>;
  stderr(text: string): void;
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
  io: ListIo,
  secrets: Set<string>,
  now: Date,
  usage: (message: string) => number,
  words: Words = CLI_WORDS,
  waits?: Waits,
): Promise<number> {
  let inputs: ListInputs;
  try {
    inputs = parseListInputs(read, ids, env, now, words);
  } catch (error) {
    if (error instanceof InputError)
      return usage(describeError(error, { instanceUrl: '', secrets, words }));
    throw error;
  }
  const client = clientFor(inputs, DEFAULT_MAX_CONCURRENCY, undefined, retryPolicy(waits));
  try {
    if (inputs.insecureHttp) {
      io.stderr(
        'warning: plain http to a remote host: the credential crosses the network unencrypted\n',
      );
    }
    const listings = await listActiveTokens(client, inputs, secrets, now);
    for (const listing of listings) io.stderr(`${listingLine(listing, inputs.within)}\n`);
    const out = inputs.output === 'json' ? listJson(listings) : listTable(listings);
    try {
      if (out) await io.stdout(out);
    } catch (error) {
      const why =
        error instanceof Error
          ? ((error as NodeJS.ErrnoException).code ?? error.message)
          : String(error);
      io.stderr(`error: the list could not be written to stdout (${oneLine(why, 200)})\n`);
      return 1;
    }
    return listings.every((listing) => 'tokens' in listing) ? 0 : 1;
  } finally {
    client.dispose();
  }
}
