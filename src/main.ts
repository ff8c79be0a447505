// Entry point of the main step: everything happens in the library.
import * as core from './lib/runner.js';
import { runMain } from './lib/action.js';
import { rerunWithSafeNodeDebug } from './lib/node-debug.js';

const childCode = await rerunWithSafeNodeDebug((message) => core.warning(message));
if (childCode === undefined) await runMain();
else process.exitCode = childCode;
