/**
 * The token records GitLab returns, and the checks that turn a reply into one. Everything GitLab
 * sends is data: an ID goes into a URL or a log line only once it is proven a positive integer.
 */
import { isPositiveId } from '../inputs/fields.js';

export interface PersonalAccessToken {
  id: number;
  name: string;
  revoked: boolean;
  created_at: string;
  /** absent before GitLab 17.7, which neither stores nor returns descriptions */
  description?: string | null;
  scopes: string[];
  user_id: number;
  last_used_at: string | null;
  active: boolean;
  expires_at: string | null;
  /** project and group access tokens: the bot's access level */
  access_level?: number;
  /** present only in the reply that created or rotated the token */
  token?: string;
}

/** A token whose secret this run holds. */
export type TokenWithSecret = PersonalAccessToken & { token: string };

/** A reply that should have carried a token but cannot be used (HTML, no secret, a bad ID). */
export class UnusableReplyError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly problem: string,
  ) {
    super(`${method} ${path} answered ${status} without a usable token: ${problem}`);
    this.name = 'UnusableReplyError';
  }
}

/** A token's (or its user's) ID: what goes into a URL must be a positive integer. */
export const isTokenId = isPositiveId;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/**
 * What GitLab mints: the instance's prefix, then URL-safe base64 (Devise.friendly_token), with
 * `.` in routable tokens. The prefix is an application setting of up to 20 characters from
 * `[a-zA-Z0-9_+=/@:.-]` (app/models/application_setting.rb `personal_access_token_prefix`,
 * default `glpat-`), applied to every kind. A value with anything a shell, a dotenv reader or a
 * log would read as syntax is not a token this client hands on.
 */
const TOKEN_VALUE = /^[A-Za-z0-9_.+/=@:-]{8,512}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** GitLab's `YYYY-MM-DD`; anything else is no date at all (and never reaches a log as is). */
function readDate(value: unknown): string | null {
  const text = typeof value === 'string' ? value.trim() : '';
  return DATE.test(text) ? text : null;
}

/**
 * A token record as listed, or undefined when it is not one: a missing or non-numeric ID, a
 * user ID that is not a number, a name that is not a string. Other fields are made safe.
 */
export function readToken(value: unknown): PersonalAccessToken | undefined {
  if (!isRecord(value) || !isTokenId(value.id) || !isTokenId(value.user_id)) return undefined;
  if (typeof value.name !== 'string') return undefined;
  const scopes = Array.isArray(value.scopes)
    ? value.scopes.filter((scope): scope is string => typeof scope === 'string')
    : [];
  const token: PersonalAccessToken = {
    id: value.id,
    name: value.name,
    revoked: value.revoked === true,
    created_at: typeof value.created_at === 'string' ? value.created_at : '',
    scopes,
    user_id: value.user_id,
    last_used_at: typeof value.last_used_at === 'string' ? value.last_used_at : null,
    // GitLab always sends `active`; a record without it is not known to be inactive.
    active: value.active !== false && value.revoked !== true,
    expires_at: readDate(value.expires_at),
  };
  if (typeof value.access_level === 'number' && Number.isSafeInteger(value.access_level)) {
    token.access_level = value.access_level;
  }
  if ('description' in value) {
    token.description = typeof value.description === 'string' ? value.description : null;
  }
  if (typeof value.token === 'string') token.token = value.token;
  return token;
}

/** The token a create or rotate reply carries, or an UnusableReplyError saying what is wrong. */
export function readNewToken(
  data: unknown,
  reply: { method: string; path: string; status: number },
): TokenWithSecret {
  const fail = (problem: string): never => {
    throw new UnusableReplyError(reply.method, reply.path, reply.status, problem);
  };
  if (!isRecord(data)) return fail(typeof data === 'string' ? 'not JSON' : 'no token record');
  const token = readToken(data);
  if (!token) return fail('no numeric id, user_id or name');
  if (typeof token.token !== 'string' || !TOKEN_VALUE.test(token.token)) {
    return fail('no token value');
  }
  return token as TokenWithSecret;
}
