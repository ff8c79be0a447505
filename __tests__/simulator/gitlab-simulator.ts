// An in-process fake of the parts of the GitLab REST API v4 that create-gitlab-token uses,
// with fault injection (status codes, resets, hangs, redirects, rate limits) for tests and
// benchmarks. Node built-ins only; the constructor does no I/O.
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { URL } from 'node:url';
import {
  KNOWN_SCOPES,
  addDays,
  paramsFromSearch,
  utcDate,
  validateCreateParams,
  validateExpiresParam,
  validateModel,
} from './sim-validation.js';
import type { Params, TokenParams } from './sim-validation.js';
import { closeServer } from './close-server.js';

export { KNOWN_SCOPES } from './sim-validation.js';

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
  description: string;
  scopes: string[];
  expires_at: string | null;
  created_at: string;
  revoked: boolean;
  active: boolean;
  last_used_at: string | null;
  token: string;
}

export type Fault =
  | {
      kind: 'status';
      status: number;
      /** JSON-encoded unless a string (sent as text/plain); default `{"message":"<status> <reason>"}`. */
      body?: unknown;
      headers?: Record<string, string>;
      /** On token-creating POST routes: store the token first, then answer with this. */
      afterCreate?: boolean;
    }
  | { kind: 'reset'; afterCreate?: boolean }
  | { kind: 'hang'; afterCreate?: boolean }
  /** Sends the status line, headers and part of the body, then nothing more. */
  | { kind: 'stall'; status?: number; afterCreate?: boolean }
  | { kind: 'redirect'; status?: number; location: string }
  | { kind: 'rateLimit'; retryAfterSeconds?: number }
  /**
   * Answers `status` and streams `bytes` bytes of body (with that content-length), or an endless
   * chunked body when `bytes` is absent, until the client goes away.
   */
  | { kind: 'flood'; status: number; bytes?: number; afterCreate?: boolean }
  /** Writes `text` to the socket as is (a 101 Switching Protocols, a malformed reply) and ends. */
  | { kind: 'raw'; text: string; afterCreate?: boolean };

export interface FaultRule {
  method?: string;
  pathPattern?: RegExp;
  /** How many matching requests this rule fires for; default 1 (Infinity for always). */
  times?: number;
  fault: Fault;
}

export interface SimulatorOptions {
  /** Delay before answering each request. */
  latencyMs?: number;
  /** Clock used for created_at and expiry validation; default the real clock. */
  now?: () => Date;
}

export const ADMIN_TOKEN = 'glpat-FAKE-admin-credential-0001';
export const USER_TOKEN = 'glpat-FAKE-user-credential-0002';
export const ADMIN_MODE_TOKEN = 'glpat-FAKE-adminmode-credential-03';
export const GROUP_OWNER_TOKEN = 'glpat-FAKE-group-owner-000004';

/** User ids created by seedDefaults(). */
export const SEED_USERS = {
  root: 1,
  alice: 42,
  bob: 43,
  carol: 44,
  owner: 55,
  serviceAccount: 90,
} as const;

/** Group ids created by seedDefaults(): 'acme' (top level) and 'acme/platform'. */
export const SEED_GROUPS = { acme: 7, platform: 8 } as const;

export const SIM_VERSION = { version: '17.6.0-ee', revision: 'abc' } as const;

interface StoredUser {
  id: number;
  username: string;
  name: string;
  isAdmin: boolean;
  state: 'active' | 'blocked';
}

interface StoredGroup {
  id: number;
  fullPath: string;
  parentId: number | null;
  ownerIds: Set<number>;
  serviceAccountIds: Set<number>;
}

interface Credential {
  userId: number;
  scopes: string[];
  revoked: boolean;
}

interface Principal {
  user: StoredUser;
  scopes: string[];
  /** Administrator with Admin Mode satisfied. */
  admin: boolean;
  tokenId: number | null;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** The route stored a new token (afterCreate faults apply). */
  created?: boolean;
}

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
}

interface ParsedBody {
  value: unknown;
  invalid: boolean;
}

const API_PREFIX = '/api/v4/';
const DEFAULT_PER_PAGE = 20;
const MAX_PER_PAGE = 100;
const ROTATE_DEFAULT_DAYS = 7;
const CREATE_DEFAULT_DAYS = 365;

function message(status: number, text: string | Record<string, string[]>): Reply {
  return { status, body: { message: text } };
}

const notFound = (what?: string): Reply =>
  message(404, what ? `404 ${what} Not Found` : '404 Not Found');
const forbidden = (): Reply => message(403, '403 Forbidden');
const unauthorized = (): Reply => message(401, '401 Unauthorized');

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

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isAfterCreate(f: Fault): boolean {
  return 'afterCreate' in f && f.afterCreate === true;
}

function newSecret(): string {
  // 15 random bytes -> 20 URL-safe base64 characters.
  return `glpat-${randomBytes(15).toString('base64url')}`;
}

export class GitLabSimulator {
  readonly requests: RecordedRequest[] = [];
  readonly tokens: SimToken[] = [];
  inFlight = 0;
  peakInFlight = 0;
  adminMode = false;
  gitlabDotCom = false;
  latencyMs: number;
  /** When set, requests without any credential header authenticate as this user (an auth proxy). */
  anonymousUserId: number | null = null;
  /** Scopes the instance accepts; add to it to simulate a newer GitLab. */
  readonly knownScopes = new Set<string>(KNOWN_SCOPES);
  version: { version: string; revision: string } = { ...SIM_VERSION };

  private readonly now: () => Date;
  private readonly users = new Map<number, StoredUser>();
  private readonly groups = new Map<number, StoredGroup>();
  private readonly credentials = new Map<string, Credential>();
  private readonly rules: ActiveRule[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly sleepers = new Set<() => void>();
  private server: http.Server | null = null;
  private baseUrl = '';
  private stopped = false;
  private nextTokenId = 1000;

  constructor(options: SimulatorOptions = {}) {
    this.latencyMs = options.latencyMs ?? 0;
    this.now = options.now ?? (() => new Date());
  }

  get url(): string {
    return this.baseUrl;
  }

  /** With `tls` (PEM key and certificate) it serves https. */
  async start(
    host = '127.0.0.1',
    options: { tls?: { key: string; cert: string } } = {},
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
      server.listen(0, host, () => {
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
    const stored: StoredUser = {
      id: user.id,
      username: user.username,
      name: user.name ?? user.username,
      isAdmin: user.isAdmin ?? false,
      state: user.state ?? 'active',
    };
    this.users.set(stored.id, stored);
    return { ...user, isAdmin: stored.isAdmin, state: stored.state, name: stored.name };
  }

  addGroup(group: SimGroup): SimGroup {
    this.groups.set(group.id, {
      id: group.id,
      fullPath: group.fullPath,
      parentId: group.parentId ?? null,
      ownerIds: new Set(group.ownerIds ?? []),
      serviceAccountIds: new Set(group.serviceAccountIds ?? []),
    });
    return group;
  }

  addCredential(secret: string, userId: number, scopes: string[] = ['api']): void {
    this.credentials.set(secret, { userId, scopes: [...scopes], revoked: false });
  }

  /** Makes a credential added with addCredential() answer 401 from now on. */
  revokeCredential(secret: string): void {
    const cred = this.credentials.get(secret);
    if (cred) cred.revoked = true;
  }

  addFault(rule: FaultRule): void {
    this.rules.push({ rule, remaining: rule.times ?? 1 });
  }

  clearFaults(): void {
    this.rules.length = 0;
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
  }

  // ---- request handling -------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
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
    this.requests.push({
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body: parsed.value,
      rawBody,
    });

    if (this.latencyMs > 0) await this.sleep(this.latencyMs);
    if (this.stopped || res.destroyed) return;

    const fault = this.takeFault(method, url.pathname, false);
    if (fault) {
      this.applyFault(fault, req, res);
      return;
    }
    let reply: Reply;
    try {
      reply = this.route(method, url, parsed, headers);
    } catch (err) {
      reply = message(500, `500 Internal Server Error: ${String(err)}`);
    }
    if (reply.created) {
      const late = this.takeFault(method, url.pathname, true);
      if (late) {
        this.applyFault(late, req, res);
        return;
      }
    }
    this.send(res, reply);
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

  private takeFault(method: string, path: string, afterCreate: boolean): Fault | null {
    for (const active of this.rules) {
      const { rule } = active;
      if (active.remaining <= 0) continue;
      if (isAfterCreate(rule.fault) !== afterCreate) continue;
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
    switch (fault.kind) {
      case 'status': {
        const body = fault.body;
        const text =
          body === undefined
            ? JSON.stringify({
                message: `${fault.status} ${http.STATUS_CODES[fault.status] ?? ''}`.trim(),
              })
            : typeof body === 'string'
              ? body
              : JSON.stringify(body);
        res.writeHead(fault.status, {
          'content-type':
            typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
          'content-length': Buffer.byteLength(text),
          ...fault.headers,
        });
        res.end(text);
        return;
      }
      case 'reset':
        req.socket.resetAndDestroy();
        return;
      case 'hang':
        return;
      case 'stall':
        res.writeHead(fault.status ?? 200, {
          'content-type': 'application/json',
          'content-length': 4096,
        });
        res.write('{"id":');
        return;
      case 'redirect':
        res.writeHead(fault.status ?? 302, { location: fault.location, 'content-length': 0 });
        res.end();
        return;
      case 'flood':
        this.flood(res, fault.status, fault.bytes);
        return;
      case 'raw':
        req.socket.end(fault.text);
        return;
      case 'rateLimit': {
        const retry = Math.max(0, Math.round(fault.retryAfterSeconds ?? 0));
        const resetAt = new Date(this.now().getTime() + retry * 1000);
        this.send(res, {
          status: 429,
          body: { message: 'Retry later' },
          headers: {
            'retry-after': String(retry),
            'ratelimit-name': 'throttle_authenticated_api',
            'ratelimit-limit': '600',
            'ratelimit-observed': '601',
            'ratelimit-remaining': '0',
            'ratelimit-reset': String(Math.ceil(resetAt.getTime() / 1000)),
            'ratelimit-resettime': resetAt.toUTCString(),
          },
        });
        return;
      }
    }
  }

  private flood(res: http.ServerResponse, status: number, bytes?: number): void {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    res.writeHead(status, {
      'content-type': 'application/json',
      ...(bytes === undefined ? {} : { 'content-length': bytes }),
    });
    let left = bytes ?? Infinity;
    const pump = (): void => {
      while (left > 0 && !res.destroyed) {
        const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= piece.length;
        if (!res.write(piece)) {
          res.once('drain', pump);
          return;
        }
      }
      if (left <= 0) res.end();
    };
    res.on('error', () => undefined);
    pump();
  }

  private send(res: http.ServerResponse, reply: Reply): void {
    if (res.destroyed || res.headersSent) return;
    if (reply.status === 204) {
      res.writeHead(204, { ...reply.headers });
      res.end();
      return;
    }
    const data = JSON.stringify(reply.body ?? {});
    res.writeHead(reply.status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(data),
      ...reply.headers,
    });
    res.end(data);
  }

  // ---- routing ----------------------------------------------------------------------------

  private route(
    method: string,
    url: URL,
    parsed: ParsedBody,
    headers: Record<string, string | undefined>,
  ): Reply {
    const path = url.pathname;
    if (!path.startsWith(API_PREFIX)) return notFound();
    let segs: string[];
    try {
      segs = path.slice(API_PREFIX.length).split('/').map(decodeURIComponent);
    } catch {
      return notFound();
    }
    if (segs.length > 1 && segs[segs.length - 1] === '') segs.pop();
    const [a, b, c, d, e] = segs;
    const n = segs.length;

    type Handler = (p: Principal, params: Params) => Reply;
    let handler: Handler | null = null;
    let readUserOk = false;
    if (method === 'GET' && n === 1 && a === 'user') {
      handler = (p) => this.currentUser(p);
      readUserOk = true;
    } else if (method === 'GET' && n === 1 && a === 'version') {
      handler = () => ({ status: 200, body: { ...this.version } });
      readUserOk = true;
    } else if (method === 'GET' && n === 1 && a === 'users') {
      handler = (_p, params) => this.findUsers(params);
      readUserOk = true;
    } else if (method === 'GET' && n === 2 && a === 'users') {
      handler = () => this.getUserById(b ?? '');
      readUserOk = true;
    } else if (method === 'POST' && n === 3 && a === 'users' && c === 'personal_access_tokens') {
      handler = (p, params) => this.createUserToken(p, b ?? '', params);
    } else if (
      method === 'POST' &&
      n === 5 &&
      a === 'groups' &&
      c === 'service_accounts' &&
      e === 'personal_access_tokens'
    ) {
      handler = (p, params) => this.createGroupToken(p, b ?? '', d ?? '', params);
    } else if (method === 'GET' && n === 1 && a === 'personal_access_tokens') {
      handler = (p, params) => this.listTokens(p, params, url);
    } else if (method === 'GET' && n === 2 && a === 'personal_access_tokens') {
      handler = (p) => this.getToken(p, b ?? '');
    } else if (method === 'DELETE' && n === 2 && a === 'personal_access_tokens') {
      handler = (p) => this.revokeToken(p, b ?? '');
    } else if (method === 'POST' && n === 3 && a === 'personal_access_tokens' && c === 'rotate') {
      handler = (p, params) => this.rotateToken(p, b ?? '', params);
    } else if (
      a === 'groups' &&
      c === 'service_accounts' &&
      e === 'personal_access_tokens' &&
      ((method === 'GET' && n === 5) ||
        (method === 'DELETE' && n === 6) ||
        (method === 'POST' && n === 7 && segs[6] === 'rotate'))
    ) {
      const tokenId = segs[5] ?? '';
      handler = (p, params) =>
        this.groupTokenRoute(method, p, b ?? '', d ?? '', tokenId, params, url);
    }
    if (!handler) return notFound();

    const principal = this.authenticate(headers);
    if (!principal) return unauthorized();
    if (principal.user.state === 'blocked') {
      return message(403, '403 Forbidden - Your account has been blocked.');
    }
    const has = (s: string): boolean => principal.scopes.includes(s);
    const allowed =
      has('api') || (method === 'GET' && (has('read_api') || (readUserOk && has('read_user'))));
    if (!allowed) {
      return {
        status: 403,
        body: {
          error: 'insufficient_scope',
          error_description:
            'The request requires higher privileges than provided by the access token.',
          scope: 'api',
        },
      };
    }
    if (parsed.invalid) return message(400, '400 Bad request - Invalid JSON');

    const params: Params = { ...paramsFromSearch(url.searchParams) };
    if (isRecord(parsed.value)) Object.assign(params, parsed.value);
    return handler(principal, params);
  }

  private authenticate(headers: Record<string, string | undefined>): Principal | null {
    const privateToken = headers['private-token']?.trim();
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers['authorization'] ?? '')?.[1];
    const secret = privateToken || bearer;
    let userId: number;
    let scopes: string[];
    let tokenId: number | null = null;
    if (!secret) {
      if (this.anonymousUserId === null) return null;
      userId = this.anonymousUserId;
      scopes = ['api', 'admin_mode'];
    } else {
      const cred = this.credentials.get(secret);
      if (cred) {
        if (cred.revoked) return null;
        ({ userId, scopes } = cred);
      } else {
        const token = this.tokens.find((t) => t.token === secret);
        if (!token || !token.active) return null;
        if (token.expires_at !== null && token.expires_at <= this.today()) return null;
        token.last_used_at = this.now().toISOString();
        userId = token.user_id;
        scopes = token.scopes;
        tokenId = token.id;
      }
    }
    const user = this.users.get(userId);
    if (!user) return null;
    const admin = user.isAdmin && (!this.adminMode || scopes.includes('admin_mode'));
    return { user, scopes, admin, tokenId };
  }

  private today(): string {
    return utcDate(this.now());
  }

  // ---- handlers ---------------------------------------------------------------------------

  private currentUser(p: Principal): Reply {
    const u = p.user;
    return {
      status: 200,
      body: { id: u.id, username: u.username, name: u.name, state: u.state, is_admin: u.isAdmin },
    };
  }

  private basicUser(u: StoredUser): Record<string, unknown> {
    return { id: u.id, username: u.username, name: u.name, state: u.state };
  }

  private findUsers(params: Params): Reply {
    const wanted = params['username'];
    let users = [...this.users.values()];
    if (typeof wanted === 'string') {
      users = users.filter((u) => u.username.toLowerCase() === wanted.toLowerCase());
    }
    return { status: 200, body: users.map((u) => this.basicUser(u)) };
  }

  private getUserById(raw: string): Reply {
    const user = /^\d+$/.test(raw) ? this.users.get(Number(raw)) : undefined;
    return user ? { status: 200, body: this.basicUser(user) } : notFound('User');
  }

  private createUserToken(p: Principal, rawUserId: string, params: Params): Reply {
    if (this.gitlabDotCom || !p.admin) return forbidden();
    const checked = validateCreateParams(params, this.knownScopes);
    if (!checked.ok) return { status: 400, body: { error: checked.error } };
    const user = /^\d+$/.test(rawUserId) ? this.users.get(Number(rawUserId)) : undefined;
    if (!user) return notFound('User');
    return this.storeToken(user.id, checked.value, 201);
  }

  private resolveGroup(raw: string): StoredGroup | undefined {
    if (/^\d+$/.test(raw)) return this.groups.get(Number(raw));
    const path = raw.toLowerCase();
    return [...this.groups.values()].find((g) => g.fullPath.toLowerCase() === path);
  }

  private createGroupToken(
    p: Principal,
    rawGroup: string,
    rawUserId: string,
    params: Params,
  ): Reply {
    const group = this.resolveGroup(rawGroup);
    if (!group) return notFound('Group');
    // Service accounts belong to top-level groups: a subgroup is refused like a non-owner.
    const topLevel = group.parentId === null;
    if (!topLevel || !(p.admin || group.ownerIds.has(p.user.id))) return forbidden();
    const checked = validateCreateParams(params, this.knownScopes);
    if (!checked.ok) return { status: 400, body: { error: checked.error } };
    const userId = /^\d+$/.test(rawUserId) ? Number(rawUserId) : NaN;
    if (!group.serviceAccountIds.has(userId) || !this.users.has(userId)) return notFound('User');
    return this.storeToken(userId, checked.value, 201);
  }

  private storeToken(userId: number, value: TokenParams, status: number): Reply {
    const today = this.today();
    const expiresAt = value.expiresAt ?? addDays(today, CREATE_DEFAULT_DAYS);
    const invalid = validateModel(value.name, expiresAt, today);
    if (invalid) return message(400, invalid);
    const token: SimToken = {
      id: this.nextTokenId++,
      user_id: userId,
      name: value.name,
      description: value.description,
      scopes: [...value.scopes],
      expires_at: expiresAt,
      created_at: this.now().toISOString(),
      revoked: false,
      active: true,
      last_used_at: null,
      token: newSecret(),
    };
    this.tokens.push(token);
    return { status, body: this.tokenJson(token, true), created: true };
  }

  private tokenJson(t: SimToken, withSecret: boolean): Record<string, unknown> {
    const json: Record<string, unknown> = {
      id: t.id,
      name: t.name,
      revoked: t.revoked,
      created_at: t.created_at,
      description: t.description,
      scopes: [...t.scopes],
      user_id: t.user_id,
      last_used_at: t.last_used_at,
      active: t.active,
      expires_at: t.expires_at,
    };
    if (withSecret) json['token'] = t.token;
    return json;
  }

  /** The token with that id (or 'self') if the principal may see it. */
  private visibleToken(p: Principal, raw: string): SimToken | undefined {
    let token: SimToken | undefined;
    if (raw === 'self') token = this.tokens.find((t) => t.id === p.tokenId);
    else if (/^\d+$/.test(raw)) token = this.tokens.find((t) => t.id === Number(raw));
    if (!token) return undefined;
    return p.admin || token.user_id === p.user.id ? token : undefined;
  }

  private listTokens(p: Principal, params: Params, url: URL): Reply {
    let list = this.tokens.filter((t) => p.admin || t.user_id === p.user.id);
    const userId = params['user_id'];
    if (userId !== undefined && userId !== '') {
      list = list.filter((t) => String(t.user_id) === String(userId));
    }
    const search = params['search'];
    if (typeof search === 'string' && search !== '') {
      const needle = search.toLowerCase();
      list = list.filter((t) => t.name.toLowerCase().includes(needle));
    }
    const state = params['state'];
    if (state === 'active') list = list.filter((t) => t.active);
    else if (state === 'inactive') list = list.filter((t) => !t.active);
    const revoked = params['revoked'];
    if (revoked === 'true' || revoked === true) list = list.filter((t) => t.revoked);
    else if (revoked === 'false' || revoked === false) list = list.filter((t) => !t.revoked);

    const perPage = Math.min(
      MAX_PER_PAGE,
      Math.max(
        1,
        Number.parseInt(String(params['per_page'] ?? DEFAULT_PER_PAGE), 10) || DEFAULT_PER_PAGE,
      ),
    );
    const page = Math.max(1, Number.parseInt(String(params['page'] ?? 1), 10) || 1);
    const total = list.length;
    const totalPages = Math.max(1, Math.ceil(total / perPage));
    const slice = list.slice((page - 1) * perPage, page * perPage);
    const pageUrl = (n: number): string => {
      const u = new URL(`${this.baseUrl}${url.pathname}${url.search}`);
      u.searchParams.set('page', String(n));
      u.searchParams.set('per_page', String(perPage));
      return u.toString();
    };
    const links = [`<${pageUrl(1)}>; rel="first"`, `<${pageUrl(totalPages)}>; rel="last"`];
    if (page < totalPages) links.unshift(`<${pageUrl(page + 1)}>; rel="next"`);
    if (page > 1) links.unshift(`<${pageUrl(page - 1)}>; rel="prev"`);
    return {
      status: 200,
      body: slice.map((t) => this.tokenJson(t, false)),
      headers: {
        'x-page': String(page),
        'x-per-page': String(perPage),
        'x-total': String(total),
        'x-total-pages': String(totalPages),
        'x-next-page': page < totalPages ? String(page + 1) : '',
        'x-prev-page': page > 1 ? String(page - 1) : '',
        link: links.join(', '),
      },
    };
  }

  private getToken(p: Principal, raw: string): Reply {
    const token = this.visibleToken(p, raw);
    return token ? { status: 200, body: this.tokenJson(token, false) } : notFound();
  }

  private revokeToken(p: Principal, raw: string): Reply {
    const token = this.visibleToken(p, raw);
    if (!token || token.revoked) return notFound();
    token.revoked = true;
    token.active = false;
    return { status: 204 };
  }

  /**
   * List, revoke and rotate a group service account's tokens: an Owner of the top-level group
   * (or an administrator); 404 for a token that is not the service account's.
   */
  private groupTokenRoute(
    method: string,
    p: Principal,
    rawGroup: string,
    rawUserId: string,
    rawTokenId: string,
    params: Params,
    url: URL,
  ): Reply {
    const group = this.resolveGroup(rawGroup);
    if (!group) return notFound('Group');
    if (group.parentId !== null || !(p.admin || group.ownerIds.has(p.user.id))) return forbidden();
    const userId = /^\d+$/.test(rawUserId) ? Number(rawUserId) : NaN;
    if (!group.serviceAccountIds.has(userId) || !this.users.has(userId)) return notFound('User');
    // The group's Owner acts on this service account's tokens as an administrator would.
    const owner: Principal = { ...p, admin: true };
    if (method === 'GET') return this.listTokens(owner, { ...params, user_id: userId }, url);
    const token = /^\d+$/.test(rawTokenId)
      ? this.tokens.find((t) => t.id === Number(rawTokenId))
      : undefined;
    if (!token || token.user_id !== userId) return notFound();
    return method === 'DELETE'
      ? this.revokeToken(owner, rawTokenId)
      : this.rotateToken(owner, rawTokenId, params);
  }

  private rotateToken(p: Principal, raw: string, params: Params): Reply {
    const old = this.visibleToken(p, raw);
    if (!old) return notFound();
    if (old.revoked) return message(400, '400 Bad request - Token already revoked');
    const expires = validateExpiresParam(params['expires_at']);
    if (expires === 'invalid') return { status: 400, body: { error: 'expires_at is invalid' } };
    const today = this.today();
    const expiresAt = expires ?? addDays(today, ROTATE_DEFAULT_DAYS);
    const invalid = validateModel(null, expiresAt, today);
    if (invalid) return message(400, invalid);
    old.revoked = true;
    old.active = false;
    return this.storeToken(
      old.user_id,
      { name: old.name, scopes: old.scopes, description: old.description, expiresAt },
      200,
    );
  }
}
