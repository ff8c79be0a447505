/**
 * A GitHub Actions secret of a repository or of one of its environments as a store-in target
 * (docs.github.com/rest/actions/secrets). The check reads the public key the secret is sealed
 * with; the write seals the value (libsodium sealed box) and PUTs it. GitHub never shows a
 * secret's value, so a write cannot be undone: these targets are written last.
 */
import type { GitLabClient } from '../gitlab/client.js';
import { GitLabApiError } from '../gitlab/errors.js';
import { mayHaveArrived, StoreTargetError } from './errors.js';
import { sealedBox } from './seal.js';
import type { GitHubSecretTarget } from './targets.js';
import type { SecretStore } from './types.js';

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

  /** `/repos/o/r/actions` or `/repos/o/r/environments/<env>` */
  private get base(): string {
    const [owner, repo] = this.target.repository.split('/').map(encodeURIComponent);
    const { environment } = this.target;
    return environment === undefined
      ? `/repos/${owner}/${repo}/actions`
      : `/repos/${owner}/${repo}/environments/${encodeURIComponent(environment)}`;
  }

  async check(): Promise<void> {
    let data: unknown;
    try {
      data = (await this.client.request<unknown>('GET', `${this.base}/secrets/public-key`)).data;
    } catch (error) {
      throw new StoreTargetError(this.target, 'check', error);
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
