/**
 * The action with `fleet` (a manifest's path): `fleet-mode` plan (the default) or apply, `prune`,
 * `shard`, and the connection inputs; the target inputs go without it. The output `plan` is the
 * JSON of `--output json`, the job summary the table sorted by days left, the log the text
 * report. Never a secret: a credential that renews itself is masked the moment its new secret
 * arrives. The runner protocol is handed in (main.ts's), so that this file names none.
 */
import {
  exitCode,
  reportJson,
  reportText,
  tableRows,
  totalsLine,
  type FleetRun,
} from '../fleet/report.js';
import { FleetInputError, parseFleetInputs, runFleet, watchFleetSignals } from '../fleet/run.js';
import { parseBoolean } from '../inputs/fields.js';
import { InputError, Problems } from '../inputs/problems.js';
import { ACTION_WORDS } from '../inputs/words.js';
import { describeError } from '../messages/describe-error.js';
import { oneLine } from '../util/text.js';
import { OUTPUTS_LIMIT_BYTES, SUMMARY_LIMIT_BYTES } from './limits.js';
import { escapeHtml } from './summary.js';

/** What the fleet step needs of the runner (@actions/core's names and signatures). */
export interface FleetRunner {
  getInput(name: string): string;
  setSecret(secret: string): void;
  setOutput(name: string, value: unknown): void;
  info(message: string): void;
  warning(message: string | Error): void;
  error(message: string | Error): void;
  setFailed(message: string | Error): void;
  debug(message: string): void;
}

/** What it needs of the job summary (core.summary's). */
export interface FleetSummary {
  addHeading(text: string, level?: number | string): FleetSummary;
  addTable(rows: { data: string; header?: boolean }[][]): FleetSummary;
  addRaw(text: string, addEOL?: boolean): FleetSummary;
  write(): Promise<unknown>;
}

/** What the summary's heading, details and note may take besides the table. */
const SUMMARY_RESERVED = 64 * 1024;

/** The summary: the table (as many rows as fit), why each entry needs work, the totals. */
export function writeFleetSummary(summary: FleetSummary, run: FleetRun): FleetSummary {
  const [header, ...rows] = tableRows(run);
  const table: { data: string; header?: boolean }[][] = [
    header.map((data) => ({ data: escapeHtml(data), header: true })),
  ];
  let bytes = 0;
  for (const [index, row] of rows.entries()) {
    const cells = row.map((data) => ({ data: escapeHtml(data) }));
    bytes += cells.reduce((sum, cell) => sum + Buffer.byteLength(cell.data) + 9, 9);
    if (bytes > SUMMARY_LIMIT_BYTES - SUMMARY_RESERVED) {
      const left = rows.length - index;
      table.push([{ data: escapeHtml(`${left} more entries are in the log and the plan output`) }]);
      break;
    }
    table.push(cells);
  }
  const details = run.report.entries
    .filter((entry) => entry.action !== 'none' || entry.error !== undefined)
    .slice(0, 200)
    .map((entry) => {
      const why = [...entry.reasons, ...(entry.error ? [`error: ${entry.error}`] : [])];
      return `<li><code>${escapeHtml(entry.id)}</code>: ${escapeHtml(oneLine(why.join('; '), 1000))}</li>`;
    });
  summary.addHeading(escapeHtml(`GitLab token fleet ${run.report.fleet}`), 3).addTable(table);
  if (details.length > 0) summary.addRaw(`<ul>${details.join('')}</ul>`, true);
  return summary.addRaw(`<p>${escapeHtml(totalsLine(run))}</p>`, true);
}

/** The main step with `fleet`: plan or apply, and report. */
export async function runFleetStep(
  core: FleetRunner,
  summary: FleetSummary,
  now = new Date(),
): Promise<void> {
  const secrets = new Set<string>(
    [core.getInput('gitlab-token'), process.env.GITLAB_TOKEN ?? '', core.getInput('github-token')]
      .map((value) => value.trim())
      .filter(Boolean),
  );
  let inputs;
  try {
    // dry-run plans whatever fleet-mode says: a plan changes nothing.
    const problems = new Problems();
    const dryRun = parseBoolean((name) => core.getInput(name), 'dry-run', problems);
    problems.throwIfAny();
    if (dryRun) core.info('Dry run (dry-run: true): the fleet is planned, not applied.');
    inputs = parseFleetInputs((name) => core.getInput(name), process.env, ACTION_WORDS, {
      mode: dryRun ? 'plan' : core.getInput('fleet-mode'),
      file: core.getInput('fleet'),
    });
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return core.setFailed(describeError(error, { instanceUrl: '', secrets }));
  }
  const signals = watchFleetSignals((signal) =>
    core.warning(
      `Received ${signal}: no new entry is begun; the entries under way finish and are reported.`,
    ),
  );
  let run: FleetRun;
  try {
    run = await runFleet(inputs, {
      log: { info: core.info, warning: core.warning },
      onSecret: (secret) => core.setSecret(secret),
      stop: signals.stop,
      secrets,
      now,
      onClient: signals.onClient,
      debug: core.debug,
    });
  } catch (error) {
    if (!(error instanceof FleetInputError)) throw error;
    return core.setFailed(
      `The fleet was not read (nothing was asked of GitLab):\n${error.message}`,
    );
  } finally {
    signals.release();
  }
  for (const line of reportText(run).trimEnd().split('\n')) core.info(line);
  const plan = reportJson(run.report).trimEnd();
  const compact = JSON.stringify(run.report);
  if (Buffer.byteLength(plan) < OUTPUTS_LIMIT_BYTES) core.setOutput('plan', plan);
  else if (Buffer.byteLength(compact) < OUTPUTS_LIMIT_BYTES) core.setOutput('plan', compact);
  else {
    core.warning(
      `The plan (${Buffer.byteLength(compact)} bytes) is over GitHub's 1 MB of outputs, so the plan output is not set: split the fleet with the shard input.`,
    );
  }
  if (process.env.GITHUB_STEP_SUMMARY) {
    try {
      await writeFleetSummary(summary, run).write();
    } catch (error) {
      core.warning(
        `Could not write the job summary: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  for (const problem of run.problems) core.error(problem);
  const failed = run.report.entries.filter((entry) => entry.error !== undefined);
  for (const entry of failed) core.error(`entry ${entry.id}: ${entry.error}`);
  if (exitCode(run, false) !== 0) {
    core.setFailed(
      `${totalsLine(run)}: ${failed.length > 0 ? `${failed.map((entry) => entry.id).join(', ')} failed` : 'GitLab or the network failed'}.`,
    );
  }
}
