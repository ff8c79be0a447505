// Parameter handling for the simulated GitLab token endpoints: GitLab validates in two phases,
// first the Grape parameter layer (`{"error":"..."}`, 400), then the ActiveRecord model, with the
// target-user look-up (404) in between. Model errors reach the client as a sentence (422,
// PersonalAccessTokens::CreateService via lib/api/users.rb) or as a field map (400,
// `render_validation_error!`, impersonation tokens).

export const KNOWN_SCOPES: readonly string[] = [
  'api',
  'read_api',
  'read_user',
  'create_runner',
  'manage_runner',
  'k8s_proxy',
  'read_repository',
  'write_repository',
  'read_registry',
  'write_registry',
  'read_virtual_registry',
  'write_virtual_registry',
  'ai_features',
  'sudo',
  'admin_mode',
  'read_service_ping',
  'self_rotate',
];

// app/models/personal_access_token.rb MAX_PERSONAL_ACCESS_TOKEN_LIFETIME_IN_DAYS (400 behind the
// buffered_token_expiration_limit flag, not simulated)
export const MAX_LIFETIME_DAYS = 365;

/** 'YYYY-MM-DD' of the given instant, in UTC. */
export function utcDate(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** Adds whole days to a 'YYYY-MM-DD' date. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return utcDate(d);
}

/** Accepts 'YYYY-MM-DD' (optionally followed by a time part) and returns the date, or null. */
export function parseIsoDate(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.+\-Z]*)?$/.exec(value.trim());
  if (!m) return null;
  const [, ys, ms, ds] = m;
  const y = Number(ys);
  const mo = Number(ms);
  const day = Number(ds);
  const d = new Date(0);
  d.setUTCFullYear(y, mo - 1, day);
  if (d.getUTCFullYear() !== y || d.getUTCMonth() !== mo - 1 || d.getUTCDate() !== day) {
    return null;
  }
  return `${ys}-${ms}-${ds}`;
}

export type Params = Record<string, unknown>;

/** Turns form-encoded or query parameters into a record; `key[]` (or a repeated key) makes an array. */
export function paramsFromSearch(sp: URLSearchParams): Params {
  const out: Params = {};
  for (const [rawKey, value] of sp) {
    const isArray = rawKey.endsWith('[]');
    const key = isArray ? rawKey.slice(0, -2) : rawKey;
    const existing = out[key];
    if (isArray) {
      if (Array.isArray(existing)) existing.push(value);
      else out[key] = [value];
    } else {
      out[key] = value;
    }
  }
  return out;
}

export interface TokenParams {
  name: string;
  scopes: string[];
  /** null when not sent, or when this version does not declare the parameter. */
  description: string | null;
  /** null when the caller did not send one (the route picks its default). */
  expiresAt: string | null;
}

export type ParamResult = { ok: true; value: TokenParams } | { ok: false; error: string };

function coerceScopes(raw: unknown): string[] | 'missing' | 'invalid' {
  if (raw === undefined || raw === null) return 'missing';
  let items: unknown[];
  if (typeof raw === 'string') items = [raw];
  else if (Array.isArray(raw)) items = raw;
  else return 'invalid';
  const out: string[] = [];
  for (const item of items) {
    if (typeof item !== 'string') return 'invalid';
    // API::Validations::Types::CommaSeparatedToArray
    for (const part of item.split(',')) {
      const s = part.trim();
      if (s) out.push(s);
    }
  }
  return out;
}

export interface CreateParamOptions {
  /** Scopes the `values:` check accepts; null for impersonation tokens (no `values:`). */
  validScopes: ReadonlySet<string> | null;
  /** `optional :description` is declared (17.7+). */
  description: boolean;
}

/**
 * Grape-level validation of a token create body, in declaration order (lib/api/users.rb:
 * name, scopes, description, expires_at); errors joined by ", " as
 * Grape::Exceptions::ValidationErrors does.
 */
export function validateCreateParams(params: Params, options: CreateParamOptions): ParamResult {
  const errors: string[] = [];
  let name = '';
  const rawName = params['name'];
  if (rawName === undefined || rawName === null) errors.push('name is missing');
  else if (typeof rawName === 'string') name = rawName;
  else if (typeof rawName === 'number') name = String(rawName);
  else errors.push('name is invalid');

  let scopes: string[] = [];
  const coerced = coerceScopes(params['scopes']);
  if (options.validScopes === null) {
    // impersonation tokens: `optional :scopes` without `values:` (the model checks them)
    if (coerced === 'invalid') errors.push('scopes is invalid');
    else if (coerced !== 'missing') scopes = [...new Set(coerced)];
  } else if (coerced === 'missing') {
    // `requires` + `values:`: the values validator also runs on the missing value
    errors.push('scopes is missing, scopes does not have a valid value');
  } else if (coerced === 'invalid') {
    errors.push('scopes is invalid');
  } else if (!coerced.every((s) => options.validScopes?.has(s))) {
    errors.push('scopes does not have a valid value');
  } else {
    scopes = [...new Set(coerced)];
  }

  let description: string | null = null;
  if (options.description) {
    const rawDesc = params['description'];
    if (typeof rawDesc === 'string') description = rawDesc;
    else if (rawDesc !== undefined && rawDesc !== null) errors.push('description is invalid');
  }

  const expires = validateExpiresParam(params['expires_at']);
  if (expires === 'invalid') errors.push('expires_at is invalid');

  if (errors.length > 0) return { ok: false, error: errors.join(', ') };
  return {
    ok: true,
    value: { name, scopes, description, expiresAt: expires === 'invalid' ? null : expires },
  };
}

/** Grape-level check of an optional `type: Date` expires_at: the date, null when absent, or 'invalid'. */
export function validateExpiresParam(raw: unknown): string | null | 'invalid' {
  if (raw === undefined || raw === null || raw === '') return null;
  if (typeof raw !== 'string') return 'invalid';
  return parseIsoDate(raw) ?? 'invalid';
}

/** ActiveRecord errors: attribute -> messages. */
export type ModelErrors = Record<string, string[]>;

/** config/locales: the human attribute names of PersonalAccessToken. */
const HUMAN_ATTRIBUTE: Readonly<Record<string, string>> = {
  name: 'Name',
  scopes: 'Scopes',
  expires_at: 'Expiration date',
};

/** errors.full_messages */
export function fullMessages(errors: ModelErrors): string[] {
  return Object.entries(errors).flatMap(([attr, msgs]) =>
    msgs.map((m) => `${HUMAN_ATTRIBUTE[attr] ?? attr} ${m}`),
  );
}

/**
 * app/models/personal_access_token.rb validations on create: `validates :name, :scopes,
 * presence: true`, `validates :expires_at, presence: true, unless: allow_expires_at_to_be_empty?`,
 * `validate_scopes` ("can only contain available scopes") and
 * `expires_at_before_instance_max_expiry_date` ("must be before <today + 365 d>", only where
 * expiry is required). A date in the past is not refused.
 */
export function validateTokenModel(
  fields: { name: string; scopes: readonly string[]; expiresAt: string | null },
  context: { today: string; expiryRequired: boolean; availableScopes: ReadonlySet<string> },
): ModelErrors | null {
  const errors: ModelErrors = {};
  const add = (attr: string, msg: string): void => {
    (errors[attr] ??= []).push(msg);
  };
  if (fields.name.trim() === '') add('name', "can't be blank");
  if (fields.scopes.length === 0) add('scopes', "can't be blank");
  if (fields.expiresAt === null && context.expiryRequired) add('expires_at', "can't be blank");
  if (!fields.scopes.every((s) => context.availableScopes.has(s))) {
    add('scopes', 'can only contain available scopes');
  }
  if (fields.expiresAt !== null && context.expiryRequired) {
    const max = addDays(context.today, MAX_LIFETIME_DAYS);
    if (fields.expiresAt > max) add('expires_at', `must be before ${max}`);
  }
  return Object.keys(errors).length > 0 ? errors : null;
}
