/** The GitLab endpoints the action uses, typed. One function per endpoint, no policy. */
import type { GitLabClient } from './gitlab-client.js';
import { GitLabApiError, UserNotFoundError } from './errors.js';
import type { UserRef } from './inputs.js';

export interface PersonalAccessToken {
  id: number;
  name: string;
  revoked: boolean;
  created_at: string;
  description?: string | null;
  scopes: string[];
  user_id: number;
  last_used_at: string | null;
  active: boolean;
  expires_at: string | null;
  /** present only in the reply that created or rotated the token */
  token?: string;
}

export interface GitLabUser {
  id: number;
  username: string;
  is_admin?: boolean;
}

export interface TokenParams {
  name: string;
  scopes: string[];
  expiresAt: string | undefined;
  description: string | undefined;
}

/** Where a token is created: a user (admin API) or a group's service account (GitLab.com). */
export interface TokenOwner {
  userId: number;
  groupId: string | undefined;
}

/**
 * The collection of an owner's tokens. A group's service accounts have their own endpoints
 * (GitLab.com owners are not administrators, so the instance-wide ones would not do).
 */
function tokensPath(owner: TokenOwner): string {
  const group = groupOf(owner);
  return group === undefined
    ? `/users/${owner.userId}/personal_access_tokens`
    : `/groups/${encodeURIComponent(group)}/service_accounts/${owner.userId}/personal_access_tokens`;
}

/**
 * The group as inputs.ts reads group-id: the post step and `revoke` pass the raw input, and
 * ` /acme/ ` must not become another path (whose 404 would pass for "already revoked").
 */
function groupOf(owner: TokenOwner): string | undefined {
  const group = owner.groupId?.trim().replace(/^\/+|\/+$/g, '');
  return group ? group : undefined;
}

/** One token: instance-wide endpoint, or the group's service-account endpoint. */
function tokenPath(owner: TokenOwner, id: number): string {
  return groupOf(owner) === undefined
    ? `/personal_access_tokens/${id}`
    : `${tokensPath(owner)}/${id}`;
}

export async function resolveUserId(client: GitLabClient, user: UserRef): Promise<number> {
  if ('id' in user) return user.id;
  const { data } = await client.request<GitLabUser[]>(
    'GET',
    `/users?username=${encodeURIComponent(user.username)}`,
  );
  const match = Array.isArray(data)
    ? data.find((candidate) => candidate.username.toLowerCase() === user.username.toLowerCase())
    : undefined;
  if (!match) throw new UserNotFoundError(user.username);
  return match.id;
}

export async function createToken(
  client: GitLabClient,
  owner: TokenOwner,
  params: TokenParams,
): Promise<PersonalAccessToken> {
  const body: Record<string, unknown> = { name: params.name, scopes: params.scopes };
  if (params.expiresAt !== undefined) body.expires_at = params.expiresAt;
  if (params.description !== undefined) body.description = params.description;
  const { data } = await client.request<PersonalAccessToken>('POST', tokensPath(owner), body);
  return data;
}

/** Active tokens of a user whose name is exactly `name` (GitLab's search is a substring match). */
export async function listActiveTokens(
  client: GitLabClient,
  owner: TokenOwner,
  name: string,
): Promise<PersonalAccessToken[]> {
  const search = `state=active&search=${encodeURIComponent(name)}&per_page=100`;
  const path =
    groupOf(owner) === undefined
      ? `/personal_access_tokens?user_id=${owner.userId}&${search}`
      : `${tokensPath(owner)}?${search}`;
  const { data } = await client.request<PersonalAccessToken[]>('GET', path);
  return (Array.isArray(data) ? data : []).filter(
    (token) => token.name === name && token.user_id === owner.userId && token.active !== false,
  );
}

/** Revokes a token. 'gone' when GitLab no longer knows it as active (already revoked or deleted). */
export async function revokeToken(
  client: GitLabClient,
  owner: TokenOwner,
  id: number,
): Promise<'revoked' | 'gone'> {
  try {
    await client.request('DELETE', tokenPath(owner, id));
    return 'revoked';
  } catch (error) {
    if (error instanceof GitLabApiError && error.status === 404) return 'gone';
    throw error;
  }
}

export async function rotateToken(
  client: GitLabClient,
  owner: TokenOwner,
  id: number,
  expiresAt: string | undefined,
): Promise<PersonalAccessToken> {
  const body = expiresAt === undefined ? undefined : { expires_at: expiresAt };
  const path = `${tokenPath(owner, id)}/rotate`;
  const { data } = await client.request<PersonalAccessToken>('POST', path, body);
  return data;
}

export async function currentUser(client: GitLabClient): Promise<GitLabUser> {
  return (await client.request<GitLabUser>('GET', '/user')).data;
}

export async function gitlabVersion(client: GitLabClient): Promise<string> {
  return (await client.request<{ version: string }>('GET', '/version')).data.version;
}
