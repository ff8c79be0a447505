/** Facts asked of GitLab after a failure, to tell apart causes that share an answer. */
import type { GitLabClient } from '../gitlab/client.js';
import { GitLabApiError, notFoundKind, RevokeNotConfirmedError } from '../gitlab/errors.js';
import { currentUser } from '../gitlab/users.js';
import { gitlabVersion } from '../gitlab/version.js';
import { TokenReconcileError } from '../tokens/errors.js';
import { bodyField, type Diagnostics } from './context.js';

/**
 * After a failure, asks GitLab what helps to explain it: who the credential belongs to (a 401 or
 * 403 that is not about the token itself), which GitLab answers (a missing route). Never throws.
 */
export async function gatherDiagnostics(
  client: GitLabClient,
  error: unknown,
): Promise<Diagnostics> {
  const cause =
    error instanceof TokenReconcileError || error instanceof RevokeNotConfirmedError
      ? error.cause
      : error;
  if (!(cause instanceof GitLabApiError)) return {};
  try {
    if (cause.path === '/personal_access_tokens/self/rotate' && [401, 404].includes(cause.status)) {
      return { version: await gitlabVersion(client) };
    }
    const plain401 = cause.status === 401 && bodyField(cause.body, 'error') !== 'invalid_token';
    const plain403 =
      cause.status === 403 && bodyField(cause.body, 'error') !== 'insufficient_scope';
    if (plain401 || plain403) return { currentUser: await currentUser(client) };
    if (notFoundKind(cause) === 'route') return { version: await gitlabVersion(client) };
  } catch {
    // The diagnosis failed too: the plain message stands.
  }
  return {};
}
