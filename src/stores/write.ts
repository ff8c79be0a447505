/**
 * Writing one new secret to every store-in target, and undoing what a failure leaves. A write
 * that failed may still have reached its target (a Free-tier group that stored a scoped
 * variable as `*`, a reply lost after the service stored the value): it counts as written, so
 * the undo looks at it too, and what cannot be shown undone keeps the new token active.
 */
import { StoreTargetError, StoreWriteError } from './errors.js';
import type { StoreTarget } from './targets.js';
import type { SecretStore, StoreLog } from './types.js';

/** How a failed write is undone: not at all (a credential that rotated itself), or as below. */
export interface Undo {
  /**
   * Whether the token the new one replaces is still active. Asked before anything is put back:
   * when another run has renewed (and revoked) it meanwhile, putting back the value read at the
   * check would hand consumers a dead token, so what is stored stays.
   */
  replacedActive?: () => Promise<boolean>;
}

/** A target's failure, as the stores throw it (anything else thrown is wrapped). */
export function targetError(
  store: SecretStore,
  action: StoreTargetError['action'],
  error: unknown,
): StoreTargetError {
  return error instanceof StoreTargetError
    ? error
    : new StoreTargetError(store.target, action, error);
}

const targets = (stores: SecretStore[]): StoreTarget[] => stores.map((store) => store.target);

/**
 * Writes `secret` (token `tokenId`) to every store, restorable ones first. With `undo`, the
 * first failure stops the writes and undoes those done; without it every target is tried.
 * Throws StoreWriteError.
 */
export async function writeAll(
  stores: SecretStore[],
  log: StoreLog,
  secret: string,
  tokenId: number,
  undo: Undo | undefined,
  /** what the write says of the token, where the target can say it (a fleet's variables) */
  description?: string,
): Promise<void> {
  for (const store of stores) {
    const refusal = store.refuse(secret);
    if (refusal !== undefined) {
      const failure = new StoreTargetError(store.target, 'write', refusal);
      throw new StoreWriteError([failure], [], [], targets(stores));
    }
  }
  // Stable: restorable targets first, in the order given.
  const ordered = [
    ...stores.filter((store) => store.restorable),
    ...stores.filter((store) => !store.restorable),
  ];
  const written: SecretStore[] = [];
  const lost = new Set<SecretStore>();
  const failures: StoreTargetError[] = [];
  for (const [index, store] of ordered.entries()) {
    try {
      const how = await store.write(secret, description);
      written.push(store);
      log.info(`Stored token ID ${tokenId} in ${store.target.label} (${how}).`);
    } catch (error) {
      const failure = targetError(store, 'write', error);
      failures.push(failure);
      if (failure.written !== undefined) written.push(store);
      if (failure.written === 'maybe') lost.add(store);
      if (undo) {
        const notTried = targets(ordered.slice(index + 1));
        throw await undoWrites(failures, written, lost, notTried, undo, log);
      }
    }
  }
  if (failures.length > 0) {
    const uncertain = targets(written.filter((store) => lost.has(store)));
    throw new StoreWriteError(failures, targets(written), [], [], [], uncertain);
  }
}

/** Whether the replaced token is still active: true, false, or undefined when GitLab did not say. */
async function askReplaced(undo: Undo): Promise<boolean | undefined> {
  try {
    return await undo.replacedActive?.();
  } catch {
    return undefined;
  }
}

/** Puts back the targets `written` (last first) where it can; the error says what became of each. */
async function undoWrites(
  failures: StoreTargetError[],
  written: SecretStore[],
  lost: Set<SecretStore>,
  notTried: StoreTarget[],
  undo: Undo,
  log: StoreLog,
): Promise<StoreWriteError> {
  const uncertain = (of: StoreTarget[]): StoreTarget[] =>
    targets([...lost]).filter((target) => of.includes(target));
  if (undo.replacedActive && written.some((store) => store.restorable)) {
    const active = await askReplaced(undo);
    if (active !== true) {
      const kept = targets(written);
      const error = new StoreWriteError(failures, kept, [], notTried, [], uncertain(kept));
      error.replaced = active === false ? 'inactive' : 'unknown';
      return error;
    }
  }
  const restored: StoreTarget[] = [];
  const unchanged: StoreTarget[] = [];
  const stillWritten: StoreTarget[] = [];
  const restoreFailures: StoreTargetError[] = [];
  for (const store of [...written].reverse()) {
    if (!store.restorable) {
      stillWritten.push(store.target);
      continue;
    }
    try {
      if ((await store.restore()) === 'restored') {
        restored.push(store.target);
        log.info(`Put ${store.target.label} back as it was.`);
      } else {
        unchanged.push(store.target);
      }
    } catch (error) {
      stillWritten.push(store.target);
      restoreFailures.push(targetError(store, 'restore', error));
    }
  }
  return new StoreWriteError(
    failures,
    stillWritten,
    restored,
    notTried,
    restoreFailures,
    uncertain(stillWritten),
    unchanged,
  );
}
