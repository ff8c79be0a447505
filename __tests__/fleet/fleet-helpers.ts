/**
 * What the fleet tests share: the two simulators with a few more projects, the CLI run
 * in-process (runCli with a capturing io), manifests in temporary files, and the two promises
 * every test that makes a token checks: no secret printed anywhere (stdout, stderr, the JSON, the
 * JUnit file), and no active token made by the run left unreported.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from '@jest/globals';
import { runCli, type CliIo } from '../../src/cli/main.js';
import {
  ADMIN_TOKEN,
  GitLabSimulator,
  SEED_GROUPS,
  type SimToken,
} from '../simulator/gitlab-simulator.js';
import { GITHUB_WRITE_TOKEN, GitHubSimulator } from '../simulator/github-simulator.js';
import { expectNoSecretsIn, useSimulator } from '../helpers/simulator-fixture.js';
import { useGitHubSimulator } from '../helpers/github-simulator-fixture.js';

/** Projects the fleet tests add to the seeded ones (acme/app is 70). */
export const PROJECTS = { widgets: 71, api: 72, web: 73 } as const;

export function useFleetSimulators(options: { version?: string } = {}): {
  gitlab: GitLabSimulator;
  github: GitHubSimulator;
} {
  const gitlab = useSimulator({
    simulator: options.version ? { version: options.version } : {},
    seed: (sim) => {
      for (const [name, id] of Object.entries(PROJECTS)) {
        sim.addProject({ id, fullPath: `acme/${name}`, namespaceId: SEED_GROUPS.acme });
      }
    },
  });
  const github = useGitHubSimulator();
  return { gitlab, github };
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A directory for this file's manifests and reports. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cgt-fleet-'));
  dirs.push(dir);
  return dir;
}

/** Writes a manifest and returns its path. */
export function manifestFile(text: string, name = '.gitlab-tokens.yml'): string {
  const path = join(tempDir(), name);
  writeFileSync(path, text);
  return path;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** the JUnit file's text, when --junit was given and it was written */
  junit: string;
}

/** The environment a fleet run gets: the credentials and GitHub's address. */
export function fleetEnv(
  github: GitHubSimulator,
  more: Record<string, string> = {},
): Record<string, string> {
  return {
    GITLAB_TOKEN: ADMIN_TOKEN,
    GITHUB_TOKEN: GITHUB_WRITE_TOKEN,
    GITHUB_API_URL: github.url,
    ...more,
  };
}

/** `create-gitlab-token fleet …` in-process, stdout and stderr captured. */
export async function fleetCli(
  args: string[],
  env: Record<string, string>,
  gitlab: GitLabSimulator,
  now = new Date(),
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => {
      stdout += text;
      return Promise.resolve();
    },
    stderr: (text) => {
      stderr += text;
    },
  };
  const junitAt = args.indexOf('--junit');
  const code = await runCli(['fleet', ...args, '--base-url', gitlab.url], env, io, {
    now,
    waits: { settleMs: 0, retryBaseDelayMs: 0 },
  });
  const junitPath = junitAt >= 0 ? args[junitAt + 1] : undefined;
  const junit = junitPath && existsSync(junitPath) ? readFileSync(junitPath, 'utf8') : '';
  return { code, stdout, stderr, junit };
}

export interface FleetJson {
  fleet: string;
  shard: { index: number; total: number };
  entries: {
    id: string;
    kind: string;
    target: string | number | null;
    action: 'create' | 'renew' | 'none';
    reasons: string[];
    token: { id: number; name: string; expires_at: string | null; days_left: number | null } | null;
    stores: { target: string; state: string }[];
    result?: string;
    error?: string;
  }[];
  unmanaged: { id: number; name: string; entry: string; result?: string }[];
}

export function json(run: CliRun): FleetJson {
  return JSON.parse(run.stdout) as FleetJson;
}

export function entryOf(report: FleetJson, id: string): FleetJson['entries'][number] {
  const entry = report.entries.find((item) => item.id === id);
  if (!entry) throw new Error(`no entry ${id} in ${JSON.stringify(report)}`);
  return entry;
}

/** No credential and no token of the simulators anywhere in what the run printed or wrote. */
export function expectNoSecrets(run: CliRun, gitlab: GitLabSimulator, more: string[] = []): void {
  expectNoSecretsIn(
    { stdout: run.stdout, stderr: run.stderr, files: { state: '', summary: run.junit } },
    [ADMIN_TOKEN, GITHUB_WRITE_TOKEN, ...more],
    [gitlab],
  );
}

/** The IDs of the tokens the simulator holds now (to tell what a run made). */
export function tokenIds(gitlab: GitLabSimulator): Set<number> {
  return new Set(gitlab.tokens.map((token) => token.id));
}

/**
 * Every active token made since `before` is reported: an entry's token or an unmanaged one in
 * the JSON, or named (`token ID n`) on stderr.
 */
export function expectNothingUnreported(
  gitlab: GitLabSimulator,
  before: Set<number>,
  runs: CliRun[],
): void {
  const reported = new Set<number>();
  for (const run of runs) {
    try {
      const report = json(run);
      for (const entry of report.entries) if (entry.token) reported.add(entry.token.id);
      for (const item of report.unmanaged) reported.add(item.id);
    } catch {
      // a text report: the IDs it names count
    }
    for (const match of `${run.stdout}\n${run.stderr}`.matchAll(/token ID (\d+)/g)) {
      reported.add(Number(match[1]));
    }
  }
  const unreported = gitlab.tokens
    .filter((token: SimToken) => token.active && !before.has(token.id) && !reported.has(token.id))
    .map(({ id, name, description }) => ({ id, name, description }));
  expect(unreported).toEqual([]);
}

/** The active tokens of the simulator whose description carries this fleet's entry marker. */
export function managed(gitlab: GitLabSimulator, fleet: string, entry: string): SimToken[] {
  return gitlab.tokens.filter(
    (token) => token.active && (token.description ?? '').includes(`fleet=${fleet} entry=${entry} `),
  );
}
