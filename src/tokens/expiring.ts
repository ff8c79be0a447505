/**
 * The active tokens of users, group service accounts, projects or groups (no target: the
 * credential's own user's), optionally only those that expire within N days, so that a scheduled
 * job can report what expires soon (the CLI's `list`). Each kind's own `list` reads them (every
 * page, and its fallbacks for older versions); GitLab's filters (`state=active`,
 * `expires_before`) narrow the lists where the version knows them, and every token is checked
 * again here, since older versions ignore them. Token lists carry no secrets.
 */
import type { GitLabClient } from '../gitlab/client.js';
import { GitLabApiError } from '../gitlab/errors.js';
import type { PersonalAccessToken } from '../gitlab/token.js';
import { currentUser, resolveUserId } from '../gitlab/users.js';
import { daysFromToday, isPositiveId, utcDay } from '../inputs/fields.js';
import { DEFAULT_MAX_CONCURRENCY } from '../inputs/request.js';
import type { TargetRef } from '../inputs/targets.js';
import { findKind, tokenKind, type TokenTarget } from '../kinds/index.js';
import type { TokenFilter } from '../kinds/list.js';
import { mapWithConcurrency } from '../util/concurrency.js';
import { scrubSecrets } from '../util/scrub.js';
import type { DescribeFailure } from './errors.js';

/** `--expiring-within`: the number of days, and the last expiry date (UTC) it lists. */
export interface ListWindow {
  days: number;
  lastDay: string;
}

const DAY_MS = 86_400_000;

/** The day after `day` (UTC). */
function dayAfter(day: string): string {
  return daysFromToday(new Date(`${day}T00:00:00Z`), 1);
}

/** The window of `--expiring-within N`: tokens expiring on or before the day N days from today. */
export function expiringWithin(days: number, now: Date): ListWindow {
  return { days, lastDay: daysFromToday(now, days) };
}

/** The kind of a listed token (a registered kind's name). */
export type TokenType = string;

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

/** How a target is named in messages before its user is looked up. */
function refLabel(target: TargetRef): string {
  if (target.kind === 'own') return "the credential's own user";
  const { user, ...rest } = target;
  const who = user === undefined ? undefined : 'id' in user ? user.id : `@${user.username}`;
  return tokenKind(target.kind).label({ ...rest, userId: who });
}

async function resolveTarget(
  client: GitLabClient,
  target: TargetRef,
): Promise<Resolved & { admin?: boolean }> {
  if (target.kind === 'own') {
    const user = await currentUser(client);
    if (!isPositiveId(user?.id)) throw new Error('GET /user did not say which user this is');
    return {
      target: { kind: 'personal', userId: user.id },
      shown: user.id,
      label: `user ${user.id} (the credential's own)`,
      key: `personal:${user.id}`,
      admin: user.is_admin === true,
    };
  }
  const { user, ...rest } = target;
  const kindTarget: TokenTarget = user
    ? { ...rest, userId: await resolveUserId(client, user) }
    : rest;
  // What the list names: the group of a service account, the project or group, else the user.
  const place = kindTarget.groupId ?? kindTarget.projectId;
  const shown = place ?? kindTarget.userId ?? '';
  const key = [target.kind, kindTarget.userId, place?.toLowerCase()]
    .filter((part) => part !== undefined)
    .join(':');
  const label = user ? tokenKind(target.kind).label(kindTarget) : refLabel(target);
  return { target: kindTarget, shown, label, key };
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
  const resource = findKind(type)?.accessLevel === true;
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
  request: { targets: TargetRef[]; within: ListWindow | undefined },
  secrets: Set<string>,
  now: Date,
  describeFailure: DescribeFailure,
): Promise<TargetListing[]> {
  const lastDay = request.within?.lastDay;
  // GitLab's expires_before is `expires_at < date`: the day after the last one listed.
  const filter: TokenFilter = lastDay === undefined ? {} : { expiresBefore: dayAfter(lastDay) };
  const listings = await mapWithConcurrency(
    request.targets,
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
                type: kind,
              }));
        const tokens = found
          .filter(({ token }) => isListed(token, now, lastDay))
          .map(({ token, type }) => listed(token, type, resolved.shown, now, secrets))
          .sort(byExpiry);
        return { label, tokens, key: resolved.key };
      } catch (error) {
        const kind = target.kind === 'own' ? 'personal' : target.kind;
        const about = { kind, subject: label, groupId: target.groupId, secrets };
        return { label, error: await describeFailure(error, about) };
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
