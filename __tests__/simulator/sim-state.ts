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
}

export interface StoredGroup {
  id: number;
  fullPath: string;
  parentId: number | null;
  ownerIds: Set<number>;
  serviceAccountIds: Set<number>;
  plan: 'free' | 'premium' | 'ultimate';
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
export function newSecret(): string {
  return `glpat-${randomBytes(15).toString('base64url')}`;
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
  /** Skew of the server clock (created_at, expiry, Date header) against the real one. */
  clockOffsetMs: number;

  protected readonly users = new Map<number, StoredUser>();
  protected readonly groups = new Map<number, StoredGroup>();
  protected readonly credentials = new Map<string, Credential>();
  protected nextTokenId = 1000;
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
      token: newSecret(),
      impersonation: fields.impersonation,
      previous_id: fields.previousId,
    };
    this.tokens.push(this.refresh(token));
    return token;
  }

  /** 'YYYY-MM-DD' `days` after the server's today. */
  inDays(days: number): string {
    return addDays(this.today(), days);
  }
}
