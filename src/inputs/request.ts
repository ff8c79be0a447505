/**
 * The inputs of a run that makes tokens: whose (targets.ts), which (scopes, name, expiry,
 * description, access level), and what to do with one that exists (if-exists, rotate-before).
 * Every problem is collected and reported together, before any request, each naming the input
 * and what it expects. store-in is the stores' own (stores/targets.ts), read alongside.
 */
import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { MARKER_LENGTH } from '../util/marker.js';
import { quote } from '../util/text.js';
import { parseConnectionInto, type ConnectionInputs } from './connection.js';
import {
  CONTROL,
  daysFromToday,
  parseBoolean,
  parseDays,
  parseExpiresAt,
  parseGroupId,
  parseNumber,
} from './fields.js';
import { Problems, type Env, type InputReader } from './problems.js';
import { parseTargets, type TargetRef } from './targets.js';
import { ACTION_WORDS, type Words } from './words.js';

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
}

export const DEFAULT_MAX_CONCURRENCY = 8;
export const MAX_CONCURRENCY = 32;
const MAX_NAME_LENGTH = 255;
/** GitLab's limit on a token description; the marker takes part of it. */
const MAX_DESCRIPTION_LENGTH = 255 - MARKER_LENGTH;
const SCOPE = /^[a-z][a-z0-9_]{0,63}$/;
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

/** A GitHub Actions job or a GitLab CI job runs this; neither: a shell, a local run. */
function inCi(env: Env): boolean {
  return [env.GITHUB_ACTIONS, env.GITHUB_RUN_ID, env.GITLAB_CI, env.CI_PROJECT_PATH].some(
    (value) => (value ?? '').trim() !== '',
  );
}

/** Who runs this outside CI: the login name, for a name people recognise. */
function localUser(env: Env): string {
  const named = env.USER || env.LOGNAME || env.USERNAME;
  if (named) return named;
  try {
    return userInfo().username;
  } catch {
    // No entry in the password database (a container's arbitrary UID).
    return 'unknown user';
  }
}

/** Printable, one line, at most `max` characters: a host or user name inside a token name. */
function namePart(value: string, max: number): string {
  const plain = [...value.replace(new RegExp(CONTROL.source, 'gu'), '').trim()];
  return plain.slice(0, max).join('') || 'unknown';
}

/**
 * The default name, unique to this step: the run, its attempt, the job and a random suffix
 * (matrix jobs share the job name). A lost reply's token is then provably this step's by its
 * name alone, even where GitLab keeps no description (before 17.7). Outside any CI (a shell) it
 * names the host, the user and the time (UTC) instead, which someone reading the token list
 * recognises.
 */
export function defaultName(env: Env, now: Date = new Date()): string {
  // The suffix comes last and is never cut: a long repository or job name is shortened instead.
  const suffix = ` ${randomBytes(3).toString('hex')}`;
  const fit = (base: string): string =>
    `${base.slice(0, MAX_NAME_LENGTH - suffix.length)}${suffix}`;
  if (!inCi(env)) {
    const host = namePart(hostname(), 64);
    const user = namePart(localUser(env), 64);
    const time = `${now.toISOString().slice(0, 19)}Z`;
    return fit(`create-gitlab-token on ${host} by ${user} ${time}`);
  }
  if (!env.GITHUB_REPOSITORY && (env.CI_PROJECT_PATH || env.GITLAB_CI)) {
    // The CLI in a GitLab CI job: the same parts in GitLab's words.
    const pipeline = env.CI_PIPELINE_ID || 'local';
    const job = env.CI_JOB_ID ? ` job ${env.CI_JOB_ID}` : '';
    return fit(`GitLab CI ${env.CI_PROJECT_PATH || 'project'} pipeline ${pipeline}${job}`);
  }
  const repository = env.GITHUB_REPOSITORY || 'local';
  const runId = env.GITHUB_RUN_ID || String(Date.now());
  const attempt = env.GITHUB_RUN_ATTEMPT || '1';
  const job = env.GITHUB_JOB ? ` ${env.GITHUB_JOB}` : '';
  return fit(`GitHub Actions ${repository} run ${runId}.${attempt}${job}`);
}

function parseName(raw: string, env: Env, now: Date, problems: Problems): string {
  const name = raw.trim() || defaultName(env, now);
  const length = [...name].length;
  if (length > MAX_NAME_LENGTH) {
    problems.add('name', `at most ${MAX_NAME_LENGTH} characters, got ${length}`);
  } else if (CONTROL.test(name)) {
    problems.add('name', `must be one line without control characters, got ${quote(name)}`);
  }
  return name;
}

/** `Nd`: rotate a token that expires within N days (with if-exists: rotate). */
function parseRotateBefore(
  raw: string,
  ifExists: IfExists,
  now: Date,
  problems: Problems,
): string | undefined {
  const days = parseDays(raw);
  if (typeof days === 'string') problems.add('rotate-before', days);
  if (typeof days !== 'number') return undefined;
  if (ifExists !== 'rotate') {
    problems.add(
      'rotate-before',
      `goes with ${problems.set('if-exists', 'rotate')} (it says when an existing token is due)`,
    );
  }
  return daysFromToday(now, days);
}

function parseIfExists(raw: string, problems: Problems): IfExists {
  const value = raw.trim().toLowerCase() || 'create';
  if (value === 'create' || value === 'rotate' || value === 'fail') return value;
  problems.add('if-exists', `expected create, rotate or fail, got ${quote(raw.trim())}`);
  return 'create';
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
  return {
    ...connection,
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
): TokenRequestInputs {
  const problems = new Problems(words);
  const inputs = readInputs(read, env, now, problems);
  problems.throwIfAny();
  return inputs;
}

/**
 * Reads every input of a run that makes tokens, adding each problem to `problems` (the caller
 * reads store-in into the same list, then throws them all at once).
 */
export function readInputs(
  read: InputReader,
  env: Env,
  now: Date,
  problems: Problems,
): TokenRequestInputs {
  const selfRotate = parseBoolean(read, 'self-rotate', problems);
  if (selfRotate) return parseSelfRotate(read, env, now, problems);
  const connection = parseConnectionInto(read, env, problems);
  const scopes = parseScopes(read('scopes'), problems);
  const name = parseName(read('name'), env, now, problems);
  const expiry = parseExpiresAt(read('expires-at'), now);
  if (typeof expiry === 'string') problems.add('expires-at', expiry);
  const description = read('description').trim() || undefined;
  if (description !== undefined && [...description].length > MAX_DESCRIPTION_LENGTH) {
    problems.add(
      'description',
      `at most ${MAX_DESCRIPTION_LENGTH} characters (GitLab keeps 255, and ${MARKER_LENGTH} go to the marker that proves which request made a token), got ${[...description].length}`,
    );
  }
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
  const accessLevel = parseAccessLevel(read('access-level'), problems);
  const targets = parseTargets(read, problems, 'create', groupId, accessLevel);
  // lib/api/users.rb builds an impersonation token from the params alone: no default expiry.
  // Where expiry is enforced (16.x, and 17.3+ by default) GitLab refuses one without a date;
  // elsewhere it would never expire.
  if (
    targets.some((target) => target.kind === 'impersonation') &&
    read('expires-at').trim() === ''
  ) {
    problems.add(
      'expires-at',
      `required with ${problems.set('impersonation', 'true')}: GitLab gives impersonation tokens no default expiry (it refuses one without a date where expiry is enforced, and elsewhere the token would never expire); set a date or a number of days such as 30d`,
    );
  }
  const targetInput = read('project-id').trim()
    ? 'project-id'
    : read('group-id').trim() && !read('user-id').trim()
      ? 'group-id'
      : 'user-id';
  const ifExists = parseIfExists(read('if-exists'), problems);
  // Empty (the default): revoke a token made for this job, keep one that is renewed by name
  // (if-exists rotate or fail); store-in keeps it too (tokens/inputs.ts).
  const revoke =
    read('revoke').trim() === '' ? ifExists === 'create' : parseBoolean(read, 'revoke', problems);
  const rotateBy = parseRotateBefore(read('rotate-before'), ifExists, now, problems);
  const uniqueName = read('name').trim() === '';
  if (ifExists !== 'create' && uniqueName) {
    problems.add(
      'name',
      `required with ${problems.set('if-exists', ifExists)}: the default name is unique to each run, so no earlier token would ever match it`,
    );
  }
  return {
    ...connection,
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
