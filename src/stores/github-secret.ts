/**
 * A GitHub Actions secret of a repository or of one of its environments as a store-in target
 * (docs.github.com/rest/actions/secrets). The check reads the public key the secret is sealed
 * with; the write seals the value (libsodium sealed box) and PUTs it. GitHub never shows a
 * secret's value, so a write cannot be undone: these targets are written last.
 */
import { parseRetryAfter, type GitLabClient, type RateLimitReply } from '../gitlab/client.js';
import { GitLabApiError } from '../gitlab/errors.js';
import { mayHaveArrived, StoreTargetError } from './errors.js';
import { sealedBox } from './seal.js';
import type { GitHubSecretTarget } from './targets.js';
import type { SecretStore } from './types.js';

/** At least this long after a secondary rate limit that names no wait (GitHub's docs). */
const SECONDARY_MIN_WAIT_MS = 60_000;

/**
 * GitHub's rate limits ("Rate limits for the REST API", docs.github.com/rest/using-the-rest-api/
 * rate-limits-for-the-rest-api): the wait before a refused request may be sent again, or
 * undefined when the reply is no rate limit. Primary: 403 or 429 with `x-ratelimit-remaining: 0`,
 * not before `x-ratelimit-reset` (UTC epoch seconds). Secondary: 403 or 429 whose message says a
 * secondary rate limit was exceeded: `retry-after` seconds; else, with no requests remaining,
 * until the reset; else at least a minute, doubling with each attempt. GitHub Enterprise Server
 * has rate limits off by default: then none of this is sent.
 */
export function githubRateLimit(reply: RateLimitReply): number | undefined {
  if (reply.status !== 403 && reply.status !== 429) return undefined;
  const header = (name: string): string | undefined => {
    const value = reply.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const untilReset = (): number | undefined => {
    const reset = Number(header('x-ratelimit-reset'));
    return Number.isFinite(reset) && reset > 0 ? Math.max(0, reset * 1000 - reply.now) : undefined;
  };
  const exhausted = header('x-ratelimit-remaining')?.trim() === '0';
  if (/secondary rate limit/i.test(reply.text)) {
    const retryAfter = parseRetryAfter(header('retry-after'), reply.now);
    if (retryAfter !== undefined) return retryAfter;
    const reset = exhausted ? untilReset() : undefined;
    return reset ?? SECONDARY_MIN_WAIT_MS * 2 ** (reply.attempt - 1);
  }
  // A primary limit without a reset time: a minute, as for a secondary one.
  return exhausted ? (untilReset() ?? SECONDARY_MIN_WAIT_MS) : undefined;
}

/** Whether a refusal (a GitLabApiError from GitHub) names a secondary rate limit. */
export function isSecondaryRateLimit(body: unknown): boolean {
  const message = (body as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' && /secondary rate limit/i.test(message);
}

interface PublicKey {
  key_id: string;
  key: string;
}

export class GitHubSecretStore implements SecretStore {
  readonly restorable = false;
  private publicKey: PublicKey | undefined;

  constructor(
    readonly target: GitHubSecretTarget,
    private readonly client: GitLabClient,
  ) {}

  /**
   * An environment's secrets by repository ID, `/repositories/<id>/environments/<env>`, once
   * the check found that this GitHub has only that form (GitHub Enterprise Server 3.2 to 3.8).
   */
  private byId: string | undefined;

  /** `/repos/o/r/actions` or `/repos/o/r/environments/<env>` (or the form by ID, above) */
  private get base(): string {
    const [owner, repo] = this.target.repository.split('/').map(encodeURIComponent);
    const { environment } = this.target;
    if (environment === undefined) return `/repos/${owner}/${repo}/actions`;
    return this.byId ?? `/repos/${owner}/${repo}/environments/${encodeURIComponent(environment)}`;
  }

  async check(): Promise<void> {
    let data: unknown;
    try {
      data = (await this.client.request<unknown>('GET', `${this.base}/secrets/public-key`)).data;
    } catch (error) {
      const notFound = error instanceof GitLabApiError && error.status === 404;
      if (!notFound || this.target.environment === undefined) {
        throw new StoreTargetError(this.target, 'check', error);
      }
      data = await this.checkById(error);
    }
    const reply = (data ?? {}) as Record<string, unknown>;
    const keyId = reply.key_id;
    const key = reply.key;
    if (
      (typeof keyId !== 'string' && typeof keyId !== 'number') ||
      typeof key !== 'string' ||
      Buffer.from(key, 'base64').length !== 32
    ) {
      throw new StoreTargetError(
        this.target,
        'check',
        'GitHub answered without a usable public key: check GITHUB_API_URL',
      );
    }
    this.publicKey = { key_id: String(keyId), key };
  }

  /**
   * GitHub Enterprise Server before 3.9 has an environment's secrets only by repository ID
   * (`/repositories/{repository_id}/environments/{environment_name}/secrets/...`, from 3.2;
   * github/rest-api-description): after a 404 by owner/repo, the repository's ID is looked up
   * (GET /repos/{owner}/{repo}, "Get a repository") and the public key asked by ID. A 404 there
   * too is no such environment (or a GitHub without environment secrets: before 3.2).
   */
  private async checkById(firstNotFound: unknown): Promise<unknown> {
    const [owner, repo] = this.target.repository.split('/').map(encodeURIComponent);
    let id: unknown;
    try {
      id = (await this.client.request<{ id?: unknown }>('GET', `/repos/${owner}/${repo}`)).data?.id;
    } catch (error) {
      const repoMissing = error instanceof GitLabApiError && error.status === 404;
      throw new StoreTargetError(this.target, 'check', repoMissing ? firstNotFound : error);
    }
    if (!Number.isSafeInteger(id)) {
      throw new StoreTargetError(this.target, 'check', firstNotFound);
    }
    const environment = encodeURIComponent(this.target.environment ?? '');
    const byId = `/repositories/${String(id)}/environments/${environment}`;
    try {
      const reply = await this.client.request<unknown>('GET', `${byId}/secrets/public-key`);
      this.byId = byId;
      return reply.data;
    } catch (error) {
      throw new StoreTargetError(this.target, 'check', error);
    }
  }

  /** "Get a repository secret" / "Get an environment secret": 404 when there is none. */
  async missing(): Promise<boolean | undefined> {
    try {
      await this.client.request('GET', `${this.base}/secrets/${this.target.name}`);
      return false;
    } catch (error) {
      return error instanceof GitLabApiError && error.status === 404 ? true : undefined;
    }
  }

  refuse(): undefined {
    return undefined;
  }

  async write(secret: string): Promise<'created' | 'updated'> {
    const publicKey = this.publicKey;
    if (!publicKey) throw new StoreTargetError(this.target, 'write', 'not checked');
    try {
      const reply = await this.client.request('PUT', `${this.base}/secrets/${this.target.name}`, {
        encrypted_value: sealedBox(secret, publicKey.key),
        key_id: publicKey.key_id,
      });
      return reply.status === 201 ? 'created' : 'updated';
    } catch (error) {
      // A reply lost after GitHub stored the value: the secret may hold the new token.
      const written = mayHaveArrived(error) ? 'maybe' : undefined;
      throw new StoreTargetError(this.target, 'write', error, written);
    }
  }

  restore(): Promise<'restored' | 'unchanged'> {
    return Promise.reject(
      new StoreTargetError(
        this.target,
        'restore',
        'GitHub never shows a secret, so it cannot be put back',
      ),
    );
  }
}
