/**
 * The step's journal in the runner's state, written as things happen (not once at the end), so
 * that a cancelled or crashed main step still hands the post step every token it made and every
 * request whose token may exist. One state entry per request: `cgt-<marker>`, first written when
 * the request is sent (pending), then again with the token ID when the token arrives (made); the
 * runner keeps the last value of a key. IDs and names only: never a secret.
 */
import type { Journal } from './make.js';
import type { TokenTarget } from '../kinds/index.js';
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
  /** when the request was sent (this machine's clock), for naming tokens made around then */
  at?: string;
}

type SaveState = (key: string, value: string) => void;

function stored(entry: JournalEntry): string {
  const { target, name, marker, id, uniqueName, refused, rotating, at } = entry;
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
    made(target: TokenTarget, token: TokenWithSecret, marker: string | undefined, rotatedFrom) {
      const key = `${STATE_PREFIX}${marker ?? (rotatedFrom ? `rot${rotatedFrom}` : `id${token.id}`)}`;
      save(key, stored({ target, name: token.name, marker, id: token.id, uniqueName }));
    },
    refused(target, name, marker) {
      save(`${STATE_PREFIX}${marker}`, stored({ target, name, marker, uniqueName, refused: true }));
    },
  };
}
