/** Shapes results for outputs, the post step's state, and the job summary. No secrets in state. */
import type { TokenResult } from './create-tokens.js';
import type { NewToken } from './create-token.js';

export interface TokenOutput {
  user_id: number;
  id: number;
  name: string;
  token: string;
  scopes: string[];
  expires_at: string | null;
}

/** The state key holding the tokens the post step revokes. */
export const STATE_REVOKE = 'revoke-tokens';

/** What the post step needs to revoke a token: IDs only. */
export interface RevokeEntry {
  id: number;
  user_id: number;
}

export function madeTokens(results: TokenResult[]): NewToken[] {
  return results.flatMap((result) => (result.created ? [result.created] : []));
}

export function tokenOutputs(tokens: NewToken[]): TokenOutput[] {
  return tokens.map(({ token }) => ({
    user_id: token.user_id,
    id: token.id,
    name: token.name,
    token: token.token,
    scopes: token.scopes,
    expires_at: token.expires_at,
  }));
}

/** The single-value outputs, describing the first token. */
export function firstTokenOutputs(tokens: NewToken[]): Record<string, string> {
  const first = tokens[0]?.token;
  if (!first) return {};
  return {
    token: first.token,
    id: String(first.id),
    name: first.name,
    'user-id': String(first.user_id),
    scopes: first.scopes.join(','),
    'expires-at': first.expires_at ?? '',
    'created-at': first.created_at,
  };
}

export function revokeEntries(tokens: NewToken[]): RevokeEntry[] {
  return tokens.map(({ token }) => ({ id: token.id, user_id: token.user_id }));
}

/** Reads the post step's state; anything malformed is dropped (it never held secrets). */
export function parseRevokeEntries(state: string): RevokeEntry[] {
  if (!state) return [];
  try {
    const parsed: unknown = JSON.parse(state);
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (entry): entry is RevokeEntry =>
        Number.isSafeInteger(entry?.id) && Number.isSafeInteger(entry?.user_id),
    );
  } catch {
    return [];
  }
}
