/**
 * The action's `dry-run: true`: the same checks as the CLI's `--dry-run` (src/plan/dry-run.ts,
 * every request a GET), reported on the runner: one log line each, the failed checks as error
 * annotations, and the job summary. Nothing is made, so no token output is set but `tokens`
 * (`[]`), and the post step finds nothing to revoke.
 */
import * as core from '@actions/core';
import type { GitLabClient } from '../gitlab/client.js';
import { dryRunCreate, type DryRunReport } from '../plan/dry-run.js';
import type { SecretStores } from '../stores/index.js';
import type { DescribeFailure } from '../tokens/errors.js';
import type { RunInputs } from '../tokens/inputs.js';
import { ACTION_WORDS } from '../inputs/words.js';
import { escapeHtml } from './summary.js';

/** The first line of every dry run: said before anything is asked of GitLab. */
export const DRY_RUN_START = 'Dry run (dry-run: true): checking only; nothing is changed.';

/** Checks, then reports; the step fails when a check failed (the real run would have). */
export async function runDryRunStep(
  client: GitLabClient,
  inputs: RunInputs,
  stores: SecretStores | undefined,
  describe: DescribeFailure,
): Promise<void> {
  const report = await dryRunCreate(client, inputs, stores, describe, ACTION_WORDS);
  if (inputs.revoke && report.failures.length === 0) {
    report.lines.push('The post step would revoke what the run made (revoke).');
  }
  for (const line of report.lines) core.info(line);
  for (const failure of report.failures) core.error(failure);
  core.setOutput('tokens', '[]');
  await writeDryRunSummary(report);
  const failed = report.failures.length;
  if (failed === 0) {
    core.info('Dry run: every check passed; nothing was changed.');
  } else {
    core.setFailed(
      `Dry run: ${failed} check${failed === 1 ? '' : 's'} failed (above); nothing was changed.`,
    );
  }
}

async function writeDryRunSummary(report: DryRunReport): Promise<void> {
  // Without a summary file (local runs) there is nothing to write to.
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  try {
    await core.summary
      .addHeading('GitLab tokens: dry run', 3)
      .addRaw('Nothing was changed.', true)
      .addList(
        [...report.lines, ...report.failures.map((failure) => `Failed: ${failure}`)].map(
          escapeHtml,
        ),
      )
      .write();
  } catch (error) {
    core.summary.emptyBuffer();
    core.warning(
      `Could not write the job summary: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
