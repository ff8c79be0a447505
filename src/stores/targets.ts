/**
 * `store-in`: where a new token's secret is written, one target per line. Parsed before any
 * request; every problem names the line and what is expected.
 */
import { isLoopbackHost } from '../inputs/connection.js';
import { checkSecretShape } from '../inputs/connection.js';
import { GROUP_PATH } from '../inputs/fields.js';
import { type Env, type InputReader, type Problems } from '../inputs/problems.js';
import { quote } from '../util/text.js';

/** A CI/CD variable of a project (numeric ID or full path) or group (full path). */
export interface GitLabVariableTarget {
  type: 'gitlab-variable';
  /** numeric project ID, or a full path looked up as a project first, then as a group */
  owner: string;
  key: string;
  /** the variable's environment scope; absent: the only variable with this key, or `*` */
  environmentScope?: string;
  /** the line as given, for messages */
  label: string;
}

/** An Actions secret of a repository, or of one of its environments. */
export interface GitHubSecretTarget {
  type: 'github-secret';
  /** owner/repo */
  repository: string;
  environment?: string;
  name: string;
  label: string;
}

export type StoreTarget = GitLabVariableTarget | GitHubSecretTarget;

/** store-in and what the GitHub targets need. */
export interface StoreInputs {
  /** store-in: where the new token's secret is written */
  stores: StoreTarget[];
  /** github-token and GITHUB_API_URL, when a store-in target is a GitHub secret */
  github: { apiUrl: string; token: string } | undefined;
}

// Ci::HasVariable: `key` is letters, digits and underscores, at most 255 characters.
const VARIABLE_KEY = /^[A-Za-z0-9_]{1,255}$/;
// Gitlab::Regex.environment_scope_regex: environment-name characters and `*`.
const ENVIRONMENT_SCOPE = /^[A-Za-z0-9_/${}. *-]{1,255}$/;
// GitHub: owner names are letters, digits and hyphens; repository names add `.` and `_`.
const REPOSITORY = /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/;
// GitHub's secret names: letters, digits and underscores, not starting with a digit or GITHUB_.
const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// eslint-disable-next-line no-control-regex
const ENVIRONMENT_NAME = /^[^:\u0000-\u001f\u007f]{1,255}$/;
/**
 * `.` and `..` are path segments a URL resolves (RFC 3986 section 5.2.4, which `new URL` applies):
 * `acme/..` or an environment `..` would send github-token to another API path. GitHub names no
 * repository or environment so; refused as GROUP_PATH refuses them in GitLab paths.
 */
const DOT_SEGMENT = /^\.\.?$/;

const FORMS =
  'expected gitlab-variable:<project or group>:<KEY>[:<environment scope>], github-secret:<owner/repo>:<NAME> or github-secret:<owner/repo>:<environment>:<NAME>';

function parseGitLabVariable(line: string, rest: string): GitLabVariableTarget | string {
  const [owner = '', key = '', ...scopeParts] = rest.split(':');
  const environmentScope = scopeParts.length > 0 ? scopeParts.join(':') : undefined;
  const cleanOwner = owner.trim().replace(/^\/+|\/+$/g, '');
  if (!(/^\d+$/.test(cleanOwner) && Number(cleanOwner) >= 1) && !GROUP_PATH.test(cleanOwner)) {
    return `${quote(line)}: ${quote(owner)} is neither a numeric project ID nor a full path such as my-group/my-project`;
  }
  if (!VARIABLE_KEY.test(key)) {
    return `${quote(line)}: the variable key ${quote(key)} must be letters, digits and _ (at most 255)`;
  }
  if (environmentScope !== undefined && !ENVIRONMENT_SCOPE.test(environmentScope)) {
    return `${quote(line)}: the environment scope ${quote(environmentScope)} is not one GitLab accepts (letters, digits, _ / $ { } . - space and *)`;
  }
  return { type: 'gitlab-variable', owner: cleanOwner, key, environmentScope, label: line };
}

function parseGitHubSecret(line: string, rest: string): GitHubSecretTarget | string {
  const parts = rest.split(':');
  if (parts.length < 2 || parts.length > 3) return `${quote(line)}: ${FORMS}`;
  const repository = parts[0];
  const name = parts[parts.length - 1];
  const environment = parts.length === 3 ? parts[1] : undefined;
  if (!REPOSITORY.test(repository) || DOT_SEGMENT.test(repository.split('/')[1])) {
    return `${quote(line)}: ${quote(repository)} is not a repository such as my-org/my-repo`;
  }
  if (
    environment !== undefined &&
    (!ENVIRONMENT_NAME.test(environment) || DOT_SEGMENT.test(environment))
  ) {
    return `${quote(line)}: ${quote(environment)} is not an environment name`;
  }
  if (!SECRET_NAME.test(name) || /^GITHUB_/i.test(name)) {
    return `${quote(line)}: the secret name ${quote(name)} must be letters, digits and _, not start with a digit or GITHUB_`;
  }
  return { type: 'github-secret', repository, environment, name, label: line };
}

/** Where two targets are the same place (GitHub's secret names ignore case). */
export function placeOf(target: StoreTarget): string {
  return target.type === 'gitlab-variable'
    ? `gl:${target.owner.toLowerCase()}:${target.key}:${target.environmentScope ?? ''}`
    : `gh:${target.repository.toLowerCase()}:${target.environment ?? ''}:${target.name.toUpperCase()}`;
}

/** The targets of `store-in`, and a problem sentence for each bad line. */
export function parseStoreIn(raw: string): { targets: StoreTarget[]; problems: string[] } {
  const targets: StoreTarget[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  const lines = raw
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  if (lines.length > 20) return { targets, problems: [`at most 20 targets, got ${lines.length}`] };
  for (const line of lines) {
    const colon = line.indexOf(':');
    const type = colon < 0 ? '' : line.slice(0, colon);
    const rest = line.slice(colon + 1);
    const parsed =
      type === 'gitlab-variable'
        ? parseGitLabVariable(line, rest)
        : type === 'github-secret'
          ? parseGitHubSecret(line, rest)
          : `${quote(line)}: ${FORMS}`;
    if (typeof parsed === 'string') {
      problems.push(parsed);
    } else if (seen.has(placeOf(parsed))) {
      problems.push(`${quote(line)} is listed twice`);
    } else {
      seen.add(placeOf(parsed));
      targets.push(parsed);
    }
  }
  return { targets, problems };
}

/**
 * GitHub's API address from GITHUB_API_URL (GitHub Enterprise Server sets it), default
 * api.github.com: https, or plain http to this machine only (as for base-url).
 */
export function parseGitHubApiUrl(raw: string | undefined): string | { problem: string } {
  const value = (raw ?? '').trim() || 'https://api.github.com';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: `GITHUB_API_URL is not a URL: ${quote(value)}` };
  }
  if (url.username || url.password || url.search || url.hash) {
    return { problem: 'GITHUB_API_URL must be a plain address without credentials or query' };
  }
  const local = isLoopbackHost(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    return {
      problem: `GITHUB_API_URL must use https (plain http only to this machine), got ${quote(value)}`,
    };
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * store-in and github-token (with GITHUB_API_URL), and what goes with them: one token per run,
 * and never one revoked when the job ends. Problems go to `problems`, as every input's.
 */
export function parseStoreInputs(
  read: InputReader,
  env: Env,
  problems: Problems,
  made: { targets: number; revoke: boolean },
): StoreInputs {
  if (read('store-in').trim() === '') return { stores: [], github: undefined };
  const { targets, problems: bad } = parseStoreIn(read('store-in'));
  checkStoreCombination(targets, made.targets, made.revoke, problems);
  for (const problem of bad) problems.add('store-in', problem);
  const token = read('github-token').trim();
  if (token) checkSecretShape(token, 'github-token', problems);
  if (!targets.some((target) => target.type === 'github-secret')) {
    return { stores: targets, github: undefined };
  }
  if (!token) {
    problems.add(
      'github-token',
      `required for github-secret targets in ${problems.ref('store-in')}: a GitHub token that may write the repository\u2019s secrets (the token GitHub Actions gives each workflow run cannot)`,
    );
  }
  const apiUrl = parseGitHubApiUrl(env.GITHUB_API_URL);
  if (typeof apiUrl !== 'string') problems.add('store-in', apiUrl.problem);
  return {
    stores: targets,
    github: typeof apiUrl === 'string' && token ? { apiUrl, token } : undefined,
  };
}

/** store-in writes one secret per step, which outlives the job. */
function checkStoreCombination(
  stores: StoreTarget[],
  targets: number,
  revoke: boolean,
  problems: Problems,
): void {
  if (stores.length === 0) return;
  if (targets > 1) {
    problems.add(
      'store-in',
      `writes one token's secret, and this ${problems.words.run} makes ${targets}: use one ${problems.words.run} per token`,
    );
  }
  if (revoke) {
    problems.add(
      'store-in',
      `goes without ${problems.set('revoke', 'true')} (the stored token would be revoked when the job ends)`,
    );
  }
}
