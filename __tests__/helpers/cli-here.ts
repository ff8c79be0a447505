/**
 * The CLI in this process: runCli with the environment given (never process.env) and its stdout
 * and stderr captured, as a CI/CD job would see them. Waits (the settle time after a lost reply,
 * retry backoff) are zero: no test sleeps on them.
 */
import { runCli } from '../../src/cli/main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cliHere(argv: string[], env: Record<string, string> = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, env, {
    stdout: async (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}
