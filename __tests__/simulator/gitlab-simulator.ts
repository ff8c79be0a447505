// An in-process fake of the parts of the GitLab REST API v4 that create-gitlab-token uses,
// version-aware (see sim-version.ts), with fault injection (status codes, resets, hangs,
// redirects, rate limits, raw bytes, endless and huge bodies, late commits) for tests and
// benchmarks. Node built-ins only; the constructor does no I/O.
//
// Modules, one per GitLab area (each cites GitLab's source for what it does):
//   sim-state.ts                   users, groups, tokens, credentials, switches, clock
//   sim-routing.ts, sim-auth.ts    Grape routing, catch-all, authentication, scopes
//   sim-users.ts                   /user, /users, /version
//   sim-personal-access-tokens.ts  /personal_access_tokens, /users/:id/personal_access_tokens
//   sim-impersonation-tokens.ts    /users/:id/impersonation_tokens
//   sim-group-service-accounts.ts  /groups/:id/service_accounts/:uid/personal_access_tokens
//   sim-resource-access-tokens.ts  /projects/:id/access_tokens, /groups/:id/access_tokens
//   sim-ci-variables.ts            /projects/:id/variables, /groups/:id/variables (and the owners)
//   sim-pagination.ts, sim-validation.ts, sim-replies.ts, sim-faults.ts, sim-version.ts
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { URL } from 'node:url';
import { paramsFromSearch } from './sim-validation.js';
import { closeServer } from './close-server.js';
import { SimState } from './sim-state.js';
import type {
  AccessLevel,
  RecordedRequest,
  SimGroup,
  SimProject,
  SimToken,
  SimUser,
  SimulatorOptions,
  StoredVariable,
} from './sim-state.js';
import { API_PREFIX, dispatch } from './sim-routing.js';
import type { Route } from './sim-routing.js';
import { userRoutes } from './sim-users.js';
import { personalAccessTokenRoutes } from './sim-personal-access-tokens.js';
import { impersonationTokenRoutes } from './sim-impersonation-tokens.js';
import { groupServiceAccountRoutes } from './sim-group-service-accounts.js';
import { resourceAccessTokenRoutes } from './sim-resource-access-tokens.js';
import { ciVariableRoutes } from './sim-ci-variables.js';
import { applyFault, commitDelayOf, commitOnOf, faultPhase } from './sim-faults.js';
import type { Fault, FaultRule } from './sim-faults.js';
import { apiError, grapeError, railsNotFoundPage, railsSignInRedirect } from './sim-replies.js';
import type { Reply } from './sim-replies.js';
import { DEFAULT_VERSION } from './sim-version.js';

export { KNOWN_SCOPES } from './sim-validation.js';
export type {
  AccessLevel,
  RecordedRequest,
  SimGroup,
  SimProject,
  SimToken,
  SimUser,
  SimulatorOptions,
  StoredVariable,
} from './sim-state.js';
export type { Fault, FaultRule } from './sim-faults.js';
export { MODELLED_VERSIONS, SINCE } from './sim-version.js';
export {
  MASKED_RAW_VALUE_REGEX,
  MASKED_VALUE_REGEX,
  SEVERAL_VARIABLES_MESSAGE,
} from './sim-ci-variables.js';

/** What addVariable() stores; absent flags are GitLab's defaults (false, '*', env_var). */
export interface SimVariable {
  project?: number;
  group?: number;
  key: string;
  value: string;
  masked?: boolean;
  protected?: boolean;
  environmentScope?: string;
  hidden?: boolean;
  raw?: boolean;
  variableType?: 'env_var' | 'file';
  description?: string | null;
}

export const ADMIN_TOKEN = 'glpat-FAKE-admin-credential-0001';
export const USER_TOKEN = 'glpat-FAKE-user-credential-0002';
export const ADMIN_MODE_TOKEN = 'glpat-FAKE-adminmode-credential-03';
export const GROUP_OWNER_TOKEN = 'glpat-FAKE-group-owner-000004';
/** A Maintainer of SEED_PROJECTS.app. */
export const MAINTAINER_TOKEN = 'glpat-FAKE-maintainer-cred-0006';
/** A Developer of SEED_PROJECTS.app and of the group acme. */
export const DEVELOPER_TOKEN = 'glpat-FAKE-developer-cred-00007';

/** User ids created by seedDefaults(). */
export const SEED_USERS = {
  root: 1,
  alice: 42,
  bob: 43,
  carol: 44,
  owner: 55,
  maintainer: 60,
  developer: 61,
  serviceAccount: 90,
} as const;

/** Group ids created by seedDefaults(): 'acme' (top level) and 'acme/platform'. */
export const SEED_GROUPS = { acme: 7, platform: 8 } as const;

/** Project ids created by seedDefaults(): 'acme/app' (in acme). */
export const SEED_PROJECTS = { app: 70 } as const;

/** The version a new simulator reports (a current 18.x). */
export const SIM_VERSION = { version: DEFAULT_VERSION, revision: 'abc' } as const;

/** Mount order matters (lib/api/api.rb): the `self` routes come before `:id`. */
const ROUTES: readonly Route[] = [
  ...userRoutes,
  ...personalAccessTokenRoutes,
  ...impersonationTokenRoutes,
  ...groupServiceAccountRoutes,
  ...resourceAccessTokenRoutes,
  ...ciVariableRoutes,
];

function ownerOf(owner: { project?: number; group?: number }): StoredVariable['owner'] {
  if (owner.project !== undefined) return { type: 'project', id: owner.project };
  if (owner.group !== undefined) return { type: 'group', id: owner.group };
  throw new Error('a variable belongs to a project or a group');
}

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
}

interface ParsedBody {
  value: unknown;
  invalid: boolean;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(raw: string, contentType: string | undefined): ParsedBody {
  if (raw === '') return { value: undefined, invalid: false };
  const ct = (contentType ?? '').toLowerCase();
  if (ct.includes('application/x-www-form-urlencoded')) {
    return { value: paramsFromSearch(new URLSearchParams(raw)), invalid: false };
  }
  try {
    return { value: JSON.parse(raw) as unknown, invalid: false };
  } catch {
    return { value: raw, invalid: ct.includes('json') };
  }
}

export class GitLabSimulator extends SimState {
  /**
   * What a path outside /api/v4 gets (a wrong relative root): GitLab's Rails router sends a
   * visitor without a session to the sign-in page ('sign-in-redirect', the default), a
   * signed-in one to public/404.html ('not-found-page').
   */
  outsideApi: 'sign-in-redirect' | 'not-found-page' = 'sign-in-redirect';

  /**
   * Called once a reply has been written in full (route replies and faults that answer), with
   * the recorded request and the status sent: tests check invariants after each request.
   */
  onRequestHandled?: (request: RecordedRequest, status: number) => void;

  private readonly rules: ActiveRule[] = [];
  private readonly holds: {
    matches: (method: string, path: string) => boolean;
    wait: () => Promise<void>;
    release: () => void;
  }[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly sleepers = new Set<() => void>();
  /** Late commits (`commitOn: 'next-request'`) made visible before the next request. */
  private readonly commitsOnNextRequest: (() => void)[] = [];
  private server: http.Server | null = null;
  private baseUrl = '';
  private stopped = false;
  private nextCredentialId = 1;

  constructor(options: SimulatorOptions = {}) {
    super(options);
  }

  get url(): string {
    return this.baseUrl;
  }

  /** With `tls` (PEM key and certificate) it serves https; `port` 0 (the default) picks one. */
  async start(
    host = '127.0.0.1',
    options: { tls?: { key: string; cert: string }; port?: number } = {},
  ): Promise<string> {
    if (this.server) throw new Error('GitLabSimulator already started');
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      void this.handle(req, res);
    };
    const server: http.Server = options.tls
      ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler)
      : http.createServer(handler);
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.server = server;
    this.stopped = false;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const scheme = options.tls ? 'https' : 'http';
    this.baseUrl = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    this.stopped = true;
    for (const wake of this.sleepers) wake();
    this.sleepers.clear();
    await closeServer(server, this.sockets);
  }

  addUser(user: SimUser): SimUser {
    this.users.set(user.id, {
      id: user.id,
      username: user.username,
      name: user.name ?? user.username,
      isAdmin: user.isAdmin ?? false,
      state: user.state ?? 'active',
    });
    const stored = this.users.get(user.id);
    return { ...user, isAdmin: stored?.isAdmin, state: stored?.state, name: stored?.name };
  }

  addGroup(group: SimGroup): SimGroup {
    this.groups.set(group.id, {
      id: group.id,
      fullPath: group.fullPath,
      parentId: group.parentId ?? null,
      ownerIds: new Set(group.ownerIds ?? []),
      serviceAccountIds: new Set(group.serviceAccountIds ?? []),
      plan: group.plan ?? 'premium',
      members: new Map(),
    });
    return group;
  }

  /** A project; `members` are direct memberships (group members are inherited). */
  addProject(project: SimProject): SimProject {
    this.projects.set(project.id, {
      id: project.id,
      fullPath: project.fullPath,
      namespaceId: project.namespaceId ?? null,
      members: new Map((project.members ?? []).map((m) => [m.userId, m.accessLevel])),
      plan: project.plan ?? null,
    });
    return project;
  }

  /** Gives a user a role in a group (50 adds an owner) or a project. */
  addMember(
    target: { groupId: number } | { projectId: number },
    userId: number,
    accessLevel: AccessLevel,
  ): void {
    if ('groupId' in target) {
      const group = this.groups.get(target.groupId);
      if (!group) throw new Error(`no group ${target.groupId}`);
      if (accessLevel === 50) group.ownerIds.add(userId);
      else group.members.set(userId, accessLevel);
    } else {
      const project = this.projects.get(target.projectId);
      if (!project) throw new Error(`no project ${target.projectId}`);
      project.members.set(userId, accessLevel);
    }
  }

  /**
   * A personal access token the tests authenticate with (not listed among `tokens`, which
   * holds only what the API made). `expiresAt`: 'YYYY-MM-DD'.
   */
  addCredential(
    secret: string,
    userId: number,
    scopes: string[] = ['api'],
    options: { expiresAt?: string | null; name?: string } = {},
  ): void {
    this.credentials.set(secret, {
      id: this.nextCredentialId++,
      name: options.name ?? `credential-${userId}`,
      createdAt: this.now().toISOString(),
      userId,
      scopes: [...scopes],
      revoked: false,
      expiresAt: options.expiresAt ?? null,
    });
  }

  /**
   * Makes a credential added with addCredential() a revoked token: 401 invalid_token
   * "Token was revoked. …" from now on.
   */
  revokeCredential(secret: string): void {
    const cred = this.credentials.get(secret);
    if (cred) cred.revoked = true;
  }

  /** Stores a CI/CD variable as is (no validation): the state a test starts from. */
  addVariable(variable: SimVariable): StoredVariable {
    const owner = ownerOf(variable);
    return this.storeVariable({
      owner,
      variable_type: variable.variableType ?? 'env_var',
      key: variable.key,
      value: variable.value,
      protected: variable.protected ?? false,
      masked: variable.masked ?? variable.hidden ?? false,
      hidden: variable.hidden ?? false,
      raw: variable.raw ?? false,
      environment_scope: variable.environmentScope ?? '*',
      description: variable.description ?? null,
    });
  }

  /**
   * The stored variable `key` of a project or group: with `environmentScope`, the one of that
   * scope; without, the only one with the key, else the one scoped '*'; undefined if none.
   */
  variable(
    owner: { project?: number; group?: number },
    key: string,
    environmentScope?: string,
  ): StoredVariable | undefined {
    const all = this.variablesOf(owner).filter((v) => v.key === key);
    if (environmentScope !== undefined) {
      return all.find((v) => v.environment_scope === environmentScope);
    }
    return all.length === 1 ? all[0] : all.find((v) => v.environment_scope === '*');
  }

  /** The stored variables of a project or group (live records), in creation order. */
  variablesOf(owner: { project?: number; group?: number }): StoredVariable[] {
    return this.variablesOfOwner(ownerOf(owner));
  }

  /** Forgets every CI/CD variable. */
  clearVariables(): void {
    this.variables.length = 0;
  }

  addFault(rule: FaultRule): void {
    this.rules.push({ rule, remaining: rule.times ?? 1 });
  }

  clearFaults(): void {
    this.rules.length = 0;
    for (const hold of this.holds.splice(0)) hold.release();
  }

  /**
   * Holds the next request with this method whose path matches until `release()`: `reached`
   * resolves once it arrived. Not GitLab behaviour: how a test lets another run go first (two
   * runs renewing one token at the same time).
   */
  hold(method: string, pathPattern: RegExp): { reached: Promise<void>; release(): void } {
    let arrived = (): void => {};
    let release = (): void => {};
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.holds.push({
      matches: (m, path) => {
        pathPattern.lastIndex = 0;
        return m === method.toUpperCase() && pathPattern.test(path);
      },
      wait: () => {
        arrived();
        return released;
      },
      release,
    });
    return { reached, release };
  }

  /** Makes the late commits waiting for a next request (`commitOn: 'next-request'`) visible now. */
  commitPending(): void {
    for (const commit of this.commitsOnNextRequest.splice(0)) commit();
  }

  seedDefaults(): void {
    this.addUser({ id: SEED_USERS.root, username: 'root', name: 'Administrator', isAdmin: true });
    this.addUser({ id: SEED_USERS.alice, username: 'alice', name: 'Alice' });
    this.addUser({ id: SEED_USERS.bob, username: 'bob', name: 'Bob' });
    this.addUser({ id: SEED_USERS.carol, username: 'carol', name: 'Carol' });
    this.addUser({ id: SEED_USERS.owner, username: 'owner', name: 'Group Owner' });
    this.addUser({
      id: SEED_USERS.serviceAccount,
      username: 'service_account_group_7_bot',
      name: 'Service account user',
    });
    this.addGroup({
      id: SEED_GROUPS.acme,
      fullPath: 'acme',
      ownerIds: [SEED_USERS.owner],
      serviceAccountIds: [SEED_USERS.serviceAccount],
    });
    this.addGroup({
      id: SEED_GROUPS.platform,
      fullPath: 'acme/platform',
      parentId: SEED_GROUPS.acme,
    });
    this.addCredential(ADMIN_TOKEN, SEED_USERS.root, ['api']);
    this.addCredential(ADMIN_MODE_TOKEN, SEED_USERS.root, ['api', 'admin_mode']);
    this.addCredential(USER_TOKEN, SEED_USERS.alice, ['api']);
    this.addCredential(GROUP_OWNER_TOKEN, SEED_USERS.owner, ['api']);
    this.addUser({ id: SEED_USERS.maintainer, username: 'maintainer', name: 'Maintainer' });
    this.addUser({ id: SEED_USERS.developer, username: 'developer', name: 'Developer' });
    this.addMember({ groupId: SEED_GROUPS.acme }, SEED_USERS.developer, 30);
    this.addProject({
      id: SEED_PROJECTS.app,
      fullPath: 'acme/app',
      namespaceId: SEED_GROUPS.acme,
      members: [{ userId: SEED_USERS.maintainer, accessLevel: 40 }],
    });
    this.addCredential(MAINTAINER_TOKEN, SEED_USERS.maintainer, ['api']);
    this.addCredential(DEVELOPER_TOKEN, SEED_USERS.developer, ['api']);
  }

  // ---- request handling -------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // The Date header comes from the simulator's clock (clockOffsetMs), not Node's.
    res.sendDate = false;
    this.inFlight++;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    let counted = true;
    res.once('close', () => {
      if (counted) {
        counted = false;
        this.inFlight--;
      }
    });

    let rawBody: string;
    try {
      rawBody = await readBody(req);
    } catch {
      return;
    }
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      headers[k] = Array.isArray(v) ? v.join(', ') : v;
    }
    const parsed = parseBody(rawBody, headers['content-type']);
    const recorded: RecordedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body: parsed.value,
      rawBody,
    };
    this.requests.push(recorded);
    res.once('finish', () => this.onRequestHandled?.(recorded, res.statusCode));
    for (const commit of this.commitsOnNextRequest.splice(0)) commit();

    if (this.latencyMs > 0) await this.sleep(this.latencyMs);
    const hold = this.holds.find((h) => h.matches(method, url.pathname));
    if (hold) {
      this.holds.splice(this.holds.indexOf(hold), 1);
      await hold.wait();
    }
    if (this.stopped || res.destroyed) return;

    const fault = this.takeFault(method, url.pathname, 'before');
    if (fault) {
      this.applyFault(fault, req, res);
      return;
    }
    const before = this.snapshot();
    let reply: Reply;
    try {
      reply = this.route(method, url, parsed, headers);
    } catch (err) {
      // lib/api/helpers.rb `handle_api_exception`
      reply = apiError(500, '500 Internal Server Error');
      process.emitWarning(`GitLabSimulator: ${String(err)}`);
    }
    if (reply.created || reply.stored) {
      const late = this.takeFault(method, url.pathname, reply.created ? 'create' : 'write');
      if (late) {
        const delay = commitDelayOf(late);
        const on = commitOnOf(late);
        if (delay !== undefined) this.commitLater(before, this.sleep(delay));
        else if (on === 'next-request') this.commitLater(before, 'next-request');
        else if (on !== undefined) this.commitLater(before, on);
        this.applyFault(late, req, res);
        return;
      }
    }
    this.send(res, reply);
  }

  private route(
    method: string,
    url: URL,
    parsed: ParsedBody,
    headers: Record<string, string | undefined>,
  ): Reply {
    const path = url.pathname;
    // lib/api/api.rb `version 'v3' ... error!('API V3 is no longer supported. Use API V4 instead.', 410)`
    if (path.startsWith('/api/v3/')) {
      return grapeError(410, 'API V3 is no longer supported. Use API V4 instead.');
    }
    if (!path.startsWith(API_PREFIX)) {
      return this.outsideApi === 'sign-in-redirect'
        ? railsSignInRedirect(this.baseUrl)
        : railsNotFoundPage();
    }
    return dispatch(this, ROUTES, { method, url, headers, body: parsed, baseUrl: this.baseUrl });
  }

  /** What a request may change: the tokens' count and their revoked flags. */
  private snapshot(): { count: number; revoked: boolean[] } {
    return { count: this.tokens.length, revoked: this.tokens.map((t) => t.revoked) };
  }

  /**
   * Hides what the request just committed and commits it later: when `when` settles, or before
   * the next request is handled.
   */
  private commitLater(
    before: { count: number; revoked: boolean[] },
    when: Promise<unknown> | 'next-request',
  ): void {
    const added: SimToken[] = this.tokens.splice(before.count);
    const revoked: SimToken[] = [];
    before.revoked.forEach((was, i) => {
      const t = this.tokens[i];
      if (t && !was && t.revoked) {
        t.revoked = false;
        this.refresh(t);
        revoked.push(t);
      }
    });
    const commit = (): void => {
      if (this.stopped) return;
      for (const t of revoked) this.revoke(t);
      this.tokens.push(...added);
    };
    if (when === 'next-request') this.commitsOnNextRequest.push(commit);
    else void when.finally(commit);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  private takeFault(
    method: string,
    path: string,
    phase: 'before' | 'create' | 'write',
  ): Fault | null {
    for (const active of this.rules) {
      const { rule } = active;
      if (active.remaining <= 0) continue;
      if (faultPhase(rule.fault) !== phase) continue;
      if (rule.method && rule.method.toUpperCase() !== method) continue;
      if (rule.pathPattern) {
        rule.pathPattern.lastIndex = 0;
        if (!rule.pathPattern.test(path)) continue;
      }
      active.remaining--;
      return rule.fault;
    }
    return null;
  }

  private applyFault(fault: Fault, req: http.IncomingMessage, res: http.ServerResponse): void {
    applyFault(fault, req, res, { now: () => this.now(), stopped: () => this.stopped });
  }

  private send(res: http.ServerResponse, reply: Reply): void {
    if (res.destroyed || res.headersSent) return;
    const date = this.now().toUTCString();
    if (reply.status === 204) {
      res.writeHead(204, { date, ...reply.headers });
      res.end();
      return;
    }
    const data = reply.text ?? JSON.stringify(reply.body ?? {});
    res.writeHead(reply.status, {
      date,
      'content-type': reply.contentType ?? 'application/json',
      'content-length': Buffer.byteLength(data),
      ...reply.headers,
    });
    res.end(data);
  }
}
