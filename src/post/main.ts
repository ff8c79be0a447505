// The post step's logic: src/post/index.ts (the entry ncc bundles into dist/post/index.js) calls
// run(); @github/local-action's --post imports this file and calls run() itself.
import { runPost } from '../action/post.js';

/** Runs the post step (revoke: true, and the clean-up after a lost reply or a cancel). */
export async function run(): Promise<void> {
  await runPost();
}
