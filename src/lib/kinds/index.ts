/** The kind of token the inputs ask for, chosen once; everything after talks to TokenKind. */
import { impersonation } from './impersonation.js';
import { personal } from './personal.js';
import { groupToken, projectToken } from './resource.js';
import { selfToken } from './self.js';
import { serviceAccount } from './service-account.js';
import type { KindName, TokenKind } from './types.js';

const KINDS: Record<KindName, TokenKind> = {
  personal,
  impersonation,
  'service-account': serviceAccount,
  project: projectToken,
  group: groupToken,
  self: selfToken,
};

export function tokenKind(kind: KindName): TokenKind {
  return KINDS[kind];
}

export type {
  KindContext,
  KindName,
  RevokeOutcome,
  TokenKind,
  TokenParams,
  TokenTarget,
} from './types.js';
