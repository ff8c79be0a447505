/** Shapes results for the step outputs and the CLI's formats. */
import type { TokenResult } from './many.js';
import type { NewToken, UnchangedToken } from './make.js';
import type { PersonalAccessToken } from '../gitlab/token.js';
import { tokenKind } from '../kinds/index.js';
import { oneLine } from '../util/text.js';

export interface TokenOutput {
  /** the kind of token: personal, impersonation, service-account, project or group */
  type: string;
  /** the project or group (as given) of a service-account, project or group token; else null */
  target: string | null;
  /** the token's user: for project and group tokens, their bot */
  user_id: number;
  id: number;
  name: string;
  token: string;
  scopes: string[];
  expires_at: string | null;
  /** project and group access tokens only */
  access_level?: number;
}

export function madeTokens(results: TokenResult[]): NewToken[] {
  return results.flatMap((result) => (result.created ? [result.created] : []));
}

export function tokenOutputs(tokens: NewToken[]): TokenOutput[] {
  return tokens.map(({ token, target }) => {
    const output: TokenOutput = {
      type: target.kind,
      target: target.projectId ?? target.groupId ?? null,
      user_id: token.user_id,
      id: token.id,
      name: token.name,
      token: token.token,
      scopes: token.scopes,
      expires_at: token.expires_at,
    };
    if (tokenKind(target.kind).accessLevel) output.access_level = token.access_level;
    return output;
  });
}

/** The single-value outputs, describing the first token. */
export function firstTokenOutputs(tokens: NewToken[]): Record<string, string> {
  const first = tokens[0];
  if (!first) return {};
  return {
    token: first.token.token,
    ...describedOutputs(first.token),
    rotated: String(first.rotatedFrom !== undefined),
  };
}

/** rotate-before: a token not due is described, never with a secret (GitLab shows one once). */
export function unchangedOutputs({ existing }: UnchangedToken): Record<string, string> {
  return { ...describedOutputs(existing), rotated: 'false' };
}

function describedOutputs(token: PersonalAccessToken): Record<string, string> {
  return {
    id: String(token.id),
    name: token.name,
    'user-id': String(token.user_id),
    scopes: token.scopes.join(','),
    'expires-at': token.expires_at ?? '',
    'created-at': token.created_at,
  };
}

/** `Created token ID 7 for project acme/app (bot user 93), expiring 2026-12-01.`, one line. */
export function madeLine(made: NewToken): string {
  const { token, rotatedFrom, oldMayBeActive, target, replaced } = made;
  const kind = tokenKind(target.kind);
  const label = kind.label(target);
  // A project's or group's token has a bot user of its own; a person's token is their own.
  const who =
    target.userId !== undefined
      ? label
      : `${label} (${kind.botUser ? 'bot user' : 'user'} ${token.user_id})`;
  const expiry = `expiring ${token.expires_at ?? 'never'}`;
  if (rotatedFrom !== undefined && oldMayBeActive) {
    return oneLine(
      `Created token ID ${token.id} for ${who} to replace token ID ${rotatedFrom}, which GitLab did not confirm revoking (it may still be active), ${expiry}.`,
    );
  }
  // core.info prints as is: flatten what GitLab returned so no line can become a command.
  if (rotatedFrom !== undefined && replaced) {
    return oneLine(
      `Replaced token ID ${rotatedFrom} with token ID ${token.id} for ${who} (a new token, the old one revoked), ${expiry}.`,
    );
  }
  const how = rotatedFrom !== undefined ? `Rotated token ID ${rotatedFrom} into` : 'Created';
  return oneLine(`${how} token ID ${token.id} for ${who}, ${expiry}.`);
}
