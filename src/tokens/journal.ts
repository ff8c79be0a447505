/**
 * The step's journal in the runner's state, written as things happen (not once at the end), so
 * that a cancelled or crashed main step still hands the post step every token it made and every
 * request whose token may exist. One state entry per request: `cgt-<marker>`, first written when
 * the request is sent (pending), then again with the token ID when the token arrives (made); the
 * runner keeps the last value of a key. IDs and names only: never a secret. The post step reads
 * it back, checking every entry, since the runner hands back whatever the state held.
 */
import type { Journal } from './make.js';
import { findKind, type TokenTarget } from '../kinds/index.js';
import { isPositiveId as isTokenId } from '../inputs/fields.js';
import type { TokenWithSecret } from '../gitlab/token.js';

export const STATE_PREFIX = 'cgt-';
/** Set when the main step stopped before finishing (cancelled, or crashed). */
export const STATE_INTERRUPTED = 'cgt-interrupted';
/**
 * Set once the main step has handed every token made to its outputs. Its absence means the step
 * never got there (killed outright, as by the out-of-memory killer): the post step then treats
 * it as interrupted.
 */
export const STATE_REPORTED = 'cgt-reported';

export interface JournalEntry {
  target: TokenTarget;
  name: string;
  /** the request's marker; absent for a rotation, which keeps the old description */
  marker?: string;
  /** the token made; absent while (or when) the request's reply never came */
  id?: number;
  /** the name was generated for this step */
  uniqueName: boolean;
  /** GitLab refused the request: nothing to look for */
  refused?: boolean;
  /** a rotation of this token: its successor cannot be proven, only named */
  rotating?: number;
  /** a new token is made to replace this one, which stays active until the new one is stored */
  replacing?: number;
  /** when the request was sent (this machine's clock), for naming tokens made around then */
  at?: string;
}

type SaveState = (key: string, value: string) => void;

function stored(entry: JournalEntry): string {
  const { target, name, marker, id, uniqueName, refused, rotating, replacing, at } = entry;
  return JSON.stringify({
    kind: target.kind,
    user_id: target.userId,
    group_id: target.groupId,
    project_id: target.projectId,
    name,
    marker,
    id,
    unique: uniqueName || undefined,
    refused: refused || undefined,
    rotating,
    replacing,
    at,
  });
}

export function stateJournal(save: SaveState, uniqueName: boolean): Journal {
  return {
    pending(target, name, marker) {
      const at = new Date().toISOString();
      save(`${STATE_PREFIX}${marker}`, stored({ target, name, marker, uniqueName, at }));
    },
    rotating(target, name, rotating) {
      const at = new Date().toISOString();
      save(`${STATE_PREFIX}rot${rotating}`, stored({ target, name, uniqueName, rotating, at }));
    },
    replacing(target, name, replacing) {
      const at = new Date().toISOString();
      save(`${STATE_PREFIX}repl${replacing}`, stored({ target, name, uniqueName, replacing, at }));
    },
    made(target: TokenTarget, token: TokenWithSecret, marker: string | undefined, rotatedFrom) {
      const key = `${STATE_PREFIX}${marker ?? (rotatedFrom ? `rot${rotatedFrom}` : `id${token.id}`)}`;
      save(key, stored({ target, name: token.name, marker, id: token.id, uniqueName }));
    },
    refused(target, name, marker) {
      save(`${STATE_PREFIX}${marker}`, stored({ target, name, marker, uniqueName, refused: true }));
    },
  };
}

/** A numeric ID or a full path of segments (no `.` or `..`: the value goes into a URL). */
const GROUP =
  /^(\d+|(?!\.\.?(\/|$))[A-Za-z0-9_.][A-Za-z0-9_.-]*(\/(?!\.\.?(\/|$))[A-Za-z0-9_.][A-Za-z0-9_.-]*)*)$/;

/** One entry from the state, or undefined when it is not one of ours or is malformed. */
export function readEntry(value: string): JournalEntry | undefined {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(value) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  // Only a kind that can make tokens has anything to clean up (the credential's own has not).
  const kind = typeof raw.kind === 'string' ? findKind(raw.kind) : undefined;
  if (!kind || kind.canCreate === false || typeof raw.name !== 'string') return undefined;
  const forUser = kind.owner.includes('user');
  if (forUser ? !isTokenId(raw.user_id) : raw.user_id !== undefined) return undefined;
  if (raw.id !== undefined && !isTokenId(raw.id)) return undefined;
  if (
    raw.marker !== undefined &&
    !(typeof raw.marker === 'string' && /^[0-9a-f]{12}$/.test(raw.marker))
  ) {
    return undefined;
  }
  const target: TokenTarget = { kind: kind.name };
  if (forUser) target.userId = raw.user_id as number;
  if (kind.owner.includes('group')) {
    if (typeof raw.group_id !== 'string' || !GROUP.test(raw.group_id)) return undefined;
    target.groupId = raw.group_id;
  }
  if (kind.owner.includes('project')) {
    if (typeof raw.project_id !== 'string' || !GROUP.test(raw.project_id)) return undefined;
    target.projectId = raw.project_id;
  }
  return {
    target,
    name: raw.name,
    marker: raw.marker as string | undefined,
    id: raw.id as number | undefined,
    uniqueName: raw.unique === true,
    refused: raw.refused === true || undefined,
    rotating: isTokenId(raw.rotating) ? raw.rotating : undefined,
    replacing: isTokenId(raw.replacing) ? raw.replacing : undefined,
    at: typeof raw.at === 'string' && !Number.isNaN(Date.parse(raw.at)) ? raw.at : undefined,
  };
}

/** Every journal entry the runner handed the post step (`STATE_cgt-…`). */
export function readJournal(env: Record<string, string | undefined>): JournalEntry[] {
  const entries: JournalEntry[] = [];
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith(`STATE_${STATE_PREFIX}`)) continue;
    if (key === `STATE_${STATE_INTERRUPTED}` || key === `STATE_${STATE_REPORTED}`) continue;
    const entry = value ? readEntry(value) : undefined;
    if (entry) entries.push(entry);
  }
  return entries;
}
