/** What a command writes to, and the exit codes it returns. */
import type { DryRunReport } from '../plan/dry-run.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export interface CliIo {
  /** Resolves once the text is written; rejects when it cannot be (a closed pipe: EPIPE). */
  stdout(text: string): Promise<void>;
  stderr(text: string): void;
}

/** The library's log lines, on stderr (stdout carries only what --output asks for). */
export function stderrLog(io: CliIo): {
  info(message: string): void;
  warning(message: string): void;
} {
  return {
    info: (message) => io.stderr(`${message}\n`),
    warning: (message) => io.stderr(`warning: ${message}\n`),
  };
}

/** Why a write failed: its error code (EPIPE) or message. */
export function writeFailure(error: unknown): string {
  return error instanceof Error
    ? ((error as NodeJS.ErrnoException).code ?? error.message)
    : String(error);
}

/** Names the instance the credential goes to when no --base-url chose it. */
export function announceInstance(
  io: CliIo,
  connection: { instanceUrl: string; instanceFrom: 'base-url' | 'job' | 'default' },
): void {
  if (connection.instanceFrom === 'job') {
    io.stderr(`Using GitLab at ${connection.instanceUrl} (this job's instance, CI_SERVER_URL).\n`);
  } else if (connection.instanceFrom === 'default') {
    io.stderr(`Using GitLab at ${connection.instanceUrl} (no --base-url given).\n`);
  }
}

/** The first line of every dry run. */
export const DRY_RUN_START = 'Dry run: checking only; nothing is changed.\n';

/**
 * A dry run's findings on stderr, one line each, and its exit code: 0 when every check passed,
 * 1 when one failed. `--output json` prints `[]` (nothing was made).
 */
export async function reportDryRun(
  io: CliIo,
  report: DryRunReport,
  json: boolean,
): Promise<number> {
  for (const line of report.lines) io.stderr(`${line}\n`);
  for (const failure of report.failures) io.stderr(`error: ${failure}\n`);
  const failed = report.failures.length;
  io.stderr(
    failed === 0
      ? 'Dry run: every check passed; nothing was changed.\n'
      : `Dry run: ${failed} check${failed === 1 ? '' : 's'} failed; nothing was changed.\n`,
  );
  if (json) {
    try {
      await io.stdout('[]\n');
    } catch {
      return EXIT_FAILED;
    }
  }
  return failed === 0 ? EXIT_OK : EXIT_FAILED;
}
