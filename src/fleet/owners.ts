/**
 * Reading the owners a fleet names, each once: one paginated list of every token (every state,
 * so that a revoked or expired token is told from a missing one) per user, project, group or
 * service account, whatever the number of entries there, through the kind's own `list`. Usernames
 * are looked up once each. Nothing is changed.
 */
import type { GitLabClient } from '../gitlab/client.js';
import type { PersonalAccessToken } from '../gitlab/token.js';
import { resolveUserId } from '../gitlab/users.js';
import type { TargetRef, UserRef } from '../inputs/targets.js';
import { tokenKind, type TokenTarget } from '../kinds/index.js';
import { mapWithConcurrency } from '../util/concurrency.js';

/** An owner as the manifest names it: the kind and its fields (a user by ID or @username). */
export function ownerKey(owner: TargetRef): string {
  const user =
    owner.user &&
    ('id' in owner.user ? `${owner.user.id}` : `@${owner.user.username.toLowerCase()}`);
  return [
    owner.kind,
    user === undefined ? '' : `user=${user}`,
    owner.groupId === undefined ? '' : `group=${owner.groupId.toLowerCase()}`,
    owner.projectId === undefined ? '' : `project=${owner.projectId.toLowerCase()}`,
  ].join('|');
}

/** How an owner reads in the table and in messages, before any look-up. */
export function ownerShown(owner: TargetRef): string | number | null {
  if (owner.projectId !== undefined) return owner.projectId;
  if (owner.groupId !== undefined) return owner.groupId;
  if (owner.user) return 'id' in owner.user ? owner.user.id : `@${owner.user.username}`;
  return null;
}

export type OwnerReading =
  | { key: string; target: TokenTarget; label: string; tokens: PersonalAccessToken[] }
  | { key: string; label: string; error: unknown };

function labelOf(owner: TargetRef): string {
  const { user, ...rest } = owner;
  const userId = user === undefined ? undefined : 'id' in user ? user.id : `@${user.username}`;
  return tokenKind(owner.kind).label({ ...rest, userId });
}

/**
 * Every owner of `owners` read once (keyed by ownerKey), `concurrency` at a time: its tokens in
 * every state, or the error that stopped the read.
 */
export async function readOwners(
  client: GitLabClient,
  owners: TargetRef[],
  concurrency: number,
): Promise<Map<string, OwnerReading>> {
  const distinct = new Map<string, TargetRef>();
  for (const owner of owners) distinct.set(ownerKey(owner), owner);
  // Each username once, before the lists that need its ID.
  const usernames = new Map<string, UserRef>();
  for (const owner of distinct.values()) {
    if (owner.user && 'username' in owner.user) {
      usernames.set(owner.user.username.toLowerCase(), owner.user);
    }
  }
  const resolved = new Map<string, number | { error: unknown }>();
  await mapWithConcurrency([...usernames], concurrency, async ([name, user]) => {
    try {
      resolved.set(name, await resolveUserId(client, user));
    } catch (error) {
      resolved.set(name, { error });
    }
  });
  const readings = await mapWithConcurrency(
    [...distinct],
    concurrency,
    async ([key, owner]): Promise<OwnerReading> => {
      const { user, ...rest } = owner;
      let label = labelOf(owner);
      let userId: number | undefined;
      if (user) {
        const id = 'id' in user ? user.id : resolved.get(user.username.toLowerCase());
        if (typeof id !== 'number') return { key, label, error: id?.error };
        userId = id;
      }
      const target: TokenTarget = userId === undefined ? rest : { ...rest, userId };
      const kind = tokenKind(owner.kind);
      label = kind.label(target);
      try {
        const tokens = await kind.list(client, target, { includeInactive: true });
        return { key, target, label, tokens };
      } catch (error) {
        return { key, label, error };
      }
    },
  );
  return new Map(readings.map((reading) => [reading.key, reading]));
}
