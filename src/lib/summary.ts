/** The job summary: one row per user, never the secret. */
import type { TokenResult } from './create-tokens.js';
import { userLabel } from './create-tokens.js';

/** core.summary writes cells as raw HTML; names and labels come from inputs, so escape them. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export type SummaryTable = { data: string; header?: boolean }[][];

export function summaryTable(results: TokenResult[], revoke: boolean): SummaryTable {
  const header = ['User', 'Token name', 'ID', 'Scopes', 'Expires', 'Revoked when the job ends'].map(
    (data) => ({ data, header: true }),
  );
  const rows = results.map((result) => {
    const user =
      result.userId !== undefined
        ? `${userLabel(result.user)} (ID ${result.userId})`
        : userLabel(result.user);
    const token = result.created?.token;
    // core.summary leaves an empty cell unclosed (`<td>`), so empty cells get a dash.
    if (!token)
      return [
        { data: user },
        { data: 'failed (see the log)' },
        { data: '-' },
        { data: '-' },
        { data: '-' },
        { data: '-' },
      ];
    const rotated = result.created?.rotatedFrom
      ? ` (rotated from ${result.created.rotatedFrom})`
      : '';
    return [
      { data: user },
      { data: token.name },
      { data: `${token.id}${rotated}` },
      { data: token.scopes.join(', ') },
      { data: token.expires_at ?? 'instance default' },
      { data: revoke ? 'yes' : 'no' },
    ];
  });
  const escaped = rows.map((row) => row.map((cell) => ({ data: escapeHtml(cell.data) })));
  return [header, ...escaped];
}
