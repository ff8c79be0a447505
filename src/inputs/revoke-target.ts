/**
 * The target of the CLI's `revoke`, from the same flags as for making a token (inputs.ts). Only
 * the CLI loads this.
 */
import {
  parseBoolean,
  parseGroupId,
  parseProjects,
  Problems,
  type InputReader,
} from './token-request.js';
import type { TokenTarget } from '../kinds/types.js';
import { isTokenId } from '../gitlab/token.js';
import { ACTION_WORDS, type Words } from './words.js';

/**
 * The target of `revoke` (the CLI): the same flags as for making a token, so that the kind's own
 * endpoint is used. Users are numeric here (a revoke makes no look-ups); a user's personal
 * access token needs none (the instance route knows the token by its ID).
 */
export function parseRevokeTarget(read: InputReader, words: Words = ACTION_WORDS): TokenTarget {
  const problems = new Problems(words);
  const groupId = parseGroupId(read('group-id'), problems);
  const impersonation = parseBoolean(read, 'impersonation', problems);
  const rawUser = read('user-id').trim();
  const number = Number(rawUser);
  const userId = /^\d+$/.test(rawUser) && isTokenId(number) ? number : undefined;
  if (rawUser && userId === undefined) problems.add('user-id', 'expected the numeric user ID');
  const rawProjects = read('project-id').trim();
  const projects = rawProjects ? parseProjects(rawProjects, problems) : [];
  let target: TokenTarget = { kind: 'personal', userId };
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
