/**
 * Helpers that make untrusted text safe to print: no line breaks or control characters (so
 * nothing can start a `::command::` line in the runner log) and nothing that looks like a token.
 */

const MAX_QUOTED = 80;

/** Quotes a value for an error message: JSON escaping turns control characters into `\n` etc. */
export function quote(value: string, max = MAX_QUOTED): string {
  const chars = [...value];
  const shown = chars.length > max ? `${chars.slice(0, max).join('')}…` : value;
  return JSON.stringify(shown);
}

// GitLab token prefixes (glpat-, gloas-, glrt-, glcbt-, ...) and other long opaque strings.
const TOKEN_LIKE = /\bgl[a-z]{1,8}-[A-Za-z0-9_.-]{8,}/g;

/** Removes the given secrets and anything shaped like a GitLab token from `text`. */
export function scrubSecrets(text: string, secrets: Iterable<string> = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('***');
  }
  return out.replace(TOKEN_LIKE, '***');
}

/** Collapses control characters (line breaks included) to spaces and bounds the length. */
export function oneLine(text: string, max = 500): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  const chars = [...flat];
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : flat;
}
