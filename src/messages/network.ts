/** Network failures in words: what was (or was not) sent, and what to check. */
import type { GitLabNetworkError } from '../gitlab/errors.js';
import { scrubSecrets } from '../util/scrub.js';
import { oneLine } from '../util/text.js';
import { input, type ErrorContext } from './context.js';

export function describeNetworkError(error: GitLabNetworkError, ctx: ErrorContext): string {
  const where = `${error.method} ${error.path} to ${ctx.instanceUrl}`;
  const reason = error.reason;
  if (error.code === 'ETIMEDOUT') {
    const seconds = (error.timeoutMs ?? 0) / 1000;
    const head = `No answer to ${where} within ${seconds} seconds (${input(ctx, 'timeout-seconds')})`;
    const phase = reason?.kind === 'timeout' ? reason.phase : undefined;
    if (reason?.kind === 'timeout' && phase === 'proxy' && reason.proxy) {
      return `${head}: the proxy ${reason.proxy} did not open a tunnel to GitLab in time, so nothing was sent. Check HTTPS_PROXY and NO_PROXY, and that the proxy can reach GitLab.`;
    }
    if (phase === 'connect') {
      return `${head}: no connection could be made, so nothing was sent. Check ${input(ctx, 'base-url')}, and that GitLab is reachable from this runner (HTTPS_PROXY, NO_PROXY), or raise ${input(ctx, 'timeout-seconds')}.`;
    }
    if (phase === 'tls') {
      return `${head}: the TLS handshake did not finish, so nothing was sent. Check that ${input(ctx, 'base-url')} is GitLab's https address, or raise ${input(ctx, 'timeout-seconds')}.`;
    }
    return `${head}: check that GitLab is reachable from this runner, or raise ${input(ctx, 'timeout-seconds')}.`;
  }
  if (reason?.kind === 'proxy-refused') {
    const fix =
      reason.status === 407
        ? 'check the user and password in HTTPS_PROXY (HTTP_PROXY for plain http)'
        : 'check HTTPS_PROXY and NO_PROXY (HTTP_PROXY for plain http), and that the proxy can reach GitLab';
    return `The proxy ${reason.proxy} refused to open a tunnel to ${reason.target} for ${error.method} ${error.path} (${reason.statusText}), so nothing was sent: ${fix}.`;
  }
  if (reason?.kind === 'reply-too-large') {
    const limit =
      reason.limitBytes % 1048576 === 0
        ? `${reason.limitBytes / 1048576} MiB`
        : `${reason.limitBytes} bytes`;
    return `The reply to ${error.method} ${error.path} from ${ctx.instanceUrl} is larger than ${limit} (a GitLab reply here is a few kilobytes), so it was not read: check that ${input(ctx, 'base-url')} points at GitLab, and what stands between this runner and GitLab.`;
  }
  if (reason?.kind === 'unexpected-status') {
    return `${where} was answered ${reason.statusText}, which GitLab never answers, so the reply was not used: check that ${input(ctx, 'base-url')} points at GitLab, and what stands between this runner and GitLab.`;
  }
  if (error.code === 'ECONNREFUSED') {
    return `Could not connect for ${where}: the connection was refused. Check ${input(ctx, 'base-url')}, and that GitLab is reachable from this runner (HTTPS_PROXY, NO_PROXY).`;
  }
  if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') {
    return `Could not resolve the host of ${ctx.instanceUrl} for ${where}: check ${input(ctx, 'base-url')}.`;
  }
  if (/CERT|SSL|TLS|SELF_SIGNED/i.test(error.code)) {
    return `The TLS certificate of ${ctx.instanceUrl} is not trusted (${error.code}): give the runner the instance's CA certificate, for example with NODE_EXTRA_CA_CERTS.`;
  }
  const detail = oneLine(scrubSecrets(error.detail, ctx.secrets), 200);
  return `The connection failed during ${where} (${error.code}: ${detail}).`;
}
