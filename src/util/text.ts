/**
 * Helpers that make untrusted text safe to print: no line breaks or control characters (so
 * nothing can start a `::command::` line in the runner log). Removing secrets and anything that
 * looks like a token is scrub.ts's (only failure messages need it).
 */

const MAX_QUOTED = 80;

// Characters JSON.stringify leaves as they are but that some terminals or log viewers treat as
// control characters or line breaks.
const UNESCAPED_CONTROLS = /[\u007f-\u009f\u2028\u2029]/g;

/** Quotes a value for an error message: JSON escaping turns control characters into `\n` etc. */
export function quote(value: string, max = MAX_QUOTED): string {
  const chars = [...value];
  const shown = chars.length > max ? `${chars.slice(0, max).join('')}…` : value;
  return JSON.stringify(shown).replace(
    UNESCAPED_CONTROLS,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Collapses control characters (line breaks included) to spaces and bounds the length. */
export function oneLine(text: string, max = 500): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  const chars = [...flat];
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : flat;
}
