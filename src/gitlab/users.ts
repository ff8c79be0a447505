/** Usernames to user IDs (GET /users?username=, lib/api/users.rb). */
import type { GitLabClient } from './client.js';
import { UserNotFoundError } from './errors.js';
import type { UserRef } from '../inputs/targets.js';
import { isTokenId } from './token.js';

export interface GitLabUser {
  id: number;
  username: string;
  is_admin?: boolean;
}

export async function resolveUserId(client: GitLabClient, user: UserRef): Promise<number> {
  if ('id' in user) return user.id;
  const { data } = await client.request<unknown>(
    'GET',
    `/users?username=${encodeURIComponent(user.username)}`,
  );
  const wanted = user.username.toLowerCase();
  const match = (Array.isArray(data) ? data : []).find(
    (candidate: { id?: unknown; username?: unknown }) =>
      typeof candidate?.username === 'string' && candidate.username.toLowerCase() === wanted,
  ) as { id?: unknown } | undefined;
  // The ID goes into URLs: only a positive integer is one.
  if (!match || !isTokenId(match.id)) throw new UserNotFoundError(user.username);
  return match.id;
}

export async function currentUser(client: GitLabClient): Promise<GitLabUser> {
  return (await client.request<GitLabUser>('GET', '/user')).data;
}
