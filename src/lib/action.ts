/**
 * The main step: wires the runner (inputs, masking, outputs, state, summary, annotations) to the
 * library. The credential is masked before anything else happens.
 */
import * as core from '@actions/core';
import { createTokens, userLabel } from './create-tokens.js';
import { describeError } from './describe-error.js';
import { GitLabClient } from './gitlab-client.js';
import { parseInputs, type TokenRequestInputs } from './inputs.js';
import {
  firstTokenOutputs,
  madeTokens,
  revokeEntries,
  STATE_REVOKE,
  tokenOutputs,
} from './outputs.js';
import { outputLimitProblem } from './limits.js';
import { summaryTable } from './summary.js';
import { oneLine } from './text.js';

const readInput = (name: string): string => core.getInput(name);

function maskCredential(): void {
  for (const value of [core.getInput('gitlab-token'), process.env.GITLAB_TOKEN]) {
    if (value?.trim()) core.setSecret(value.trim());
  }
}

export async function runMain(now = new Date()): Promise<void> {
  try {
    await createAndReport(now);
  } catch (error) {
    // Unexpected: still fail the step with a scrubbed message rather than a stack trace.
    const secrets = [core.getInput('gitlab-token'), process.env.GITLAB_TOKEN ?? ''];
    core.setFailed(describeError(error, { instanceUrl: '', secrets }));
  }
}

async function createAndReport(now: Date): Promise<void> {
  maskCredential();
  let inputs: TokenRequestInputs;
  try {
    inputs = parseInputs(readInput, process.env, now);
  } catch (error) {
    const secrets = [core.getInput('gitlab-token'), process.env.GITLAB_TOKEN ?? ''];
    core.setFailed(describeError(error, { instanceUrl: '', secrets }));
    return;
  }
  const tooLarge = outputLimitProblem(inputs);
  if (tooLarge) return core.setFailed(tooLarge);
  if (inputs.insecureHttp) {
    core.warning(
      `base-url uses plain http to a remote host (allow-insecure-http: true): the credential and the new token cross the network unencrypted.`,
    );
  }
  const client = new GitLabClient({
    apiUrl: inputs.apiUrl,
    credential: inputs.credential,
    timeoutMs: inputs.timeoutMs,
    maxSockets: inputs.maxConcurrency,
  });
  try {
    const results = await createTokens(client, inputs, {
      onSecret: (secret) => core.setSecret(secret),
      log: { info: core.info, warning: core.warning },
    });
    const tokens = madeTokens(results);
    if (inputs.revoke && tokens.length > 0) {
      core.saveState(STATE_REVOKE, JSON.stringify(revokeEntries(tokens)));
    }
    for (const [name, value] of Object.entries(firstTokenOutputs(tokens))) {
      core.setOutput(name, value);
    }
    core.setOutput('tokens', JSON.stringify(tokenOutputs(tokens)));
    for (const { created } of results) {
      if (!created) continue;
      const { token, rotatedFrom } = created;
      const how = rotatedFrom ? `Rotated token ${rotatedFrom} into` : 'Created';
      // core.info prints as is: flatten what GitLab returned so no line can become a command.
      core.info(
        oneLine(
          `${how} token ID ${token.id} for user ${token.user_id}, expiring ${token.expires_at ?? 'at the instance default'}.`,
        ),
      );
    }
    await writeSummary(inputs, results);
    const failures = results.filter((result) => result.error !== undefined);
    // One user: its error is the step's failure, printed once (by setFailed).
    if (results.length > 1) for (const failure of failures) core.error(failure.error ?? '');
    if (failures.length === 1 && results.length === 1) {
      core.setFailed(failures[0].error ?? '');
    } else if (failures.length > 0) {
      const who = failures.map((failure) => userLabel(failure.user)).join(', ');
      core.setFailed(
        `${failures.length} of ${results.length} tokens could not be created (${who}); ` +
          `the ${tokens.length} made are in the tokens output${inputs.revoke ? ' and will be revoked when the job ends' : ''}.`,
      );
    }
  } finally {
    client.dispose();
  }
}

async function writeSummary(
  inputs: TokenRequestInputs,
  results: Awaited<ReturnType<typeof createTokens>>,
): Promise<void> {
  // Without a summary file (local runs) there is nothing to write to.
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  try {
    await core.summary
      .addHeading('GitLab personal access tokens', 3)
      .addTable(summaryTable(results, inputs.revoke))
      .write();
  } catch (error) {
    core.warning(
      `Could not write the job summary: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
