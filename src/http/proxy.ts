/**
 * Which proxy a request goes through, and what in a proxy URL is secret. Proxy selection is
 * @actions/http-client's own (`getProxyUrl`: HTTPS_PROXY for https, HTTP_PROXY for http, lower
 * case first; NO_PROXY by host, host:port, suffix and `*`; loopback hosts never proxied), imported
 * from its small proxy module so that the rules stay exactly the same.
 */
import { getProxyUrl } from '@actions/http-client/lib/proxy';

export interface ProxyTarget {
  /** the proxy's address, without credentials */
  url: URL;
  /** `Basic ...` for the Proxy-Authorization header, when the proxy URL has credentials */
  authorization: string | undefined;
}

/** The proxy for a request URL under the environment's settings, or undefined to go direct. */
export function proxyFor(url: URL): ProxyTarget | undefined {
  // getProxyUrl returns a URL whose username and password are already percent-decoded.
  const proxy = getProxyUrl(url);
  if (!proxy) return undefined;
  const { username, password } = proxy;
  const bare = new URL(proxy.href);
  bare.username = '';
  bare.password = '';
  return {
    url: bare,
    authorization:
      username || password
        ? `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
        : undefined,
  };
}

function parseProxyUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    if (value.startsWith('http://') || value.startsWith('https://')) return undefined;
    try {
      return new URL(`http://${value}`);
    } catch {
      return undefined;
    }
  }
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The secrets in a proxy URL, to mask before anything can print them: the password as written
 * and percent-decoded, and the Basic credential sent to the proxy. Empty without a password.
 */
export function proxySecrets(proxyUrl: string | undefined): string[] {
  const url = proxyUrl?.trim() ? parseProxyUrl(proxyUrl.trim()) : undefined;
  if (!url?.password) return [];
  const password = decode(url.password);
  const basic = Buffer.from(`${decode(url.username)}:${password}`).toString('base64');
  return [...new Set([url.password, password, basic])];
}

/** The secrets of every proxy variable in the environment (HTTPS_PROXY, HTTP_PROXY, any case). */
export function environmentProxySecrets(env: NodeJS.ProcessEnv = process.env): string[] {
  const values = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY'].map(
    (name) => env[name],
  );
  return [...new Set(values.flatMap((value) => proxySecrets(value)))];
}
