#!/usr/bin/env node
// Command-line entry: node dist/cli/index.js --user-id 42 --scopes api --output json
import { runCli } from '../lib/cli.js';

process.exitCode = await runCli(process.argv.slice(2), process.env, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
