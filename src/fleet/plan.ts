/**
 * `fleet plan`: compares the manifest with GitLab and the stores, which are the whole state (no
 * state file), and gives each entry of the shard one action with its reasons: `create` (no
 * managed token), `renew` (expiring within rotate-before or without an expiry date, revoked or
 * expired, another name, scopes, access level, kind or owner, or a store that does not hold it)
 * or `none`. Every owner is read once (owners.ts), every store place once (stores/reading.ts),
 * the version once. Managed tokens that no entry uses are `unmanaged`. Changes nothing.
 */
import type { GitLabClient } from '../gitlab/client.js';
import { hasFeature } from '../gitlab/features.js';
import type { PersonalAccessToken } from '../gitlab/token.js';
import { gitlabVersion } from '../gitlab/version.js';
import { daysFromToday, utcDay } from '../inputs/fields.js';
import { ACCESS_LEVELS } from '../inputs/request.js';
import { findKind, tokenKind, type TokenTarget } from '../kinds/index.js';
import type { StoreReader, TargetState } from '../stores/reading.js';
import { mapWithConcurrency } from '../util/concurrency.js';
import { readFleetMarker, type FleetMark } from './identity.js';
import type { FleetEntry, Manifest } from './manifest.js';
import { ownerKey, readOwners, type OwnerReading } from './owners.js';
import { shardOf, type Shard } from './shard.js';

export type FleetAction = 'create' | 'renew' | 'none';

/** A managed token a renewal revokes once the new one is stored everywhere. */
export interface OldToken {
  token: PersonalAccessToken;
  kind: string;
  target: TokenTarget;
}

export interface EntryPlan {
  entry: FleetEntry;
  /** the owner, its user looked up (undefined when it could not be read) */
  target: TokenTarget | undefined;
  ownerLabel: string;
  action: FleetAction;
  reasons: string[];
  /** the entry's token: active, or its last one when revoked or expired; none yet: undefined */
  token: PersonalAccessToken | undefined;
  /** active managed tokens of the entry that a renewal revokes after storing the new one */
  old: OldToken[];
  stores: TargetState[];
  /** the entry could not be planned in full (its owner or a store unread): why */
  problem?: unknown;
}

/** A managed token of this fleet that no entry uses (its entry is gone, or it was replaced). */
export interface UnmanagedToken {
  token: PersonalAccessToken;
  /** the entry its marker names */
  entry: string;
  kind: string;
  target: TokenTarget;
  ownerLabel: string;
}

export interface FleetPlan {
  manifest: Manifest;
  shard: Shard;
  entries: EntryPlan[];
  unmanaged: UnmanagedToken[];
  /** GitLab keeps descriptions (17.7+): tokens are known by their marker, else by their name */
  markers: boolean;
  version: string | undefined;
  notes: string[];
  /** GitLab's `today` as this run sees it (UTC), and the instant the plan was made */
  now: Date;
}

export interface PlanContext {
  client: GitLabClient;
  stores: StoreReader;
  concurrency: number;
  /** a failure as a sentence (messages/) */
  describe: (error: unknown, kind: string) => string;
}

type ReadOwner = Extract<OwnerReading, { tokens: PersonalAccessToken[] }>;

interface Found {
  token: PersonalAccessToken;
  mark: FleetMark;
  reading: ReadOwner;
}

/** Active: not revoked, and its expiry date not reached (GitLab's `active` may lag a day). */
export function isLive(token: PersonalAccessToken, today: string): boolean {
  return (
    token.active && !token.revoked && !(token.expires_at !== null && token.expires_at <= today)
  );
}

const newestFirst = (a: PersonalAccessToken, b: PersonalAccessToken): number =>
  Date.parse(b.created_at) - Date.parse(a.created_at) || b.id - a.id;

const LEVEL_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(ACCESS_LEVELS).map(([name, level]) => [level, name]),
);
const levelName = (level: number): string => LEVEL_NAMES[level] ?? String(level);

function sameScopes(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((scope) => b.includes(scope));
}

/** Why a live token no longer fits its entry (none: it fits). */
function driftOf(entry: FleetEntry, token: PersonalAccessToken, lastDay: string): string[] {
  const reasons: string[] = [];
  if (token.expires_at === null) reasons.push('no expiry date');
  else if (token.expires_at <= lastDay) {
    reasons.push(`expires ${token.expires_at}, within rotate-before (${entry.rotateBeforeDays}d)`);
  }
  if (entry.scopes.length > 0 && !sameScopes([...new Set(token.scopes)], entry.scopes)) {
    reasons.push(
      `scopes changed: the token has ${token.scopes.join(',') || 'none'}, the entry asks for ${entry.scopes.join(',')}`,
    );
  }
  if (findKind(entry.kind)?.accessLevel && token.access_level !== undefined) {
    const wanted = entry.accessLevel ?? ACCESS_LEVELS.maintainer;
    if (token.access_level !== wanted) {
      reasons.push(
        `access level changed: the token has ${levelName(token.access_level)}, the entry asks for ${levelName(wanted)}`,
      );
    }
  }
  if (entry.name !== '' && token.name !== entry.name) {
    reasons.push(`name changed: the token is named ${JSON.stringify(token.name)}`);
  }
  return reasons;
}

class Planner {
  /** every managed token of this fleet in the owners read, by entry id (each token once) */
  private readonly byEntry = new Map<string, Found[]>();
  readonly notes: string[] = [];
  readonly today: string;

  constructor(
    private readonly context: PlanContext,
    private readonly manifest: Manifest,
    private readonly readings: Map<string, OwnerReading>,
    readonly markers: boolean,
    readonly now: Date,
  ) {
    this.today = utcDay(now);
    if (markers) this.index();
  }

  private index(): void {
    const seen = new Map<number, Found>();
    for (const reading of this.readings.values()) {
      if (!('tokens' in reading) || findKind(reading.target.kind)?.canCreate === false) continue;
      for (const token of reading.tokens) {
        const mark = readFleetMarker(token.description);
        if (!mark || mark.fleet !== this.manifest.fleet) continue;
        const found = { token, mark, reading };
        const before = seen.get(token.id);
        // A token listed twice (an administrator's list of a user's personal tokens holds their
        // impersonation tokens too) counts where its own kind lists it.
        if (before && before.reading.target.kind === mark.kind) continue;
        seen.set(token.id, found);
      }
    }
    for (const found of seen.values()) {
      const list = this.byEntry.get(found.mark.entry) ?? [];
      list.push(found);
      this.byEntry.set(found.mark.entry, list);
    }
  }

  /** Managed tokens of `entry` (markers), or same-name tokens at its owner (names only). */
  private tokensOf(entry: FleetEntry, reading: ReadOwner) {
    const key = ownerKey(entry.owner);
    if (!this.markers) {
      const here = reading.tokens.filter((token) => token.name === entry.name);
      return { here, elsewhere: [] as Found[] };
    }
    const mine = this.byEntry.get(entry.id) ?? [];
    const isHere = (found: Found): boolean =>
      found.reading.key === key && found.mark.kind === entry.kind;
    return {
      here: mine.filter(isHere).map((found) => found.token),
      elsewhere: mine.filter((found) => !isHere(found)),
    };
  }

  async plan(entry: FleetEntry): Promise<EntryPlan> {
    const reading = this.readings.get(ownerKey(entry.owner));
    const base = {
      entry,
      target: undefined,
      ownerLabel: reading?.label ?? entry.kind,
      reasons: [] as string[],
      token: undefined,
      old: [] as OldToken[],
      stores: [] as TargetState[],
    };
    if (!reading || 'error' in reading) {
      const error = reading && 'error' in reading ? reading.error : new Error('not read');
      const why = this.context.describe(error, entry.kind);
      return { ...base, action: 'none', reasons: [`cannot be planned: ${why}`], problem: error };
    }
    const kind = tokenKind(entry.kind);
    const lastDay = daysFromToday(this.now, entry.rotateBeforeDays);
    const plan: EntryPlan = { ...base, target: reading.target, action: 'none' };
    let current: PersonalAccessToken | undefined;
    if (kind.canCreate === false) {
      current = reading.tokens.find((token) => isLive(token, this.today));
      plan.token = current;
      if (current) plan.reasons.push(...driftOf({ ...entry, scopes: [] }, current, lastDay));
    } else {
      const { here, elsewhere } = this.tokensOf(entry, reading);
      const live = here.filter((token) => isLive(token, this.today)).sort(newestFirst);
      current = live[0];
      plan.token = current ?? [...here].sort(newestFirst)[0];
      const liveElsewhere = elsewhere.filter((found) => isLive(found.token, this.today));
      // Matched by name, only the newest is this entry's: older ones are someone's, left alone.
      const extras = this.markers ? live.slice(1) : [];
      if (!this.markers && live.length > 1) {
        this.notes.push(
          `entry ${entry.id}: ${live.length - 1} older active token(s) named ${JSON.stringify(entry.name)} at ${reading.label} are left alone (matched by name, only the newest is this entry's)`,
        );
      }
      const at = (token: PersonalAccessToken): OldToken => ({
        token,
        kind: entry.kind,
        target: reading.target,
      });
      plan.old = [...(current ? [current] : []), ...extras].map(at);
      for (const found of liveElsewhere) {
        plan.old.push({ token: found.token, kind: found.mark.kind, target: found.reading.target });
        plan.reasons.push(
          found.mark.kind !== entry.kind
            ? `kind changed: token ID ${found.token.id} is a ${found.mark.kind} token of ${found.reading.label}`
            : `owner changed: token ID ${found.token.id} belongs to ${found.reading.label}`,
        );
      }
      if (current) {
        plan.reasons.push(...driftOf(entry, current, lastDay));
      } else if (plan.token) {
        const last = plan.token;
        plan.reasons.push(
          last.revoked
            ? `revoked: token ID ${last.id}`
            : `expired: token ID ${last.id} expired ${last.expires_at ?? ''}`.trim(),
        );
      } else if (liveElsewhere.length === 0) {
        plan.action = 'create';
        plan.reasons.push(`missing: no token of this entry at ${reading.label}`);
      }
    }
    plan.stores = await Promise.all(
      entry.stores.map((target) => this.context.stores.stateOf(target, current)),
    );
    for (const state of plan.stores) {
      if (state.state === 'unknown') {
        const why = this.context.describe(state.error, entry.kind);
        plan.reasons.push(`store unreadable: ${state.target.label}: ${why}`);
        plan.problem ??= state.error;
      } else if (current && state.state !== 'current') {
        const holds = state.holds === undefined ? '' : ` (holds token ID ${state.holds})`;
        plan.reasons.push(`store ${state.state}: ${state.target.label}${holds}`);
      }
    }
    if (plan.action !== 'create') {
      const needs = plan.reasons.some((reason) => !reason.startsWith('store unreadable'));
      plan.action = needs || !current ? 'renew' : 'none';
    }
    return plan;
  }

  /**
   * Managed tokens in the owners read that this shard reports and no entry of it uses: their
   * entry is gone, or belongs to a shard that does not read this owner. A token belongs to the
   * shard its entry id hashes to when that shard reads its owner, else to the first shard that
   * reads it, so that every shard reads only its own entries' owners and each token is reported
   * once.
   */
  unmanaged(
    shard: Shard,
    readers: Map<string, Set<number>>,
    extras: EntryPlan[],
  ): UnmanagedToken[] {
    const found: UnmanagedToken[] = [];
    const ids = new Set(this.manifest.entries.map((entry) => entry.id));
    for (const [entryId, tokens] of this.byEntry) {
      const home = shardOf(entryId, shard.total);
      for (const { token, mark, reading } of tokens) {
        if (!isLive(token, this.today)) continue;
        const shards = readers.get(reading.key) ?? new Set<number>();
        const mine = shards.has(home) ? home === shard.index : Math.min(...shards) === shard.index;
        if (!mine || (ids.has(entryId) && home === shard.index)) continue;
        found.push({
          token,
          entry: entryId,
          kind: mark.kind,
          target: reading.target,
          ownerLabel: reading.label,
        });
      }
    }
    // Tokens an entry of this shard replaced and did not revoke, while it needs nothing else.
    for (const plan of extras) {
      for (const old of plan.old.slice(1)) {
        found.push({
          token: old.token,
          entry: plan.entry.id,
          kind: old.kind,
          target: old.target,
          ownerLabel: plan.ownerLabel,
        });
      }
    }
    return found.sort((a, b) => a.token.id - b.token.id);
  }
}

/** Which shards read each owner (every shard knows the whole manifest). */
function ownerReaders(manifest: Manifest, total: number): Map<string, Set<number>> {
  const readers = new Map<string, Set<number>>();
  for (const entry of manifest.entries) {
    const key = ownerKey(entry.owner);
    const shards = readers.get(key) ?? new Set<number>();
    shards.add(shardOf(entry.id, total));
    readers.set(key, shards);
  }
  return readers;
}

/** The plan of `shard` of the manifest. */
export async function planFleet(
  context: PlanContext,
  manifest: Manifest,
  shard: Shard,
  now: Date,
): Promise<FleetPlan> {
  const entries = manifest.entries.filter(
    (entry) => shardOf(entry.id, shard.total) === shard.index,
  );
  const [version, readings] = await Promise.all([
    gitlabVersion(context.client),
    readOwners(
      context.client,
      entries.map((entry) => entry.owner),
      context.concurrency,
    ),
  ]);
  // Without a version (a credential that may not read it), the lists tell: a token record
  // without a description field comes from a GitLab that keeps none.
  const listed = [...readings.values()].flatMap((reading) =>
    'tokens' in reading ? reading.tokens : [],
  );
  const markers =
    hasFeature(version, 'description') ?? listed.every((token) => token.description !== undefined);
  const planner = new Planner(context, manifest, readings, markers, now);
  const plans = await mapWithConcurrency(entries, context.concurrency, (entry) =>
    planner.plan(entry),
  );
  const keep = plans.filter((plan) => plan.action === 'none' && plan.old.length > 1);
  const unmanaged = markers
    ? planner.unmanaged(shard, ownerReaders(manifest, shard.total), keep)
    : [];
  for (const plan of keep) plan.old = plan.old.slice(0, 1);
  const notes = [...planner.notes];
  if (!markers) {
    notes.unshift(
      `GitLab ${version ?? '(version unknown)'} keeps no token descriptions (they need 17.7 or later): entries are matched by their exact name, and prune is not available.`,
    );
  }
  return { manifest, shard, entries: plans, unmanaged, markers, version, notes, now };
}
