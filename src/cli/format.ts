/** What `--output` prints: json, token (one secret a line) or dotenv. */
import { CONTROL } from '../inputs/fields.js';
import type { TokenResult } from '../tokens/many.js';
import { firstTokenOutputs, madeTokens, tokenOutputs } from '../tokens/outputs.js';

// A value a POSIX shell reads as itself without quotes, in an assignment.
const SHELL_SAFE = /^[A-Za-z0-9_.:@%+,/=-]*$/;

/** Thrown when a value cannot be written in the asked format. */
export class OutputFormatError extends Error {}

/**
 * One `KEY=value` line that a shell (`.` or `source`) and line-based readers (a dotenv report)
 * read back as exactly one variable: plain when the value is shell-safe, else single-quoted.
 * Values come from GitLab, so they are data: a line break is refused, since a line-based reader
 * would take the rest as another variable.
 */
export function dotenvLine(key: string, value: string): string {
  if (CONTROL.test(value)) {
    throw new OutputFormatError(
      `GitLab returned a ${key} with a line break or control character: it cannot be written as dotenv`,
    );
  }
  const quoted = SHELL_SAFE.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
  return `${key}=${quoted}\n`;
}

export function formatOutput(format: string, results: TokenResult[]): string {
  const tokens = madeTokens(results);
  if (format === 'json') return `${JSON.stringify(tokenOutputs(tokens), null, 2)}\n`;
  if (format === 'token') {
    return tokens
      .map(({ token }) => {
        if (CONTROL.test(String(token.token))) {
          throw new OutputFormatError('GitLab returned a token with a line break in it');
        }
        return `${token.token}\n`;
      })
      .join('');
  }
  const first = firstTokenOutputs(tokens);
  const lines: [string, string | undefined][] = [
    ['GITLAB_NEW_TOKEN', first.token],
    ['GITLAB_NEW_TOKEN_ID', first.id],
    ['GITLAB_NEW_TOKEN_USER_ID', first['user-id']],
    ['GITLAB_NEW_TOKEN_EXPIRES_AT', first['expires-at']],
  ];
  return lines
    .flatMap(([key, value]) => (value === undefined ? [] : [dotenvLine(key, String(value))]))
    .join('');
}
