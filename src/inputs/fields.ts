/**
 * One parser per kind of value the inputs take: booleans, numbers, day counts (`30d`), dates,
 * IDs and full paths. Each returns the value, and adds a problem naming the input when it is
 * not one.
 */
import { quote } from '../util/text.js';
import type { InputReader, Problems } from './problems.js';

export function parseBoolean(read: InputReader, input: string, problems: Problems): boolean {
  const value = read(input).trim();
  if (value === '') return false;
  if (/^true$/i.test(value)) return true;
  if (/^false$/i.test(value)) return false;
  problems.add(input, `expected true or false, got ${quote(value)}`);
  return false;
}

export function parseNumber(
  read: InputReader,
  input: string,
  fallback: number,
  min: number,
  max: number,
  integer: boolean,
  problems: Problems,
): number {
  const value = read(input).trim();
  if (value === '') return fallback;
  const pattern = integer ? /^\d+$/ : /^\d+(\.\d+)?$/;
  const number = Number(value);
  if (!pattern.test(value) || number < min || number > max) {
    const kind = integer ? 'a whole number' : 'a number';
    problems.add(input, `expected ${kind} from ${min} to ${max}, got ${quote(value)}`);
    return fallback;
  }
  return number;
}

/** A GitLab ID (token, user, project): what goes into a URL must be a positive integer. */
export function isPositiveId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

// eslint-disable-next-line no-control-regex
export const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

// Segments of a full path; `.` and `..` are not paths (the value goes into a URL).
export const GROUP_PATH =
  /^(?!\.\.?(\/|$))[A-Za-z0-9_.][A-Za-z0-9_.-]*(\/(?!\.\.?(\/|$))[A-Za-z0-9_.][A-Za-z0-9_.-]*)*$/;

export function parseGroupId(raw: string, problems: Problems): string | undefined {
  const value = raw.trim().replace(/^\/+|\/+$/g, '');
  if (value === '') return undefined;
  if (/^\d+$/.test(value) || GROUP_PATH.test(value)) return value;
  problems.add(
    'group-id',
    `expected a numeric group ID or a full path such as my-group, got ${quote(value)}`,
  );
  return undefined;
}

export const MAX_DAYS = 3650;

/** A new token's lifetime unless expires-at says otherwise (the action, the CLI, the component). */
export const DEFAULT_EXPIRES_AT = '30d';

/** The UTC day of `date`, `YYYY-MM-DD`. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The day `days` after today (UTC). */
export function daysFromToday(now: Date, days: number): string {
  const day = new Date(`${utcDay(now)}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + days);
  return utcDay(day);
}

/**
 * THE day-count parser (`expires-at`, `rotate-before`, `expiring-within`): `Nd`, 1 to 3650
 * days; with `bare`, a plain number means days too. The number of days, undefined when empty,
 * or a problem sentence.
 */
export function parseDays(raw: string, bare = false): number | string | undefined {
  const value = raw.trim();
  if (value === '') return undefined;
  const match = (bare ? /^(\d{1,5})d?$/i : /^(\d{1,5})d$/i).exec(value);
  const days = match ? Number(match[1]) : 0;
  if (days < 1 || days > MAX_DAYS) {
    return `expected a number of days from 1 to ${MAX_DAYS} such as 30d, got ${quote(value)}`;
  }
  return days;
}

/** `expires-at`: a future `YYYY-MM-DD`, or `Nd` days from today (UTC). */
export function parseExpiresAt(raw: string, now: Date): { date: string | undefined } | string {
  const value = raw.trim();
  if (value === '') return { date: undefined };
  const today = utcDay(now);
  if (/^\d+d$/i.test(value)) {
    const days = parseDays(value);
    return typeof days === 'number' ? { date: daysFromToday(now, days) } : (days ?? '');
  }
  const absolute = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!absolute) {
    return 'expected a date as YYYY-MM-DD or a number of days such as 30d';
  }
  const parsed = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || utcDay(parsed) !== value) {
    return `${value} is not a calendar date`;
  }
  // GitLab tokens expire at 00:00 UTC on that date, so today is already too late.
  if (value <= today) {
    return `${value} is not in the future (today is ${today} UTC; tokens expire at 00:00 UTC)`;
  }
  return { date: value };
}
