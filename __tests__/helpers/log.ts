/**
 * Reading what a run printed: workflow commands, secrets where they must not be, request lines.
 * A leaf module: the harness (run-action.ts) and the checks (promises.ts) both use it.
 */

/** Lines of the log that are workflow commands of the given kind (error, warning, ...). */
export function commands(stdout: string, kind: string): string[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith(`::${kind}`))
    .map((line) => line.replace(/^::[^:]*::/, ''));
}

/**
 * Where a secret appears in what a run leaves behind, except on its own `::add-mask::` line.
 * Outputs may hold the token (that is their job) and are not checked.
 */
export function findLeaks(
  result: { stdout: string; stderr: string; files?: { state: string; summary: string } },
  secrets: string[],
): string[] {
  const leaks: string[] = [];
  for (const secret of secrets.filter((s) => s.length > 0)) {
    for (const line of result.stdout.split('\n')) {
      if (line.includes(secret) && line !== `::add-mask::${secret}`) leaks.push(`stdout: ${line}`);
    }
    if (result.stderr.includes(secret)) leaks.push(`stderr holds ${secret.slice(0, 6)}…`);
    if (result.files?.state.includes(secret)) leaks.push(`state holds ${secret.slice(0, 6)}…`);
    if (result.files?.summary.includes(secret)) leaks.push(`summary holds ${secret.slice(0, 6)}…`);
  }
  return leaks;
}

/** True when the secret was masked before any other line could print it. */
export function maskedFirst(stdout: string, secret: string): boolean {
  const lines = stdout.split('\n');
  const mask = lines.indexOf(`::add-mask::${secret}`);
  return mask >= 0 && lines.findIndex((line) => line.includes(secret)) === mask;
}

/** `METHOD /path?query` of a recorded request, for comparing request sequences. */
export function requestLine(request: {
  method: string;
  path: string;
  query: Record<string, string>;
}): string {
  const query = new URLSearchParams(request.query).toString();
  return `${request.method} ${request.path}${query ? `?${query}` : ''}`;
}
