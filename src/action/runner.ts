/**
 * The runner's protocol, as much of it as the action uses: inputs, masks, outputs, state, log
 * lines and annotations (the job summary is runner-summary.ts). It writes byte for byte what
 * @actions/core 3 writes
 * (its command escaping, its `name<<ghadelimiter_<uuid>` file commands, its summary HTML;
 * __tests__/unit/runner.test.ts compares the two), without what @actions/core also loads on
 * every start and the action never calls (@actions/exec, @actions/io, @actions/http-client with
 * tunnel for OIDC tokens).
 *
 * Same names and signatures as @actions/core's, so `import * as core from './runner.js'` reads
 * the same as before.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync } from 'node:fs';
import { EOL } from 'node:os';

/** core's toCommandValue: strings as they are, anything else as JSON, nothing as ''. */
function toCommandValue(input: unknown): string {
  if (input === null || input === undefined) return '';
  if (typeof input === 'string' || input instanceof String) return String(input);
  return JSON.stringify(input);
}

/** A command's message: `%`, CR and LF escaped, as the runner unescapes them. */
export function escapeData(value: unknown): string {
  return toCommandValue(value).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A command's property value: escapeData's, and `:` and `,` too. */
export function escapeProperty(value: unknown): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** `::command key=value,…::message` on stdout, as core's issueCommand writes it. */
export function issueCommand(
  command: string,
  properties: Record<string, string>,
  message: unknown,
): void {
  const entries = Object.entries(properties);
  // core adds the space whenever there are properties, even when every value is empty.
  const pairs = entries
    .filter(([, value]) => value)
    .map(([key, value]) => `${key}=${escapeProperty(value)}`);
  const head = entries.length > 0 ? `${command} ${pairs.join(',')}` : command;
  process.stdout.write(`::${head}::${escapeData(message)}${EOL}`);
}

/** core's prepareKeyValueMessage: `name<<delimiter`, the value, the delimiter. */
function keyValueMessage(name: string, value: unknown): string {
  const delimiter = `ghadelimiter_${randomUUID()}`;
  const converted = toCommandValue(value);
  if (name.includes(delimiter)) {
    throw new Error(`Unexpected input: name should not contain the delimiter "${delimiter}"`);
  }
  if (converted.includes(delimiter)) {
    throw new Error(`Unexpected input: value should not contain the delimiter "${delimiter}"`);
  }
  return `${name}<<${delimiter}${EOL}${converted}${EOL}${delimiter}`;
}

/** core's issueFileCommand: appends to the file GITHUB_<command> names, which must exist. */
function issueFileCommand(command: 'OUTPUT' | 'STATE', message: string): void {
  const filePath = process.env[`GITHUB_${command}`];
  if (!filePath) {
    throw new Error(`Unable to find environment variable for file command ${command}`);
  }
  if (!existsSync(filePath)) throw new Error(`Missing file at path: ${filePath}`);
  appendFileSync(filePath, `${message}${EOL}`, { encoding: 'utf8' });
}

/** An input's value (INPUT_<NAME>, spaces as `_`), trimmed; '' when not set. */
export function getInput(name: string): string {
  return (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] || '').trim();
}

/** Every value masked so far: an output holding one is never printed (below). */
const secrets = new Set<string>();

/** Masks a value in the rest of the job's log. */
export function setSecret(secret: string): void {
  if (secret) secrets.add(secret);
  issueCommand('add-mask', {}, secret);
}

export function setOutput(name: string, value: unknown): void {
  if (process.env.GITHUB_OUTPUT) return issueFileCommand('OUTPUT', keyValueMessage(name, value));
  // Without the output file this is no runner (a local tool such as @github/local-action), and
  // nothing masks stdout: an output holding a secret is skipped, where core would print it.
  const text = toCommandValue(value);
  if ([...secrets].some((secret) => text.includes(secret))) {
    info(`Skip output ${name} since it may contain secret.`);
    return;
  }
  process.stdout.write(EOL);
  issueCommand('set-output', { name }, text);
}

/** State for the post step (STATE_<name> there). */
export function saveState(name: string, value: unknown): void {
  if (process.env.GITHUB_STATE) return issueFileCommand('STATE', keyValueMessage(name, value));
  issueCommand('save-state', { name }, toCommandValue(value));
}

export function getState(name: string): string {
  return process.env[`STATE_${name}`] || '';
}

/** Whether the step runs with debug logging (RUNNER_DEBUG=1). */
export function isDebug(): boolean {
  return process.env.RUNNER_DEBUG === '1';
}

export function debug(message: string): void {
  issueCommand('debug', {}, message);
}

export function info(message: string): void {
  process.stdout.write(message + EOL);
}

const annotation = (command: string, message: string | Error): void =>
  issueCommand(command, {}, message instanceof Error ? message.toString() : message);

export function error(message: string | Error): void {
  annotation('error', message);
}

export function warning(message: string | Error): void {
  annotation('warning', message);
}

export function notice(message: string | Error): void {
  annotation('notice', message);
}

/** An error annotation, and exit code 1 when the step ends. */
export function setFailed(message: string | Error): void {
  process.exitCode = 1;
  error(message);
}
