// An in-process fake of the GitHub REST API's Actions secrets endpoints (repository and
// environment secrets), for the `store-in: github-secret:...` targets. Node built-ins and
// libsodium-wrappers only. Shapes follow docs.github.com/rest/actions/secrets:
//   GET  /repos/{owner}/{repo}/actions/secrets/public-key                      "Get a repository public key"
//   GET  /repos/{owner}/{repo}/actions/secrets                                 "List repository secrets"
//   GET  /repos/{owner}/{repo}/actions/secrets/{secret_name}                   "Get a repository secret"
//   PUT  /repos/{owner}/{repo}/actions/secrets/{secret_name}                   "Create or update a repository secret"
//   GET  /repos/{owner}/{repo}/environments/{environment_name}/secrets/public-key "Get an environment public key"
//   GET  /repos/{owner}/{repo}/environments/{environment_name}/secrets            "List environment secrets"
//   GET  /repos/{owner}/{repo}/environments/{environment_name}/secrets/{secret_name} "Get an environment secret"
//   PUT  /repos/{owner}/{repo}/environments/{environment_name}/secrets/{secret_name} "Create or update an environment secret"
// Where GitHub's exact wording is not documented the simulator chooses GitHub-like bodies
// (marked "chosen" below).
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { URL } from 'node:url';
import sodium from 'libsodium-wrappers';
import { closeServer } from './close-server.js';

/** Secrets write (and read) on every repository of the simulator. */
export const GITHUB_WRITE_TOKEN = 'ghp_FAKEwritesecrets000000000000000000';
/** Reads public keys and secret metadata; a PUT gets 403. */
export const GITHUB_READ_TOKEN = 'ghp_FAKEreadsecrets0000000000000000000';
/** A valid token without access to any repository: 404 everywhere. */
export const GITHUB_NO_ACCESS_TOKEN = 'ghp_FAKEnoaccess000000000000000000000';

/** The repository seedDefaults() adds, with its environment. */
export const GITHUB_SEED_REPOSITORY = 'acme/app';
export const GITHUB_SEED_ENVIRONMENT = 'production';

const DOCS = 'https://docs.github.com/rest';
const SECRETS_DOCS = 'https://docs.github.com/rest/actions/secrets';

/** docs.github.com "Limits for secrets": secrets are limited to 48 KB. */
export const MAX_SECRET_BYTES = 48 * 1024;

export type GitHubAccess = 'read' | 'write';

export interface GitHubRecordedRequest {
  method: string;
  /** The full path as received (the prefix included), without the query. */
  path: string;
  headers: Record<string, string | undefined>;
  /** Parsed JSON, or the raw text when it is not JSON, or undefined when empty. */
  body: unknown;
  rawBody: string;
}

export interface GitHubSimulatorOptions {
  /** A path prefix every route lives under: '/api/v3' as GitHub Enterprise Server. */
  prefix?: string;
  latencyMs?: number;
  /**
   * GitHub Enterprise Server's version ('3.8'); absent: github.com. The REST descriptions
   * (github/rest-api-description, descriptions/ghes-3.x) have the environment secret routes
   * under `/repositories/{repository_id}/environments/{environment_name}/secrets` from 3.2, and
   * under `/repos/{owner}/{repo}/environments/{environment_name}/secrets` only from 3.9; before
   * 3.2 there are none.
   */
  ghesVersion?: string;
}

/** Whether GHES `version` ('3.8') is at least `since` ('3.9'); github.com (undefined) always is. */
function ghesAtLeast(version: string | undefined, since: string): boolean {
  if (version === undefined) return true;
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const [sinceMajor = 0, sinceMinor = 0] = since.split('.').map(Number);
  return major !== sinceMajor ? major > sinceMajor : minor >= sinceMinor;
}

interface KeyPair {
  keyId: string;
  publicKey: Uint8Array;
  privateKey: Uint8Array;
}

interface StoredSecret {
  /** Upper case: secret names are not case-sensitive. */
  name: string;
  created_at: string;
  updated_at: string;
  /** The sealed box as sent (base64) and the key pair that opens it. */
  encryptedValue: string;
  key: KeyPair;
}

interface Repository {
  /** "Get a repository" `id`: what /repositories/{repository_id} routes name it by */
  id: number;
  fullName: string;
  /** environment name (lower case) -> its display name */
  environments: Map<string, string>;
  /** '' for the repository, else the environment name in lower case. */
  keys: Map<string, KeyPair>;
  secrets: Map<string, Map<string, StoredSecret>>;
}

interface TokenGrant {
  /** Access to every repository, unless `repos` says otherwise. */
  all: GitHubAccess | null;
  /** repository full name (lower case) -> access ('none' removes it). */
  repos: Map<string, GitHubAccess | 'none'>;
  /**
   * The "Environments" permission, where it differs from the "Secrets" one (`all`/`repos`):
   * environment secrets need both (fine-grained-pat-permissions.json in github/docs lists the
   * environment secret and public-key endpoints under "Environments" and "Secrets").
   */
  environments?: GitHubAccess | null;
}

interface FailRule {
  method: string;
  pathPattern: RegExp;
  status: number;
  body: unknown;
  remaining: number;
}

/** A request that is handled as usual, and whose reply is then lost. */
interface LostReplyRule {
  method: string;
  pathPattern: RegExp;
  /** 'reset': the connection is reset; a status: a gateway's error answers instead */
  how: 'reset' | number;
  remaining: number;
}

interface Reply {
  status: number;
  body?: unknown;
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** A rate limit that refuses the next matching requests (see GitHubSimulator.rateLimit). */
interface RateLimitRule {
  kind: 'primary' | 'secondary';
  method?: string;
  pathPattern?: RegExp;
  status: 403 | 429;
  resetInSeconds: number;
  retryAfterSeconds?: number;
  remaining: number;
}

const RATE_LIMIT_DOCS =
  'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api';

function errorBody(status: number, message: string, documentationUrl = DOCS): Reply {
  return {
    status,
    body: { message, documentation_url: documentationUrl, status: String(status) },
  };
}

/** docs.github.com/rest/overview/troubleshooting "Bad credentials". */
const badCredentials = (): Reply => errorBody(401, 'Bad credentials');
/** docs.github.com/rest/overview/troubleshooting: an endpoint that needs authentication. */
const requiresAuthentication = (): Reply => errorBody(401, 'Requires authentication');
/** GitHub answers 404 for a repository that does not exist or the token cannot see. */
const notFound = (doc = DOCS): Reply => errorBody(404, 'Not Found', doc);

/**
 * docs.github.com/rest/using-the-rest-api/getting-started-with-the-rest-api#user-agent:
 * "Requests with no User-Agent header will be rejected" (403, plain text).
 */
const NO_USER_AGENT =
  'Request forbidden by administrative rules. Please make sure your request has a User-Agent header ' +
  '(https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). ' +
  'Check https://developer.github.com for other possible causes.\n';

/**
 * docs.github.com/actions/security-guides/using-secrets-in-github-actions#naming-your-secrets:
 * letters, digits, underscores; not starting with a digit; not starting with GITHUB_.
 */
export function validSecretName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !/^GITHUB_/i.test(name);
}

/** docs.github.com/rest/actions/secrets: the `encrypted_value` pattern (standard base64). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})?$/;

let nextKeyId = 3380204578043523366n;

function newKeyPair(): KeyPair {
  const pair = sodium.crypto_box_keypair();
  // GitHub's key_id is a decimal string (docs example "012345678912345678")
  return {
    keyId: String(nextKeyId++),
    publicKey: pair.publicKey,
    privateKey: pair.privateKey,
  };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export class GitHubSimulator {
  readonly requests: GitHubRecordedRequest[] = [];
  /** Delay before answering each request. */
  latencyMs: number;
  /** Called once a reply has been written in full, with the request and the status sent. */
  onRequestHandled?: (request: GitHubRecordedRequest, status: number) => void;

  private readonly prefix: string;
  private readonly ghesVersion: string | undefined;
  private nextRepositoryId = 1_296_269;
  private readonly repositories = new Map<string, Repository>();
  private readonly tokens = new Map<string, TokenGrant>();
  private readonly rules: FailRule[] = [];
  private readonly lostReplies: LostReplyRule[] = [];
  private readonly rateLimits: RateLimitRule[] = [];
  private readonly sockets = new Set<Socket>();
  private server: http.Server | null = null;
  private baseUrl = '';
  private initial: {
    repositories: Map<string, Repository>;
    tokens: Map<string, TokenGrant>;
    latencyMs: number;
  } | null = null;

  constructor(options: GitHubSimulatorOptions = {}) {
    this.prefix = (options.prefix ?? '').replace(/\/+$/, '');
    this.ghesVersion = options.ghesVersion;
    this.latencyMs = options.latencyMs ?? 0;
  }

  /** The API base URL (with the prefix), e.g. http://127.0.0.1:1234/api/v3. */
  get url(): string {
    return this.baseUrl;
  }

  async start(host = '127.0.0.1'): Promise<string> {
    if (this.server) throw new Error('GitHubSimulator already started');
    await sodium.ready;
    for (const repo of this.repositories.values()) this.ensureKeys(repo);
    const server = http.createServer((req, res) => void this.handle(req, res));
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    this.baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}${this.prefix}`;
    this.initial = {
      repositories: new Map(
        [...this.repositories].map(([k, r]) => [
          k,
          {
            ...r,
            environments: new Map(r.environments),
            keys: new Map(r.keys),
            secrets: new Map(),
          },
        ]),
      ),
      tokens: new Map([...this.tokens].map(([k, g]) => [k, { ...g, repos: new Map(g.repos) }])),
      latencyMs: this.latencyMs,
    };
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await closeServer(server, this.sockets);
  }

  /** The seeded state: acme/app with the environment production, and the three tokens. */
  seedDefaults(): void {
    this.addRepository(GITHUB_SEED_REPOSITORY, { environments: [GITHUB_SEED_ENVIRONMENT] });
    this.addToken(GITHUB_WRITE_TOKEN, 'write');
    this.addToken(GITHUB_READ_TOKEN, 'read');
    this.addToken(GITHUB_NO_ACCESS_TOKEN, null);
  }

  /** A repository ('owner/name') with its own key pair and one per environment. */
  addRepository(fullName: string, options: { environments?: string[] } = {}): void {
    const repo: Repository = {
      id: this.nextRepositoryId++,
      fullName,
      environments: new Map((options.environments ?? []).map((e) => [e.toLowerCase(), e])),
      keys: new Map(),
      secrets: new Map(),
    };
    this.repositories.set(fullName.toLowerCase(), repo);
    if (this.server) this.ensureKeys(repo);
  }

  /** Adds an environment to a repository. */
  addEnvironment(fullName: string, environment: string): void {
    const repo = this.repo(fullName);
    repo.environments.set(environment.toLowerCase(), environment);
    if (this.server) this.ensureKeys(repo);
  }

  /**
   * A token: `all` is its access to every repository (null: none); `repos` overrides it per
   * repository ('none' takes it away).
   */
  addToken(
    token: string,
    all: GitHubAccess | null,
    repos: Record<string, GitHubAccess | 'none'> = {},
    options: { environments?: GitHubAccess | null } = {},
  ): void {
    this.tokens.set(token, {
      all,
      repos: new Map(Object.entries(repos).map(([k, v]) => [k.toLowerCase(), v])),
      ...('environments' in options ? { environments: options.environments } : {}),
    });
  }

  /** Replaces the key pair of a repository (or environment): older key_ids stop working. */
  rotateKey(fullName: string, environment?: string): string {
    const repo = this.repo(fullName);
    const pair = newKeyPair();
    repo.keys.set(environment?.toLowerCase() ?? '', pair);
    return pair.keyId;
  }

  /** The current public key of a repository or environment: { key_id, key (base64) }. */
  publicKey(fullName: string, environment?: string): { key_id: string; key: string } {
    const pair = this.keyOf(this.repo(fullName), environment?.toLowerCase() ?? '');
    return {
      key_id: pair.keyId,
      key: sodium.to_base64(pair.publicKey, sodium.base64_variants.ORIGINAL),
    };
  }

  /** The plaintext of a stored secret (opened with the simulator's private key), or undefined. */
  secret(fullName: string, name: string, environment?: string): string | undefined {
    const repo = this.repositories.get(fullName.toLowerCase());
    const stored = repo?.secrets.get(environment?.toLowerCase() ?? '')?.get(name.toUpperCase());
    if (!stored) return undefined;
    const box = sodium.from_base64(stored.encryptedValue, sodium.base64_variants.ORIGINAL);
    const plain = sodium.crypto_box_seal_open(box, stored.key.publicKey, stored.key.privateKey);
    return Buffer.from(plain).toString('utf8');
  }

  /** The secrets of a repository (or one of its environments): name -> plaintext. */
  secretsOf(fullName: string, environment?: string): Record<string, string> {
    const repo = this.repositories.get(fullName.toLowerCase());
    const scope = repo?.secrets.get(environment?.toLowerCase() ?? '');
    const out: Record<string, string> = {};
    for (const name of scope?.keys() ?? []) {
      const plain = this.secret(fullName, name, environment);
      if (plain !== undefined) out[name] = plain;
    }
    return out;
  }

  /** The next `times` requests with this method whose path matches fail with `status`. */
  fail(method: string, pathPattern: RegExp, status: number, body?: unknown, times = 1): void {
    this.rules.push({
      method: method.toUpperCase(),
      pathPattern,
      status,
      body: body ?? { message: http.STATUS_CODES[status] ?? 'Error', documentation_url: DOCS },
      remaining: times,
    });
  }

  /**
   * The next `times` requests with this method whose path matches are handled (a PUT stores the
   * secret), then their reply is lost: the connection is reset, or a gateway answers `how` (502,
   * 504: a proxy in front of GitHub that gave up). Not GitHub behaviour: what the way to it does.
   */
  loseReply(method: string, pathPattern: RegExp, how: 'reset' | number = 'reset', times = 1): void {
    this.lostReplies.push({ method: method.toUpperCase(), pathPattern, how, remaining: times });
  }

  /**
   * The next `times` (default 1) matching requests are refused by a rate limit, as "Rate limits
   * for the REST API" (docs.github.com) describes: 'primary' answers `status` (403, or 429) with
   * `x-ratelimit-remaining: 0` and `x-ratelimit-reset` `resetInSeconds` (default 60) from now;
   * 'secondary' answers with the secondary-limit message, `retry-after` when
   * `retryAfterSeconds` is given, and requests remaining.
   */
  rateLimit(
    kind: 'primary' | 'secondary',
    options: {
      method?: string;
      pathPattern?: RegExp;
      status?: 403 | 429;
      resetInSeconds?: number;
      retryAfterSeconds?: number;
      times?: number;
    } = {},
  ): void {
    this.rateLimits.push({
      kind,
      method: options.method?.toUpperCase(),
      pathPattern: options.pathPattern,
      status: options.status ?? 403,
      resetInSeconds: options.resetInSeconds ?? 60,
      retryAfterSeconds: options.retryAfterSeconds,
      remaining: options.times ?? 1,
    });
  }

  clearFaults(): void {
    this.rules.length = 0;
    this.lostReplies.length = 0;
    this.rateLimits.length = 0;
  }

  /**
   * Back to the state start() saw: no secrets, the repositories, keys and tokens of then, no
   * recorded requests, no faults, no hook, the latency of then.
   */
  reset(): void {
    this.requests.length = 0;
    this.clearFaults();
    this.onRequestHandled = undefined;
    if (!this.initial) return;
    this.repositories.clear();
    for (const [k, r] of this.initial.repositories) {
      this.repositories.set(k, {
        ...r,
        environments: new Map(r.environments),
        keys: new Map(r.keys),
        secrets: new Map(),
      });
    }
    this.tokens.clear();
    for (const [k, g] of this.initial.tokens) {
      this.tokens.set(k, { ...g, repos: new Map(g.repos) });
    }
    this.latencyMs = this.initial.latencyMs;
  }

  // ---- internals ----------------------------------------------------------------------------

  private repo(fullName: string): Repository {
    const repo = this.repositories.get(fullName.toLowerCase());
    if (!repo) throw new Error(`no repository ${fullName}`);
    return repo;
  }

  private ensureKeys(repo: Repository): void {
    for (const scope of ['', ...repo.environments.keys()]) this.keyOf(repo, scope);
  }

  private keyOf(repo: Repository, scope: string): KeyPair {
    let pair = repo.keys.get(scope);
    if (!pair) {
      pair = newKeyPair();
      repo.keys.set(scope, pair);
    }
    return pair;
  }

  private access(token: string, fullName: string): GitHubAccess | null {
    const grant = this.tokens.get(token);
    if (!grant) return null;
    const specific = grant.repos.get(fullName.toLowerCase());
    if (specific === 'none') return null;
    return specific ?? grant.all;
  }

  /** A token's "Environments" permission on a repository it can see (default: as Secrets). */
  private environmentAccess(token: string, fullName: string): GitHubAccess | null {
    const grant = this.tokens.get(token);
    return grant && 'environments' in grant
      ? (grant.environments ?? null)
      : this.access(token, fullName);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
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
    let body: unknown = undefined;
    let invalidJson = false;
    if (rawBody !== '') {
      try {
        body = JSON.parse(rawBody) as unknown;
      } catch {
        body = rawBody;
        invalidJson = true;
      }
    }
    const recorded: GitHubRecordedRequest = {
      method,
      path: url.pathname,
      headers,
      body,
      rawBody,
    };
    this.requests.push(recorded);
    res.once('finish', () => this.onRequestHandled?.(recorded, res.statusCode));
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    if (res.destroyed) return;

    let reply: Reply;
    const limit = this.rateLimits.find((r) => {
      if (r.remaining <= 0 || (r.method !== undefined && r.method !== method)) return false;
      if (r.pathPattern === undefined) return true;
      r.pathPattern.lastIndex = 0;
      return r.pathPattern.test(url.pathname);
    });
    if (limit) {
      limit.remaining--;
      this.send(res, rateLimited(limit), headers);
      return;
    }
    const rule = this.rules.find((r) => {
      if (r.remaining <= 0 || r.method !== method) return false;
      r.pathPattern.lastIndex = 0;
      return r.pathPattern.test(url.pathname);
    });
    if (rule) {
      rule.remaining--;
      reply = { status: rule.status, body: rule.body };
    } else {
      try {
        reply = this.route(method, url.pathname, headers, body, invalidJson, url.searchParams);
      } catch (err) {
        process.emitWarning(`GitHubSimulator: ${String(err)}`);
        reply = errorBody(500, 'Server Error');
      }
    }
    const lost = this.lostReplies.find((r) => {
      if (r.remaining <= 0 || r.method !== method) return false;
      r.pathPattern.lastIndex = 0;
      return r.pathPattern.test(url.pathname);
    });
    if (lost) {
      lost.remaining--;
      if (lost.how === 'reset') {
        req.socket.resetAndDestroy();
        return;
      }
      reply = { status: lost.how, text: `${http.STATUS_CODES[lost.how] ?? 'Error'}\n` };
      reply.contentType = 'text/html';
    }
    this.send(res, reply, headers);
  }

  private route(
    method: string,
    fullPath: string,
    headers: Record<string, string | undefined>,
    body: unknown,
    invalidJson: boolean,
    query: URLSearchParams = new URLSearchParams(),
  ): Reply {
    // docs.github.com/rest/using-the-rest-api/getting-started-with-the-rest-api#user-agent
    if (!headers['user-agent']) {
      return { status: 403, text: NO_USER_AGENT, contentType: 'text/plain; charset=utf-8' };
    }
    if (this.prefix && !fullPath.startsWith(`${this.prefix}/`)) return notFound();
    const path = fullPath.slice(this.prefix.length);
    let segs: string[];
    try {
      segs = path.split('/').slice(1).map(decodeURIComponent);
    } catch {
      return notFound();
    }
    // docs.github.com/rest/authentication: `Authorization: Bearer <token>` or `token <token>`
    const auth = /^(?:bearer|token)\s+(\S+)\s*$/i.exec(headers['authorization'] ?? '')?.[1];
    if (!auth) return headers['authorization'] ? badCredentials() : requiresAuthentication();
    if (!this.tokens.has(auth)) return badCredentials();

    // `/repos/{owner}/{repo}/...`, or `/repositories/{repository_id}/...` (environments only)
    let fullName: string;
    let tail: string[];
    const byId = segs[0] === 'repositories';
    if (byId && segs.length >= 2) {
      const found = [...this.repositories.values()].find((r) => String(r.id) === segs[1]);
      if (!found) return notFound();
      fullName = found.fullName;
      tail = segs.slice(2);
    } else if (segs[0] === 'repos' && segs.length >= 3) {
      fullName = `${segs[1]}/${segs[2]}`;
      tail = segs.slice(3);
    } else {
      return notFound();
    }
    const repo = this.repositories.get(fullName.toLowerCase());
    const access = this.access(auth, fullName);
    // An unknown repository and one the token cannot see look the same: 404
    if (!repo || access === null) return notFound();
    if (tail.length === 0 && method === 'GET' && !byId) {
      // docs.github.com/rest/repos/repos "Get a repository" (a few of its fields)
      const [login] = repo.fullName.split('/');
      return {
        status: 200,
        body: {
          id: repo.id,
          name: repo.fullName.split('/')[1],
          full_name: repo.fullName,
          owner: { login },
          private: true,
        },
      };
    }

    let scope = '';
    let rest: string[];
    let doc: string;
    if (tail[0] === 'actions' && tail[1] === 'secrets' && !byId) {
      rest = tail.slice(2);
      doc = SECRETS_DOCS;
    } else if (tail[0] === 'environments' && tail[2] === 'secrets' && tail[1] !== undefined) {
      // The route exists from GHES 3.9 (by owner/repo) or 3.2 (by repository ID): else 404
      if (!ghesAtLeast(this.ghesVersion, byId ? '3.2' : '3.9')) return notFound();
      scope = tail[1].toLowerCase();
      rest = tail.slice(3);
      doc = SECRETS_DOCS;
      // docs.github.com/rest/actions/secrets "Get an environment public key": 404 for an
      // environment the repository does not have
      if (!repo.environments.has(scope)) return notFound(doc);
      // fine-grained-pat-permissions.json (github/docs): environment secrets need the
      // "Environments" permission too (read for GET, write for PUT), else 403
      const environments = this.environmentAccess(auth, fullName);
      if (environments === null || (method !== 'GET' && environments !== 'write')) {
        return errorBody(403, 'Resource not accessible by personal access token', doc);
      }
    } else {
      return notFound();
    }

    if (rest.length === 0 && method === 'GET') {
      // "List repository secrets" / "List environment secrets": { total_count, secrets: [{ name,
      // created_at, updated_at }] }, paginated (per_page at most 100, default 30; Link rel="next":
      // docs.github.com/rest/using-the-rest-api/using-pagination-in-the-rest-api)
      const secrets = [...(repo.secrets.get(scope)?.values() ?? [])].map(metadata);
      const perPage = Math.min(100, Math.max(1, Number(query.get('per_page')) || 30));
      const page = Math.max(1, Number(query.get('page')) || 1);
      const slice = secrets.slice((page - 1) * perPage, page * perPage);
      const more = page * perPage < secrets.length;
      const next = `<${this.baseUrl}${fullPath}?per_page=${perPage}&page=${page + 1}>; rel="next"`;
      return {
        status: 200,
        body: { total_count: secrets.length, secrets: slice },
        ...(more ? { headers: { link: next } } : {}),
      };
    }
    if (rest.length !== 1 || rest[0] === undefined) return notFound();
    const name = rest[0];
    if (name === 'public-key' && method === 'GET') {
      // "Get a repository public key" / "Get an environment public key": { key_id, key }
      const pair = this.keyOf(repo, scope);
      return {
        status: 200,
        body: {
          key_id: pair.keyId,
          key: sodium.to_base64(pair.publicKey, sodium.base64_variants.ORIGINAL),
        },
      };
    }
    if (method === 'GET') {
      // "Get a repository secret": { name, created_at, updated_at }; 404 when absent
      const stored = repo.secrets.get(scope)?.get(name.toUpperCase());
      return stored ? { status: 200, body: metadata(stored) } : notFound(doc);
    }
    if (method === 'PUT') {
      if (access !== 'write') {
        // docs.github.com/rest/overview/troubleshooting: a token without the permission
        return errorBody(403, 'Resource not accessible by personal access token', doc);
      }
      return this.putSecret(repo, scope, name, body, invalidJson, doc);
    }
    return notFound();
  }

  /**
   * "Create or update a repository secret": 201 when created, 204 when updated, both empty.
   * Checks (GitHub-like, chosen order): JSON, the body schema (`encrypted_value` and `key_id`
   * strings, base64), the name, the key_id against the current key, the sealed box, the size.
   */
  private putSecret(
    repo: Repository,
    scope: string,
    name: string,
    body: unknown,
    invalidJson: boolean,
    doc: string,
  ): Reply {
    // docs.github.com/rest/overview/troubleshooting "Problems parsing JSON"
    if (invalidJson) return errorBody(400, 'Problems parsing JSON', doc);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return errorBody(422, 'Invalid request.\n\n"key_id" wasn\'t supplied.', doc);
    }
    const b = body as Record<string, unknown>;
    // GitHub's JSON-schema check (wording seen in octokit/request.js issue 403)
    for (const field of ['encrypted_value', 'key_id']) {
      if (b[field] === undefined) {
        return errorBody(422, `Invalid request.\n\n"${field}" wasn't supplied.`, doc);
      }
      if (typeof b[field] !== 'string') {
        return errorBody(
          422,
          `Invalid request.\n\nFor 'properties/${field}', it is not a string.`,
          doc,
        );
      }
    }
    const encrypted = b['encrypted_value'] as string;
    const keyId = b['key_id'] as string;
    if (!BASE64.test(encrypted)) {
      // chosen: the schema's `pattern` for encrypted_value, without echoing the value
      return errorBody(
        422,
        "Invalid request.\n\nFor 'properties/encrypted_value', the value is not base64.",
        doc,
      );
    }
    if (!validSecretName(name)) {
      // chosen: the rule as GitHub's settings page states it
      return errorBody(
        422,
        'Invalid request.\n\nSecret names can only contain alphanumeric characters ([a-z], [A-Z], [0-9]) ' +
          'or underscores (_). Spaces are not allowed. Must start with a letter ([a-z], [A-Z]) or ' +
          'underscores (_). Must not start with the GITHUB_ prefix.',
        doc,
      );
    }
    const pair = this.keyOf(repo, scope);
    if (keyId !== pair.keyId) {
      // chosen: GitHub does not document the wording for a stale or wrong key_id
      return errorBody(422, 'Bad request - key_id does not match the current public key.', doc);
    }
    let plain: Uint8Array;
    try {
      const box = sodium.from_base64(encrypted, sodium.base64_variants.ORIGINAL);
      plain = sodium.crypto_box_seal_open(box, pair.publicKey, pair.privateKey);
    } catch {
      // chosen: a value that the repository's key does not open
      return errorBody(
        422,
        'Bad request - encrypted_value could not be decrypted with the public key.',
        doc,
      );
    }
    if (plain.length > MAX_SECRET_BYTES) {
      // docs.github.com "Limits for secrets": 48 KB (wording chosen)
      return errorBody(422, 'Invalid request.\n\nSecret value exceeds the 48 KB limit.', doc);
    }
    let scoped = repo.secrets.get(scope);
    if (!scoped) {
      scoped = new Map();
      repo.secrets.set(scope, scoped);
    }
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const upper = name.toUpperCase();
    const existing = scoped.get(upper);
    if (existing) {
      existing.encryptedValue = encrypted;
      existing.key = pair;
      existing.updated_at = now;
      return { status: 204 };
    }
    scoped.set(upper, {
      name: upper,
      created_at: now,
      updated_at: now,
      encryptedValue: encrypted,
      key: pair,
    });
    return { status: 201 };
  }

  private send(
    res: http.ServerResponse,
    reply: Reply,
    requestHeaders: Record<string, string | undefined>,
  ): void {
    if (res.destroyed || res.headersSent) return;
    const headers: Record<string, string | number> = {
      'x-github-media-type': 'github.v3; format=json',
      'x-github-request-id': `SIM:${this.requests.length}`,
    };
    // docs.github.com/rest/about-the-rest-api/api-versions: the version the request selected
    const version = requestHeaders['x-github-api-version'];
    if (version) headers['x-github-api-version-selected'] = version;
    Object.assign(headers, reply.headers);
    if (reply.status === 204 || (reply.status === 201 && reply.body === undefined)) {
      res.writeHead(reply.status, { ...headers, 'content-length': 0 });
      res.end();
      return;
    }
    const data = reply.text ?? JSON.stringify(reply.body ?? {});
    res.writeHead(reply.status, {
      ...headers,
      ...reply.headers,
      'content-type': reply.contentType ?? 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(data),
    });
    res.end(data);
  }
}

/**
 * "Rate limits for the REST API": a primary limit answers 403 or 429 with
 * `x-ratelimit-remaining: 0` and the reset time (UTC epoch seconds); a secondary limit answers
 * 403 or 429 with a message saying so, and `retry-after` when GitHub names the wait. The
 * wording is chosen after GitHub's ("API rate limit exceeded for …", "You have exceeded a
 * secondary rate limit").
 */
function rateLimited(rule: RateLimitRule): Reply {
  const reset = Math.ceil(Date.now() / 1000) + rule.resetInSeconds;
  const primary = rule.kind === 'primary';
  const headers: Record<string, string> = {
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': primary ? '0' : '4990',
    'x-ratelimit-used': primary ? '5000' : '10',
    'x-ratelimit-reset': String(reset),
    'x-ratelimit-resource': 'core',
  };
  if (rule.retryAfterSeconds !== undefined) headers['retry-after'] = String(rule.retryAfterSeconds);
  const message = primary
    ? 'API rate limit exceeded for user ID 1.'
    : 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';
  return { ...errorBody(rule.status, message, RATE_LIMIT_DOCS), headers };
}

function metadata(s: StoredSecret): { name: string; created_at: string; updated_at: string } {
  return { name: s.name, created_at: s.created_at, updated_at: s.updated_at };
}
