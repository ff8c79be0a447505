/**
 * What a fleet's plan reads of the store-in targets: which token each one holds. Every place (a
 * project's or group's CI/CD variables, a repository's or an environment's Actions secrets) is
 * read once, with one paginated list, however many targets it has. Nothing is changed, and no
 * value is kept: only keys, names, descriptions and times.
 *
 * A CI/CD variable holds a token when its description names the token's ID (apply writes it;
 * variable descriptions exist from GitLab 16.2, before that a variable that exists holds it). A
 * GitHub secret holds it when it was updated at or after the token was made (GitHub's times have
 * whole seconds, so both are compared at that precision).
 */
import type { GitLabClient } from '../gitlab/client.js';
import { notFoundKind } from '../gitlab/errors.js';
import type { GitHubSecretTarget, GitLabVariableTarget, StoreTarget } from './targets.js';

/** `current` holds the token, `stale` another one, `missing` is not there, `unknown` unread. */
export type StoreStateName = 'current' | 'missing' | 'stale' | 'unknown';

export interface TargetState {
  target: StoreTarget;
  state: StoreStateName;
  /** `stale`: the token ID the target names, where it names one */
  holds?: number;
  /** `unknown`: why the target could not be read (an API or network error) */
  error?: unknown;
}

/** The token a target should hold. */
export interface HeldToken {
  id: number;
  /** ISO 8601, GitLab's clock */
  created_at: string;
}

/** What a CI/CD variable's description says about its token: `… token ID 123 …`. */
export function heldTokenNote(tokenId: number, about: string): string {
  return `${about}: token ID ${tokenId} (written by create-gitlab-token)`;
}

const NOTE = /\btoken ID (\d+)\b/;

const PER_PAGE = 100;
const MAX_PAGES = 100;

interface Variable {
  key: string;
  scope: string;
  /** undefined where GitLab has no variable descriptions (before 16.2) */
  description: string | null | undefined;
}

/** A place's reading: what is there, or why it could not be read. */
type Reading<T> = { items: T } | { error: unknown };

/** Every page of a GitLab list (x-next-page), or of a GitHub one (`rel="next"` in Link). */
async function readPages(
  client: GitLabClient,
  path: string,
  pick: (data: unknown) => unknown[],
): Promise<unknown[]> {
  const items: unknown[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const { data, headers } = await client.request<unknown>(
      'GET',
      `${path}?per_page=${PER_PAGE}&page=${page}`,
    );
    items.push(...pick(data));
    const next = String(headers['x-next-page'] ?? '').trim();
    const link = String(headers.link ?? '');
    if (!(/^\d+$/.test(next) && Number(next) > page) && !/rel="next"/.test(link)) break;
  }
  return items;
}

function readVariable(item: unknown): Variable | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const record = item as Record<string, unknown>;
  if (typeof record.key !== 'string') return undefined;
  const scope = typeof record.environment_scope === 'string' ? record.environment_scope : '*';
  const description = !('description' in record)
    ? undefined
    : typeof record.description === 'string'
      ? record.description
      : null;
  return { key: record.key, scope, description };
}

/** The CI/CD variables of a project (numeric ID or path) or, failing that, a group (path). */
async function readVariables(client: GitLabClient, owner: string): Promise<Variable[]> {
  const id = encodeURIComponent(owner);
  const bases = /^\d+$/.test(owner) ? [`/projects/${id}`] : [`/projects/${id}`, `/groups/${id}`];
  for (const [index, base] of bases.entries()) {
    try {
      const items = await readPages(client, `${base}/variables`, (data) =>
        Array.isArray(data) ? data : [],
      );
      return items.map(readVariable).filter((item): item is Variable => item !== undefined);
    } catch (error) {
      if (notFoundKind(error) === 'project' && index < bases.length - 1) continue;
      throw error;
    }
  }
  return [];
}

/** Secret name (upper case) → updated_at, of a repository or one of its environments. */
async function readSecrets(
  client: GitLabClient,
  target: GitHubSecretTarget,
): Promise<Map<string, string>> {
  const [owner, repo] = target.repository.split('/').map(encodeURIComponent);
  const { environment } = target;
  const path =
    environment === undefined
      ? `/repos/${owner}/${repo}/actions/secrets`
      : `/repos/${owner}/${repo}/environments/${encodeURIComponent(environment)}/secrets`;
  const items = await readPages(client, path, (data) => {
    const secrets = (data as { secrets?: unknown } | undefined)?.secrets;
    return Array.isArray(secrets) ? secrets : [];
  });
  const found = new Map<string, string>();
  for (const item of items) {
    const { name, updated_at: updated } = (item ?? {}) as Record<string, unknown>;
    if (typeof name === 'string' && typeof updated === 'string') {
      found.set(name.toUpperCase(), updated);
    }
  }
  return found;
}

/** Whole seconds since the epoch; NaN for an unreadable time. */
const seconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

function variableState(
  target: GitLabVariableTarget,
  variables: Variable[],
  token: HeldToken | undefined,
): TargetState {
  const same = variables.filter((variable) => variable.key === target.key);
  // Without a scope: the variable of scope `*`, else the only one with the key (what a write
  // updates); with one: that scope's.
  const found =
    target.environmentScope === undefined
      ? (same.find((variable) => variable.scope === '*') ??
        (same.length === 1 ? same[0] : undefined))
      : same.find((variable) => variable.scope === target.environmentScope);
  if (!found) return { target, state: 'missing' };
  if (found.description === undefined) return { target, state: token ? 'current' : 'stale' };
  const named = NOTE.exec(found.description ?? '')?.[1];
  const holds = named === undefined ? undefined : Number(named);
  if (token && holds === token.id) return { target, state: 'current' };
  return holds === undefined ? { target, state: 'stale' } : { target, state: 'stale', holds };
}

function secretState(
  target: GitHubSecretTarget,
  secrets: Map<string, string>,
  token: HeldToken | undefined,
): TargetState {
  const updated = secrets.get(target.name.toUpperCase());
  if (updated === undefined) return { target, state: 'missing' };
  const current = token !== undefined && seconds(updated) >= seconds(token.created_at);
  return { target, state: current ? 'current' : 'stale' };
}

/**
 * Reads what store-in targets hold, each place once (shared by every entry of a plan, read
 * concurrently by them). `github` is undefined when no target is a GitHub secret.
 */
export class StoreReader {
  private readonly places = new Map<string, Promise<Reading<unknown>>>();

  constructor(
    private readonly gitlab: GitLabClient,
    private readonly github: GitLabClient | undefined,
  ) {}

  private read<T>(place: string, work: () => Promise<T>): Promise<Reading<T>> {
    let reading = this.places.get(place);
    if (!reading) {
      reading = work().then(
        (items) => ({ items }),
        (error: unknown) => ({ error }),
      );
      this.places.set(place, reading);
    }
    return reading as Promise<Reading<T>>;
  }

  /** What `target` holds, against the token it should hold (none yet: undefined). */
  async stateOf(target: StoreTarget, token: HeldToken | undefined): Promise<TargetState> {
    if (target.type === 'gitlab-variable') {
      const place = `gitlab-variable:${target.owner.toLowerCase()}`;
      const reading = await this.read(place, () => readVariables(this.gitlab, target.owner));
      if ('error' in reading) return { target, state: 'unknown', error: reading.error };
      return variableState(target, reading.items, token);
    }
    const github = this.github;
    if (!github) return { target, state: 'unknown', error: new Error('no GitHub token') };
    const place = `github-secret:${target.repository.toLowerCase()}:${target.environment?.toLowerCase() ?? ''}`;
    const reading = await this.read(place, () => readSecrets(github, target));
    if ('error' in reading) return { target, state: 'unknown', error: reading.error };
    return secretState(target, reading.items, token);
  }
}
