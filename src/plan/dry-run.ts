/**
 * The dry run: what a run would do, found by reading only (every request a GET). It checks the
 * credential (who it is), resolves the targets (usernames to IDs), checks every store-in target
 * for write access (SecretStores.check reads only) and, with if-exists rotate or fail, lists the
 * existing token and decides what is due, exactly as the run decides it (tokens/renew.ts
 * decideRenewal). Then it says, one line each, what would be made, rotated, replaced, stored or
 * revoked, and which check failed. Nothing is created, rotated, written or revoked.
 *
 * The CLI's `--dry-run` calls it; the action and the component can (`dry-run`). Failures are
 * worded by the describer the caller hands in (messages/), as everywhere in tokens/.
 */
import type { GitLabClient } from '../gitlab/client.js';
import { notFoundKind } from '../gitlab/errors.js';
import { readToken, type PersonalAccessToken } from '../gitlab/token.js';
import { currentUser, resolveUserId, type GitLabUser } from '../gitlab/users.js';
import { isPositiveId } from '../inputs/fields.js';
import { ACTION_WORDS, type Words } from '../inputs/words.js';
import { tokenKind, type TokenKind, type TokenTarget } from '../kinds/index.js';
import type { SecretStores } from '../stores/index.js';
import { DuplicateUserError, TokenExistsError, type DescribeFailure } from '../tokens/errors.js';
import type { RunInputs } from '../tokens/inputs.js';
import { refLabel } from '../tokens/many.js';
import { decideRenewal } from '../tokens/renew.js';
import { scrubSecrets } from '../util/scrub.js';
import { oneLine, quote } from '../util/text.js';

/** What a dry run found: one line each, and the checks that failed (the run would fail). */
export interface DryRunReport {
  /** what was checked and what would be done, in order: one sentence each */
  lines: string[];
  /** the failed checks, already worded (and scrubbed) by the describer */
  failures: string[];
}

/** The credential's user (GET /user), or undefined when none is sent (skip-auth). */
export interface CredentialCheck {
  user?: GitLabUser;
  line: string;
}

/** A token as a dry run names it: ID, name, expiry. No secret: lists never carry one. */
function tokenText(token: PersonalAccessToken): string {
  return `token ID ${token.id} ${quote(token.name)} (expires ${token.expires_at ?? 'never'})`;
}

/**
 * Checks the credential with one request: who it is (GET /user). Throws what GitLab answered
 * (a 401 for a revoked or expired credential).
 */
export async function checkCredential(
  client: GitLabClient,
  credential: string | undefined,
  words: Words = ACTION_WORDS,
): Promise<CredentialCheck> {
  if (credential === undefined) {
    return { line: `No credential is sent (${words.input('skip-auth')}): it is not checked.` };
  }
  const user = await currentUser(client);
  if (!isPositiveId(user?.id)) throw new Error('GET /user did not say which user this is');
  const role = user.is_admin === true ? 'an administrator' : 'not an administrator';
  return {
    user,
    line: `The credential works: it is user @${oneLine(String(user.username), 80)} (ID ${user.id}), ${role}.`,
  };
}

/** `expiring 2026-06-01`, or what GitLab does without a date. */
function expiryText(expiresAt: string | undefined, rotation: boolean): string {
  if (expiresAt !== undefined) return `expiring ${expiresAt}`;
  return rotation
    ? "with GitLab's default expiry, one week where an expiry is enforced"
    : "GitLab's default expiry, the instance's maximum where one is enforced";
}

/** The line of a rotation that would be done: GitLab revokes the old token at once. */
export function wouldRotate(
  token: PersonalAccessToken,
  label: string,
  expiresAt: string | undefined,
  storedIn = '',
): string {
  return `Would rotate ${tokenText(token)} of ${label} into a new secret ${expiryText(expiresAt, true)}${storedIn}; GitLab revokes token ID ${token.id} at once.`;
}

/**
 * The dry run of a run that makes tokens (create, if-exists, self-rotate, store-in). Every
 * request is a GET; a failed check is reported and the others still run, except after the
 * credential failed (nothing else could work).
 */
export async function dryRunCreate(
  client: GitLabClient,
  inputs: RunInputs,
  stores: SecretStores | undefined,
  describe: DescribeFailure,
  words: Words = ACTION_WORDS,
): Promise<DryRunReport> {
  const report: DryRunReport = { lines: [], failures: [] };
  const secrets = new Set(
    [inputs.credential, inputs.github?.token].filter((value): value is string => !!value),
  );
  const fail = async (error: unknown, kind: string, subject?: string): Promise<void> => {
    const about = { kind, subject, groupId: inputs.groupId, secrets };
    report.failures.push(await describe(error, about));
  };
  const selfRotate = inputs.targets.every((ref) => ref.kind === 'self');
  // The credential rotating itself is checked by reading itself (GET /personal_access_tokens/self).
  if (!selfRotate || inputs.credential === undefined) {
    try {
      report.lines.push((await checkCredential(client, inputs.credential, words)).line);
    } catch (error) {
      await fail(error, inputs.targets[0]?.kind ?? 'personal');
      return report;
    }
  }
  if (stores) {
    try {
      await stores.check();
      const labels = inputs.stores.map((store) => store.label).join(', ');
      report.lines.push(`The ${words.input('store-in')} targets can be written: ${labels}.`);
    } catch (error) {
      await fail(error, inputs.targets[0]?.kind ?? 'personal');
    }
  }
  const storedIn =
    inputs.stores.length > 0
      ? `, and store it in ${inputs.stores.map((store) => store.label).join(', ')}`
      : '';
  const claimed = new Map<number, string>();
  for (const ref of inputs.targets) {
    const subject = inputs.targets.length > 1 ? refLabel(ref) : undefined;
    const kind = tokenKind(ref.kind);
    let target: TokenTarget;
    try {
      const { user, ...rest } = ref;
      target = user ? { ...rest, userId: await resolveUserId(client, user) } : rest;
      if (user && 'username' in user) {
        report.lines.push(`@${user.username} is user ${target.userId}.`);
      }
      if (target.userId !== undefined) {
        const first = claimed.get(target.userId);
        if (first !== undefined) throw new DuplicateUserError(target.userId, first);
        claimed.set(target.userId, refLabel(ref));
      }
    } catch (error) {
      await fail(error, ref.kind, subject);
      continue;
    }
    try {
      const line = await plannedToken(client, kind, target, inputs, storedIn, words);
      // A name is GitLab's data: a secret pasted into one is not printed.
      report.lines.push(scrubSecrets(line, secrets));
    } catch (error) {
      await fail(error, ref.kind, subject);
    }
  }
  return report;
}

/** What the run would do for one resolved target, in one sentence; throws a failed check. */
async function plannedToken(
  client: GitLabClient,
  kind: TokenKind,
  target: TokenTarget,
  inputs: RunInputs,
  storedIn: string,
  words: Words,
): Promise<string> {
  const label = kind.label(target);
  const named = `a token named ${quote(inputs.name)}`;
  const details = [
    ...(inputs.scopes.length > 0 ? [`scopes ${inputs.scopes.join(',')}`] : []),
    expiryText(inputs.expiresAt, false),
  ].join('; ');
  const create = `create ${named} for ${label} (${details})${storedIn}`;
  if (inputs.ifExists === 'create') return `Would ${create}.`;
  const existing = await kind.list(client, target, {
    name: inputs.name,
    excludeImpersonation: true,
  });
  const request = {
    ifExists: inputs.ifExists,
    rotateBy: inputs.rotateBy,
    params: {
      name: inputs.name,
      scopes: inputs.scopes,
      expiresAt: inputs.expiresAt,
      description: inputs.description,
      accessLevel: inputs.accessLevel,
    },
  };
  const decision = decideRenewal(existing, request, {
    storing: inputs.stores.length > 0,
    canCreate: kind.canCreate !== false,
  });
  switch (decision.action) {
    case 'create':
      // The credential itself cannot be made anew: the run would fail.
      if (kind.canCreate === false) {
        throw new Error(
          'GitLab does not list the credential as active (GET /personal_access_tokens/self)',
        );
      }
      return `${label} has no active token named ${quote(inputs.name)}: would ${create}.`;
    case 'fail':
      throw new TokenExistsError(decision.current.id, inputs.name, label);
    case 'replace':
      return `Would replace ${tokenText(decision.current)} of ${label}, which ${decision.why}: create a new one (${details})${storedIn}, then revoke token ID ${decision.current.id}.`;
    case 'keep':
      return `${tokenText(decision.current)} of ${label} expires after ${inputs.rotateBy} (${words.input('rotate-before')}): would leave it as it is (nothing made, no secret output).`;
    case 'rotate':
      return wouldRotate(decision.current, label, inputs.expiresAt, storedIn);
  }
}

/** A token to revoke, as the CLI's revoke names it. */
export interface RevokePlanRequest {
  id: number;
  target: TokenTarget;
}

/**
 * The dry run of a revoke: the credential, then each token looked up (the target's list, or the
 * instance's record of a personal access token named by its ID alone). A token that is not
 * there is said, not failed: the revoke itself would report it and succeed.
 */
export async function dryRunRevoke(
  client: GitLabClient,
  credential: string | undefined,
  requests: RevokePlanRequest[],
  describe: DescribeFailure,
  words: Words = ACTION_WORDS,
): Promise<DryRunReport> {
  const report: DryRunReport = { lines: [], failures: [] };
  const secrets = new Set([credential].filter((value): value is string => !!value));
  const about = (target: TokenTarget) => ({ kind: target.kind, groupId: target.groupId, secrets });
  try {
    report.lines.push((await checkCredential(client, credential, words)).line);
  } catch (error) {
    const first = requests[0]?.target ?? { kind: 'personal' };
    report.failures.push(await describe(error, about(first)));
    return report;
  }
  const listed = new Map<string, Promise<PersonalAccessToken[]>>();
  for (const { id, target } of requests) {
    const kind = tokenKind(target.kind);
    try {
      let token: PersonalAccessToken | undefined;
      let label = kind.label(target);
      if (kind.owner.includes('user') && target.userId === undefined) {
        // No owner named: the instance route finds a personal access token by its ID alone.
        token = await instanceToken(client, id);
        label = token ? kind.label({ ...target, userId: token.user_id }) : 'GitLab';
      } else {
        const key = JSON.stringify(target);
        if (!listed.has(key)) listed.set(key, kind.list(client, target, {}));
        token = (await (listed.get(key) as Promise<PersonalAccessToken[]>)).find(
          (candidate) => candidate.id === id,
        );
      }
      const line =
        token && token.active
          ? `Would revoke ${tokenText(token)} of ${label}.`
          : `${label} has no active token ID ${id}: nothing to revoke (the revoke would say so and succeed).`;
      report.lines.push(scrubSecrets(line, secrets));
    } catch (error) {
      report.failures.push(await describe(error, about(target)));
    }
  }
  return report;
}

/** GET /personal_access_tokens/:id (an administrator: any; a user: their own), or undefined. */
async function instanceToken(
  client: GitLabClient,
  id: number,
): Promise<PersonalAccessToken | undefined> {
  try {
    const { data } = await client.request<unknown>('GET', `/personal_access_tokens/${id}`);
    return readToken(data);
  } catch (error) {
    if (notFoundKind(error) === 'token') return undefined;
    throw error;
  }
}
