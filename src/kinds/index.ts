/** The kind of token the inputs ask for, chosen once; everything after talks to TokenKind. */
import { impersonation } from './impersonation.js';
import { personal } from './personal.js';
import { selfToken } from './self.js';
import type { KindName, KindRequests, TokenKind, TokenTarget } from './types.js';

/**
 * A kind whose requests are in a module loaded on its first request: the default kind (personal,
 * with impersonation) is always there; these are loaded only by the runs that ask for them. The
 * label is here, as logs need it before any request.
 */
function loadedOnUse(
  label: (target: TokenTarget) => string,
  load: () => Promise<KindRequests>,
): TokenKind {
  let loaded: Promise<KindRequests> | undefined;
  const requests = (): Promise<KindRequests> => (loaded ??= load());
  return {
    label,
    create: async (...args) => (await requests()).create(...args),
    list: async (...args) => (await requests()).list(...args),
    rotate: async (...args) => (await requests()).rotate(...args),
    revoke: async (...args) => (await requests()).revoke(...args),
  };
}

const resourceId = (target: TokenTarget, source: 'project' | 'group'): string =>
  (source === 'project' ? target.projectId : target.groupId) ?? '';

const KINDS: Record<KindName, TokenKind> = {
  personal,
  impersonation,
  'service-account': loadedOnUse(
    (target) => `service account ${target.userId} of group ${target.groupId}`,
    async () => (await import('./service-account.js')).serviceAccount,
  ),
  project: loadedOnUse(
    (target) => `project ${resourceId(target, 'project')}`,
    async () => (await import('./resource.js')).projectToken,
  ),
  group: loadedOnUse(
    (target) => `group ${resourceId(target, 'group')}`,
    async () => (await import('./resource.js')).groupToken,
  ),
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
