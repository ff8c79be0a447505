/** The step's outputs: core.setOutput, and one thing core does not do. */
import * as core from '@actions/core';

/**
 * Sets an output. Without an output file (GITHUB_OUTPUT) this is no runner but a local tool, and
 * core would print the output as a `::set-output` command that nothing masks: an output holding
 * a masked value is then skipped with an info line (as GitHub skips it), never printed.
 */
export function setOutput(name: string, value: string, masked: ReadonlySet<string>): void {
  if (
    !process.env.GITHUB_OUTPUT &&
    [...masked].some((secret) => secret && value.includes(secret))
  ) {
    core.info(`Skip output ${name} since it may contain secret.`);
    return;
  }
  core.setOutput(name, value);
}
