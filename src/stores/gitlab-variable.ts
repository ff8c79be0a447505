/**
 * A GitLab CI/CD variable as a store-in target (lib/api/ci/variables.rb,
 * lib/api/group_variables.rb). The check reads the variable, which needs the same permission as
 * writing it (`admin_cicd_variables`: Maintainer of a project, Owner of a group), and keeps its
 * value so that a write can be undone. A write updates only the value (GitLab keeps every other
 * setting); a missing variable is created masked and protected.
 */
import { notFoundKind } from '../gitlab/errors.js';
import type { GitLabClient } from '../gitlab/client.js';
import { mayHaveArrived, StoreTargetError } from './errors.js';
import type { GitLabVariableTarget } from './targets.js';
import type { SecretStore, StoreLog, StoreTiming } from './types.js';

interface VariableReply {
  key?: unknown;
  value?: unknown;
  masked?: unknown;
  hidden?: unknown;
  environment_scope?: unknown;
  description?: unknown;
}

interface Existing {
  /** null for a hidden variable (GitLab never shows its value) */
  value: string | null;
  masked: boolean;
  /** the variable's description (GitLab 16.2+), put back with the value */
  description?: string | null;
}

/**
 * Ci::Maskable: a masked value is at least 8 characters of the Base64 alphabet plus `@:.~-`
 * (newer GitLab accepts more; this is what every supported version accepts).
 */
const MASKABLE = /^[A-Za-z0-9_+=/@:.~-]{8,}$/;

export class GitLabVariableStore implements SecretStore {
  /** `/projects/<id>` or `/groups/<id>`, once the check found which */
  private base: string | undefined;
  /** undefined before the check, null when the variable does not exist yet */
  private existing: Existing | null | undefined;
  /** the environment scope the variable has (or a create gives it), once checked */
  private scopeFound: string | undefined;
  /** `project 70` or `group 7`: the owner's numeric ID, once looked up */
  private ownerId: string | undefined;
  private wrote: 'created' | 'updated' | undefined;
  /** the environment scope GitLab stored a write with, when not the one asked for */
  private storedScope: string | undefined;
  /** the secret of a write whose reply was lost (it may be stored) */
  private lost: string | undefined;
  /** a description was written with the value, so a restore puts the old one back */
  private described = false;

  constructor(
    readonly target: GitLabVariableTarget,
    private client: GitLabClient,
    private readonly log: StoreLog,
    private readonly timing: StoreTiming,
  ) {}

  /** Writes from now on with another credential (a credential that rotated itself). */
  actAs(client: GitLabClient): void {
    this.client = client;
  }

  get restorable(): boolean {
    return this.existing === null || (this.existing !== undefined && this.existing.value !== null);
  }

  /** The query that picks one of several variables with this key. */
  private get filter(): string {
    const scope = this.target.environmentScope;
    return scope === undefined
      ? ''
      : `?${encodeURIComponent('filter[environment_scope]')}=${encodeURIComponent(scope)}`;
  }

  private get path(): string {
    return `${this.base}/variables/${this.target.key}${this.filter}`;
  }

  async check(): Promise<void> {
    const { owner } = this.target;
    const id = encodeURIComponent(owner);
    // A numeric ID is a project; a path may be a project or a group (projects first).
    const bases = /^\d+$/.test(owner) ? [`/projects/${id}`] : [`/projects/${id}`, `/groups/${id}`];
    for (const [index, base] of bases.entries()) {
      try {
        const reply = await this.client.request<VariableReply>(
          'GET',
          `${base}/variables/${this.target.key}${this.filter}`,
        );
        this.base = base;
        this.existing = this.read(reply.data);
        const scope = reply.data.environment_scope;
        this.scopeFound = typeof scope === 'string' ? scope : this.target.environmentScope;
        if (!this.existing.masked) {
          this.log.warning(
            `${this.target.label}: the variable is not masked, so a job that prints it shows the token: mask it in the CI/CD settings.`,
          );
        }
        return;
      } catch (error) {
        const missing = notFoundKind(error);
        if (missing === 'variable') {
          this.base = base;
          this.existing = null;
          // lib/api/ci/variables.rb: `optional :environment_scope, default: '*'`
          this.scopeFound = this.target.environmentScope ?? '*';
          return;
        }
        // Not a project by that path: perhaps a group.
        if (missing === 'project' && index < bases.length - 1) continue;
        throw new StoreTargetError(this.target, 'check', error);
      }
    }
  }

  /**
   * After the check: the variable as GitLab knows it, whatever the target's spelling (a project
   * by numeric ID or by path): `project 70 KEY *`. A path costs one request, asked only when
   * another target has the same key and scope.
   */
  async place(): Promise<string> {
    const base = this.base ?? '';
    if (this.ownerId === undefined) {
      const type = base.startsWith('/groups/') ? 'group' : 'project';
      if (/^\d+$/.test(this.target.owner) && type === 'project') {
        this.ownerId = `${type} ${this.target.owner}`;
      } else {
        const query = type === 'group' ? '?with_projects=false' : '';
        const reply = await this.client.request<{ id?: unknown }>('GET', `${base}${query}`);
        this.ownerId = `${type} ${String(reply.data?.id ?? this.target.owner)}`;
      }
    }
    return `${this.ownerId} ${this.target.key} ${this.scope}`;
  }

  /** The key and environment scope, once checked (two targets can only be one if these match). */
  get keyAndScope(): string {
    return `${this.target.key} ${this.scope}`;
  }

  private get scope(): string {
    return this.scopeFound ?? this.target.environmentScope ?? '*';
  }

  private read(data: VariableReply): Existing {
    const value = data.value;
    if (typeof value !== 'string' && value !== null) {
      throw new StoreTargetError(this.target, 'check', 'GitLab answered with no variable value');
    }
    // Group variables honour filter[environment_scope] from 16.9: an older GitLab answers with
    // (and would write) the first variable of that key, whatever its scope.
    const scope = this.target.environmentScope;
    if (scope !== undefined && data.environment_scope !== scope) {
      throw new StoreTargetError(
        this.target,
        'check',
        `GitLab answered with the variable of environment scope ${JSON.stringify(data.environment_scope)}, not ${JSON.stringify(scope)}: this GitLab ignores filter[environment_scope] here (group variables need GitLab 16.9 or later)`,
      );
    }
    const description =
      typeof data.description === 'string' || data.description === null
        ? data.description
        : undefined;
    return { value, masked: data.masked === true, description };
  }

  missing(): Promise<boolean | undefined> {
    return Promise.resolve(this.existing === undefined ? undefined : this.existing === null);
  }

  refuse(secret: string): string | undefined {
    const masked = this.existing === null || this.existing?.masked === true;
    if (masked && !MASKABLE.test(secret)) {
      return 'GitLab cannot mask this value (a masked value is at least 8 characters of letters, digits and + / = @ : . ~ - _)';
    }
    return undefined;
  }

  async write(secret: string, description?: string): Promise<'created' | 'updated'> {
    const how = this.existing ? 'updated' : 'created';
    const described = description === undefined ? {} : { description };
    this.described = description !== undefined;
    let reply: VariableReply | undefined;
    try {
      if (this.existing) {
        const body = { value: secret, ...described };
        reply = (await this.client.request<VariableReply>('PUT', this.path, body)).data;
      } else {
        const scope = this.target.environmentScope;
        reply = (
          await this.client.request<VariableReply>('POST', `${this.base}/variables`, {
            key: this.target.key,
            value: secret,
            masked: true,
            protected: true,
            ...(scope === undefined ? {} : { environment_scope: scope }),
            ...described,
          })
        ).data;
      }
    } catch (error) {
      // A write whose reply was lost may have been stored: the undo looks before it acts.
      if (!mayHaveArrived(error)) throw new StoreTargetError(this.target, 'write', error);
      this.wrote = how;
      this.lost = secret;
      throw new StoreTargetError(this.target, 'write', error, 'maybe');
    }
    this.wrote = how;
    this.checkScope(reply);
    return how;
  }

  /**
   * The scope GitLab stored the variable with. A Free-tier group drops environment_scope
   * (ee/lib/ee/api/helpers/variables_helpers.rb `filter_variable_parameters`: without the
   * licensed feature group_scoped_ci_variables, `params.delete(:environment_scope)`) and answers
   * 201 with `*`: the value went to every environment, so the write is undone and refused.
   */
  private checkScope(reply: VariableReply | undefined): void {
    const asked = this.target.environmentScope;
    const stored = reply?.environment_scope;
    if (asked === undefined || typeof stored !== 'string' || stored === asked) return;
    this.storedScope = stored;
    const group = this.base?.startsWith('/groups/');
    const why = group
      ? `group ${this.target.owner} cannot scope its CI/CD variables to environments: that needs GitLab Premium or Ultimate (this group or instance is on the Free tier). Use a project variable, or no environment scope`
      : 'this GitLab did not keep the scope';
    throw new StoreTargetError(
      this.target,
      'write',
      `GitLab stored the variable with environment scope ${JSON.stringify(stored)}, not ${JSON.stringify(asked)}: ${why}`,
      'yes',
    );
  }

  /** The variable's path with the filter for `scope`. */
  private pathFor(scope: string): string {
    const filter = `${encodeURIComponent('filter[environment_scope]')}=${encodeURIComponent(scope)}`;
    return `${this.base}/variables/${this.target.key}?${filter}`;
  }

  async restore(): Promise<'restored' | 'unchanged'> {
    try {
      const outcome = this.lost === undefined ? await this.putBack() : await this.findLost();
      this.wrote = undefined;
      this.lost = undefined;
      return outcome;
    } catch (error) {
      throw new StoreTargetError(this.target, 'restore', error);
    }
  }

  /** Undoes a write GitLab confirmed. */
  private async putBack(): Promise<'restored'> {
    if (this.wrote === 'created') {
      const path = this.storedScope === undefined ? this.path : this.pathFor(this.storedScope);
      await this.client.request('DELETE', path);
    } else if (this.wrote === 'updated' && this.existing?.value != null) {
      const { value, description } = this.existing;
      // GitLab clears a description sent as '' (a null one was never set).
      const old = this.described ? { description: description ?? '' } : {};
      await this.client.request('PUT', this.path, { value, ...old });
    } else if (this.wrote === 'updated') {
      throw new Error('its earlier value is hidden, so it cannot be put back');
    }
    return 'restored';
  }

  /**
   * A write whose reply was lost: after a pause for a late commit, the variable is read again.
   * Only what is seen holding the new secret is undone (deleted if it was created, its earlier
   * value put back if that is known); one found as the check left it is unchanged. A value that
   * cannot be seen (hidden) proves nothing: this throws, and the target counts as written.
   */
  private async findLost(): Promise<'restored' | 'unchanged'> {
    const secret = this.lost;
    await this.timing.sleep(this.timing.settleMs);
    const scope = this.target.environmentScope;
    // A Free-tier group may have stored a scoped create as `*` (see checkScope).
    const places =
      this.wrote === 'created' && this.base?.startsWith('/groups/') && scope && scope !== '*'
        ? [this.path, this.pathFor('*')]
        : [this.path];
    for (const path of places) {
      let value: unknown;
      try {
        value = (await this.client.request<VariableReply>('GET', path)).data?.value;
      } catch (error) {
        if (notFoundKind(error) === 'variable') continue;
        throw error;
      }
      if (value === secret) {
        if (this.wrote === 'created') await this.client.request('DELETE', path);
        else await this.putBack();
        return 'restored';
      }
      if (value === null) {
        throw new Error(
          'its reply was lost and its value is hidden, so whether it holds the new token cannot be seen',
        );
      }
    }
    return 'unchanged';
  }
}
