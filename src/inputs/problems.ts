/**
 * Input problems: collected as `input: sentence` in the reader's words, all reported together,
 * before any request is made.
 */
import { ACTION_WORDS, type Words } from './words.js';

/** One or more inputs are invalid. Raised before any request is made. */
export class InputError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'InputError';
  }
}

/** Returns an input's raw value ('' when unset), like `core.getInput` without trimming. */
export type InputReader = (name: string) => string;
export type Env = Record<string, string | undefined>;

/** Collects problems as `input: sentence`, naming inputs in the reader's words. */
export class Problems {
  readonly list: string[] = [];
  constructor(readonly words: Words = ACTION_WORDS) {}
  add(input: string, sentence: string): void {
    this.list.push(`${this.words.input(input)}: ${sentence}`);
  }
  /** another input, named in a sentence */
  ref(input: string): string {
    return this.words.input(input);
  }
  /** another input set to a value, named in a sentence */
  set(input: string, value: string): string {
    return this.words.setting(input, value);
  }
  throwIfAny(): void {
    if (this.list.length > 0) throw new InputError(this.list);
  }
}
