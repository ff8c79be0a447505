/**
 * Reads a token list to the end. GitLab's token lists are offset-paginated (per_page at most 100,
 * id ascending by default; lib/api/helpers/pagination.rb), so one page is not the whole answer:
 * pages are followed through `x-next-page` up to a bound.
 */
import type { GitLabClient } from '../gitlab/client.js';
import { readToken, type PersonalAccessToken } from '../gitlab/token.js';

const PER_PAGE = 100;
/** 100 pages of 100: far beyond any same-name list; a longer one is not read to the end. */
const MAX_PAGES = 100;

export interface TokenFilter {
  /**
   * the exact token name; GitLab's `search` narrows the list, this keeps exact matches only.
   * Absent: every active token (the CLI's `list`).
   */
  name?: string;
  /**
   * `YYYY-MM-DD`: GitLab's `expires_before` (`expires_at < date`; a token without expiry never
   * matches). Older versions ignore it, so the caller filters again.
   */
  expiresBefore?: string;
  /** ISO 8601: only tokens created after this instant (GitLab's clock) */
  createdAfter?: string;
  /**
   * Leave out a user's impersonation tokens, which an administrator's list includes: needed to
   * pick a token to rotate, not to find a request's own token (proven by its marker or name).
   */
  excludeImpersonation?: boolean;
  /**
   * Revoked and expired tokens too (every state): a fleet's plan tells a revoked or expired
   * token from a missing one. Versions that list active tokens only (resource tokens before
   * 17.2) still give only those.
   */
  includeInactive?: boolean;
}

/** Thrown when a list is longer than the bound: what was read is not all there is. */
export class TokenListTooLongError extends Error {
  constructor(
    readonly path: string,
    /** false when every token was asked for, not those of one name */
    readonly named = true,
  ) {
    super(`more than ${MAX_PAGES * PER_PAGE} tokens match at ${path}`);
    this.name = 'TokenListTooLongError';
  }
}

/**
 * GitLab's `search` is a fuzzy match on words (Gitlab::SQL::Pattern#fuzzy_search: the query is
 * squished, split on spaces and quotes): it is only a safe narrowing for names that squishing and
 * quoting leave as they are. Other names are listed without it and matched here.
 */
export function searchableName(name: string): boolean {
  return name === name.replace(/\s+/g, ' ').trim() && !name.includes('"');
}

export function listQuery(filter: TokenFilter, extra: Record<string, string> = {}): string {
  const query = new URLSearchParams(extra);
  if (!filter.includeInactive) query.set('state', 'active');
  if (filter.name !== undefined && searchableName(filter.name)) query.set('search', filter.name);
  if (filter.createdAfter) query.set('created_after', filter.createdAfter);
  if (filter.expiresBefore) query.set('expires_before', filter.expiresBefore);
  query.set('per_page', String(PER_PAGE));
  return query.toString();
}

/**
 * Every active token at `path` (with `query`) named exactly `filter.name` (any name without
 * one; of `userId`, when given). Items that are not token records (a non-numeric ID, say) are dropped: they never
 * reach a URL.
 */
export async function readTokenList(
  client: GitLabClient,
  path: string,
  query: string,
  filter: TokenFilter,
  userId: number | undefined,
): Promise<PersonalAccessToken[]> {
  const found: PersonalAccessToken[] = [];
  let page = '1';
  for (let count = 1; ; count++) {
    const { data, headers } = await client.request<unknown>('GET', `${path}?${query}&page=${page}`);
    for (const item of Array.isArray(data) ? data : []) {
      const token = readToken(item);
      const owned = userId === undefined || token?.user_id === userId;
      const named = filter.name === undefined || token?.name === filter.name;
      if (token && (token.active || filter.includeInactive) && named && owned) {
        found.push(token);
      }
    }
    const next = String(headers['x-next-page'] ?? '').trim();
    if (!/^\d+$/.test(next) || Number(next) <= Number(page)) return found;
    if (count >= MAX_PAGES) throw new TokenListTooLongError(path, filter.name !== undefined);
    page = next;
  }
}
