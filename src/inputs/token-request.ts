/**
 * Reads and validates every input before any request is made. All problems are collected and
 * reported together, each naming the input and what it expects.
 */
import { randomBytes } from 'node:crypto';
import { parseBaseUrl } from './base-url.js';
import { InputError } from '../gitlab/errors.js';
import { parseExpiresAt } from './expiry.js';
import { MARKER_LENGTH } from '../tokens/identity.js';
import type { StoreTarget } from '../stores/targets.js';
import { quote } from '../util/text.js';
import { ACTION_WORDS, type Words } from './words.js';

/** Returns an input's raw value ('' when unset), like `core.getInput` without trimming. */
export type InputReader = (name: string) => string;
export type Env = Record<string, string | undefined>;

export type UserRef = { id: number } | { username: string };

/**
 * What a token is asked for, as the inputs name it (before any look-up): the kind follows from
 * which inputs are set (README "Which token should I use?").
 */
export type TargetRef =
  | { kind: 'personal' | 'impersonation'; user: UserRef }
  | { kind: 'service-account'; user: UserRef; groupId: string }
  | { kind: 'project'; projectId: string }
  | { kind: 'group'; groupId: string }
  | { kind: 'self' };

/** GitLab's access levels (doc/api/access_requests.md#valid-access-levels), by name. */
export const ACCESS_LEVELS: Readonly<Record<string, number>> = {
  guest: 10,
  planner: 15,
  reporter: 20,
  developer: 30,
  maintainer: 40,
  owner: 50,
};
export type IfExists = 'create' | 'rotate' | 'fail';

/** What is needed to talk to GitLab: shared by the main step, the post step and the CLI. */
export interface ConnectionInputs {
  apiUrl: string;
  instanceUrl: string;
  /** undefined with skip-auth */
  credential: string | undefined;
  timeoutMs: number;
  insecureHttp: boolean;
  /** the most time all requests may spend waiting out GitLab's rate limits */
  maxWaitMs: number;
}

export interface TokenRequestInputs extends ConnectionInputs {
  /** one token each, in the order given */
  targets: TargetRef[];
  /** the input that names the targets, for messages */
  targetInput: 'user-id' | 'project-id' | 'group-id' | 'self-rotate';
  groupId: string | undefined;
  /** project and group access tokens only; undefined = GitLab's default (maintainer) */
  accessLevel: number | undefined;
  scopes: string[];
  name: string;
  /** the name was generated for this step (no `name` input), so no other step uses it */
  uniqueName: boolean;
  expiresAt: string | undefined;
  description: string | undefined;
  revoke: boolean;
  maxConcurrency: number;
  ifExists: IfExists;
  /** rotate-before: with if-exists rotate, the last expiry date (UTC) at which to rotate */
  rotateBy: string | undefined;
  /** store-in: where the new token's secret is written */
  stores: StoreTarget[];
  /** github-token and GITHUB_API_URL, when a store-in target is a GitHub secret */
  github: { apiUrl: string; token: string } | undefined;
}

export const DEFAULT_MAX_CONCURRENCY = 8;
export const MAX_CONCURRENCY = 32;
const MAX_USERS = 1000;
const MAX_NAME_LENGTH = 255;
/** GitLab's limit on a token description; the marker takes part of it. */
const MAX_DESCRIPTION_LENGTH = 255 - MARKER_LENGTH;
const USERNAME = /^[A-Za-z0-9_.][A-Za-z0-9_.-]{0,254}$/;
const SCOPE = /^[a-z][a-z0-9_]{0,63}$/;
// Segments of a full path; `.` and `..` are not paths (the value goes into a URL).
export const GROUP_PATH =
  /^(?!\.\.?(\/|$))[A-Za-z0-9_.][A-Za-z0-9_.-]*(\/(?!\.\.?(\/|$))[A-Za-z0-9_.][A-Za-z0-9_.-]*)*$/;
// eslint-disable-next-line no-control-regex
export const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** A credential with spaces or control characters was copied wrongly; never echo it. */
export function checkSecretShape(secret: string, input: string, problems: Problems): void {
  if (/\s/.test(secret) || CONTROL.test(secret)) {
    problems.add(input, 'contains spaces or control characters: copy the token again');
  }
}

/** Collects problems as `input: sentence`, naming inputs in the reader's words. */
export class Problems {
  readonly list: string[] = [];
  constructor(readonly words: Words = ACTION_WORDS) {}
  add(input: string, sentence: string): void {
    this.list.push(`${this.words.input(input)}: ${sentence}`);
  }
  /** another input, named in a sentence */
  ref(input: string): string {
    return this.words.input(input);
  }
  /** another input set to a value, named in a sentence */
  set(input: string, value: string): string {
    return this.words.setting(input, value);
  }
  throwIfAny(): void {
    if (this.list.length > 0) throw new InputError(this.list);
  }
}

export function parseBoolean(read: InputReader, input: string, problems: Problems): boolean {
  const value = read(input).trim();
  if (value === '') return false;
  if (/^true$/i.test(value)) return true;
  if (/^false$/i.test(value)) return false;
  problems.add(input, `expected true or false, got ${quote(value)}`);
  return false;
}

function parseNumber(
  read: InputReader,
  input: string,
  fallback: number,
  min: number,
  max: number,
  integer: boolean,
  problems: Problems,
): number {
  const value = read(input).trim();
  if (value === '') return fallback;
  const pattern = integer ? /^\d+$/ : /^\d+(\.\d+)?$/;
  const number = Number(value);
  if (!pattern.test(value) || number < min || number > max) {
    const kind = integer ? 'a whole number' : 'a number';
    problems.add(input, `expected ${kind} from ${min} to ${max}, got ${quote(value)}`);
    return fallback;
  }
  return number;
}

export function parseConnectionInto(
  read: InputReader,
  env: Env,
  problems: Problems,
): ConnectionInputs {
  const allowInsecure = parseBoolean(read, 'allow-insecure-http', problems);
  const skipAuth = parseBoolean(read, 'skip-auth', problems);
  const base = parseBaseUrl(read('base-url'), allowInsecure, problems.words);
  if (typeof base === 'string') problems.add('base-url', base);

  let credential: string | undefined = read('gitlab-token').trim() || env.GITLAB_TOKEN?.trim();
  if (skipAuth) {
    credential = undefined;
  } else if (!credential) {
    problems.add('gitlab-token', `required: ${problems.words.giveCredential}`);
  } else {
    checkSecretShape(credential, 'gitlab-token', problems);
  }
  const timeoutSeconds = parseNumber(read, 'timeout-seconds', 30, 1, 3600, false, problems);
  const maxWaitSeconds = parseNumber(read, 'max-wait-seconds', 300, 0, 21600, true, problems);
  return {
    apiUrl: typeof base === 'string' ? '' : base.apiUrl,
    instanceUrl: typeof base === 'string' ? '' : base.instanceUrl,
    credential,
    timeoutMs: Math.round(timeoutSeconds * 1000),
    insecureHttp: typeof base === 'string' ? false : base.insecure,
    maxWaitMs: maxWaitSeconds * 1000,
  };
}

/** The connection inputs alone (the post step needs nothing else). */
export function parseConnectionInputs(
  read: InputReader,
  env: Env,
  words: Words = ACTION_WORDS,
): ConnectionInputs {
  const problems = new Problems(words);
  const connection = parseConnectionInto(read, env, problems);
  problems.throwIfAny();
  return connection;
}

export function parseUsers(raw: string, problems: Problems): UserRef[] {
  const items = raw
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) {
    problems.add(
      'user-id',
      `required: a numeric user ID or a username (several: ${problems.words.several})`,
    );
    return [];
  }
  if (items.length > MAX_USERS) {
    problems.add(
      'user-id',
      `at most ${MAX_USERS} users per ${problems.words.run}, got ${items.length}`,
    );
    return [];
  }
  const users: UserRef[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    let user: UserRef | undefined;
    if (/^\d+$/.test(item)) {
      const id = Number(item);
      if (id >= 1 && Number.isSafeInteger(id)) user = { id };
    } else {
      const username = item.replace(/^@/, '');
      if (USERNAME.test(username)) user = { username };
    }
    if (!user) {
      problems.add(
        'user-id',
        `${quote(item)} is neither a numeric user ID nor a username ` +
          `(letters, digits, '_', '-' and '.', optionally prefixed with '@')`,
      );
      continue;
    }
    const key = 'id' in user ? `#${user.id}` : user.username.toLowerCase();
    if (seen.has(key)) {
      problems.add(
        'user-id',
        `${quote(item)} is listed twice: each user gets one token per ${problems.words.run}`,
      );
      continue;
    }
    seen.add(key);
    users.push(user);
  }
  return users;
}

/** Project IDs or full paths, one token each. */
export function parseProjects(raw: string, problems: Problems): string[] {
  const items = raw
    .split(/[\n,]/)
    .map((item) => item.trim().replace(/^\/+|\/+$/g, ''))
    .filter((item) => item !== '');
  if (items.length === 0) {
    problems.add(
      'project-id',
      `required: a numeric project ID or a full path (several: ${problems.words.several})`,
    );
    return [];
  }
  if (items.length > MAX_USERS) {
    problems.add(
      'project-id',
      `at most ${MAX_USERS} projects per ${problems.words.run}, got ${items.length}`,
    );
    return [];
  }
  const projects: string[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    // A project lives in a group or a user's namespace: a full path has at least two segments.
    if (
      !(/^\d+$/.test(item) && Number(item) >= 1) &&
      !(GROUP_PATH.test(item) && item.includes('/'))
    ) {
      problems.add(
        'project-id',
        `${quote(item)} is neither a numeric project ID nor a full path such as my-group/my-project`,
      );
      continue;
    }
    if (seen.has(item.toLowerCase())) {
      problems.add(
        'project-id',
        `${quote(item)} is listed twice: each project gets one token per ${problems.words.run}`,
      );
      continue;
    }
    seen.add(item.toLowerCase());
    projects.push(item);
  }
  return projects;
}

function parseAccessLevel(raw: string, problems: Problems): number | undefined {
  const value = raw.trim().toLowerCase();
  if (value === '') return undefined;
  const level = /^\d+$/.test(value) ? Number(value) : ACCESS_LEVELS[value];
  if (level !== undefined && Object.values(ACCESS_LEVELS).includes(level)) return level;
  problems.add(
    'access-level',
    `expected guest, planner, reporter, developer, maintainer, owner or 10, 15, 20, 30, 40, 50, got ${quote(raw.trim())}`,
  );
  return undefined;
}

/**
 * The targets, and the kind of token, from which inputs are set; every combination that does
 * not name one kind is a problem naming the inputs.
 */
function parseTargets(
  read: InputReader,
  groupId: string | undefined,
  impersonation: boolean,
  accessLevel: number | undefined,
  problems: Problems,
): { targets: TargetRef[]; targetInput: TokenRequestInputs['targetInput'] } {
  const userRaw = read('user-id').trim();
  const projectRaw = read('project-id').trim();
  const groupRaw = read('group-id').trim();
  if (projectRaw) {
    if (userRaw)
      problems.add(
        'project-id',
        `goes without ${problems.ref('user-id')} (a project access token is for the project\u2019s own bot user)`,
      );
    if (groupRaw)
      problems.add('project-id', `goes without ${problems.ref('group-id')}: set one of them`);
    if (impersonation)
      problems.add(
        'impersonation',
        `is for a user\u2019s token (${problems.ref('user-id')}), not a project`,
      );
    const targets = parseProjects(projectRaw, problems).map((projectId): TargetRef => ({
      kind: 'project',
      projectId,
    }));
    return { targets, targetInput: 'project-id' };
  }
  if (groupRaw && !userRaw) {
    if (impersonation)
      problems.add(
        'impersonation',
        `is for a user\u2019s token (${problems.ref('user-id')}), not a group`,
      );
    const targets: TargetRef[] = groupId === undefined ? [] : [{ kind: 'group', groupId }];
    return { targets, targetInput: 'group-id' };
  }
  if (accessLevel !== undefined) {
    problems.add(
      'access-level',
      `is for project and group access tokens (${problems.ref('project-id')}, or ${problems.ref('group-id')} without ${problems.ref('user-id')}), not for a user\u2019s token`,
    );
  }
  if (impersonation && groupRaw) {
    problems.add(
      'impersonation',
      `goes without ${problems.ref('group-id')} (a service account\u2019s tokens are personal access tokens)`,
    );
  }
  if (!userRaw) {
    problems.add(
      'user-id',
      `required: a numeric user ID or a username (several: ${problems.words.several}); or set ${problems.ref('project-id')}, or ${problems.ref('group-id')} alone for a group access token`,
    );
    return { targets: [], targetInput: 'user-id' };
  }
  const users = parseUsers(userRaw, problems);
  const targets = users.map((user): TargetRef => {
    if (groupId !== undefined) return { kind: 'service-account', user, groupId };
    return { kind: impersonation ? 'impersonation' : 'personal', user };
  });
  return { targets, targetInput: 'user-id' };
}

function parseScopes(raw: string, problems: Problems): string[] {
  const items = raw.split(/[\s,]+/).filter((item) => item !== '');
  if (items.length === 0) {
    problems.add('scopes', 'required: one or more scope names such as api, read_repository');
    return [];
  }
  const bad = items.filter((item) => !SCOPE.test(item));
  if (bad.length > 0) {
    // A few examples are enough; a huge value must not make a huge message.
    const shown = bad.slice(0, 5).map((item) => quote(item));
    if (bad.length > shown.length) shown.push(`and ${bad.length - shown.length} more`);
    problems.add(
      'scopes',
      `${shown.join(', ')} is not a scope name ` +
        '(lower-case words such as api, read_api, read_repository), separated by commas or spaces',
    );
  }
  return [...new Set(items)];
}

/**
 * The default name, unique to this step: the run, its attempt, the job and a random suffix
 * (matrix jobs share the job name). A lost reply's token is then provably this step's by its
 * name alone, even where GitLab keeps no description (before 17.7).
 */
export function defaultName(env: Env): string {
  // The suffix comes last and is never cut: a long repository or job name is shortened instead.
  const suffix = ` ${randomBytes(3).toString('hex')}`;
  const fit = (base: string): string =>
    `${base.slice(0, MAX_NAME_LENGTH - suffix.length)}${suffix}`;
  if (!env.GITHUB_REPOSITORY && env.CI_PROJECT_PATH) {
    // The CLI in a GitLab CI job: the same parts in GitLab's words.
    const pipeline = env.CI_PIPELINE_ID || 'local';
    const job = env.CI_JOB_ID ? ` job ${env.CI_JOB_ID}` : '';
    return fit(`GitLab CI ${env.CI_PROJECT_PATH} pipeline ${pipeline}${job}`);
  }
  const repository = env.GITHUB_REPOSITORY || 'local';
  const runId = env.GITHUB_RUN_ID || String(Date.now());
  const attempt = env.GITHUB_RUN_ATTEMPT || '1';
  const job = env.GITHUB_JOB ? ` ${env.GITHUB_JOB}` : '';
  return fit(`GitHub Actions ${repository} run ${runId}.${attempt}${job}`);
}

function parseName(raw: string, env: Env, problems: Problems): string {
  const name = raw.trim() || defaultName(env);
  const length = [...name].length;
  if (length > MAX_NAME_LENGTH) {
    problems.add('name', `at most ${MAX_NAME_LENGTH} characters, got ${length}`);
  } else if (CONTROL.test(name)) {
    problems.add('name', `must be one line without control characters, got ${quote(name)}`);
  }
  return name;
}

export function parseGroupId(raw: string, problems: Problems): string | undefined {
  const value = raw.trim().replace(/^\/+|\/+$/g, '');
  if (value === '') return undefined;
  if (/^\d+$/.test(value) || GROUP_PATH.test(value)) return value;
  problems.add(
    'group-id',
    `expected a numeric group ID or a full path such as my-group, got ${quote(value)}`,
  );
  return undefined;
}

/** `Nd`: rotate a token that expires within N days (with if-exists: rotate). */
function parseRotateBefore(
  raw: string,
  ifExists: IfExists,
  now: Date,
  problems: Problems,
): string | undefined {
  const value = raw.trim();
  if (value === '') return undefined;
  const days = /^(\d{1,4})d$/i.exec(value);
  if (!days || Number(days[1]) < 1 || Number(days[1]) > 3650) {
    problems.add(
      'rotate-before',
      `expected a number of days from 1 to 3650 such as 30d, got ${quote(value)}`,
    );
    return undefined;
  }
  if (ifExists !== 'rotate') {
    problems.add(
      'rotate-before',
      `goes with ${problems.set('if-exists', 'rotate')} (it says when an existing token is due)`,
    );
  }
  const by = new Date(`${now.toISOString().slice(0, 10)}T00:00:00Z`);
  by.setUTCDate(by.getUTCDate() + Number(days[1]));
  return by.toISOString().slice(0, 10);
}

function parseIfExists(raw: string, problems: Problems): IfExists {
  const value = raw.trim().toLowerCase() || 'create';
  if (value === 'create' || value === 'rotate' || value === 'fail') return value;
  problems.add('if-exists', `expected create, rotate or fail, got ${quote(raw.trim())}`);
  return 'create';
}

/**
 * store-in's parser (store/targets.ts). The action loads it only when store-in is set, so that
 * other steps never read it; parseInputs needs it then.
 */
export type StoreInParser = Pick<typeof import('../stores/targets.js'), 'parseStoreInputs'>;

/** store-in and github-token, read only when store-in is set (with its parser, then). */
function parseStores(
  read: InputReader,
  env: Env,
  problems: Problems,
  parser: StoreInParser | undefined,
  made: { targets: number; revoke: boolean },
): Pick<TokenRequestInputs, 'stores' | 'github'> {
  if (read('store-in').trim() === '') return { stores: [], github: undefined };
  if (parser === undefined) {
    throw new Error('store-in is set, but its parser (store/targets.ts) was not loaded');
  }
  return parser.parseStoreInputs(read, env, problems, made);
}

/**
 * `self-rotate: true`: the credential rotates itself (POST /personal_access_tokens/self/rotate).
 * No target inputs, and nothing a rotation cannot change (it keeps name, scopes, description).
 */
function parseSelfRotate(
  read: InputReader,
  env: Env,
  now: Date,
  problems: Problems,
  storeParser: StoreInParser | undefined,
): TokenRequestInputs {
  const connection = parseConnectionInto(read, env, problems);
  for (const input of [
    'user-id',
    'project-id',
    'group-id',
    'access-level',
    'scopes',
    'description',
  ]) {
    if (read(input).trim()) {
      problems.add(
        input,
        `goes without ${problems.ref('self-rotate')} (the credential rotates itself, keeping its own)`,
      );
    }
  }
  if (parseBoolean(read, 'impersonation', problems)) {
    problems.add('impersonation', `goes without ${problems.ref('self-rotate')}`);
  }
  if (parseBoolean(read, 'revoke', problems)) {
    problems.add(
      'revoke',
      `goes without ${problems.ref('self-rotate')} (it would revoke the new credential when the job ends)`,
    );
  }
  // The runner always passes action.yml's default (create): only fail says something else.
  if (read('if-exists').trim().toLowerCase() === 'fail') {
    problems.add(
      'if-exists',
      `fail goes without ${problems.ref('self-rotate')} (the credential always exists)`,
    );
  }
  const expiry = parseExpiresAt(read('expires-at'), now);
  if (typeof expiry === 'string') problems.add('expires-at', expiry);
  const rotateBy = parseRotateBefore(read('rotate-before'), 'rotate', now, problems);
  const stores = parseStores(read, env, problems, storeParser, { targets: 1, revoke: false });
  problems.throwIfAny();
  return {
    ...connection,
    ...stores,
    targets: [{ kind: 'self' }],
    targetInput: 'self-rotate',
    groupId: undefined,
    accessLevel: undefined,
    scopes: [],
    name: '',
    uniqueName: false,
    expiresAt: typeof expiry === 'string' ? undefined : expiry.date,
    description: undefined,
    revoke: false,
    maxConcurrency: 1,
    ifExists: 'rotate',
    rotateBy,
  };
}

/** Parses every input of the main step; throws InputError listing all problems. */
export function parseInputs(
  read: InputReader,
  env: Env,
  now: Date,
  words: Words = ACTION_WORDS,
  storeParser?: StoreInParser,
): TokenRequestInputs {
  const problems = new Problems(words);
  const selfRotate = parseBoolean(read, 'self-rotate', problems);
  if (selfRotate) return parseSelfRotate(read, env, now, problems, storeParser);
  const connection = parseConnectionInto(read, env, problems);
  const scopes = parseScopes(read('scopes'), problems);
  const name = parseName(read('name'), env, problems);
  const expiry = parseExpiresAt(read('expires-at'), now);
  if (typeof expiry === 'string') problems.add('expires-at', expiry);
  const description = read('description').trim() || undefined;
  if (description !== undefined && [...description].length > MAX_DESCRIPTION_LENGTH) {
    problems.add(
      'description',
      `at most ${MAX_DESCRIPTION_LENGTH} characters (GitLab keeps 255, and ${MARKER_LENGTH} go to the marker that proves which request made a token), got ${[...description].length}`,
    );
  }
  const revoke = parseBoolean(read, 'revoke', problems);
  const maxConcurrency = parseNumber(
    read,
    'max-concurrency',
    DEFAULT_MAX_CONCURRENCY,
    1,
    MAX_CONCURRENCY,
    true,
    problems,
  );
  const groupId = parseGroupId(read('group-id'), problems);
  const impersonation = parseBoolean(read, 'impersonation', problems);
  const accessLevel = parseAccessLevel(read('access-level'), problems);
  const { targets, targetInput } = parseTargets(
    read,
    groupId,
    impersonation,
    accessLevel,
    problems,
  );
  const ifExists = parseIfExists(read('if-exists'), problems);
  const rotateBy = parseRotateBefore(read('rotate-before'), ifExists, now, problems);
  const uniqueName = read('name').trim() === '';
  if (ifExists !== 'create' && uniqueName) {
    problems.add(
      'name',
      `required with ${problems.set('if-exists', ifExists)}: the default name is unique to each run, so no earlier token would ever match it`,
    );
  }
  const stores = parseStores(read, env, problems, storeParser, {
    targets: targets.length,
    revoke,
  });
  problems.throwIfAny();
  return {
    ...connection,
    ...stores,
    targets,
    targetInput,
    groupId,
    accessLevel,
    scopes,
    name,
    uniqueName,
    expiresAt: typeof expiry === 'string' ? undefined : expiry.date,
    description,
    revoke,
    maxConcurrency,
    ifExists,
    rotateBy,
  };
}
