/**
 * `create-gitlab-token rotate (--id ID | --name NAME) [TARGET] --output FORMAT`, like
 * `glab token rotate`: finds one active token of the target (by ID, or by its exact name) and
 * rotates it through its kind's rotate endpoint. GitLab revokes the old token at once, so the new
 * secret must be printed: --output is required. A rotation whose reply was lost is never sent
 * again (it may have happened): the outcome is unknown, and `list` shows which.
 */
import { clientFor, type GitLabClient } from '../gitlab/client.js';
import type { PersonalAccessToken, TokenWithSecret } from '../gitlab/token.js';
import { currentUser } from '../gitlab/users.js';
import { parseConnectionInto, type ConnectionInputs } from '../inputs/connection.js';
import { CONTROL, isPositiveId, parseBoolean, parseExpiresAt } from '../inputs/fields.js';
import { InputError, Problems, type Env, type InputReader } from '../inputs/problems.js';
import { parseRevokeTarget, type RevokeTarget } from '../inputs/targets.js';
import type { Words } from '../inputs/words.js';
import { tokenKind, type TokenKind, type TokenTarget } from '../kinds/index.js';
import { describeError, failureDescriber } from '../messages/describe-error.js';
import { checkCredential, wouldRotate, type DryRunReport } from '../plan/dry-run.js';
import { watchSignals } from '../tokens/cancel.js';
import type { NewToken } from '../tokens/make.js';
import { madeLine } from '../tokens/outputs.js';
import { mayHaveActed } from '../tokens/reconcile.js';
import { scrubSecrets } from '../util/scrub.js';
import { oneLine, quote } from '../util/text.js';
import { formatOutput } from './format.js';
import {
  announceInstance,
  DRY_RUN_START,
  EXIT_FAILED,
  EXIT_OK,
  reportDryRun,
  stderrLog,
  writeFailure,
  type CliIo,
} from './io.js';
import { usageError } from './usage.js';

export type RotateOutput = 'json' | 'token' | 'dotenv';

export interface RotateInputs extends ConnectionInputs {
  /** whose token: a personal one without a user is the credential's own user's */
  target: RevokeTarget;
  /** --id, or else --name */
  tokenId: number | undefined;
  name: string | undefined;
  expiresAt: string | undefined;
  output: RotateOutput;
  dryRun: boolean;
}

/** Flags of `create` that mean nothing to `rotate` (a rotation keeps name, scopes, description). */
const NOT_FOR_ROTATE = [
  'scopes',
  'description',
  'access-level',
  'if-exists',
  'rotate-before',
  'store-in',
  'max-concurrency',
];

/** Parses the flags of `rotate`; throws InputError listing every problem, before any request. */
export function parseRotateInputs(
  read: InputReader,
  ids: readonly string[],
  env: Env,
  now: Date,
  words: Words,
): RotateInputs {
  const problems = new Problems(words);
  const connection = parseConnectionInto(read, env, problems);
  for (const input of NOT_FOR_ROTATE) {
    if (read(input).trim()) {
      problems.add(
        input,
        'goes without rotate (a rotation keeps the token as it is, but its secret)',
      );
    }
  }
  if (parseBoolean(read, 'self-rotate', problems)) {
    problems.add(
      'self-rotate',
      'goes without rotate: the credential rotates itself with create --self-rotate',
    );
  }
  const given = ids
    .flatMap((id) => id.split(','))
    .map((id) => id.trim())
    .filter(Boolean);
  const name = read('name').trim() || undefined;
  let tokenId: number | undefined;
  if (given.length > 1) problems.add('id', `rotate takes one token, got ${given.length}`);
  else if (given.length === 1) {
    tokenId = /^\d+$/.test(given[0]) ? Number(given[0]) : undefined;
    if (!isPositiveId(tokenId)) {
      problems.add('id', `expected a numeric token ID (1 or more), got ${quote(given[0])}`);
    }
  }
  if (given.length > 0 && name !== undefined) {
    problems.add('name', `goes without ${problems.ref('id')}: name the token one way`);
  } else if (given.length === 0 && name === undefined) {
    problems.add('id', `required: the token's ID, or ${problems.ref('name')} and its exact name`);
  }
  if (name !== undefined && ([...name].length > 255 || CONTROL.test(name))) {
    problems.add('name', 'expected the exact name of a token: one line, at most 255 characters');
  }
  const expiry = parseExpiresAt(read('expires-at'), now);
  if (typeof expiry === 'string') problems.add('expires-at', expiry);
  const output = read('output').trim();
  if (output === '') {
    problems.add(
      'output',
      'required: json, token or dotenv. GitLab revokes the old token at once and shows the new secret only once: printed nowhere, it would be lost',
    );
  } else if (!['json', 'token', 'dotenv'].includes(output)) {
    problems.add('output', `expected json, token or dotenv, got ${quote(output)}`);
  }
  const dryRun = parseBoolean(read, 'dry-run', problems);
  let target: RevokeTarget = { kind: 'personal' };
  try {
    target = parseRevokeTarget(read, words);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    problems.list.push(...error.problems);
  }
  problems.throwIfAny();
  return {
    ...connection,
    target,
    tokenId,
    name,
    expiresAt: typeof expiry === 'string' ? undefined : expiry.date,
    output: output as RotateOutput,
    dryRun,
  };
}

/**
 * A command line for the same target: the kind's own flags, and the user where they leave it
 * out (a personal access token's route needs none, but its list does).
 */
function command(name: string, kind: TokenKind, target: TokenTarget, ...rest: string[]): string {
  const flags = kind.cliFlags(target);
  if (target.userId !== undefined && !flags.includes('--user-id')) {
    flags.push('--user-id', String(target.userId));
  }
  const shown = flags.map((flag) => (/^(--[a-z-]+|\d+)$/.test(flag) ? flag : quote(flag)));
  return ['create-gitlab-token', name, ...shown, ...rest].join(' ');
}

/** The token to rotate is not there, or not one: a sentence naming what was found. */
class TokenLookupError extends Error {}

/** The target, its user resolved: none named is the credential's own user (GET /user). */
async function resolveTarget(
  kind: TokenKind,
  target: RevokeTarget,
  own: () => Promise<number>,
): Promise<TokenTarget> {
  if (!kind.owner.includes('user') || target.userId !== undefined) return target;
  return { ...target, userId: await own() };
}

/** The one active token of `target` with the ID or the exact name asked for. */
async function findToken(
  client: GitLabClient,
  kind: TokenKind,
  target: TokenTarget,
  inputs: RotateInputs,
  words: Words,
): Promise<PersonalAccessToken> {
  const label = kind.label(target);
  const found =
    inputs.name !== undefined
      ? await kind.list(client, target, { name: inputs.name })
      : (await kind.list(client, target, {})).filter((token) => token.id === inputs.tokenId);
  const listCommand = command('list', kind, target);
  if (found.length === 1) return found[0];
  if (inputs.name === undefined) {
    throw new TokenLookupError(
      `${label} has no active token ID ${inputs.tokenId} (revoked, expired, or not this target's: check the target flags; '${listCommand}' shows its tokens)`,
    );
  }
  if (found.length === 0) {
    throw new TokenLookupError(
      `${label} has no active token named ${quote(inputs.name)} ('${listCommand}' shows its tokens)`,
    );
  }
  const several = found
    .map((token) => `ID ${token.id} (expires ${token.expires_at ?? 'never'})`)
    .join(', ');
  throw new TokenLookupError(
    `${label} has ${found.length} active tokens named ${quote(inputs.name)}: ${several}. Rotate one by ${words.input('id')}`,
  );
}

export async function rotateCommand(
  read: InputReader,
  ids: readonly string[],
  env: Env,
  io: CliIo,
  secrets: Set<string>,
  now: Date,
  words: Words,
): Promise<number> {
  let inputs: RotateInputs;
  try {
    inputs = parseRotateInputs(read, ids, env, now, words);
  } catch (error) {
    if (error instanceof InputError) {
      return usageError(io, describeError(error, { instanceUrl: '', secrets, words }), 'rotate');
    }
    throw error;
  }
  if (inputs.dryRun) io.stderr(DRY_RUN_START);
  announceInstance(io, inputs);
  const client = clientFor(inputs);
  const signals = watchSignals(client, (signal) =>
    io.stderr(`warning: received ${signal}: the request in flight finishes, and is reported.\n`),
  );
  try {
    if (inputs.insecureHttp) {
      io.stderr(
        'warning: plain http to a remote host: the credential crosses the network unencrypted\n',
      );
    }
    return await rotate(client, inputs, io, secrets, words);
  } finally {
    signals.release();
    client.dispose();
  }
}

async function rotate(
  client: GitLabClient,
  inputs: RotateInputs,
  io: CliIo,
  secrets: Set<string>,
  words: Words,
): Promise<number> {
  const kind = tokenKind(inputs.target.kind);
  const describe = failureDescriber(client, {
    instanceUrl: inputs.instanceUrl,
    skipAuth: inputs.credential === undefined,
    words,
  });
  const about = { kind: kind.name, groupId: inputs.target.groupId, secrets };
  // --output json is always a JSON value: [] when nothing was rotated.
  const nothing = async (): Promise<number> => {
    if (inputs.output === 'json') await io.stdout('[]\n').catch(() => undefined);
    return EXIT_FAILED;
  };
  const failed = async (error: unknown): Promise<number> => {
    io.stderr(`error: ${await describe(error, about)}\n`);
    return nothing();
  };
  const report: DryRunReport = { lines: [], failures: [] };
  let target: TokenTarget;
  let current: PersonalAccessToken;
  try {
    const credential = inputs.dryRun
      ? await checkCredential(client, inputs.credential, words)
      : undefined;
    if (credential) report.lines.push(credential.line);
    target = await resolveTarget(kind, inputs.target, async () => {
      return credential?.user?.id ?? (await currentUser(client)).id;
    });
    current = await findToken(client, kind, target, inputs, words);
  } catch (error) {
    const message =
      error instanceof TokenLookupError
        ? scrubSecrets(error.message, secrets)
        : await describe(error, about);
    if (!inputs.dryRun) {
      io.stderr(`error: ${message}\n`);
      return nothing();
    }
    report.failures.push(message);
    return reportDryRun(io, report, inputs.output === 'json');
  }
  const label = kind.label(target);
  const old = `token ID ${current.id} ${quote(current.name)} of ${label}`;
  if (inputs.dryRun) {
    report.lines.push(scrubSecrets(wouldRotate(current, label, inputs.expiresAt), secrets));
    return reportDryRun(io, report, inputs.output === 'json');
  }
  let rotated: TokenWithSecret;
  try {
    rotated = await kind.rotate(client, target, current.id, inputs.expiresAt);
  } catch (error) {
    if (!mayHaveActed(error)) return failed(error);
    // Never sent again: GitLab may have rotated it (the old secret then no longer works).
    const list = command('list', kind, target);
    const why = (await describe(error, about)).replace(/\.$/, '');
    io.stderr(
      `error: the reply to the rotation of ${scrubSecrets(old, secrets)} was lost (${why}): whether GitLab rotated it is unknown, and a rotation is never sent twice. Check with '${list}': if token ID ${current.id} is still listed, nothing changed (run rotate again); if a newer token named ${quote(current.name)} is listed instead, GitLab rotated it and the new secret is lost: revoke that token and make another.\n`,
    );
    return nothing();
  }
  secrets.add(rotated.token);
  const made: NewToken = { token: rotated, target, rotatedFrom: current.id };
  io.stderr(`${madeLine(made)}\n`);
  noteExpiry(rotated, inputs.expiresAt, io, words);
  try {
    await io.stdout(formatOutput(inputs.output, [{ ref: { kind: kind.name }, created: made }]));
  } catch (error) {
    const again = command('rotate', kind, target, `--id ${rotated.id} --output ${inputs.output}`);
    io.stderr(
      `error: the result could not be written to stdout (${oneLine(writeFailure(error), 200)}): token ID ${rotated.id}, rotated from token ID ${current.id} (no longer active), reached nobody: rotate it again into a secret you can read: ${again}\n`,
    );
    return EXIT_FAILED;
  }
  return EXIT_OK;
}

/** What GitLab made of the expiry: its default without --expires-at, or a date it ignored. */
function noteExpiry(
  rotated: TokenWithSecret,
  expiresAt: string | undefined,
  io: CliIo,
  words: Words,
): void {
  const log = stderrLog(io);
  if (expiresAt === undefined && rotated.expires_at !== null) {
    log.info(
      `GitLab rotates a token without ${words.input('expires-at')} into one that lives one week where an expiry is enforced: token ID ${rotated.id} expires ${rotated.expires_at}.`,
    );
  } else if (expiresAt !== undefined && rotated.expires_at !== expiresAt) {
    log.warning(
      `Token ID ${rotated.id} expires ${rotated.expires_at ?? 'never'}, not ${expiresAt} as requested: this GitLab ignores expires_at when rotating.`,
    );
  }
}
