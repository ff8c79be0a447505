// The main step's logic, as typescript-action lays it out: src/index.ts (the entry ncc bundles
// into dist/index.js) calls run(); @github/local-action imports this file and calls run() itself.
import { runMain } from './action/main.js';

/** Runs the main step: everything happens in the library. */
export async function run(): Promise<void> {
  await runMain();
}
