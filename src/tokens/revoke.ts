/**
 * Revokes tokens by ID through each token's kind, with bounded concurrency: the post step's and
 * the CLI's `revoke`. Each result says what GitLab confirmed; the caller decides how to report it.
 */
import { mapWithConcurrency } from '../util/concurrency.js';
import type { GitLabClient } from '../gitlab/client.js';
import { DEFAULT_MAX_CONCURRENCY } from '../inputs/request.js';
import type { DescribeFailure } from './errors.js';
import {
  tokenKind,
  type KindContext,
  type RevokeOutcome,
  type TokenTarget,
} from '../kinds/index.js';

export interface RevokeRequest {
  id: number;
  target: TokenTarget;
}

export type RevokeResult =
  { request: RevokeRequest; outcome: RevokeOutcome } | { request: RevokeRequest; error: string };

export async function revokeTokens(
  client: GitLabClient,
  requests: RevokeRequest[],
  context: KindContext,
  secrets: Set<string>,
  describeFailure: DescribeFailure,
): Promise<RevokeResult[]> {
  const onSecret = (secret: string): void => {
    secrets.add(secret);
    context.onSecret(secret);
  };
  return mapWithConcurrency(requests, DEFAULT_MAX_CONCURRENCY, async (request) => {
    try {
      const kind = tokenKind(request.target.kind);
      const outcome = await kind.revoke(client, request.target, request.id, {
        ...context,
        onSecret,
      });
      return { request, outcome };
    } catch (error) {
      const about = { kind: request.target.kind, groupId: request.target.groupId, secrets };
      return { request, error: await describeFailure(error, about) };
    }
  });
}

/** How a confirmed outcome reads in a log line. */
export function outcomeText(id: number, outcome: RevokeOutcome): string {
  switch (outcome) {
    case 'revoked':
      return `Revoked token ID ${id}.`;
    case 'already-revoked':
      return `Token ID ${id} was already revoked.`;
    case 'gone':
      return `Token ID ${id} no longer exists (deleted): nothing to revoke.`;
    case 'not-found':
      return `GitLab has no token ID ${id} for this target: it was deleted, or it is not this target's (check the target flags); nothing was revoked.`;
  }
}
