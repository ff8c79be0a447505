// What the simulated GitLab knows (users, groups, tokens, credentials) and the switches that
// change its behaviour. The route modules read and change this state; GitLabSimulator adds the
// HTTP server around it.
import { randomBytes } from 'node:crypto';
import { KNOWN_SCOPES, addDays, utcDate } from './sim-validation.js';
import { DEFAULT_VERSION, SCOPE_SINCE, normalizeVersion, versionAtLeast } from './sim-version.js';

export interface SimUser {
  id: number;
  username: string;
  isAdmin?: boolean;
  state?: 'active' | 'blocked';
  /** Display name; defaults to the username. */
  name?: string;
}

/** Gitlab::Access levels (lib/gitlab/access.rb): Guest 10, Planner 15, Reporter 20, Developer 30, Maintainer 40, Owner 50. */
export type AccessLevel = 10 | 15 | 20 | 30 | 40 | 50;

export interface SimProject {
  id: number;
  fullPath: string;
  /** The group the project lives in (its members are inherited); absent: a personal project. */
  namespaceId?: number;
  members?: { userId: number; accessLevel: AccessLevel }[];
  /**
   * The plan that applies on GitLab.com; default: the plan of the namespace's top-level group,
   * 'free' for a personal project.
   */
  plan?: 'free' | 'premium' | 'ultimate';
}

export interface StoredProject {
  id: number;
  fullPath: string;
  namespaceId: number | null;
  /** user id -> access level (direct memberships only). */
  members: Map<number, AccessLevel>;
  plan: 'free' | 'premium' | 'ultimate' | null;
}

/** The project or group a resource-access-token bot belongs to. */
export interface BotResource {
  type: 'project' | 'group';
  id: number;
}

export interface SimGroup {
  id: number;
  fullPath: string;
  /** Absent for a top-level group. */
  parentId?: number;
  ownerIds?: number[];
  /** Service-account users provisioned by this group. */
  serviceAccountIds?: number[];
  /**
   * The plan of the top-level group (GitLab.com) or the instance licence (self-managed);
   * service accounts need Premium or Ultimate. Default 'premium'.
   */
  plan?: 'free' | 'premium' | 'ultimate';
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | undefined>;
  body: unknown;
  rawBody: string;
}

export interface SimToken {
  id: number;
  user_id: number;
  name: string;
  /** null when none was given (or the version drops it). */
  description: string | null;
  scopes: string[];
  expires_at: string | null;
  created_at: string;
  revoked: boolean;
  /** !revoked and not expired; kept up to date by the simulator. */
  active: boolean;
  last_used_at: string | null;
  token: string;
  /** An impersonation token (POST /users/:id/impersonation_tokens). */
  impersonation: boolean;
  /** The token this one replaced by rotation (previous_personal_access_token_id). */
  previous_id: number | null;
}

export interface StoredUser {
  id: number;
  username: string;
  name: string;
  isAdmin: boolean;
  state: 'active' | 'blocked';
  /** A project bot (user_type project_bot) made for a project or group access token. */
  botOf?: BotResource;
}

export interface StoredGroup {
  id: number;
  fullPath: string;
  parentId: number | null;
  ownerIds: Set<number>;
  serviceAccountIds: Set<number>;
  plan: 'free' | 'premium' | 'ultimate';
  /** user id -> access level below Owner (owners are `ownerIds`). */
  members: Map<number, AccessLevel>;
}

/**
 * A CI/CD variable of a project or a group (app/models/ci/variable.rb, ci/group_variable.rb with
 * the Ci::HasVariable, Ci::Maskable, Ci::RawVariable and Ci::HidableVariable concerns).
 */
export interface StoredVariable {
  /** Insertion order: `find_by!(key:)` and the lists take the lowest id first. */
  id: number;
  owner: { type: 'project' | 'group'; id: number };
  variable_type: 'env_var' | 'file';
  key: string;
  value: string;
  protected: boolean;
  masked: boolean;
  /** 17.4+ `masked_and_hidden` on create; the value is never shown again. */
  hidden: boolean;
  raw: boolean;
  environment_scope: string;
  description: string | null;
}

export interface Credential {
  /** An id below the simulator's token ids (1000 and up). */
  id: number;
  name: string;
  createdAt: string;
  userId: number;
  scopes: string[];
  revoked: boolean;
  /** 'YYYY-MM-DD' or null. */
  expiresAt: string | null;
}

/** Who is calling: a user through a token, a credential or the auth proxy. */
export interface Principal {
  user: StoredUser;
  scopes: string[];
  /** `can_admin_all_resources?`: an administrator with Admin Mode satisfied. */
  admin: boolean;
  /** The token used, when it is a simulator token. */
  token: SimToken | null;
  /** The credential used, when it is one added with addCredential(). */
  credential: Credential | null;
}

export interface SimulatorOptions {
  /** Delay before answering each request. */
  latencyMs?: number;
  /** Clock used for created_at, expiry and the Date header; default the real clock. */
  now?: () => Date;
  /** Skew of the server clock against `now` (may be negative). */
  clockOffsetMs?: number;
  /** The GitLab version to simulate, e.g. '17.10' or '16.0.0-ee'; default a current 18.x. */
  version?: string;
}

/** 15 random bytes -> 20 URL-safe base64 characters, as GitLab's glpat- tokens. */
/**
 * A new token's secret: the instance's prefix (application setting personal_access_token_prefix,
 * `[a-zA-Z0-9_+=/@:.-]`, at most 20 characters: app/models/application_setting.rb), then
 * URL-safe base64.
 */
export function newSecret(prefix = 'glpat-'): string {
  return `${prefix}${randomBytes(15).toString('base64url')}`;
}

export class SimState {
  readonly requests: RecordedRequest[] = [];
  readonly tokens: SimToken[] = [];
  inFlight = 0;
  peakInFlight = 0;
  /** Admin Mode: an administrator's token needs the `admin_mode` scope to act as one. */
  adminMode = false;
  /** GitLab.com: nobody is an administrator of the instance. */
  gitlabDotCom = false;
  latencyMs: number;
  /** When set, requests without any credential header authenticate as this user (an auth proxy). */
  anonymousUserId: number | null = null;
  /** Scopes the instance accepts (the newest set; scopes newer than `version` are refused). */
  readonly knownScopes = new Set<string>(KNOWN_SCOPES);
  /** The simulated version; its `version` drives every version gate at request time. */
  version: { version: string; revision: string };
  /**
   * The application setting require_personal_access_token_expiry (17.3+; always on before):
   * when off, a token created or rotated without `expires_at` never expires.
   */
  requireExpiry = true;
  /** The application setting personal_access_token_prefix, on every kind's new secrets. */
  tokenPrefix = 'glpat-';
  /** Skew of the server clock (created_at, expiry, Date header) against the real one. */
  clockOffsetMs: number;
  /**
   * Masked + raw CI/CD variables accept any 8+ non-space characters (Ci::Maskable
   * MASK_AND_RAW_REGEX, the ci_remove_character_limitation_raw_masked_var flag): true/false
   * forces it, null follows the version (SINCE.ciMaskedRawAnyCharacters).
   */
  maskedRawRelaxed: boolean | null = null;

  protected readonly users = new Map<number, StoredUser>();
  protected readonly groups = new Map<number, StoredGroup>();
  protected readonly credentials = new Map<string, Credential>();
  protected readonly projects = new Map<number, StoredProject>();
  /** Project and group CI/CD variables (sim-ci-variables.ts). */
  readonly variables: StoredVariable[] = [];
  protected nextVariableId = 1;
  protected nextTokenId = 1000;
  /** Ids of the bot users that project and group access tokens create. */
  protected nextBotUserId = 5000;
  private readonly baseClock: () => Date;

  constructor(options: SimulatorOptions = {}) {
    this.latencyMs = options.latencyMs ?? 0;
    this.baseClock = options.now ?? (() => new Date());
    this.clockOffsetMs = options.clockOffsetMs ?? 0;
    this.version = {
      version: normalizeVersion(options.version ?? DEFAULT_VERSION),
      revision: 'abc',
    };
  }

  /** Switches the simulated version: '17.10' or '16.0.0-ee'. */
  setVersion(version: string): void {
    this.version = { ...this.version, version: normalizeVersion(version) };
  }

  /** The server clock. */
  now(): Date {
    return new Date(this.baseClock().getTime() + this.clockOffsetMs);
  }

  today(): string {
    return utcDate(this.now());
  }

  /** The simulated version is `since` or newer. */
  atLeast(since: string): boolean {
    return versionAtLeast(this.version.version, since);
  }

  /** Scopes the Grape `values:` check accepts at this version. */
  validScopes(): Set<string> {
    return new Set(
      [...this.knownScopes].filter((s) => {
        const since = SCOPE_SINCE[s];
        return since === undefined || this.atLeast(since);
      }),
    );
  }

  /** require_personal_access_token_expiry as this version applies it. */
  expiryRequired(): boolean {
    return this.requireExpiry || !this.atLeast('17.3');
  }

  credentialFor(secret: string): Credential | undefined {
    return this.credentials.get(secret);
  }

  /** Every credential's secret (seeded, or added with addCredential()). */
  credentialSecrets(): string[] {
    return [...this.credentials.keys()];
  }

  findUser(id: number): StoredUser | undefined {
    return this.users.get(id);
  }

  allUsers(): StoredUser[] {
    return [...this.users.values()];
  }

  /** A group by numeric id or full path (case-insensitive), as find_group does. */
  resolveGroup(raw: string): StoredGroup | undefined {
    if (/^\d+$/.test(raw)) return this.groups.get(Number(raw));
    const path = raw.toLowerCase();
    return [...this.groups.values()].find((g) => g.fullPath.toLowerCase() === path);
  }

  /** Owners of a group include owners of its ancestors (inherited membership). */
  isGroupOwner(group: StoredGroup, userId: number): boolean {
    for (let g: StoredGroup | undefined = group; g;) {
      if (g.ownerIds.has(userId)) return true;
      g = g.parentId === null ? undefined : this.groups.get(g.parentId);
    }
    return false;
  }

  /** A project by numeric id or full path (case-insensitive), as find_project does. */
  resolveProject(raw: string): StoredProject | undefined {
    if (/^\d+$/.test(raw)) return this.projects.get(Number(raw));
    const path = raw.toLowerCase();
    return [...this.projects.values()].find((p) => p.fullPath.toLowerCase() === path);
  }

  /**
   * `max_member_access_for_user`: the highest of the direct membership and those inherited
   * from ancestor groups (Owner for `ownerIds`); 0 for none.
   */
  groupAccess(group: StoredGroup, userId: number): number {
    let max = 0;
    for (let g: StoredGroup | undefined = group; g;) {
      if (g.ownerIds.has(userId)) return 50;
      max = Math.max(max, g.members.get(userId) ?? 0);
      g = g.parentId === null ? undefined : this.groups.get(g.parentId);
    }
    return max;
  }

  /** `project.team.max_member_access`: direct, or inherited from the namespace's groups. */
  projectAccess(project: StoredProject, userId: number): number {
    const direct = project.members.get(userId) ?? 0;
    const group = project.namespaceId === null ? undefined : this.groups.get(project.namespaceId);
    return Math.max(direct, group ? this.groupAccess(group, userId) : 0);
  }

  /** The GitLab.com plan that applies to a project (see SimProject.plan). */
  projectPlan(project: StoredProject): 'free' | 'premium' | 'ultimate' {
    if (project.plan) return project.plan;
    const group = project.namespaceId === null ? undefined : this.groups.get(project.namespaceId);
    return group ? this.rootOf(group).plan : 'free';
  }

  /** Users that are bots of this project or group. */
  botsOf(resource: BotResource): StoredUser[] {
    return this.allUsers().filter(
      (u) => u.botOf?.type === resource.type && u.botOf.id === resource.id,
    );
  }

  /**
   * A project bot made by ResourceAccessTokens::CreateService: username
   * `<type>_<id>_bot_<32 hex>`, named like the token, a member at `accessLevel`.
   */
  addBotUser(resource: BotResource, name: string, accessLevel: AccessLevel): StoredUser {
    const user: StoredUser = {
      id: this.nextBotUserId++,
      username: `${resource.type}_${resource.id}_bot_${randomBytes(16).toString('hex')}`,
      name,
      isAdmin: false,
      state: 'active',
      botOf: { ...resource },
    };
    this.users.set(user.id, user);
    const members =
      resource.type === 'project'
        ? this.projects.get(resource.id)?.members
        : this.groups.get(resource.id)?.members;
    members?.set(user.id, accessLevel);
    return user;
  }

  /** A user's direct membership level in a project or group (`members.first.access_level`). */
  memberLevel(resource: BotResource, userId: number): AccessLevel | null {
    const members =
      resource.type === 'project'
        ? this.projects.get(resource.id)?.members
        : this.groups.get(resource.id)?.members;
    return members?.get(userId) ?? null;
  }

  /**
   * DeleteUserWorker: the user, its memberships and (with it) its tokens are gone; a token of
   * a deleted user no longer authenticates (401 "401 Unauthorized").
   */
  deleteUser(id: number): void {
    this.users.delete(id);
    for (const p of this.projects.values()) p.members.delete(id);
    for (const g of this.groups.values()) {
      g.members.delete(id);
      g.ownerIds.delete(id);
    }
  }

  rootOf(group: StoredGroup): StoredGroup {
    let g = group;
    while (g.parentId !== null) {
      const parent = this.groups.get(g.parentId);
      if (!parent) break;
      g = parent;
    }
    return g;
  }

  /** A token is expired from 00:00 UTC on its expires_at date (Expirable#expired?). */
  isExpired(t: { expires_at: string | null }): boolean {
    return t.expires_at !== null && t.expires_at <= this.today();
  }

  /** Brings `active` up to date with the clock. */
  refresh(t: SimToken): SimToken {
    t.active = !t.revoked && !this.isExpired(t);
    return t;
  }

  revoke(t: SimToken): void {
    t.revoked = true;
    t.active = false;
  }

  findToken(id: number): SimToken | undefined {
    const t = this.tokens.find((x) => x.id === id);
    return t ? this.refresh(t) : undefined;
  }

  addToken(fields: {
    userId: number;
    name: string;
    description: string | null;
    scopes: string[];
    expiresAt: string | null;
    impersonation: boolean;
    previousId: number | null;
  }): SimToken {
    const token: SimToken = {
      id: this.nextTokenId++,
      user_id: fields.userId,
      name: fields.name,
      description: fields.description,
      scopes: [...fields.scopes],
      expires_at: fields.expiresAt,
      created_at: this.now().toISOString(),
      revoked: false,
      active: true,
      last_used_at: null,
      token: newSecret(this.tokenPrefix),
      impersonation: fields.impersonation,
      previous_id: fields.previousId,
    };
    this.tokens.push(this.refresh(token));
    return token;
  }

  /** Stores a CI/CD variable (the routes have validated it). */
  storeVariable(fields: Omit<StoredVariable, 'id'>): StoredVariable {
    const variable: StoredVariable = { id: this.nextVariableId++, ...fields };
    this.variables.push(variable);
    return variable;
  }

  /** The variables of one project or group, lowest id first. */
  variablesOfOwner(owner: StoredVariable['owner']): StoredVariable[] {
    return this.variables.filter((v) => v.owner.type === owner.type && v.owner.id === owner.id);
  }

  deleteVariable(variable: StoredVariable): void {
    const i = this.variables.indexOf(variable);
    if (i >= 0) this.variables.splice(i, 1);
  }

  /**
   * A secret authenticates right now: a token the API made that is neither revoked nor
   * expired, or a credential added with addCredential() in the same state.
   */
  tokenIsActive(secret: string): boolean {
    const cred = this.credentials.get(secret);
    if (cred) {
      if (cred.revoked) return false;
      if (cred.expiresAt !== null && this.isExpired({ expires_at: cred.expiresAt })) return false;
      return this.users.has(cred.userId);
    }
    const token = this.tokens.find((t) => t.token === secret);
    if (!token || !this.users.has(token.user_id)) return false;
    return this.refresh(token).active;
  }

  /** 'YYYY-MM-DD' `days` after the server's today. */
  inDays(days: number): string {
    return addDays(this.today(), days);
  }
}
