// Entry point of the post step (revoke: true).
import * as core from './lib/runner.js';
import { rerunWithSafeNodeDebug } from './lib/node-debug.js';
import { runPost } from './lib/post.js';

const childCode = await rerunWithSafeNodeDebug((message) => core.warning(message));
if (childCode === undefined) await runPost();
else process.exitCode = childCode;
