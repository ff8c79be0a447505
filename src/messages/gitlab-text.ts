/** GitLab's own words in an error reply, bounded and on one line, to quote in a message. */
import { oneLine } from '../util/text.js';

/** The most of an error body's text that is ever quoted (it is shortened again when shown). */
const MAX_ERROR_TEXT = 1000;
/** A body that is not JSON (a proxy's page) is quoted at most this far. */
const MAX_PLAIN_EXCERPT = 200;
/** How deep a `message` object is read, and how many of its strings. */
const MAX_MESSAGE_DEPTH = 4;
const MAX_MESSAGE_PARTS = 20;
const MAX_MESSAGE_VISITS = 200;

/**
 * Cuts `text` to `max` characters at a word boundary: a word cut in the middle (it may be part of
 * a secret the caller has not scrubbed yet) is dropped whole.
 */
export function cutAtWord(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  const kept = chars.slice(0, max).join('');
  const boundary = kept.search(/\s\S*$/);
  return `${boundary > 0 ? kept.slice(0, boundary) : ''}…`;
}

/** The text of a `message` value: a string, or fields holding strings or lists of them. */
function messageText(message: unknown): string {
  const parts: string[] = [];
  // Iterative and bounded: a body can nest as deep and as wide as its sender likes.
  const pending: { prefix: string; value: unknown; depth: number }[] = [
    { prefix: '', value: message, depth: 0 },
  ];
  for (let visits = 0; visits < MAX_MESSAGE_VISITS && parts.length < MAX_MESSAGE_PARTS; visits++) {
    const next = pending.shift();
    if (next === undefined) break;
    const { prefix, value, depth } = next;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      parts.push(`${prefix}${String(value)}`);
    } else if (Array.isArray(value) && depth < MAX_MESSAGE_DEPTH) {
      // `["has already been taken", "is too long"]`: one part, as GitLab lists them.
      const items = value.slice(0, MAX_MESSAGE_PARTS);
      const words = items.filter((item): item is string => typeof item === 'string');
      if (words.length > 0) parts.push(`${prefix}${words.join(', ')}`);
      for (const item of items) {
        if (item && typeof item === 'object')
          pending.push({ prefix, value: item, depth: depth + 1 });
      }
    } else if (value && typeof value === 'object' && depth < MAX_MESSAGE_DEPTH) {
      for (const [field, item] of Object.entries(value).slice(0, MAX_MESSAGE_PARTS)) {
        pending.push({
          prefix: `${prefix}${cutAtWord(field, 60)} `,
          value: item,
          depth: depth + 1,
        });
      }
    }
  }
  return parts.join('; ');
}

/**
 * GitLab's error text, and nothing else of the body: its message fields (`message` as a string
 * or as field -> messages, `error`, `error_description`, `scope`). A body that is not JSON (a
 * proxy's page) gives a short one-line excerpt (an HTML page only its title). Bounded in length;
 * never throws, however deep the body. The caller scrubs secrets from it.
 */
export function gitlabErrorText(body: unknown): string {
  if (typeof body === 'string') {
    const html = /^\s*<|<html|<body|<!doctype/i.test(body);
    const title = html ? /<title[^>]*>([^<]*)</i.exec(body.slice(0, 4096))?.[1] : undefined;
    const text = html ? (title ?? '') : body;
    return cutAtWord(oneLine(text, MAX_PLAIN_EXCERPT * 4), MAX_PLAIN_EXCERPT);
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return '';
  const fields = body as Record<string, unknown>;
  const line = (value: unknown): string =>
    typeof value === 'string' ? cutAtWord(oneLine(value, MAX_ERROR_TEXT * 2), MAX_ERROR_TEXT) : '';
  const said = [
    cutAtWord(oneLine(messageText(fields.message), MAX_ERROR_TEXT * 2), MAX_ERROR_TEXT),
    line(fields.error),
    line(fields.error_description),
  ]
    .filter(Boolean)
    .join(': ');
  const scope = line(fields.scope);
  return cutAtWord(scope ? `${said} (scope: ${scope})`.trim() : said, MAX_ERROR_TEXT);
}
