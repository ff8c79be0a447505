/**
 * The running instance's version, read once and only when a decision or a message needs it
 * (never on the happy path).
 */
import type { GitLabClient } from './client.js';
import { parseVersion } from './features.js';

const probes = new WeakMap<GitLabClient, Promise<string | undefined>>();

/**
 * The instance's version (`GET /version`), asked at most once per client. Undefined when GitLab
 * does not say (a credential without read access, a proxy): callers then word their message
 * without it.
 */
export function gitlabVersion(client: GitLabClient): Promise<string | undefined> {
  let probe = probes.get(client);
  if (!probe) {
    probe = client
      .request<{ version?: unknown }>('GET', '/version')
      .then(({ data }) => {
        const version = typeof data?.version === 'string' ? data.version : undefined;
        return parseVersion(version) ? version : undefined;
      })
      .catch(() => undefined);
    probes.set(client, probe);
  }
  return probe;
}
