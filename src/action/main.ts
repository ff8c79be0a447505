/**
 * The main step: wires the runner (inputs, masking, outputs, state, summary, annotations) to the
 * library. The credential is masked before anything else happens; every token is journalled in
 * the state the moment it arrives, and a cancel (SIGINT, then SIGTERM) stops the step without
 * losing what it made.
 */
import * as core from './runner.js';
import { createTokens, refLabel, type StopSignal, type TokenResult } from '../tokens/many.js';
import { watchSignals } from '../tokens/cancel.js';
import { clientFor } from '../gitlab/client.js';
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
import { summary } from './runner-summary.js';
import { summaryTable } from './summary.js';
import { SecretStores, storeWarnings } from '../stores/index.js';
import { describeError, failureDescriber } from '../messages/describe-error.js';
import { stateJournal, STATE_INTERRUPTED, STATE_REPORTED } from '../tokens/journal.js';
import { runFleetStep } from './fleet.js';

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

/**
 * Saves a state entry for the post step. The runner hands the main step's state to the post step
 * as `STATE_<name>` variables of the post step's own process, where `readJournal` and
 * `core.getState` read it. A tool that runs both steps in one process (@github/local-action)
 * keeps state in memory instead, so the entry is also set in this process's environment; on the
 * runner that copy is never read (the post step is another process). IDs and names only.
 */
function saveState(name: string, value: string): void {
  core.saveState(name, value);
  process.env[`STATE_${name}`] = value;
}

export async function runMain(now = new Date()): Promise<void> {
  for (const value of credentials()) core.setSecret(value);
  try {
    // A fleet (a manifest of tokens) instead of the target inputs.
    if (core.getInput('fleet')) return await runFleetStep(core, summary, now);
    await createAndReport(now);
  } catch (error) {
    // Unexpected: the journal already holds every token made; the post step finds it there.
    saveState(STATE_INTERRUPTED, 'true');
    core.setFailed(describeError(error, { instanceUrl: '', secrets: credentials() }));
  }
}

async function createAndReport(now: Date): Promise<void> {
  let inputs: RunInputs;
  try {
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
  const client = clientFor(inputs, inputs.maxConcurrency, core.debug);
  const signals = watchSignals(client, (signal) => {
    saveState(STATE_INTERRUPTED, 'true');
    core.warning(
      `Received ${signal}: no new token is started; the tokens made so far are reported, and the post step cleans up.`,
    );
  });
  const log = { info: core.info, warning: core.warning };
  const stores =
    inputs.stores.length > 0 ? SecretStores.open(inputs, client, log, core.debug) : undefined;
  try {
    const results = await createTokens(
      client,
      inputs,
      {
        onSecret: (secret) => core.setSecret(secret),
        log,
        journal: stateJournal((key, value) => saveState(key, value), inputs.uniqueName),
        stores,
      },
      failureDescriber(client, {
        instanceUrl: inputs.instanceUrl,
        skipAuth: inputs.credential === undefined,
      }),
      signals.stop,
    );
    report(inputs, results, signals.stop);
    saveState(STATE_REPORTED, 'true');
    await writeSummary(inputs, results);
  } finally {
    signals.release();
    client.dispose();
    stores?.dispose();
  }
}

function report(inputs: RunInputs, results: TokenResult[], stop: StopSignal): void {
  const tokens = madeTokens(results);
  const unchanged = results.find((result) => result.unchanged)?.unchanged;
  const single =
    tokens.length > 0 || !unchanged ? firstTokenOutputs(tokens) : unchangedOutputs(unchanged);
  for (const [name, value] of Object.entries(single)) core.setOutput(name, value);
  core.setOutput('tokens', JSON.stringify(tokenOutputs(tokens)));
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
    await summary
      .addHeading('GitLab tokens', 3)
      .addTable(summaryTable(results, inputs.revoke))
      .write();
  } catch (error) {
    core.warning(
      `Could not write the job summary: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
