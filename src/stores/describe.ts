/**
 * Messages for store-in failures: which target, what its service said, what to change, and what
 * became of the tokens (nothing may be reported that did not happen). describe-error.ts calls
 * this; `describeCause` is its own describer, for network and GitLab errors.
 */
import { GitLabApiError } from '../gitlab/errors.js';
import { scrubSecrets } from '../util/scrub.js';
import { oneLine, quote } from '../util/text.js';
import { StoreCheckError, StoreTargetError, StoreWriteError } from './errors.js';
import { isSecondaryRateLimit } from './github-secret.js';
import type { StoreTarget } from './targets.js';
import type { Words } from '../inputs/words.js';

type DescribeCause = (error: unknown) => string;

/** What the messages need: the reader's words, and the secrets they must never hold. */
interface StoreContext {
  describeCause: DescribeCause;
  /** the service's own words from an error body (describe-error.ts's gitlabErrorText) */
  errorText: (body: unknown) => string;
  secrets: string[];
  words: Words;
}

function ownerWords(target: StoreTarget): string {
  return target.type === 'gitlab-variable'
    ? `project or group ${target.owner}`
    : target.environment === undefined
      ? `repository ${target.repository}`
      : `environment ${quote(target.environment)} of repository ${target.repository}`;
}

/** A scoped create of a group variable that GitLab refused as a duplicate key. */
function isScopeDropped(
  error: GitLabApiError,
  target: StoreTarget & { type: 'gitlab-variable' },
): boolean {
  const scope = target.environmentScope;
  if (error.method !== 'POST' || !error.path.startsWith('/groups/')) return false;
  if (scope === undefined || scope === '*') return false;
  const key = (error.body as { message?: { key?: unknown } } | undefined)?.message?.key;
  return Array.isArray(key) && key.some((text) => /has already been taken/.test(String(text)));
}

function gitlabAdvice(
  error: GitLabApiError,
  target: StoreTarget & { type: 'gitlab-variable' },
  words: Words,
): string {
  switch (error.status) {
    case 401:
      return `the credential was refused: check ${words.input('gitlab-token')}`;
    case 403:
      return `the credential may not write CI/CD variables of ${target.owner}: a project's need the Maintainer role, a group's the Owner role, and the credential the api scope`;
    case 404:
      return `GitLab has no project or group ${target.owner} that the credential can see: check the path, or give the numeric project ID`;
    case 409:
      return `several variables are named ${target.key}, with different environment scopes: name the one to write, as gitlab-variable:${target.owner}:${target.key}:<environment scope>`;
    case 400:
      // The check found no variable of this scope, so a "taken" key is one GitLab stored the
      // create as: a Free-tier group drops the scope (filter_variable_parameters) and finds `*`.
      if (isScopeDropped(error, target)) {
        return `group ${target.owner} already has ${target.key} for every environment (*), and GitLab took this create for that one: a group on the Free tier cannot scope its CI/CD variables to environments (that needs Premium or Ultimate). Use a project variable, or no environment scope`;
      }
      return 'GitLab refused the value or its settings';
    default:
      return error.status >= 500
        ? 'a problem on the GitLab side: try again'
        : 'GitLab refused the value or its settings';
  }
}

function githubAdvice(
  error: GitLabApiError,
  target: StoreTarget & { type: 'github-secret' },
  words: Words,
): string {
  const token = words.input('github-token');
  if (error.refusedByLimiter) {
    const which = isSecondaryRateLimit(error.body)
      ? 'a secondary rate limit'
      : 'the primary rate limit: no requests left until it resets';
    const times = error.attempts === 1 ? 'once' : `${error.attempts} times`;
    return `GitHub's rate limit refused it ${times} (${which}); the step waits such limits out only within ${words.input('max-wait-seconds')}: run again later, or raise ${words.input('max-wait-seconds')}`;
  }
  switch (error.status) {
    case 401:
      return `${token} was refused: check that it is current`;
    case 403:
      // fine-grained-pat-permissions.json (github/docs): an environment's secrets and public key
      // need the "Environments" permission as well as "Secrets".
      return target.environment === undefined
        ? `${token} may not write the secrets of ${ownerWords(target)}: a fine-grained token needs the Secrets (read and write) repository permission, a classic token the repo scope, and a GitHub App the secrets permission (the token GitHub Actions gives each workflow run can never write secrets)`
        : `${token} may not write the secrets of ${ownerWords(target)}: a fine-grained token needs both the Secrets and the Environments repository permissions (read and write), a classic token the repo scope, and a GitHub App the secrets and environments permissions (the token GitHub Actions gives each workflow run can never write secrets)`;
    case 404:
      return target.environment === undefined
        ? `GitHub shows no ${ownerWords(target)} to ${token}: check the name, and that the token can see it`
        : `GitHub shows no ${ownerWords(target)} to ${token}: check the names, and that the token can see the repository (GitHub Enterprise Server before 3.2 has no environment secrets)`;
    case 422:
      return 'GitHub refused the secret';
    default:
      return error.status >= 500
        ? 'a problem on the GitHub side: try again'
        : 'GitHub refused the request';
  }
}

/** One target's failure: `<target>: <service> answered 403 "…": <advice>`. */
function describeTarget(failure: StoreTargetError, ctx: StoreContext): string {
  const { target, reason } = failure;
  const doing =
    failure.action === 'restore'
      ? 'putting it back'
      : failure.action === 'check'
        ? 'checking it'
        : 'writing it';
  if (typeof reason === 'string') return `${target.label}: ${reason}`;
  if (reason instanceof GitLabApiError) {
    const service = target.type === 'gitlab-variable' ? 'GitLab' : 'GitHub';
    const said = scrubSecrets(ctx.errorText(reason.body), ctx.secrets);
    const quoted = said ? ` ${quote(said, 300)}` : '';
    const advice =
      target.type === 'gitlab-variable'
        ? gitlabAdvice(reason, target, ctx.words)
        : githubAdvice(reason, target, ctx.words);
    return `${target.label}: ${service} answered ${reason.status}${quoted} to ${reason.method} ${reason.path.split('?')[0]} (${doing}): ${advice}.`;
  }
  if (reason instanceof Error && target.type === 'github-secret') {
    return `${target.label}: ${doing} failed: ${oneLine(scrubSecrets(reason.message, ctx.secrets), 300)} (GITHUB_API_URL, HTTPS_PROXY)`;
  }
  return `${target.label}: ${doing} failed: ${ctx.describeCause(reason)}`;
}

const labels = (targets: StoreTarget[]): string => targets.map((target) => target.label).join(', ');

/** `is in A and may be in B (…)`: where the new secret is (`note` after A), or may be. */
function whereItIs(error: StoreWriteError, note = ''): string {
  const sure = error.written.filter((target) => !error.uncertain.includes(target));
  const lost =
    error.uncertain.length > 0
      ? `may be in ${labels(error.uncertain)} (the reply to its write was lost)`
      : '';
  if (sure.length === 0) return lost;
  return `is in ${labels(sure)}${note}${lost ? ` and ${lost}` : ''}`;
}

function whatBecameOf(error: StoreWriteError, words: Words): string {
  const parts: string[] = [];
  if (error.restored.length > 0) parts.push(`${labels(error.restored)} put back as it was.`);
  if (error.unchanged.length > 0) {
    parts.push(
      `${labels(error.unchanged)}: the reply to its write was lost, and reading it back shows it does not hold the new token.`,
    );
  }
  if (error.notTried.length > 0) parts.push(`Not written: ${labels(error.notTried)}.`);
  const made = error.newToken;
  if (error.selfRotated && made) {
    const sure = error.written.filter((target) => !error.uncertain.includes(target));
    const where = sure.length > 0 ? ` and in ${labels(sure)}` : '';
    const maybe =
      error.uncertain.length > 0
        ? `; it may also be in ${labels(error.uncertain)} (the reply to its write was lost)`
        : '';
    parts.push(
      `The credential was rotated (new token ID ${made.id}; the old one no longer works): its new secret is in ${words.newSecretHome}${where}${maybe}. Store it in the failed target by hand.`,
    );
    return parts.join(' ');
  }
  if (made && error.replaced !== undefined) {
    const old = error.keptToken;
    parts.push(
      error.replaced === 'inactive'
        ? `Token ID ${old}, which the new one was to replace, is no longer active (another run may have renewed it meanwhile): putting back what the check read would hand its consumers a revoked token, so nothing was put back.`
        : `GitLab did not say whether token ID ${old}, which the new one was to replace, is still active, so nothing was put back (a revoked token there would fail its consumers); token ID ${old} was not revoked.`,
      `The new token ID ${made.id} ${whereItIs(error)}, so it stays active and is reported with the tokens made.`,
    );
  } else if (made && !made.active) {
    const kept =
      error.keptToken === undefined ? '' : ` Token ID ${error.keptToken} stays active and in use.`;
    parts.push(`The new token ID ${made.id} was revoked, so nothing changed.${kept}`);
  } else if (made && error.written.length > 0) {
    const old =
      error.keptToken === undefined
        ? ''
        : ` Token ID ${error.keptToken}, which it was to replace, also stays active: revoke it by hand once nothing uses it.`;
    parts.push(
      `The new token ID ${made.id} ${whereItIs(error, ' (which cannot be put back)')}, so it stays active and is reported with the tokens made.${old}`,
    );
  } else if (made) {
    const why = made.revokeProblem ? ` (${made.revokeProblem})` : '';
    const old = error.keptToken === undefined ? '' : ` Token ID ${error.keptToken} stays active.`;
    parts.push(
      `GitLab did not confirm revoking the new token ID ${made.id}${why}: it may still be active, revoke it by hand.${old}`,
    );
  }
  return parts.join(' ');
}

/** The message for a store-in failure, or undefined when `error` is not one. */
export function describeStoreError(error: unknown, ctx: StoreContext): string | undefined {
  const storeIn = ctx.words.input('store-in');
  if (error instanceof StoreCheckError) {
    const each = error.failures.map((failure) => describeTarget(failure, ctx));
    if (error.rewritten.length > 0) {
      return `${storeIn}: ${each.join(' ')} No token was made or rotated, so the credential still works; ${labels(error.rewritten)} took it (written to prove each target writable before the credential rotates itself).`;
    }
    return `${storeIn}: ${each.join(' ')} Nothing was changed: no token was made or rotated.`;
  }
  if (error instanceof StoreWriteError) {
    const each = error.failures.map((failure) => describeTarget(failure, ctx));
    const restore = error.restoreFailures.map((failure) => describeTarget(failure, ctx));
    return [
      `${storeIn}: the new token could not be stored. ${each.join(' ')}`,
      ...restore,
      whatBecameOf(error, ctx.words),
    ]
      .filter(Boolean)
      .join(' ');
  }
  return undefined;
}
