/** Shapes results for the step outputs and the CLI's formats. */
import type { TokenResult } from './create-tokens.js';
import type { NewToken } from './create-token.js';

export interface TokenOutput {
  /** the kind of token: personal or service-account */
  type: string;
  /** the group of a service account's token; null for a user's */
  target: string | null;
  user_id: number;
  id: number;
  name: string;
  token: string;
  scopes: string[];
  expires_at: string | null;
}

export function madeTokens(results: TokenResult[]): NewToken[] {
  return results.flatMap((result) => (result.created ? [result.created] : []));
}

export function tokenOutputs(tokens: NewToken[]): TokenOutput[] {
  return tokens.map(({ token, target }) => ({
    type: target.kind,
    target: target.groupId ?? null,
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
