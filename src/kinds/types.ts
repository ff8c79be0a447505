/**
 * One interface for every kind of token GitLab mints: the rest of the action talks to it and
 * never branches on the kind. Adding a kind is a module of its own and a line in kinds/index.ts.
 */
import type { GitLabClient } from '../gitlab/client.js';
import type { TokenFilter } from './list.js';
import type { PersonalAccessToken, TokenWithSecret } from '../gitlab/token.js';
import type { Words } from '../inputs/words.js';

export type KindName =
  'personal' | 'impersonation' | 'service-account' | 'project' | 'group' | 'self';

/** Whose token: a user's, a group's service account's, or a project's or group's own bot's. */
export interface TokenTarget {
  kind: KindName;
  /** the user (personal, impersonation, service account); a bot's ID is known once made */
  userId?: number;
  /** the group (service accounts, group access tokens): numeric ID or full path */
  groupId?: string;
  /** the project (project access tokens): numeric ID or full path */
  projectId?: string;
}

export interface TokenParams {
  name: string;
  scopes: string[];
  expiresAt: string | undefined;
  description: string | undefined;
  /** project and group access tokens: GitLab's access level number */
  accessLevel?: number;
}

/**
 * What GitLab confirmed: revoked by this request (GitLab answers the same for one already
 * revoked), already revoked, no such token at all (gone), or none such for this target.
 */
export type RevokeOutcome = 'revoked' | 'already-revoked' | 'gone' | 'not-found';

export interface KindContext {
  /** called with every new secret the moment it arrives (a revoke may have to rotate first) */
  onSecret(secret: string): void;
  /**
   * Check that a token ID given by a person (the CLI's revoke) is the target's before revoking
   * it through a route that would revoke any token by ID. The journal's IDs need no check.
   */
  checkOwner?: boolean;
  log: { info(message: string): void; warning(message: string): void };
  /** the reader's words for inputs in messages (the action's when absent) */
  words?: Words;
}

export interface TokenKind extends KindRequests {
  /** false for a kind that can only be rotated (the credential itself): no replacing it */
  readonly canCreate?: false;
  /** e.g. `user 42`, `service account 90 of group acme` */
  label(target: TokenTarget): string;
}

/** What a kind asks GitLab. */
export interface KindRequests {
  create(client: GitLabClient, target: TokenTarget, params: TokenParams): Promise<TokenWithSecret>;
  /** active tokens of the target named exactly `filter.name` (any name without one), every page */
  list(
    client: GitLabClient,
    target: TokenTarget,
    filter: TokenFilter,
  ): Promise<PersonalAccessToken[]>;
  rotate(
    client: GitLabClient,
    target: TokenTarget,
    id: number,
    expiresAt: string | undefined,
  ): Promise<TokenWithSecret>;
  /** resolves only with what GitLab confirmed; throws when the token may still be active */
  revoke(
    client: GitLabClient,
    target: TokenTarget,
    id: number,
    context: KindContext,
  ): Promise<RevokeOutcome>;
}
