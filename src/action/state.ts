/**
 * The journal in the step's state (tokens/journal.ts writes one `cgt-…` entry per request). The
 * runner hands the post step every entry as a `STATE_<key>` variable, and readJournal lists them
 * there. A local tool (@github/local-action) runs both steps in one process and keeps the state in
 * memory, where core.getState reads an entry only by its name: without a state file the main step
 * therefore also lists the journal's keys in numbered entries, which the post step follows.
 */
import * as core from '@actions/core';

/** `journal-key-1`, `journal-key-2`, …: the journal's keys, in the order they were first saved. */
const KEY_LIST = 'journal-key-';

/** Saves journal entries; without a state file, also lists each new key (once). */
export function journalSaver(): (key: string, value: string) => void {
  const listed = new Set<string>();
  return (key, value) => {
    if (!process.env.GITHUB_STATE && !listed.has(key)) {
      listed.add(key);
      core.saveState(`${KEY_LIST}${listed.size}`, key);
    }
    core.saveState(key, value);
  };
}

/**
 * The state as `STATE_<key>` variables, for readJournal: the runner's, and the entries a local
 * tool's listed keys name.
 */
export function journalState(): Record<string, string | undefined> {
  const state: Record<string, string | undefined> = { ...process.env };
  for (let n = 1; ; n++) {
    const key = core.getState(`${KEY_LIST}${n}`);
    if (!key) return state;
    state[`STATE_${key}`] = core.getState(key);
  }
}
