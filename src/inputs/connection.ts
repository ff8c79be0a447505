/**
 * What is needed to talk to GitLab, shared by the main step, the post step and the CLI: the
 * base URL (turned into the API root, `…/api/v4`), the credential, the time limits.
 */
import { parseBoolean, parseNumber, CONTROL } from './fields.js';
import { Problems, type Env, type InputReader } from './problems.js';
import { ACTION_WORDS, type Words } from './words.js';

/** What is needed to talk to GitLab: shared by the main step, the post step and the CLI. */
export interface ConnectionInputs {
  apiUrl: string;
  instanceUrl: string;
  /** where the instance came from: base-url, the GitLab CI job's own, or gitlab.com */
  instanceFrom: 'base-url' | 'job' | 'default';
  /** undefined with skip-auth */
  credential: string | undefined;
  timeoutMs: number;
  insecureHttp: boolean;
  /** the most time all requests may spend waiting out GitLab's rate limits */
  maxWaitMs: number;
}

export interface ApiUrl {
  /** e.g. `https://gitlab.example.com/gitlab/api/v4`, no trailing slash */
  apiUrl: string;
  /** the instance's web address, for messages: `https://gitlab.example.com/gitlab` */
  instanceUrl: string;
  /** set when plain http is used to a non-loopback host by permission */
  insecure: boolean;
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]' || host === '::1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Returns the API URL, or a problem sentence (without the input name). */
export function parseBaseUrl(
  raw: string,
  allowInsecureHttp: boolean,
  words: Words = ACTION_WORDS,
): ApiUrl | string {
  const value = raw.trim() || 'https://gitlab.com';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'expected an absolute URL such as https://gitlab.example.com';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return `expected an https:// URL, got the scheme ${url.protocol}`;
  }
  if (url.username || url.password) {
    return `must not contain a user name or password: pass the credential in ${words.input('gitlab-token')}`;
  }
  if (url.search || url.hash) {
    return 'must not contain a query (?…) or a fragment (#…)';
  }
  let insecure = false;
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    if (!allowInsecureHttp) {
      return (
        `uses plain http to ${url.hostname}, which would send the credential unencrypted: ` +
        `use https://, or set ${words.setting('allow-insecure-http', 'true')} if you accept that risk`
      );
    }
    insecure = true;
  }
  const root = url.pathname.replace(/\/+$/, '').replace(/\/api\/v4$/i, '');
  const instanceUrl = `${url.origin}${root}`;
  return { apiUrl: `${instanceUrl}/api/v4`, instanceUrl, insecure };
}

/** A credential with spaces or control characters was copied wrongly; never echo it. */
export function checkSecretShape(secret: string, input: string, problems: Problems): void {
  if (/\s/.test(secret) || CONTROL.test(secret)) {
    problems.add(input, 'contains spaces or control characters: copy the token again');
  }
}

/** The instance running this GitLab CI job: CI_SERVER_URL, else CI_API_V4_URL's. */
export function jobInstanceUrl(env: Env): string | undefined {
  const server = env.CI_SERVER_URL?.trim();
  if (server) return server;
  return env.CI_API_V4_URL?.trim() || undefined;
}

export function parseConnectionInto(
  read: InputReader,
  env: Env,
  problems: Problems,
): ConnectionInputs {
  const allowInsecure = parseBoolean(read, 'allow-insecure-http', problems);
  const skipAuth = parseBoolean(read, 'skip-auth', problems);
  // In a GitLab CI job the default instance is the job's own, never gitlab.com: the credential
  // is that instance's (predefined variables CI_SERVER_URL, CI_API_V4_URL).
  const jobInstance = env.GITLAB_CI === 'true' ? jobInstanceUrl(env) : undefined;
  const given = read('base-url').trim();
  const base = parseBaseUrl(given || jobInstance || '', allowInsecure, problems.words);
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
    instanceFrom: given ? 'base-url' : jobInstance ? 'job' : 'default',
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
