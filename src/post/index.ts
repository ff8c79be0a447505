// Entry point of the post step (dist/post/index.js): the NODE_DEBUG guard, then run() from
// main.ts.
import * as core from '@actions/core';
import { rerunWithSafeNodeDebug } from '../util/node-debug.js';
import { run } from './main.js';

const childCode = await rerunWithSafeNodeDebug((message) => core.warning(message));
if (childCode === undefined) await run();
else process.exitCode = childCode;
