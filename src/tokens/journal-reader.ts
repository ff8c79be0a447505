/**
 * Reads the journal (run-state.ts) back in the post step: every entry checked before use, since
 * the runner hands back whatever the state held. Only the post step loads this.
 */
import { findKind, type TokenTarget } from '../kinds/index.js';
import { STATE_INTERRUPTED, STATE_PREFIX, STATE_REPORTED, type JournalEntry } from './journal.js';
import { isPositiveId as isTokenId } from '../inputs/fields.js';

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
