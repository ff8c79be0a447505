/** What a message is written for: the run's instance, the reader's words, the secrets to keep out. */
import type { GitLabUser } from '../gitlab/users.js';
import { ACTION_WORDS, type Words } from '../inputs/words.js';

export interface ErrorContext {
  instanceUrl: string;
  /** e.g. `user 42` or `user @alice` */
  subject?: string;
  groupId?: string;
  /** the kind of token asked for, where known: messages name what that kind needs */
  kind?: string;
  skipAuth?: boolean;
  /** secrets that must never appear: the credential, the tokens made so far */
  secrets: Iterable<string>;
  diagnostics?: Diagnostics;
  /** the reader's words for inputs and the credential (the action's when absent) */
  words?: Words;
}

/** How the reader names inputs and the credential. */
export function wordsOf(ctx: ErrorContext): Words {
  return ctx.words ?? ACTION_WORDS;
}

/** An input as the reader names it: `user-id` (action) or `--user-id` (CLI). */
export function input(ctx: ErrorContext, name: string): string {
  return wordsOf(ctx).input(name);
}

/** Facts gathered after a failure, to say which of several causes it was. */
export interface Diagnostics {
  currentUser?: GitLabUser;
  version?: string;
}

export function isGitLabDotCom(instanceUrl: string): boolean {
  try {
    return new URL(instanceUrl).hostname.toLowerCase() === 'gitlab.com';
  } catch {
    return false;
  }
}

/** A string field of a JSON error body (`error`, `error_description`, `scope`, `message`). */
export function bodyField(body: unknown, field: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : undefined;
}
