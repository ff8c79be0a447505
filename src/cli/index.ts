#!/usr/bin/env node
// Command-line entry: node dist/cli/index.js --user-id 42 --scopes api --output json
import { runCli } from './main.js';
import { rerunWithSafeNodeDebug } from '../util/node-debug.js';

// A closed pipe is reported through the write's callback (below), not as a crash: the tokens
// made must still be named on stderr, and the exit code must say that stdout failed.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});

const childCode = await rerunWithSafeNodeDebug((message) =>
  process.stderr.write(`warning: ${message}\n`),
);
process.exitCode =
  childCode ??
  (await runCli(process.argv.slice(2), process.env, {
    stdout: (text) =>
      new Promise<void>((resolve, reject) => {
        if (process.stdout.destroyed || !process.stdout.writable) {
          reject(Object.assign(new Error('stdout is closed'), { code: 'EPIPE' }));
          return;
        }
        process.stdout.write(text, (error) => (error ? reject(error) : resolve()));
      }),
    stderr: (text) => {
      process.stderr.write(text);
    },
  }));
