/**
 * Removes secrets from text that is about to be printed: what describe-error.ts builds from a
 * failure (GitLab's words included) and the CLI's error lines. Kept apart from text.ts, whose
 * helpers every run uses, so that a run that succeeds never evaluates it.
 */

// GitLab token prefixes (glpat-, gloas-, glrt-, glcbt-, ...) and other long opaque strings, in
// any letter case.
const TOKEN_LIKE = /\bgl[a-z]{1,8}-[A-Za-z0-9_.-]{8,}/gi;

// Invisible characters that split a secret without showing: removed from scrubbed text.
// (Built from code points: some are combining marks, which a pattern literal would misread.)
const INVISIBLE = new RegExp(
  `[${[
    [0xad],
    [0x34f],
    [0x61c],
    [0x115f, 0x1160],
    [0x17b4, 0x17b5],
    [0x180b, 0x180f],
    [0x200b, 0x200f],
    [0x202a, 0x202e],
    [0x2060, 0x206f],
    [0x3164],
    [0xfe00, 0xfe0f],
    [0xfeff],
    [0xffa0],
  ]
    .map(([from, to = from]) => `\\u{${from.toString(16)}}-\\u{${to.toString(16)}}`)
    .join('')}]`,
  'gu',
);

// What may separate the pieces of a split secret: whitespace and control characters, and their
// escaped spellings (`\n`, `\u2028`, ...) in text that was quoted once already.
// eslint-disable-next-line no-control-regex
const SEPARATOR = /[\s\u0000-\u001f\u007f-\u009f]|\\[nrtvfb0]|\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}/y;

/** Secrets shorter than this are not looked for (they would match ordinary words). */
const MIN_SECRET = 4;

const formsCache = new Map<string, string[]>();
const FORMS_CACHE_SIZE = 4096;

/**
 * The three base64 spellings of `bytes` that do not depend on what precedes or follows it: one per
 * alignment of its first byte in the 3-byte groups (as in the base64 of `user:secret`).
 */
function base64Forms(bytes: Buffer): string[] {
  const forms: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes])
      .toString('base64')
      .replace(/=+$/, '');
    // Characters mixing bits of the padding at the front, or of what follows at the end, are cut.
    const first = [0, 2, 3][offset];
    const last = Math.floor(((offset + bytes.length) * 8) / 6);
    const form = encoded.slice(first, last);
    forms.push(form, form.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return forms;
}

/** Lower-cased, separator-free skeleton of `text`, with each skeleton position's index in `text`. */
function skeleton(text: string): { flat: string; index: number[] } {
  let flat = '';
  const index: number[] = [];
  for (let i = 0; i < text.length;) {
    SEPARATOR.lastIndex = i;
    const separator = SEPARATOR.exec(text);
    if (separator) {
      i += separator[0].length;
      continue;
    }
    flat += text[i].toLowerCase().length === 1 ? text[i].toLowerCase() : text[i];
    index.push(i);
    i++;
  }
  return { flat, index };
}

/**
 * Every spelling of `secret` that might be printed: as is, JSON-escaped, URL-encoded (once and
 * twice, `+` for spaces too), and base64 (standard and URL-safe, at each alignment); in
 * skeleton form (lower case, no separators), so that a case change or a split by line breaks or
 * invisible characters is found too.
 */
function secretForms(secret: string): string[] {
  const cached = formsCache.get(secret);
  if (cached) return cached;
  const spellings = new Set<string>([
    secret,
    JSON.stringify(secret).slice(1, -1),
    encodeURIComponent(secret),
    encodeURIComponent(encodeURIComponent(secret)),
    new URLSearchParams([['', secret]]).toString().slice(1),
    ...base64Forms(Buffer.from(secret, 'utf8')),
  ]);
  const forms = [...spellings]
    .map((form) => skeleton(form.replace(INVISIBLE, '')).flat)
    .filter((form) => form.length >= MIN_SECRET);
  if (formsCache.size >= FORMS_CACHE_SIZE) formsCache.clear();
  formsCache.set(secret, forms);
  return forms;
}

/**
 * Removes the given secrets and anything shaped like a GitLab token from `text`. A secret is found
 * also when it was split by line breaks, spaces or invisible characters, changed to upper or lower
 * case, URL-encoded or base64-encoded (alone or inside `user:secret`); each stretch of text that
 * held one becomes `***`. Invisible characters are dropped from the result.
 */
export function scrubSecrets(text: string, secrets: Iterable<string> = []): string {
  const visible = text.replace(INVISIBLE, '');
  const { flat, index } = skeleton(visible);
  // Stretches of `visible` to hide, as [start, end) pairs.
  const hidden: [number, number][] = [];
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET) continue;
    for (const form of secretForms(secret)) {
      for (let at = flat.indexOf(form); at >= 0; at = flat.indexOf(form, at + 1)) {
        hidden.push([index[at], index[at + form.length - 1] + 1]);
      }
    }
  }
  let out = visible;
  if (hidden.length > 0) {
    hidden.sort((a, b) => a[0] - b[0]);
    const parts: string[] = [];
    let cursor = 0;
    for (const [start, end] of hidden) {
      if (end <= cursor) continue;
      // Overlapping or adjacent stretches become one `***`.
      if (parts.length === 0 || start > cursor) parts.push(visible.slice(cursor, start), '***');
      cursor = end;
    }
    parts.push(visible.slice(cursor));
    out = parts.join('');
  }
  return out.replace(TOKEN_LIKE, '***');
}
