/** What a command writes to, and the exit codes it returns. */
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
