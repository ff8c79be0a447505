/**
 * The values an entry's keys take, read from their YAML nodes: an owner (a user by ID or
 * username, a group or project by ID or full path), scopes GitLab knows (none a bot may not
 * have), an access level, a token name, store-in targets (the store-in grammar of
 * stores/targets.ts). Each adds a problem with its line and entry when the value is not one.
 */
import { isSeq, type Node } from 'yaml';
import { CONTROL, GROUP_PATH, isPositiveId } from '../inputs/fields.js';
import { ACCESS_LEVELS } from '../inputs/request.js';
import type { UserRef } from '../inputs/targets.js';
import type { OwnerField, TokenKind } from '../kinds/index.js';
import { parseStoreIn, placeOf, type StoreTarget } from '../stores/targets.js';
import { quote } from '../util/text.js';
import { scalar, show, type Checker, type Field } from './yaml.js';

const MAX_TOKEN_NAME = 255;
/** The scopes GitLab 16.0 to 18.x knows (lib/gitlab/auth.rb). */
export const KNOWN_SCOPES = new Set([
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
]);
/** lib/gitlab/auth.rb `resource_bot_scopes`: a bot user's token may not have these. */
const NOT_FOR_BOTS = new Set(['read_user', 'sudo', 'admin_mode', 'read_service_ping']);
/** A user: numeric ID or username; a group or project: numeric ID or full path. */
export function ownerValue(
  check: Checker,
  field: Field,
  where: string,
  key: OwnerField,
): string | UserRef | undefined {
  const value = scalar(field.value);
  const text = typeof value === 'number' || typeof value === 'string' ? String(value).trim() : '';
  if (/^\d+$/.test(text) && isPositiveId(Number(text))) {
    return key === 'user' ? { id: Number(text) } : text;
  }
  if (key === 'user' && /^@?[A-Za-z0-9_.][A-Za-z0-9_.-]{0,254}$/.test(text)) {
    return { username: text.replace(/^@/, '') };
  }
  if (key !== 'user' && GROUP_PATH.test(text.replace(/^\/+|\/+$/g, ''))) {
    return text.replace(/^\/+|\/+$/g, '');
  }
  const expected =
    key === 'user' ? 'a numeric user ID or a username' : `a numeric ${key} ID or a full path`;
  check.add(field.line, where, `${key}: expected ${expected}, got ${show(value)}`);
  return undefined;
}

export function scopesOf(
  check: Checker,
  field: Field,
  where: string,
  kind: TokenKind,
): string[] | undefined {
  if (!isSeq(field.value) || field.value.items.length === 0) {
    check.add(field.line, where, 'scopes: expected a list of scope names such as [read_api]');
    return undefined;
  }
  const scopes: string[] = [];
  for (const item of field.value.items) {
    const scope = scalar(item as Node);
    const line = check.lineOf(item as Node, field.line);
    if (typeof scope !== 'string' || !KNOWN_SCOPES.has(scope)) {
      check.add(line, where, `scopes: unknown scope ${show(scope)}`);
    } else if (kind.botUser && NOT_FOR_BOTS.has(scope)) {
      check.add(line, where, `scopes: a ${kind.name} token's bot user cannot have ${scope}`);
    } else if (!scopes.includes(scope)) {
      scopes.push(scope);
    }
  }
  return scopes;
}

export function accessLevelOf(check: Checker, field: Field, where: string): number | undefined {
  const value = scalar(field.value);
  const text = typeof value === 'number' || typeof value === 'string' ? String(value) : '';
  const level = /^\d+$/.test(text) ? Number(text) : ACCESS_LEVELS[text.toLowerCase()];
  if (level !== undefined && Object.values(ACCESS_LEVELS).includes(level)) return level;
  check.add(
    field.line,
    where,
    `access-level: expected ${Object.keys(ACCESS_LEVELS).join(', ')} or ${Object.values(ACCESS_LEVELS).join(', ')}, got ${show(value)}`,
  );
  return undefined;
}

export function nameOf(check: Checker, field: Field, where: string): string | undefined {
  const value = scalar(field.value);
  if (typeof value !== 'string' && typeof value !== 'number') {
    check.add(field.line, where, `name: expected a token name, got ${show(value)}`);
    return undefined;
  }
  const name = String(value).trim();
  if (name === '' || [...name].length > MAX_TOKEN_NAME || CONTROL.test(name)) {
    check.add(field.line, where, `name: expected one line of 1 to ${MAX_TOKEN_NAME} characters`);
    return undefined;
  }
  return name;
}

/** Each target of `store-in`, parsed by the store-in grammar (stores/targets.ts). */
export function storesOf(check: Checker, field: Field, where: string): StoreTarget[] {
  if (!isSeq(field.value)) {
    check.add(field.line, where, 'store-in: expected a list of targets');
    return [];
  }
  const items = field.value.items.map((item) => ({
    value: scalar(item as Node),
    line: check.lineOf(item as Node, field.line),
  }));
  if (items.length > 20) check.add(field.line, where, `store-in: at most 20 targets`);
  const targets: StoreTarget[] = [];
  const seen = new Set<string>();
  for (const { value, line } of items) {
    const text = typeof value === 'string' ? value.trim() : '';
    const { targets: parsed, problems } = parseStoreIn(text === '' ? '-' : text);
    for (const problem of problems) check.add(line, where, `store-in: ${problem}`);
    for (const target of parsed) {
      if (seen.has(placeOf(target)))
        check.add(line, where, `store-in: ${quote(text)} is listed twice`);
      seen.add(placeOf(target));
      targets.push(target);
    }
  }
  return targets;
}
