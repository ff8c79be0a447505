/** The job summary: one row per token asked for, never the secret. */
import type { TokenResult } from '../tokens/many.js';
import { findKind } from '../kinds/index.js';
import { refLabel } from '../tokens/many.js';
import { ACCESS_LEVELS } from '../inputs/request.js';
import { SUMMARY_LIMIT_BYTES } from './limits.js';
import { oneLine } from '../util/text.js';

/** core.summary writes cells as raw HTML; names and labels come from inputs, so escape them. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export interface SummaryCell {
  data: string;
  header?: boolean;
  colspan?: string;
}

export type SummaryTable = SummaryCell[][];

const HEADER = [
  'Kind',
  'For',
  'Token name',
  'ID',
  'Scopes',
  'Access level',
  'Expires',
  'Revoked when the job ends',
];
const COLUMNS = HEADER.length;
/** 20 → reporter: ACCESS_LEVELS the other way round. */
const LEVEL_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(ACCESS_LEVELS).map(([name, level]) => [level, name]),
);
/** The longest a cell's text gets (GitLab returns what it likes): names are at most 255. */
const MAX_CELL = 1000;
/** What the heading, the table's own tags and the closing note may take, at most. */
const RESERVED_BYTES = 4096;
/** The table's budget: GitHub's per-step summary limit, less the heading and the note. */
export const SUMMARY_TABLE_BUDGET = SUMMARY_LIMIT_BYTES - RESERVED_BYTES;

/**
 * A cell's text as one line: a line break (a blank line above all) in what GitLab returned
 * would end the summary's HTML block and the table with it.
 */
function cell(text: string): SummaryCell {
  return { data: escapeHtml(oneLine(text, MAX_CELL)) || '-' };
}

/** The bytes core.summary writes for a row (`<tr><td>…</td>…</tr>`). */
function rowBytes(row: SummaryCell[]): number {
  const tags = '<tr></tr>'.length;
  const cellTags = '<td></td>'.length;
  return row.reduce(
    (sum, { data, colspan }) =>
      sum + cellTags + Buffer.byteLength(data) + (colspan ? ` colspan="${colspan}"`.length : 0),
    tags,
  );
}

function resultRow(result: TokenResult, revoke: boolean): SummaryCell[] {
  const label = refLabel(result.ref);
  const who = result.userId !== undefined ? `${label} (ID ${result.userId})` : label;
  const kind = cell(result.ref.kind);
  const token = result.created?.token ?? result.unchanged?.existing;
  // core.summary leaves an empty cell unclosed (`<td>`), so empty cells get a dash.
  if (!token) {
    return [kind, cell(who), cell('failed (see the log)'), ...Array(COLUMNS - 3).fill(cell('-'))];
  }
  const level = token.access_level;
  const access = level === undefined ? '-' : `${LEVEL_NAMES[level] ?? level}`;
  // A project's or group's token has a bot user of its own; a person's token is their own.
  const bot =
    result.userId !== undefined
      ? ''
      : ` (${findKind(result.ref.kind)?.botUser ? 'bot user' : 'user'} ${token.user_id})`;
  const from = result.created?.rotatedFrom;
  const rotated = result.unchanged
    ? ' (not due: left as it is)'
    : from !== undefined
      ? ` (${result.created?.replaced ? 'replaced' : 'rotated from'} ${from})`
      : '';
  return [
    kind,
    cell(`${who}${bot}`),
    cell(String(token.name)),
    cell(`${token.id}${rotated}`),
    cell(
      [token.scopes]
        .flat()
        .filter((scope) => typeof scope === 'string')
        .join(', '),
    ),
    cell(access),
    cell(token.expires_at ?? 'never'),
    cell(revoke && !result.unchanged ? 'yes' : 'no'),
  ];
}

/**
 * The summary's table: a header, then one row per user, every cell one line of escaped text.
 * Rows that would take the table past `maxBytes` (GitHub's 1 MiB per step, by default) are left
 * out, and a last row says how many and where to find them.
 */
export function summaryTable(
  results: TokenResult[],
  revoke: boolean,
  maxBytes = SUMMARY_TABLE_BUDGET,
): SummaryTable {
  const header = HEADER.map((data) => ({ data, header: true }));
  const table: SummaryTable = [header];
  let bytes = rowBytes(header);
  for (const [index, result] of results.entries()) {
    const row = resultRow(result, revoke);
    bytes += rowBytes(row);
    if (bytes > maxBytes) {
      const rest = results.slice(index);
      const made = rest.filter((left) => left.created).length;
      const note =
        `${rest.length} more rows are not shown (${made} of them with a token made, ` +
        `${rest.length - made} failed): the job summary stays within GitHub's limit of ` +
        `1 MiB per step. Every token made is in the tokens output, and every failure in the log.`;
      table.push([{ data: escapeHtml(note), colspan: String(COLUMNS) }]);
      break;
    }
    table.push(row);
  }
  return table;
}
