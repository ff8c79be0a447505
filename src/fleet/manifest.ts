/**
 * The manifest of a fleet (`.gitlab-tokens.yml`): read with a YAML parser that keeps positions
 * (the `yaml` package: parseDocument, LineCounter, uniqueKeys), and checked against its schema
 * here and only here, before any request. Every problem is collected and reported together, each
 * naming the file, the line and the entry.
 *
 *   fleet: acme                  # [a-z0-9][a-z0-9-]*: the name in every managed token's marker
 *   max-lifetime: 365d           # optional: the instance's longest token lifetime (GitLab: 365d)
 *   defaults: { … }              # optional: any entry key but store-in, where it fits the kind
 *   tokens:
 *     <entry id>: { kind, user | group | project, scopes, access-level, name, expires-in,
 *                   rotate-before, store-in }
 *
 * The owner fields, whether a kind takes scopes or an access level, and which scopes a bot may
 * have come from the kind itself (kinds/): nothing here branches on a kind's name.
 */
import { isMap, parseDocument, type Node } from 'yaml';
import type { TargetRef } from '../inputs/targets.js';
import { findKind, kindNames, type OwnerField } from '../kinds/index.js';
import { placeOf, type StoreTarget } from '../stores/targets.js';
import { quote } from '../util/text.js';
import { accessLevelOf, nameOf, ownerValue, scopesOf, storesOf } from './values.js';
import { Checker, days, fieldsOf, pairsOf, scalar, show, type Field } from './yaml.js';

/** One token the manifest declares. */
export interface FleetEntry {
  id: string;
  /** the line of the entry's key, for messages */
  line: number;
  kind: string;
  /** whose token: the kind's owner fields (a user before its look-up) */
  owner: TargetRef;
  /** the token's name on GitLab (default: the entry id); '' for the credential itself */
  name: string;
  /** empty for the credential itself (a rotation keeps its scopes) */
  scopes: string[];
  accessLevel: number | undefined;
  expiresInDays: number;
  rotateBeforeDays: number;
  stores: StoreTarget[];
}

export interface Manifest {
  file: string;
  fleet: string;
  entries: FleetEntry[];
}

/** The manifest is invalid: every problem, `file:line: entry: sentence`. */
export class ManifestError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ManifestError';
  }
}

const NAME = /^[a-z0-9][a-z0-9-]*$/;
const MAX_FLEET_NAME = 40;
const MAX_ENTRY_ID = 63;
const MAX_ENTRIES = 20_000;
const DEFAULT_EXPIRES_IN = 90;
const DEFAULT_ROTATE_BEFORE = 14;
/** app/models/personal_access_token.rb MAX_PERSONAL_ACCESS_TOKEN_LIFETIME_IN_DAYS (400 behind a flag) */
const GITLAB_MAX_LIFETIME = 365;
const FLAGGED_MAX_LIFETIME = 400;
const OWNER_FIELDS: readonly OwnerField[] = ['user', 'group', 'project'];
const ENTRY_KEYS = [
  'kind',
  ...OWNER_FIELDS,
  'scopes',
  'access-level',
  'name',
  'expires-in',
  'rotate-before',
  'store-in',
];
const TOP_KEYS = ['fleet', 'max-lifetime', 'defaults', 'tokens'];

interface EntryContext {
  defaults: Map<string, Field>;
  maxLifetime: number;
}

function entryOf(
  check: Checker,
  id: string,
  line: number,
  node: Node | null,
  context: EntryContext,
): FleetEntry | undefined {
  const where = `tokens.${id}`;
  if (!NAME.test(id) || id.length > MAX_ENTRY_ID) {
    check.add(
      line,
      where,
      `the entry id must be lower-case letters, digits and - (at most ${MAX_ENTRY_ID}), starting with a letter or digit`,
    );
  }
  if (!isMap(node)) {
    check.add(line, where, 'expected a mapping of kind, owner, scopes, …');
    return undefined;
  }
  const own = fieldsOf(check, node, ENTRY_KEYS, where);
  const kindField = own.get('kind') ?? context.defaults.get('kind');
  const kindName = scalar(kindField?.value ?? null);
  const kind = typeof kindName === 'string' ? findKind(kindName) : undefined;
  if (!kind) {
    const got = kindField ? `, got ${show(kindName)}` : '';
    check.add(
      kindField?.line ?? line,
      where,
      `kind: expected one of ${kindNames().join(', ')}${got}`,
    );
    return undefined;
  }
  const self = kind.canCreate === false;
  // A default applies where it fits the kind; what the entry itself says must fit.
  const fits = (key: string): boolean => {
    if ((OWNER_FIELDS as readonly string[]).includes(key))
      return kind.owner.includes(key as OwnerField);
    if (key === 'access-level') return kind.accessLevel === true;
    if (key === 'scopes' || key === 'name') return !self;
    return true;
  };
  const fields = new Map<string, Field>();
  for (const [key, field] of context.defaults) if (fits(key)) fields.set(key, field);
  for (const [key, field] of own) {
    if (!fits(key)) {
      check.add(field.line, where, `${key} does not go with kind ${kind.name}`);
      continue;
    }
    fields.set(key, field);
  }
  const owner: TargetRef = { kind: kind.name };
  for (const key of kind.owner) {
    const field = fields.get(key);
    if (!field) {
      check.add(line, where, `kind ${kind.name} needs ${key}: (whose token it is)`);
      continue;
    }
    const value = ownerValue(check, field, where, key);
    if (key === 'user' && typeof value === 'object') owner.user = value;
    if (key === 'group' && typeof value === 'string') owner.groupId = value;
    if (key === 'project' && typeof value === 'string') owner.projectId = value;
  }
  let scopes: string[] = [];
  if (!self) {
    const field = fields.get('scopes');
    if (!field) check.add(line, where, 'scopes: required (a list such as [read_api])');
    else scopes = scopesOf(check, field, where, kind) ?? [];
  }
  const levelField = fields.get('access-level');
  const accessLevel = levelField ? accessLevelOf(check, levelField, where) : undefined;
  const nameField = fields.get('name');
  const name = self ? '' : ((nameField && nameOf(check, nameField, where)) ?? id);
  const expiresField = fields.get('expires-in');
  const rotateField = fields.get('rotate-before');
  const expiresInDays = expiresField
    ? days(check, expiresField, where, 'expires-in')
    : DEFAULT_EXPIRES_IN;
  const rotateBeforeDays = rotateField
    ? days(check, rotateField, where, 'rotate-before')
    : DEFAULT_ROTATE_BEFORE;
  if (expiresInDays !== undefined && expiresInDays > context.maxLifetime) {
    check.add(
      expiresField?.line ?? line,
      where,
      `expires-in: ${expiresInDays} days is over the instance's maximum lifetime of ${context.maxLifetime} days (max-lifetime)`,
    );
  }
  if (
    expiresInDays !== undefined &&
    rotateBeforeDays !== undefined &&
    rotateBeforeDays >= expiresInDays
  ) {
    check.add(
      rotateField?.line ?? expiresField?.line ?? line,
      where,
      `rotate-before (${rotateBeforeDays}d) must be shorter than expires-in (${expiresInDays}d), or every token would be due as soon as it is made`,
    );
  }
  const storesField = own.get('store-in');
  const stores = storesField ? storesOf(check, storesField, where) : [];
  if (self && stores.length === 0) {
    check.add(
      line,
      where,
      `kind ${kind.name} needs store-in: the credential's new secret must be written where the next run reads it`,
    );
  }
  return {
    id,
    line,
    kind: kind.name,
    owner,
    name,
    scopes,
    accessLevel,
    expiresInDays: expiresInDays ?? DEFAULT_EXPIRES_IN,
    rotateBeforeDays: rotateBeforeDays ?? DEFAULT_ROTATE_BEFORE,
    stores,
  };
}

/** Two entries may not write one store target, and there is one credential to renew. */
function checkAcrossEntries(check: Checker, entries: FleetEntry[]): void {
  const writers = new Map<string, FleetEntry>();
  for (const entry of entries) {
    for (const target of entry.stores) {
      const first = writers.get(placeOf(target));
      if (first) {
        check.add(
          entry.line,
          `tokens.${entry.id}`,
          `store-in: ${quote(target.label)} is also written by entry ${first.id} (line ${first.line}): one target holds one token`,
        );
      } else {
        writers.set(placeOf(target), entry);
      }
    }
  }
  const selves = entries.filter((entry) => findKind(entry.kind)?.canCreate === false);
  for (const entry of selves.slice(1)) {
    check.add(
      entry.line,
      `tokens.${entry.id}`,
      `there is one credential: entry ${selves[0].id} (line ${selves[0].line}) already renews it`,
    );
  }
}

/** Parses and checks a manifest; throws ManifestError listing every problem. */
export function parseManifest(text: string, file: string): Manifest {
  const check = new Checker(file);
  const doc = parseDocument(text, {
    lineCounter: check.lines,
    uniqueKeys: true,
    prettyErrors: false,
  });
  for (const error of doc.errors) {
    const [start, end] = error.pos;
    const line = check.lines.linePos(start).line;
    const sentence =
      error.code === 'DUPLICATE_KEY'
        ? `${quote(text.slice(start, end) || 'a key')} is given twice (entry ids and keys are unique)`
        : `not valid YAML: ${error.message.split('\n')[0]}`;
    check.add(line, undefined, sentence);
  }
  if (check.problems.length > 0) throw new ManifestError(check.problems);
  const root = doc.contents as Node | null;
  if (!isMap(root)) {
    throw new ManifestError([`${file}:1: expected a mapping with fleet: and tokens:`]);
  }
  const top = fieldsOf(check, root, TOP_KEYS, '');
  const fleetField = top.get('fleet');
  const fleet = scalar(fleetField?.value ?? null);
  if (typeof fleet !== 'string' || !NAME.test(fleet) || fleet.length > MAX_FLEET_NAME) {
    check.add(
      fleetField?.line ?? 1,
      undefined,
      `fleet: required, the fleet's name: lower-case letters, digits and - (at most ${MAX_FLEET_NAME}), got ${show(fleet)}`,
    );
  }
  let maxLifetime = GITLAB_MAX_LIFETIME;
  const lifetimeField = top.get('max-lifetime');
  if (lifetimeField) {
    const parsed = days(check, lifetimeField, undefined, 'max-lifetime');
    if (parsed !== undefined && parsed > FLAGGED_MAX_LIFETIME) {
      check.add(
        lifetimeField.line,
        undefined,
        `max-lifetime: GitLab allows at most ${FLAGGED_MAX_LIFETIME} days, got ${parsed}`,
      );
    } else if (parsed !== undefined) {
      maxLifetime = parsed;
    }
  }
  const defaultsField = top.get('defaults');
  let defaults = new Map<string, Field>();
  if (defaultsField) {
    if (!isMap(defaultsField.value)) {
      check.add(defaultsField.line, 'defaults', 'expected a mapping of entry keys');
    } else {
      const keys = ENTRY_KEYS.filter((key) => key !== 'store-in');
      defaults = fieldsOf(check, defaultsField.value, keys, 'defaults');
    }
  }
  const tokensField = top.get('tokens');
  const entries: FleetEntry[] = [];
  if (!tokensField || !(isMap(tokensField.value) || scalar(tokensField.value) === null)) {
    check.add(
      tokensField?.line ?? 1,
      undefined,
      'tokens: required, a mapping of entry id to entry',
    );
  } else if (isMap(tokensField.value)) {
    const pairs = pairsOf(check, tokensField.value, 'tokens');
    if (pairs.length > MAX_ENTRIES) {
      check.add(tokensField.line, 'tokens', `at most ${MAX_ENTRIES} entries, got ${pairs.length}`);
    }
    for (const [id, pair] of pairs.slice(0, MAX_ENTRIES)) {
      const line = check.lineOf(pair.key as Node);
      const entry = entryOf(check, id, line, (pair.value as Node | null) ?? null, {
        defaults,
        maxLifetime,
      });
      if (entry) entries.push(entry);
    }
    checkAcrossEntries(check, entries);
  }
  if (check.problems.length > 0) throw new ManifestError([...new Set(check.problems)]);
  return { file, fleet: fleet as string, entries };
}
