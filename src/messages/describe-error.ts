/**
 * The one place that turns failures into messages for people: what happened, GitLab's own words
 * (quoted, scrubbed of anything secret), and what to change. Each family has its module: GitLab's
 * replies (api.ts), the network (network.ts), the stores (stores/describe.ts, the stores' own).
 */
import type { GitLabClient } from '../gitlab/client.js';
import {
  GitLabApiError,
  GitLabNetworkError,
  GitLabRedirectError,
  RevokeNotConfirmedError,
  UserNotFoundError,
  VersionGateError,
} from '../gitlab/errors.js';
import { needsVersion } from '../gitlab/features.js';
import { UnusableReplyError } from '../gitlab/token.js';
import { InputError } from '../inputs/problems.js';
import type { Words } from '../inputs/words.js';
import { TokenListTooLongError } from '../kinds/list.js';
import { describeStoreError } from '../stores/describe.js';
import {
  DuplicateUserError,
  NotStartedError,
  TokenExistsError,
  TokenReconcileError,
  type DescribeFailure,
} from '../tokens/errors.js';
import { scrubSecrets } from '../util/scrub.js';
import { quote } from '../util/text.js';
import { describeApiError, describeRedirect } from './api.js';
import { input, wordsOf, type ErrorContext } from './context.js';
import { gatherDiagnostics } from './diagnostics.js';
import { gitlabErrorText } from './gitlab-text.js';
import { describeNetworkError } from './network.js';

export type { Diagnostics, ErrorContext } from './context.js';
export { gitlabErrorText } from './gitlab-text.js';
export { gatherDiagnostics } from './diagnostics.js';

function describe(error: unknown, ctx: ErrorContext): string {
  if (error instanceof InputError) return error.problems.join('\n');
  const store = describeStoreError(error, {
    describeCause: (cause) => describe(cause, ctx),
    errorText: gitlabErrorText,
    secrets: [...ctx.secrets],
    words: wordsOf(ctx),
  });
  if (store !== undefined) return store;
  if (error instanceof GitLabApiError) return describeApiError(error, ctx);
  if (error instanceof GitLabRedirectError) return describeRedirect(error, ctx);
  if (error instanceof GitLabNetworkError) return describeNetworkError(error, ctx);
  if (error instanceof UserNotFoundError) {
    return `GitLab has no user with the username ${quote(error.username)}: check ${input(ctx, 'user-id')}.`;
  }
  if (error instanceof TokenExistsError) {
    return `The ${error.owner} already has an active token named ${quote(error.tokenName)} (ID ${error.tokenId}) and ${input(ctx, 'if-exists')} is fail: revoke it, choose another name, or set ${wordsOf(ctx).setting('if-exists', 'rotate')}.`;
  }
  if (error instanceof TokenReconcileError) {
    const cause = error.cause === undefined ? '' : ` (${describe(error.cause, ctx)})`;
    return `Creating the token failed: ${error.message}${cause}`;
  }
  if (error instanceof VersionGateError) {
    const what =
      error.feature === 'serviceAccountList'
        ? `Listing a group service account's tokens (${input(ctx, 'if-exists')}, or checking after a lost reply) with a group Owner's credential`
        : `This (${error.feature})`;
    return `${what} ${needsVersion(error.feature, error.version)}: upgrade GitLab, or use an administrator's credential.`;
  }
  if (error instanceof RevokeNotConfirmedError) {
    const cause = error.cause === undefined ? '' : ` (${describe(error.cause, ctx)})`;
    return `Token ID ${error.tokenId} may still be active: ${error.reason}${cause}. Revoke it by hand.`;
  }
  if (error instanceof DuplicateUserError) {
    return `user ${error.userId} is already asked for as ${error.first}: each user gets one token per ${wordsOf(ctx).run}.`;
  }
  if (error instanceof NotStartedError) {
    return error.reason === 'cancelled'
      ? `not started: the ${wordsOf(ctx).run} was cancelled.`
      : `not started: GitLab kept rate-limiting past ${input(ctx, 'max-wait-seconds')}.`;
  }
  if (error instanceof UnusableReplyError) {
    return `GitLab's answer ${error.status} to ${error.method} ${error.path} carried no usable token (${error.problem}): check that ${input(ctx, 'base-url')} is the GitLab instance and nothing in between rewrites replies.`;
  }
  if (error instanceof TokenListTooLongError) {
    return error.named
      ? `Too many tokens with this name to read them all (${error.message}): choose a more distinctive name.`
      : `Too many active tokens to read them all (${error.message}): revoke those no longer needed.`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** The message for a failure: never contains a known secret or anything shaped like a token. */
export function describeError(error: unknown, context: ErrorContext): string {
  // The secrets are read more than once: an iterator would be used up after the first time.
  const ctx = { ...context, secrets: [...context.secrets] };
  const message = describe(error, ctx);
  const prefixed =
    ctx.subject && !(error instanceof InputError) ? `${ctx.subject}: ${message}` : message;
  return scrubSecrets(prefixed, ctx.secrets);
}

/**
 * The describer the token code is handed (tokens/ never words a failure itself): asks GitLab
 * what explains the failure, then words it for this run's reader.
 */
export function failureDescriber(
  client: GitLabClient,
  run: { instanceUrl: string; skipAuth?: boolean; words?: Words },
): DescribeFailure {
  return async (error, about) => {
    const diagnostics = await gatherDiagnostics(client, error);
    return describeError(error, { ...run, ...about, diagnostics });
  };
}
