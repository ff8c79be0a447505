/**
 * `create-gitlab-token fleet plan|apply [FILE]`: a manifest of tokens compared with GitLab and
 * the stores (plan), and made to agree (apply). stdout carries the table or `--output json`,
 * `--junit FILE` a JUnit report; messages go to stderr. Never a secret anywhere.
 */
import { writeFile } from 'node:fs/promises';
import { InputError, type Env } from '../inputs/problems.js';
import type { Words } from '../inputs/words.js';
import { describeError } from '../messages/describe-error.js';
import { junitXml } from '../fleet/junit.js';
import { exitCode, reportJson, reportText, type FleetRun } from '../fleet/report.js';
import { FleetInputError, parseFleetInputs, runFleet, watchFleetSignals } from '../fleet/run.js';
import { oneLine } from '../util/text.js';
import { EXIT_FAILED, EXIT_USAGE, stderrLog, writeFailure, type CliIo } from './io.js';
import { usageError } from './usage.js';

/** Flags that only `fleet` takes. */
export const FLEET_ONLY = ['detailed-exitcode', 'junit', 'shard', 'prune'] as const;

/** Flags of a single token or of other commands, which mean nothing to a fleet. */
const NOT_FOR_FLEET = ['id', 'expiring-within'];

type Values = Record<string, string | boolean | string[] | undefined>;

export async function fleetCommand(
  args: string[],
  values: Values,
  read: (name: string) => string,
  env: Env,
  io: CliIo,
  secrets: Set<string>,
  now: Date,
  words: Words,
): Promise<number> {
  const [mode, file, ...extra] = args;
  if (mode !== 'plan' && mode !== 'apply') {
    return usageError(io, `fleet: expected plan or apply, got ${JSON.stringify(args.join(' '))}`);
  }
  if (extra.length > 0)
    return usageError(io, `fleet ${mode}: one manifest at most, got ${args.length - 1}`);
  for (const name of NOT_FOR_FLEET) {
    if (values[name] !== undefined) return usageError(io, `--${name}: goes without fleet`);
  }
  if (mode === 'apply' && values['detailed-exitcode']) {
    return usageError(
      io,
      '--detailed-exitcode: goes with fleet plan (apply exits 1 when an entry fails)',
    );
  }
  const output = read('output').trim().toLowerCase() || 'text';
  if (output !== 'text' && output !== 'json') {
    return usageError(
      io,
      `--output: expected json or text with fleet, got ${JSON.stringify(read('output'))}`,
    );
  }
  const junit = read('junit').trim();
  if (values.junit !== undefined && junit === '')
    return usageError(io, '--junit: expected a file name');
  let inputs;
  try {
    inputs = parseFleetInputs(read, env, words, { mode, file: file ?? '' });
  } catch (error) {
    if (error instanceof InputError) {
      return usageError(io, describeError(error, { instanceUrl: '', secrets, words }));
    }
    throw error;
  }
  if (inputs.insecureHttp) {
    io.stderr(
      'warning: plain http to a remote host: the credential crosses the network unencrypted\n',
    );
  }
  if (inputs.githubToken) secrets.add(inputs.githubToken);
  const signals = watchFleetSignals((signal) =>
    io.stderr(
      `warning: received ${signal}: no new entry is begun; the entries under way finish and are reported.\n`,
    ),
  );
  let run: FleetRun;
  try {
    run = await runFleet(inputs, {
      log: stderrLog(io),
      onSecret: (secret) => secrets.add(secret),
      stop: signals.stop,
      secrets,
      now,
      onClient: signals.onClient,
    });
  } catch (error) {
    if (error instanceof FleetInputError) {
      io.stderr(
        `create-gitlab-token: the fleet was not read (nothing was asked of GitLab):\n${error.problems.map((problem) => `  ${problem}`).join('\n')}\n`,
      );
      return EXIT_USAGE;
    }
    throw error;
  } finally {
    signals.release();
  }
  // The text report has the notes (entries matched by name, …); JSON readers get them here.
  if (output === 'json') for (const note of run.notes) io.stderr(`note: ${note}\n`);
  for (const problem of run.problems) io.stderr(`error: ${problem}\n`);
  for (const entry of run.report.entries) {
    if (entry.error !== undefined) io.stderr(`error: entry ${entry.id}: ${entry.error}\n`);
  }
  let code = exitCode(run, values['detailed-exitcode'] === true);
  if (junit) {
    try {
      await writeFile(junit, junitXml(run, now));
    } catch (error) {
      io.stderr(
        `error: the JUnit report could not be written to ${junit} (${oneLine(writeFailure(error), 200)})\n`,
      );
      code = EXIT_FAILED;
    }
  }
  try {
    await io.stdout(output === 'json' ? reportJson(run.report) : reportText(run));
  } catch (error) {
    io.stderr(
      `error: the report could not be written to stdout (${oneLine(writeFailure(error), 200)})\n`,
    );
    return EXIT_FAILED;
  }
  return code;
}
