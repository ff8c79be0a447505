/** Turns the `base-url` input into the API root (`…/api/v4`) or explains what is wrong. */
import { ACTION_WORDS, type Words } from './words.js';

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
