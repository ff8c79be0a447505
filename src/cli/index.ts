#!/usr/bin/env node
// Command-line entry: node dist/cli/index.js --user-id 42 --scopes api --output json
import { runCli } from '../lib/cli.js';
import { rerunWithSafeNodeDebug } from '../lib/node-debug.js';

const childCode = await rerunWithSafeNodeDebug((message) =>
  process.stderr.write(`warning: ${message}\n`),
);
process.exitCode =
  childCode ??
  (await runCli(process.argv.slice(2), process.env, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  }));
