/**
 * The registry of token kinds: every kind is a module of its own, registered here with one line.
 * Everything else looks a kind up by name and talks to its interface (types.ts).
 */
import { impersonation } from './impersonation.js';
import { personal } from './personal.js';
import { groupToken, projectToken } from './resource.js';
import { selfToken } from './self.js';
import { serviceAccount } from './service-account.js';
import type { KindName, TokenKind } from './types.js';

const KINDS = new Map<KindName, TokenKind>();

/** Makes a kind known by its name (a second kind of the same name replaces the first). */
export function registerKind(kind: TokenKind): void {
  KINDS.set(kind.name, kind);
}

registerKind(personal);
registerKind(impersonation);
registerKind(serviceAccount);
registerKind(projectToken);
registerKind(groupToken);
registerKind(selfToken);

/** The names of every registered kind, in the order they were registered. */
export function kindNames(): KindName[] {
  return [...KINDS.keys()];
}

/** The kind registered under `name`; undefined for a name no kind has. */
export function findKind(name: string): TokenKind | undefined {
  return KINDS.get(name);
}

/** The kind registered under `name` (a name from this run's own inputs or journal). */
export function tokenKind(name: KindName): TokenKind {
  const kind = KINDS.get(name);
  if (!kind) throw new Error(`no token kind named ${JSON.stringify(name)} is registered`);
  return kind;
}

export type {
  KindContext,
  KindName,
  LabelTarget,
  OwnerField,
  RevokeOutcome,
  TokenKind,
  TokenParams,
  TokenTarget,
} from './types.js';
