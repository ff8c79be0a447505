/**
 * What a fleet run reports: `--output json` (the shape below, never a secret), the text table
 * sorted by days left (also the job summary's), and the exit code.
 *
 *   {"fleet", "shard": {"index", "total"}, "entries": [{"id", "kind", "target", "action",
 *    "reasons": [..], "token": {"id", "name", "expires_at", "days_left"} | null,
 *    "stores": [{"target", "state"}], "result"?, "error"?}], "unmanaged": [{"id", "name",
 *    "entry", "result"?}]}
 */
import type { StoreStateName } from '../stores/reading.js';
import { daysLeft } from '../tokens/expiring.js';
import { scrubSecrets } from '../util/scrub.js';
import { oneLine } from '../util/text.js';
import type { EntryOutcome, EntryResult, PruneOutcome } from './apply.js';
import { ownerShown } from './owners.js';
import type { FleetAction, FleetPlan } from './plan.js';
import type { Shard } from './shard.js';

export interface ReportEntry {
  id: string;
  kind: string;
  /** the owner as the manifest names it: a project or group, a user; the credential: null */
  target: string | number | null;
  action: FleetAction;
  reasons: string[];
  token: { id: number; name: string; expires_at: string | null; days_left: number | null } | null;
  stores: { target: string; state: StoreStateName }[];
  result?: EntryResult;
  error?: string;
}

export interface ReportUnmanaged {
  id: number;
  name: string;
  entry: string;
  result?: 'pruned';
}

export interface FleetReport {
  fleet: string;
  shard: Shard;
  entries: ReportEntry[];
  unmanaged: ReportUnmanaged[];
}

/** What the text output and the exit code need beyond the JSON. */
export interface FleetRun {
  mode: 'plan' | 'apply';
  prune: boolean;
  report: FleetReport;
  /** owner labels (entry id → `project acme/app`), and rotate-before days, for the table */
  owners: Map<string, string>;
  rotateBefore: Map<string, number>;
  /** unmanaged token ID → where it is */
  unmanagedOwners: Map<number, string>;
  notes: string[];
  /** an owner or a store could not be read, or a prune failed: GitLab or the network failed */
  readFailed: boolean;
  /** messages for stderr: failed prunes */
  problems: string[];
}

/** The run's report: the plan, and what apply did where it ran. */
export function buildRun(
  plan: FleetPlan,
  mode: 'plan' | 'apply',
  prune: boolean,
  secrets: Iterable<string>,
  applied?: { entries: EntryOutcome[]; pruned: PruneOutcome[] },
): FleetRun {
  const text = (value: string): string => scrubSecrets(oneLine(value, 2000), secrets);
  const entries = plan.entries.map((entryPlan, index): ReportEntry => {
    const outcome = applied?.entries[index];
    const token = outcome ? outcome.token : entryPlan.token;
    const stores = entryPlan.stores.map((state) => ({
      target: state.target.label,
      state: outcome?.stored ? ('current' as const) : state.state,
    }));
    const error =
      outcome?.error ??
      (entryPlan.problem === undefined
        ? undefined
        : entryPlan.reasons.find((reason) => /^(cannot be planned|store unreadable)/.test(reason)));
    return {
      id: entryPlan.entry.id,
      kind: entryPlan.entry.kind,
      target: ownerShown(entryPlan.entry.owner),
      action: entryPlan.action,
      reasons: entryPlan.reasons.map(text),
      token: token
        ? {
            id: token.id,
            name: text(token.name),
            expires_at: token.expires_at,
            days_left: daysLeft(token.expires_at, plan.now),
          }
        : null,
      stores,
      ...(outcome ? { result: outcome.result } : {}),
      ...(error === undefined ? {} : { error: text(error) }),
    };
  });
  const pruned = new Map((applied?.pruned ?? []).map((outcome) => [outcome.unmanaged, outcome]));
  const unmanaged = plan.unmanaged.map((item): ReportUnmanaged => ({
    id: item.token.id,
    name: text(item.token.name),
    entry: item.entry,
    ...(pruned.get(item)?.pruned ? { result: 'pruned' as const } : {}),
  }));
  const problems = [...pruned.values()]
    .filter((outcome) => !outcome.pruned)
    .map(
      (outcome) =>
        `could not prune token ID ${outcome.unmanaged.token.id}: ${text(outcome.error ?? '')}`,
    );
  return {
    mode,
    prune,
    report: { fleet: plan.manifest.fleet, shard: plan.shard, entries, unmanaged },
    owners: new Map(plan.entries.map((entry) => [entry.entry.id, entry.ownerLabel])),
    rotateBefore: new Map(
      plan.entries.map((entry) => [entry.entry.id, entry.entry.rotateBeforeDays]),
    ),
    unmanagedOwners: new Map(plan.unmanaged.map((item) => [item.token.id, item.ownerLabel])),
    notes: plan.notes.map(text),
    readFailed: plan.entries.some((entry) => entry.problem !== undefined) || problems.length > 0,
    problems,
  };
}

export function reportJson(report: FleetReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** Whether an entry still needs work: before apply, its action; after, what apply left. */
export function pending(entry: ReportEntry): boolean {
  if (entry.error !== undefined) return true;
  if (entry.result === undefined) return entry.action !== 'none';
  return entry.result === 'failed' || (entry.result === 'unchanged' && entry.action !== 'none');
}

/**
 * plan: 0, or with --detailed-exitcode 0 nothing to do / 2 changes pending; apply: 0 all done,
 * 1 an entry failed; both: 1 when GitLab or the network failed.
 */
export function exitCode(run: FleetRun, detailed: boolean): number {
  if (run.readFailed) return 1;
  const { entries, unmanaged } = run.report;
  if (run.mode === 'apply') {
    return entries.some((entry) => entry.result === 'failed' || entry.error !== undefined) ? 1 : 0;
  }
  const changes = entries.some(pending) || (run.prune && unmanaged.length > 0);
  return detailed && changes ? 2 : 0;
}

/** Soonest first: no token at all, then by days left, tokens without an expiry date last. */
function byDaysLeft(a: ReportEntry, b: ReportEntry): number {
  const days = (entry: ReportEntry): number =>
    entry.token === null ? -Infinity : (entry.token.days_left ?? Infinity);
  return days(a) - days(b) || a.id.localeCompare(b.id);
}

function storesCell(entry: ReportEntry): string {
  if (entry.stores.length === 0) return '-';
  const counts = new Map<string, number>();
  for (const store of entry.stores) counts.set(store.state, (counts.get(store.state) ?? 0) + 1);
  return [...counts].map(([state, count]) => `${count} ${state}`).join(', ');
}

/** The table's rows, header first, one line per cell: the text output's and the summary's. */
export function tableRows(run: FleetRun): string[][] {
  const header = ['ENTRY', 'KIND', 'OWNER', 'ACTION', 'EXPIRES', 'DAYS LEFT', 'STORES'];
  if (run.mode === 'apply') header.push('RESULT');
  const rows = [...run.report.entries].sort(byDaysLeft).map((entry) => {
    const row = [
      entry.id,
      entry.kind,
      run.owners.get(entry.id) ?? String(entry.target ?? '-'),
      entry.action,
      entry.token === null ? '-' : (entry.token.expires_at ?? 'never'),
      entry.token?.days_left === undefined || entry.token.days_left === null
        ? '-'
        : String(entry.token.days_left),
      storesCell(entry),
    ];
    if (run.mode === 'apply') row.push(entry.result ?? '-');
    return row.map((cell) => oneLine(cell, 60) || '-');
  });
  return [header, ...rows];
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, column) =>
    Math.max(...rows.map((row) => [...row[column]].length)),
  );
  return rows
    .map(
      (row) =>
        `${row
          .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column])))
          .join('  ')}\n`,
    )
    .join('');
}

/** One line of totals, e.g. `fleet acme (shard 1/2): 2 to create, 1 to renew, 7 up to date`. */
export function totalsLine(run: FleetRun): string {
  const { report } = run;
  const count = (test: (entry: ReportEntry) => boolean): number =>
    report.entries.filter(test).length;
  const shard =
    report.shard.total > 1 ? ` (shard ${report.shard.index}/${report.shard.total})` : '';
  const parts =
    run.mode === 'plan'
      ? [
          `${count((entry) => entry.action === 'create')} to create`,
          `${count((entry) => entry.action === 'renew')} to renew`,
          `${count((entry) => entry.action === 'none' && entry.error === undefined)} up to date`,
        ]
      : (['created', 'renewed', 'unchanged', 'failed'] as const).map(
          (result) => `${count((entry) => entry.result === result)} ${result}`,
        );
  const errors = count((entry) => entry.error !== undefined);
  if (errors > 0) parts.push(`${errors} with errors`);
  const prunedCount = report.unmanaged.filter((item) => item.result === 'pruned').length;
  const left = report.unmanaged.length - prunedCount;
  if (prunedCount > 0) parts.push(`${prunedCount} unmanaged pruned`);
  if (left > 0) parts.push(`${left} unmanaged${run.prune ? '' : ' (revoked with --prune)'}`);
  return `fleet ${report.fleet}${shard}: ${parts.join(', ')}`;
}

/** The text output: the table, then why each entry needs work, the unmanaged, the notes. */
export function reportText(run: FleetRun): string {
  const lines: string[] = [];
  for (const entry of [...run.report.entries].sort(byDaysLeft)) {
    if (entry.action === 'none' && entry.error === undefined && entry.reasons.length === 0)
      continue;
    const result = entry.result ? ` → ${entry.result}` : '';
    lines.push(
      `${entry.id}: ${entry.action}${result}: ${entry.reasons.join('; ') || 'up to date'}`,
    );
    if (entry.error !== undefined && !entry.reasons.includes(entry.error)) {
      lines.push(`  error: ${entry.error}`);
    }
  }
  for (const item of run.report.unmanaged) {
    const where = run.unmanagedOwners.get(item.id) ?? '';
    const state = item.result === 'pruned' ? 'pruned' : 'unmanaged';
    lines.push(
      `${state}: token ID ${item.id} ${JSON.stringify(item.name)} of ${where} (entry ${item.entry})`,
    );
  }
  for (const note of run.notes) lines.push(`note: ${note}`);
  const body = run.report.entries.length > 0 ? table(tableRows(run)) : '';
  const details = lines.length > 0 ? `\n${lines.join('\n')}\n` : '';
  return `${body}${details}\n${totalsLine(run)}\n`;
}
