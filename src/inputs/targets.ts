/**
 * Whose tokens: the target inputs (`user-id`, `project-id`, `group-id`, `impersonation`), read
 * the same way for making, listing and revoking tokens.
 */
import { quote } from '../util/text.js';
import { GROUP_PATH, isPositiveId, parseBoolean, parseGroupId } from './fields.js';
import { Problems, type InputReader } from './problems.js';
import { ACTION_WORDS, type Words } from './words.js';

export type UserRef = { id: number } | { username: string };

/**
 * What a token is asked for, as the inputs name it (before any look-up): the kind's name (a
 * registered kind, or `own` for the list of the credential's own user) and its owner.
 */
export interface TargetRef {
  kind: string;
  user?: UserRef;
  groupId?: string;
  projectId?: string;
}

/** The target of a revoke: numeric users only (a revoke makes no look-ups). */
export interface RevokeTarget {
  kind: string;
  userId?: number;
  groupId?: string;
  projectId?: string;
}

/** The most targets one run takes. */
export const MAX_TARGETS = 1000;
const USERNAME = /^[A-Za-z0-9_.][A-Za-z0-9_.-]{0,254}$/;

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
  if (items.length > MAX_TARGETS) {
    problems.add(
      'user-id',
      `at most ${MAX_TARGETS} users per ${problems.words.run}, got ${items.length}`,
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
  if (items.length > MAX_TARGETS) {
    problems.add(
      'project-id',
      `at most ${MAX_TARGETS} projects per ${problems.words.run}, got ${items.length}`,
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

/** The items of a comma or newline list, each once (the first spelling kept). */
function distinct(raw: string): string {
  const seen = new Set<string>();
  const kept: string[] = [];
  for (const item of raw.split(/[\n,]/).map((value) => value.trim())) {
    const key = item
      .toLowerCase()
      .replace(/^@/, '')
      .replace(/^\/+|\/+$/g, '');
    if (item === '' || seen.has(key)) continue;
    seen.add(key);
    kept.push(item);
  }
  return kept.join('\n');
}

/** What the target flags ask for: making tokens (`create`), or listing them (`list`). */
export type TargetPurpose = 'create' | 'list';

/** What each purpose calls the tokens, in messages. */
const TOKENS_OF: Record<TargetPurpose, string> = { create: 'token', list: 'tokens' };

/**
 * THE target parser: the kind of token follows from which inputs are set (README "Which token
 * should I use?"): `user-id` a user's personal access token (`impersonation: true`: an
 * impersonation token), `user-id` with `group-id` a group service account's, `project-id` a
 * project's, `group-id` alone a group's. Every combination that names no kind is a problem that
 * names the inputs. `list` takes the same flags, each item once; with none it lists the
 * credential's own user's tokens (`own`).
 */
export function parseTargets(
  read: InputReader,
  problems: Problems,
  purpose: TargetPurpose,
  groupId: string | undefined,
  accessLevel?: number,
): TargetRef[] {
  const userRaw = read('user-id').trim();
  const projectRaw = read('project-id').trim();
  const groupRaw = read('group-id').trim();
  const impersonation = parseBoolean(read, 'impersonation', problems);
  const tokens = TOKENS_OF[purpose];
  const listed = (raw: string): string => (purpose === 'list' ? distinct(raw) : raw);
  if (projectRaw) {
    if (userRaw) {
      problems.add(
        'project-id',
        purpose === 'create'
          ? `goes without ${problems.ref('user-id')} (a project access token is for the project\u2019s own bot user)`
          : `goes without ${problems.ref('user-id')}: set one of them`,
      );
    }
    if (groupRaw)
      problems.add('project-id', `goes without ${problems.ref('group-id')}: set one of them`);
    if (impersonation) {
      problems.add(
        'impersonation',
        `is for a user\u2019s ${tokens} (${problems.ref('user-id')}), not a project`,
      );
    }
    return parseProjects(listed(projectRaw), problems).map((projectId) => ({
      kind: 'project',
      projectId,
    }));
  }
  if (groupRaw && !userRaw) {
    if (impersonation) {
      problems.add(
        'impersonation',
        `is for a user\u2019s ${tokens} (${problems.ref('user-id')}), not a group`,
      );
    }
    return groupId === undefined ? [] : [{ kind: 'group', groupId }];
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
      purpose === 'create'
        ? `goes without ${problems.ref('group-id')} (a service account\u2019s tokens are personal access tokens)`
        : `goes without ${problems.ref('group-id')} (a service account has none)`,
    );
  }
  if (!userRaw) {
    if (purpose === 'list') {
      if (impersonation) {
        problems.add('user-id', 'required with impersonation: whose impersonation tokens to list');
      }
      return [{ kind: 'own' }];
    }
    problems.add(
      'user-id',
      `required: a numeric user ID or a username (several: ${problems.words.several}); or set ${problems.ref('project-id')}, or ${problems.ref('group-id')} alone for a group access token`,
    );
    return [];
  }
  return parseUsers(listed(userRaw), problems).map((user): TargetRef => {
    if (groupId !== undefined) return { kind: 'service-account', user, groupId };
    return { kind: impersonation ? 'impersonation' : 'personal', user };
  });
}

/**
 * The target of the CLI's `revoke`: the same flags, so that the kind's own endpoint is used.
 * Users are numeric here (a revoke makes no look-ups); a user's personal access token needs
 * none (the instance route knows the token by its ID). One target.
 */
export function parseRevokeTarget(read: InputReader, words: Words = ACTION_WORDS): RevokeTarget {
  const problems = new Problems(words);
  const groupId = parseGroupId(read('group-id'), problems);
  const impersonation = parseBoolean(read, 'impersonation', problems);
  const rawUser = read('user-id').trim();
  const number = Number(rawUser);
  const userId = /^\d+$/.test(rawUser) && isPositiveId(number) ? number : undefined;
  if (rawUser && userId === undefined) problems.add('user-id', 'expected the numeric user ID');
  const rawProjects = read('project-id').trim();
  const projects = rawProjects ? parseProjects(rawProjects, problems) : [];
  let target: RevokeTarget = { kind: 'personal', userId };
  if (projects.length > 0) {
    if (projects.length > 1) problems.add('project-id', 'revoke takes one project');
    if (rawUser || groupId) {
      problems.add(
        'project-id',
        `goes without ${problems.ref('user-id')} and ${problems.ref('group-id')}`,
      );
    }
    if (impersonation) problems.add('impersonation', 'is for a user\u2019s token, not a project');
    target = { kind: 'project', projectId: projects[0] };
  } else if (groupId !== undefined) {
    if (impersonation) problems.add('impersonation', `goes without ${problems.ref('group-id')}`);
    target =
      userId === undefined
        ? { kind: 'group', groupId }
        : { kind: 'service-account', userId, groupId };
  } else if (impersonation) {
    if (userId === undefined) {
      problems.add('user-id', `required with ${problems.ref('impersonation')} (numeric)`);
    }
    target = { kind: 'impersonation', userId };
  }
  problems.throwIfAny();
  return target;
}
