// Parameter handling for the simulated GitLab token endpoints: GitLab validates in two phases,
// first the Grape parameter layer (`{"error":"..."}`), then the ActiveRecord model
// (`{"message":{"field":["..."]}}`), with the target-user look-up (404) in between.

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

export const MAX_NAME_LENGTH = 255;
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
  description: string;
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
    for (const part of item.split(',')) {
      const s = part.trim();
      if (s) out.push(s);
    }
  }
  return out;
}

/** Grape-level validation of a create body: name, scopes, expires_at, description. */
export function validateCreateParams(
  params: Params,
  knownScopes: ReadonlySet<string>,
): ParamResult {
  const errors: string[] = [];
  let name = '';
  const rawName = params['name'];
  if (rawName === undefined || rawName === null) errors.push('name is missing');
  else if (typeof rawName === 'string') name = rawName;
  else if (typeof rawName === 'number') name = String(rawName);
  else errors.push('name is invalid');

  let scopes: string[] = [];
  const coerced = coerceScopes(params['scopes']);
  if (coerced === 'missing' || (Array.isArray(coerced) && coerced.length === 0)) {
    errors.push('scopes is missing, scopes does not have a valid value');
  } else if (coerced === 'invalid') {
    errors.push('scopes is invalid');
  } else if (!coerced.every((s) => knownScopes.has(s))) {
    errors.push('scopes does not have a valid value');
  } else {
    scopes = [...new Set(coerced)];
  }

  const expires = validateExpiresParam(params['expires_at']);
  if (expires === 'invalid') errors.push('expires_at is invalid');

  let description = '';
  const rawDesc = params['description'];
  if (typeof rawDesc === 'string') description = rawDesc;
  else if (rawDesc !== undefined && rawDesc !== null) errors.push('description is invalid');

  if (errors.length > 0) return { ok: false, error: errors.join(', ') };
  return {
    ok: true,
    value: { name, scopes, description, expiresAt: expires === 'invalid' ? null : expires },
  };
}

/** Grape-level check of an optional expires_at: the date, null when absent, or 'invalid'. */
export function validateExpiresParam(raw: unknown): string | null | 'invalid' {
  if (raw === undefined || raw === null || raw === '') return null;
  if (typeof raw !== 'string') return 'invalid';
  return parseIsoDate(raw) ?? 'invalid';
}

export type ModelErrors = Record<string, string[]>;

/** Model-level validation; returns null when the token may be saved. */
export function validateModel(
  name: string | null,
  expiresAt: string,
  today: string,
): ModelErrors | null {
  const errors: ModelErrors = {};
  if (name !== null) {
    if (name.trim() === '') errors['name'] = ["can't be blank"];
    else if ([...name].length > MAX_NAME_LENGTH) {
      errors['name'] = [`is too long (maximum is ${MAX_NAME_LENGTH} characters)`];
    }
  }
  if (expiresAt <= today) errors['expires_at'] = ['must be in the future'];
  else if (expiresAt > addDays(today, MAX_LIFETIME_DAYS)) {
    errors['expires_at'] = [`must expire within ${MAX_LIFETIME_DAYS} days`];
  }
  return Object.keys(errors).length > 0 ? errors : null;
}
