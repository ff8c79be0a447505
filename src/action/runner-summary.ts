/**
 * The job summary (GITHUB_STEP_SUMMARY) as @actions/core's `core.summary` writes it: the parts the
 * action uses, byte for byte (__tests__/unit/runner.test.ts compares them). Apart from runner.ts,
 * since only the end of a main step writes a summary: it is loaded then.
 */
import { accessSync, appendFileSync, constants } from 'node:fs';
import { EOL } from 'node:os';

export interface SummaryTableCell {
  data: string;
  header?: boolean;
  colspan?: string;
  rowspan?: string;
}

export type SummaryTableRow = (SummaryTableCell | string)[];

/** `<tag attrs>content</tag>`, or an unclosed `<tag attrs>` when there is no content (core's). */
function wrap(tag: string, content: string, attrs: Record<string, string> = {}): string {
  const htmlAttrs = Object.entries(attrs)
    .map(([key, value]) => ` ${key}="${value}"`)
    .join('');
  return content ? `<${tag}${htmlAttrs}>${content}</${tag}>` : `<${tag}${htmlAttrs}>`;
}

/** The job summary (GITHUB_STEP_SUMMARY): the parts of core.summary the action uses. */
class Summary {
  private buffer = '';

  addRaw(text: string, addEOL = false): this {
    this.buffer += text;
    return addEOL ? this.addRaw(EOL) : this;
  }

  addHeading(text: string, level: number | string = 1): this {
    const tag = `h${level}`;
    const allowed = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].includes(tag) ? tag : 'h1';
    return this.addRaw(wrap(allowed, text), true);
  }

  /** Cells are raw HTML, as core's: escape what comes from outside. */
  addTable(rows: SummaryTableRow[]): this {
    const body = rows
      .map((row) =>
        wrap(
          'tr',
          row
            .map((cell) => {
              if (typeof cell === 'string') return wrap('td', cell);
              const { header, data, colspan, rowspan } = cell;
              const attrs: Record<string, string> = {
                ...(colspan && { colspan }),
                ...(rowspan && { rowspan }),
              };
              return wrap(header ? 'th' : 'td', data, attrs);
            })
            .join(''),
        ),
      )
      .join('');
    return this.addRaw(wrap('table', body), true);
  }

  stringify(): string {
    return this.buffer;
  }

  emptyBuffer(): this {
    this.buffer = '';
    return this;
  }

  /** Appends the buffer to the summary file (which must exist and be writable), then empties it. */
  async write(): Promise<this> {
    const filePath = process.env.GITHUB_STEP_SUMMARY;
    if (!filePath) {
      throw new Error(
        'Unable to find environment variable for $GITHUB_STEP_SUMMARY. Check if your runtime environment supports job summaries.',
      );
    }
    try {
      accessSync(filePath, constants.R_OK | constants.W_OK);
    } catch {
      throw new Error(
        `Unable to access summary file: '${filePath}'. Check if the file has correct read/write permissions.`,
      );
    }
    // Synchronous (core's is not): the same bytes, without loading node:fs/promises.
    appendFileSync(filePath, this.buffer, { encoding: 'utf8' });
    return this.emptyBuffer();
  }
}

export const summary = new Summary();
