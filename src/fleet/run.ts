/**
 * One fleet run, for the CLI and the action alike: the inputs (connection, shard, prune), the
 * manifest (read and checked before any request), the plan, and with apply the changes. What is
 * wrong with the inputs or the manifest is a FleetInputError (exit 2, before any request).
 */
import { readFileSync } from 'node:fs';
import { clientFor, type GitLabClient } from '../gitlab/client.js';
import { parseConnectionInto, type ConnectionInputs } from '../inputs/connection.js';
import { DEFAULT_EXPIRES_AT, parseBoolean, parseNumber } from '../inputs/fields.js';
import { Problems, type Env, type InputReader } from '../inputs/problems.js';
import { DEFAULT_MAX_CONCURRENCY, MAX_CONCURRENCY } from '../inputs/request.js';
import type { Words } from '../inputs/words.js';
import { findKind } from '../kinds/index.js';
import { describeError, failureDescriber } from '../messages/describe-error.js';
import { StoreReader } from '../stores/reading.js';
import { githubClient } from '../stores/index.js';
import { parseGitHubApiUrl } from '../stores/targets.js';
import type { Logger } from '../tokens/make.js';
import type { StopSignal } from '../tokens/many.js';
import { quote } from '../util/text.js';
import { applyFleet } from './apply.js';
import { ManifestError, parseManifest, type Manifest } from './manifest.js';
import { planFleet } from './plan.js';
import { buildRun, type FleetRun } from './report.js';
import { parseShard, shardOf, WHOLE, type Shard } from './shard.js';

export const DEFAULT_MANIFEST = '.gitlab-tokens.yml';

export interface FleetInputs extends ConnectionInputs {
  mode: 'plan' | 'apply';
  file: string;
  prune: boolean;
  shard: Shard;
  maxConcurrency: number;
  /** github-token (the CLI: GITHUB_TOKEN), for github-secret targets */
  githubToken: string;
  /** GITHUB_API_URL (default api.github.com), or what is wrong with it */
  githubApi: string | { problem: string };
  words: Words;
}

/** The inputs or the manifest are invalid: nothing was asked of GitLab (exit 2). */
export class FleetInputError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'FleetInputError';
  }
}

/** Inputs that name one token: a fleet's tokens come from its manifest. */
const NOT_FOR_FLEET = [
  'user-id',
  'project-id',
  'group-id',
  'access-level',
  'scopes',
  'name',
  'expires-at',
  'description',
  'rotate-before',
  'store-in',
];

/** The manifest's keys for the inputs a single token is named by. */
const MANIFEST_KEYS: Readonly<Record<string, string>> = {
  'user-id': 'user',
  'project-id': 'project',
  'group-id': 'group',
  scopes: 'scopes',
  'access-level': 'access-level',
  name: 'name',
  'expires-at': 'expires-in',
  'rotate-before': 'rotate-before',
  'store-in': 'store-in',
};

/** The reader's words, where a message about an entry names the manifest's keys. */
export function fleetWords(words: Words): Words {
  const key = (name: string): string | undefined => MANIFEST_KEYS[name];
  return {
    ...words,
    input: (name) => (key(name) ? `${key(name)}: in the manifest` : words.input(name)),
    setting: (name, value) =>
      key(name) ? `${key(name)}: ${value} in the manifest` : words.setting(name, value),
    // A fleet prints no secret: a credential that rotated itself is only where it was stored.
    newSecretHome: 'no output (a fleet never prints a secret)',
  };
}

/** The inputs of a fleet run; throws InputError listing every problem. */
export function parseFleetInputs(
  read: InputReader,
  env: Env,
  words: Words,
  run: { mode: string; file: string },
): FleetInputs {
  const problems = new Problems(words);
  const connection = parseConnectionInto(read, env, problems);
  for (const input of NOT_FOR_FLEET) {
    // The action passes expires-at's default: a manifest sets each entry's lifetime instead.
    if (input === 'expires-at' && read(input).trim() === DEFAULT_EXPIRES_AT) continue;
    if (read(input).trim())
      problems.add(input, 'goes without a fleet (its manifest names every token)');
  }
  for (const input of ['impersonation', 'self-rotate', 'revoke']) {
    if (parseBoolean(read, input, problems)) {
      problems.add(input, 'goes without a fleet (its manifest names every token)');
    }
  }
  const ifExists = read('if-exists').trim().toLowerCase();
  if (ifExists !== '' && ifExists !== 'create') {
    problems.add('if-exists', 'goes without a fleet (a fleet renews by create, store, revoke)');
  }
  const mode = run.mode.trim().toLowerCase() || 'plan';
  if (mode !== 'plan' && mode !== 'apply') {
    problems.add('fleet-mode', `expected plan or apply, got ${quote(run.mode)}`);
  }
  const prune = parseBoolean(read, 'prune', problems);
  const shard = parseShard(read('shard'), env);
  if ('problem' in shard) problems.add('shard', shard.problem);
  const maxConcurrency = parseNumber(
    read,
    'max-concurrency',
    DEFAULT_MAX_CONCURRENCY,
    1,
    MAX_CONCURRENCY,
    true,
    problems,
  );
  const apiUrl = parseGitHubApiUrl(env.GITHUB_API_URL);
  problems.throwIfAny();
  return {
    ...connection,
    mode: mode as 'plan' | 'apply',
    file: run.file.trim() || DEFAULT_MANIFEST,
    prune,
    shard: 'problem' in shard ? WHOLE : shard,
    maxConcurrency,
    githubToken: read('github-token').trim(),
    githubApi: apiUrl,
    words,
  };
}

/** The manifest, read and checked; what the inputs and it say together is checked too. */
export function loadManifest(inputs: FleetInputs): Manifest {
  let text: string;
  try {
    text = readFileSync(inputs.file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new FleetInputError([`${inputs.file}: the manifest cannot be read (${code})`]);
  }
  let manifest: Manifest;
  try {
    manifest = parseManifest(text, inputs.file);
  } catch (error) {
    if (error instanceof ManifestError) throw new FleetInputError(error.problems);
    throw error;
  }
  const problems: string[] = [];
  const mine = manifest.entries.filter(
    (entry) => shardOf(entry.id, inputs.shard.total) === inputs.shard.index,
  );
  if (inputs.shard.total > 1) {
    for (const entry of manifest.entries.filter((e) => findKind(e.kind)?.canCreate === false)) {
      problems.push(
        `${inputs.file}:${entry.line}: tokens.${entry.id}: kind ${entry.kind} goes without shards (the other shards would keep the old secret): renew the credential in a run of its own`,
      );
    }
  }
  const github = mine.find((entry) =>
    entry.stores.some((target) => target.type === 'github-secret'),
  );
  if (github && !inputs.githubToken) {
    problems.push(
      `${inputs.file}:${github.line}: tokens.${github.id}: github-secret targets need ${inputs.words.input('github-token')}: a GitHub token that may write the repository's secrets`,
    );
  }
  if (github && typeof inputs.githubApi !== 'string') problems.push(inputs.githubApi.problem);
  if (problems.length > 0) throw new FleetInputError(problems);
  return manifest;
}

export interface FleetHooks {
  log: Logger;
  /** every new secret, the moment it arrives (the action masks it) */
  onSecret(secret: string): void;
  stop: StopSignal;
  secrets: Set<string>;
  now?: Date;
  settleMs?: number;
  debug?: (line: string) => void;
  /** told of each client the run uses (a cancel aborts them all) */
  onClient?: (client: GitLabClient) => void;
}

/** Plans (and with apply, applies) the inputs' shard of the manifest. */
export async function runFleet(inputs: FleetInputs, hooks: FleetHooks): Promise<FleetRun> {
  const manifest = loadManifest(inputs);
  const now = hooks.now ?? new Date();
  const clients: GitLabClient[] = [];
  const open = (credential: string | undefined): GitLabClient => {
    const client = clientFor({ ...inputs, credential }, inputs.maxConcurrency, hooks.debug);
    clients.push(client);
    hooks.onClient?.(client);
    return client;
  };
  let client = open(inputs.credential);
  const needsGitHub = manifest.entries.some((entry) =>
    entry.stores.some((target) => target.type === 'github-secret'),
  );
  const githubAccess =
    needsGitHub && inputs.githubToken && typeof inputs.githubApi === 'string'
      ? { apiUrl: inputs.githubApi, token: inputs.githubToken }
      : undefined;
  // A cancel that cuts GitLab's requests in flight cuts GitHub's too.
  const github =
    githubAccess &&
    githubClient(
      { ...inputs, stores: [], github: githubAccess },
      hooks.debug,
      undefined,
    ).followCancel(client);
  const { secrets } = hooks;
  const words = fleetWords(inputs.words);
  try {
    const plan = await planFleet(
      {
        client,
        stores: new StoreReader(client, github),
        concurrency: inputs.maxConcurrency,
        describe: (error, kind) =>
          describeError(error, {
            instanceUrl: inputs.instanceUrl,
            secrets,
            words,
            kind,
          }),
      },
      manifest,
      inputs.shard,
      now,
    );
    if (inputs.mode === 'plan') return buildRun(plan, 'plan', inputs.prune, secrets);
    if (inputs.prune && !plan.markers) {
      const run = buildRun(plan, 'apply', inputs.prune, secrets);
      run.readFailed = true;
      run.problems.push(
        `${inputs.words.input('prune')} needs GitLab 17.7 or later (token descriptions, where a fleet's marker is kept): nothing was changed`,
      );
      return run;
    }
    const applied = await applyFleet(
      {
        client: () => client,
        useCredential: (secret) => {
          client = open(secret);
        },
        github,
        storeInputs: {
          github: githubAccess,
          credential: inputs.credential,
          timeoutMs: inputs.timeoutMs,
          maxWaitMs: inputs.maxWaitMs,
        },
        concurrency: inputs.maxConcurrency,
        log: hooks.log,
        onSecret: hooks.onSecret,
        // Asked of the client of the moment: a credential that rotated itself is the old one.
        describe: (error, about) =>
          failureDescriber(client, {
            instanceUrl: inputs.instanceUrl,
            skipAuth: inputs.credential === undefined,
            words,
          })(error, about),
        secrets,
        stop: hooks.stop,
        settleMs: hooks.settleMs,
        debug: hooks.debug,
      },
      plan,
      inputs.prune,
    );
    return buildRun(plan, 'apply', inputs.prune, secrets, applied);
  } finally {
    for (const each of clients) each.dispose();
    github?.dispose();
  }
}

/**
 * A cancel as a runner (or a person at a terminal) does it: the first SIGINT begins no new entry
 * and lets the ones under way finish; SIGTERM, or a second SIGINT, also cuts the requests in
 * flight of every client the run uses (give `onClient` to runFleet).
 */
export function watchFleetSignals(onFirst: (signal: NodeJS.Signals) => void): {
  stop: StopSignal;
  onClient(client: GitLabClient): void;
  release(): void;
} {
  const stop: { reason: StopSignal['reason'] } = { reason: undefined };
  const clients: GitLabClient[] = [];
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stop.reason === undefined) {
      stop.reason = 'cancelled';
      onFirst(signal);
      if (signal === 'SIGINT') return;
    }
    for (const client of clients) client.abortAll();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    stop,
    onClient: (client) => clients.push(client),
    release() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
