/** Parses `expires-at`: a future `YYYY-MM-DD`, or `Nd` days from today (UTC). */

const MAX_RELATIVE_DAYS = 3650;

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Returns the ISO date, undefined for GitLab's default, or a problem sentence. */
export function parseExpiresAt(raw: string, now: Date): { date: string | undefined } | string {
  const value = raw.trim();
  if (value === '') return { date: undefined };
  const today = isoDate(now);
  const relative = /^(\d{1,5})d$/i.exec(value);
  if (relative) {
    const days = Number(relative[1]);
    if (days < 1 || days > MAX_RELATIVE_DAYS) {
      return `expected a number of days from 1 to ${MAX_RELATIVE_DAYS} such as 30d, got ${days}d`;
    }
    const date = new Date(`${today}T00:00:00Z`);
    date.setUTCDate(date.getUTCDate() + days);
    return { date: isoDate(date) };
  }
  const absolute = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!absolute) {
    return 'expected a date as YYYY-MM-DD or a number of days such as 30d';
  }
  const parsed = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || isoDate(parsed) !== value) {
    return `${value} is not a calendar date`;
  }
  // GitLab tokens expire at 00:00 UTC on that date, so today is already too late.
  if (value <= today) {
    return `${value} is not in the future (today is ${today} UTC; tokens expire at 00:00 UTC)`;
  }
  return { date: value };
}
