/**
 * The main step: wires the runner (inputs, masking, outputs, state, summary, annotations) to the
 * library. The credential is masked before anything else happens; every token is journalled in
 * the state the moment it arrives, and a cancel (SIGINT, then SIGTERM) stops the step without
 * losing what it made.
 */
import * as core from '@actions/core';
import { createTokens, refLabel, type StopSignal, type TokenResult } from '../tokens/many.js';
import { watchSignals } from '../tokens/cancel.js';
import { clientFor, retryPolicy } from '../gitlab/client.js';
import { environmentProxySecrets } from '../http/proxy.js';
import { parseRunInputs, type RunInputs } from '../tokens/inputs.js';
import {
  firstTokenOutputs,
  madeLine,
  madeTokens,
  tokenOutputs,
  unchangedOutputs,
} from '../tokens/outputs.js';
import { outputLimitProblem } from './limits.js';
import { summaryTable } from './summary.js';
import { setOutput } from './output.js';
import { journalSaver } from './state.js';
import { stateJournal, STATE_INTERRUPTED, STATE_REPORTED } from '../tokens/journal.js';
import type { RunOptions, Waits } from '../util/waits.js';
import { SecretStores, storeWarnings } from '../stores/index.js';
import { describeError, failureDescriber } from '../messages/describe-error.js';
import { runFleetStep } from './fleet.js';
import { DRY_RUN_START, runDryRunStep } from './dry-run.js';
import { parseBoolean } from '../inputs/fields.js';
import { Problems } from '../inputs/problems.js';

const readInput = (name: string): string => core.getInput(name);

/** Every secret the step is handed: the credentials, and a proxy URL's password. */
function credentials(): string[] {
  return [
    ...[
      core.getInput('gitlab-token'),
      process.env.GITLAB_TOKEN ?? '',
      core.getInput('github-token'),
    ]
      .map((value) => value.trim())
      .filter(Boolean),
    ...environmentProxySecrets(process.env),
  ];
}

/** Every value masked so far in this run: an output holding one is never printed (output.ts). */
type Masked = Set<string>;

function mask(masked: Masked, secret: string): void {
  if (secret) masked.add(secret);
  core.setSecret(secret);
}

/**
 * The main step. `options` are the tests' (the time, and zero waits); a runner passes none.
 */
export async function runMain(options: RunOptions = {}): Promise<void> {
  const masked: Masked = new Set();
  for (const value of credentials()) mask(masked, value);
  try {
    // A fleet (a manifest of tokens) instead of the target inputs.
    if (core.getInput('fleet')) {
      return await runFleetStep(core, core.summary, options.now ?? new Date());
    }
    await createAndReport(options.now ?? new Date(), options.waits, masked);
  } catch (error) {
    // Unexpected: the journal already holds every token made; the post step finds it there.
    core.saveState(STATE_INTERRUPTED, 'true');
    core.setFailed(describeError(error, { instanceUrl: '', secrets: credentials() }));
  }
}

async function createAndReport(now: Date, waits: Waits | undefined, masked: Masked): Promise<void> {
  let inputs: RunInputs;
  let dryRun: boolean;
  try {
    dryRun = parseDryRun();
    inputs = parseRunInputs(readInput, process.env, now);
  } catch (error) {
    core.setFailed(describeError(error, { instanceUrl: '', secrets: credentials() }));
    return;
  }
  const tooLarge = outputLimitProblem(inputs);
  if (tooLarge) return core.setFailed(tooLarge);
  if (inputs.insecureHttp) {
    core.warning(
      `base-url uses plain http to a remote host (allow-insecure-http: true): the credential and the new token cross the network unencrypted.`,
    );
  }
  for (const advice of storeWarnings(inputs)) core.warning(advice);
  if (dryRun) core.info(DRY_RUN_START);
  const client = clientFor(inputs, inputs.maxConcurrency, core.debug, retryPolicy(waits));
  const signals = watchSignals(client, (signal) => {
    core.saveState(STATE_INTERRUPTED, 'true');
    core.warning(
      `Received ${signal}: no new token is started; the tokens made so far are reported, and the post step cleans up.`,
    );
  });
  const log = { info: core.info, warning: core.warning };
  let stores: SecretStores | undefined;
  try {
    stores =
      inputs.stores.length > 0 ? SecretStores.open(inputs, client, log, core.debug) : undefined;
    const describe = failureDescriber(client, {
      instanceUrl: inputs.instanceUrl,
      skipAuth: inputs.credential === undefined,
    });
    if (dryRun) return await runDryRunStep(client, inputs, stores, describe);
    const results = await createTokens(
      client,
      inputs,
      {
        onSecret: (secret) => mask(masked, secret),
        log,
        journal: stateJournal(journalSaver(), inputs.uniqueName),
        stores,
        settleMs: waits?.settleMs,
      },
      describe,
      signals.stop,
    );
    report(inputs, results, signals.stop, masked);
    core.saveState(STATE_REPORTED, 'true');
    await writeSummary(inputs, results);
  } finally {
    signals.release();
    client.dispose();
    stores?.dispose();
  }
}

/** `dry-run`: true or false, reported with the other input problems. */
function parseDryRun(): boolean {
  const problems = new Problems();
  const dryRun = parseBoolean(readInput, 'dry-run', problems);
  problems.throwIfAny();
  return dryRun;
}

function report(inputs: RunInputs, results: TokenResult[], stop: StopSignal, masked: Masked): void {
  const tokens = madeTokens(results);
  const unchanged = results.find((result) => result.unchanged)?.unchanged;
  const single =
    tokens.length > 0 || !unchanged ? firstTokenOutputs(tokens) : unchangedOutputs(unchanged);
  for (const [name, value] of Object.entries(single)) setOutput(name, value, masked);
  setOutput('tokens', JSON.stringify(tokenOutputs(tokens)), masked);
  for (const made of tokens) core.info(madeLine(made));
  const failures = results.filter((result) => result.error !== undefined && !result.notStarted);
  const notStarted = results.filter((result) => result.notStarted);
  const made = `the ${tokens.length} made are in the tokens output${inputs.revoke ? ' and will be revoked when the job ends' : ''}`;
  if (results.length === 1 && failures.length === 1) {
    core.setFailed(failures[0].error ?? '');
    return;
  }
  for (const failure of failures) core.error(failure.error ?? '');
  if (notStarted.length > 0) {
    const why =
      stop.reason === 'cancelled'
        ? 'The step was cancelled'
        : 'GitLab kept rate-limiting past the step\u2019s budget (max-wait-seconds)';
    const left = notStarted.map((result) => refLabel(result.ref)).join(', ');
    core.setFailed(
      `${why}: ${tokens.length} of ${results.length} tokens were made (${made}); ${failures.length} failed; not started: ${left}.`,
    );
  } else if (failures.length > 0) {
    const who = failures.map((failure) => refLabel(failure.ref)).join(', ');
    core.setFailed(
      `${failures.length} of ${results.length} tokens could not be created (${who}); ${made}.`,
    );
  }
}

async function writeSummary(inputs: RunInputs, results: TokenResult[]): Promise<void> {
  // Without a summary file (local runs) there is nothing to write to.
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  try {
    await core.summary
      .addHeading('GitLab tokens', 3)
      .addTable(summaryTable(results, inputs.revoke))
      .write();
  } catch (error) {
    // core.summary keeps what it could not write: dropped, so that nothing is written twice.
    core.summary.emptyBuffer();
    core.warning(
      `Could not write the job summary: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
