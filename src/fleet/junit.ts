/**
 * `--junit FILE`: one test case per entry, failed while the entry needs work (broken, or due
 * within rotate-before after the run), so that GitLab's pipeline test report is the fleet's
 * expiry dashboard. Unmanaged tokens are listed in the suite's output. Never a secret: the report
 * it is made from holds none.
 */
import { pending, type FleetRun, type ReportEntry } from './report.js';

// XML 1.0 allows tab, line feed, carriage return and characters from U+0020 on (less the
// surrogates and U+FFFE/U+FFFF, which a JavaScript string holds only as broken pairs).
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

function escapeXml(text: string): string {
  return text.replace(NOT_XML, ' ').replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function failureOf(entry: ReportEntry, mode: FleetRun['mode']): { message: string; type: string } {
  if (entry.error !== undefined) return { message: entry.error, type: 'error' };
  if (mode === 'apply' && entry.result === 'failed')
    return { message: entry.reasons.join('; '), type: 'failed' };
  return { message: `${entry.action}: ${entry.reasons.join('; ')}`, type: entry.action };
}

function testCase(run: FleetRun, entry: ReportEntry): string {
  const owner = run.owners.get(entry.id) ?? String(entry.target ?? '');
  const expires =
    entry.token === null ? 'no token' : `expires ${entry.token.expires_at ?? 'never'}`;
  const days = entry.token?.days_left;
  const stores = entry.stores.map((store) => `${store.target}: ${store.state}`);
  const out = [
    `${entry.kind} token of ${owner}, ${expires}${days === undefined || days === null ? '' : ` (${days} days left)`}`,
    `rotate-before: ${run.rotateBefore.get(entry.id) ?? '?'}d, action: ${entry.action}${entry.result ? `, result: ${entry.result}` : ''}`,
    ...entry.reasons.map((reason) => `reason: ${reason}`),
    ...stores,
  ].join('\n');
  const attributes = `classname="${escapeXml(`${run.report.fleet}.${entry.kind}`)}" name="${escapeXml(entry.id)}" time="0"`;
  if (!pending(entry)) {
    return `    <testcase ${attributes}>\n      <system-out>${escapeXml(out)}</system-out>\n    </testcase>\n`;
  }
  const failure = failureOf(entry, run.mode);
  return (
    `    <testcase ${attributes}>\n` +
    `      <failure message="${escapeXml(failure.message)}" type="${escapeXml(failure.type)}">${escapeXml(out)}</failure>\n` +
    `      <system-out>${escapeXml(out)}</system-out>\n` +
    `    </testcase>\n`
  );
}

/** The JUnit XML report of a run. */
export function junitXml(run: FleetRun, timestamp: Date): string {
  const { report } = run;
  const tests = report.entries.length;
  const failures = report.entries.filter(pending).length;
  const shard = report.shard.total > 1 ? ` shard ${report.shard.index}/${report.shard.total}` : '';
  const name = escapeXml(`fleet ${report.fleet}${shard} (${run.mode})`);
  const unmanaged = report.unmanaged.map(
    (item) =>
      `${item.result === 'pruned' ? 'pruned' : 'unmanaged'}: token ID ${item.id} ${item.name} (entry ${item.entry})`,
  );
  const suiteOut =
    unmanaged.length > 0 ? `    <system-out>${escapeXml(unmanaged.join('\n'))}</system-out>\n` : '';
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="${name}" tests="${tests}" failures="${failures}" errors="0">\n` +
    `  <testsuite name="${name}" tests="${tests}" failures="${failures}" errors="0" skipped="0" timestamp="${timestamp.toISOString().slice(0, 19)}">\n` +
    report.entries.map((entry) => testCase(run, entry)).join('') +
    suiteOut +
    '  </testsuite>\n' +
    '</testsuites>\n'
  );
}
