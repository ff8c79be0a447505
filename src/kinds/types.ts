/**
 * One interface for every kind of token GitLab mints: the rest of the code talks to it and never
 * branches on the kind. Adding a kind is a module of its own and a line in kinds/index.ts; each
 * kind owns its endpoints, its label, the shape of its target, the CLI flags that name it and
 * what it needs of the credential.
 */
import type { GitLabClient } from '../gitlab/client.js';
import type { TokenFilter } from './list.js';
import type { PersonalAccessToken, TokenWithSecret } from '../gitlab/token.js';
import type { Words } from '../inputs/words.js';

/** A registered kind's name: `personal`, `impersonation`, `service-account`, `project`, `group`, `self`. */
export type KindName = string;

/** What names a token's owner: a user ID, a group, a project (the credential itself: none). */
export type OwnerField = 'user' | 'group' | 'project';

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

/** A target as labels name it: its user by ID, or by `@username` before the look-up. */
export type LabelTarget = Omit<TokenTarget, 'userId'> & { userId?: number | string };

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
  /** the registry's key: the journal, the `type` of the tokens output, the CLI's list */
  readonly name: KindName;
  /** the target fields this kind's tokens are named by (the journal checks them on reading) */
  readonly owner: readonly OwnerField[];
  /** false for a kind that can only be rotated (the credential itself): no replacing it */
  readonly canCreate?: false;
  /** the token has its own bot user, made with it (project and group access tokens) */
  readonly botUser?: true;
  /** the token carries an access level (project and group access tokens) */
  readonly accessLevel?: true;
  /** what the credential's user needs to make this kind's tokens, for messages */
  readonly roleNeeded?: string;
  /** e.g. `user 42`, `service account @bot of group acme` (before a look-up, a @username) */
  label(target: LabelTarget): string;
  /** the CLI flags that name this target (for a revoke command), e.g. `--project-id acme/app` */
  cliFlags(target: TokenTarget): string[];
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
