/**
 * Sharding: `--shard I/N` (or CI_NODE_INDEX/CI_NODE_TOTAL) plans and applies the entries whose id
 * hashes to shard I; the shards are disjoint and cover the manifest, adding an entry never moves
 * another, each shard reads only its own entries' owners, and an unmanaged token is reported by
 * exactly one shard.
 */
import { describe, expect, it } from '@jest/globals';
import { parseShard, shardOf } from '../../src/fleet/shard.js';
import {
  expectNoSecrets,
  expectNothingUnreported,
  fleetCli,
  fleetEnv,
  json,
  managed,
  manifestFile,
  tokenIds,
  useFleetSimulators,
  type CliRun,
} from './fleet-helpers.js';

const { gitlab, github } = useFleetSimulators();

const PROJECT_PATHS = ['acme/app', 'acme/widgets', 'acme/api', 'acme/web'];

function manifest(fleet: string, ids: string[]): string {
  return `fleet: ${fleet}\ntokens:\n${ids
    .map(
      (id, index) =>
        `  ${id}:\n    kind: project\n    project: ${PROJECT_PATHS[index % PROJECT_PATHS.length]}\n    scopes: [read_api]\n`,
    )
    .join('')}`;
}

const ids = (count: number, from = 0): string[] =>
  Array.from({ length: count }, (_, index) => `bot-${index + from}`);

describe('the shard of an entry', () => {
  it('depends on its id alone, so adding entries never moves the others', () => {
    const before = ids(200).map((id) => shardOf(id, 7));
    const after = ids(300).map((id) => shardOf(id, 7));
    expect(after.slice(0, 200)).toEqual(before);
    // Spread over every shard, roughly evenly.
    const counts = [1, 2, 3, 4, 5, 6, 7].map((shard) => after.filter((s) => s === shard).length);
    expect(Math.min(...counts)).toBeGreaterThan(20);
    expect(shardOf('bot-0', 1)).toBe(1);
  });

  it('comes from --shard, else from GitLab parallel jobs, else is the whole', () => {
    expect(parseShard('2/4', {})).toEqual({ index: 2, total: 4 });
    expect(parseShard('', { CI_NODE_INDEX: '3', CI_NODE_TOTAL: '5' })).toEqual({
      index: 3,
      total: 5,
    });
    expect(parseShard('1/2', { CI_NODE_INDEX: '3', CI_NODE_TOTAL: '5' })).toEqual({
      index: 1,
      total: 2,
    });
    expect(parseShard('', {})).toEqual({ index: 1, total: 1 });
    // A GitLab job without `parallel`: CI_NODE_TOTAL is 1 and CI_NODE_INDEX is not set.
    expect(parseShard('', { CI_NODE_TOTAL: '1' })).toEqual({ index: 1, total: 1 });
    expect(parseShard('0/2', {})).toEqual({ problem: expect.stringContaining('expected I/N') });
    expect(parseShard('', { CI_NODE_INDEX: '', CI_NODE_TOTAL: '3' })).toEqual({
      problem: expect.stringContaining('CI_NODE_INDEX/CI_NODE_TOTAL'),
    });
  });
});

describe('sharded runs', () => {
  it('are disjoint and cover the manifest, each reading only its own owners', async () => {
    const all = ids(24);
    const file = manifestFile(manifest('shards-1', all));
    const seen: string[][] = [];
    for (let index = 1; index <= 4; index++) {
      gitlab.requests.length = 0;
      const run = await fleetCli(
        ['plan', file, '--output', 'json'],
        fleetEnv(github, { CI_NODE_INDEX: String(index), CI_NODE_TOTAL: '4' }),
        gitlab,
      );
      expect(run.code).toBe(0);
      const report = json(run);
      expect(report.shard).toEqual({ index, total: 4 });
      const mine = report.entries.map((entry) => entry.id);
      expect(mine).toEqual(all.filter((id) => shardOf(id, 4) === index));
      seen.push(mine);
      const owners = new Set(
        report.entries.map(
          (entry) => `/api/v4/projects/${encodeURIComponent(String(entry.target))}/access_tokens`,
        ),
      );
      const lists = gitlab.requests.filter((request) => request.path.endsWith('/access_tokens'));
      expect(lists.map((request) => request.path).sort()).toEqual([...owners].sort());
    }
    expect(seen.flat().sort()).toEqual([...all].sort());
    expect(new Set(seen.flat()).size).toBe(all.length);
  });

  it('apply their own entries, and report an unmanaged token in one shard only', async () => {
    const all = ids(12);
    const before = tokenIds(gitlab);
    const runs: CliRun[] = [];
    const run = async (file: string, index: number, extra: string[] = []) => {
      const result = await fleetCli(
        ['apply', file, '--output', 'json', '--shard', `${index}/3`, ...extra],
        fleetEnv(github),
        gitlab,
      );
      expectNoSecrets(result, gitlab);
      runs.push(result);
      expect(result.code).toBe(0);
      return json(result);
    };
    const full = manifestFile(manifest('shards-2', all));
    for (let index = 1; index <= 3; index++) await run(full, index);
    for (const id of all) expect(managed(gitlab, 'shards-2', id)).toHaveLength(1);
    // Two entries leave the manifest (their projects are still named by others): one whose own
    // shard still reads its project, one whose shard does not. Each is reported by one shard: its
    // own when that shard reads the project, else the first shard that does.
    const project = (id: string): string => PROJECT_PATHS[all.indexOf(id) % PROJECT_PATHS.length];
    const readersAfter = (gone: string[], id: string): number[] =>
      all
        .filter((other) => !gone.includes(other) && project(other) === project(id))
        .map((other) => shardOf(other, 3));
    const pick = (homeReads: boolean): string =>
      all.find((id) => readersAfter([id], id).includes(shardOf(id, 3)) === homeReads) ?? '';
    const leaving = [pick(true), pick(false)];
    expect(leaving.every(Boolean)).toBe(true);
    const tokens = leaving.map((id) => managed(gitlab, 'shards-2', id)[0]);
    let text = manifest('shards-2', all);
    for (const id of leaving) text = text.replace(new RegExp(`  ${id}:\n(?: {4}.*\n)+`), '');
    const smaller = manifestFile(text);
    const reports = [];
    for (let index = 1; index <= 3; index++) reports.push(await run(smaller, index, ['--prune']));
    for (const [n, id] of leaving.entries()) {
      const readers = readersAfter(leaving, id);
      const expected = readers.includes(shardOf(id, 3)) ? shardOf(id, 3) : Math.min(...readers);
      const reportedBy = reports
        .map((report, index) =>
          report.unmanaged.some((item) => item.entry === id) ? index + 1 : 0,
        )
        .filter(Boolean);
      expect({ id, reportedBy }).toEqual({ id, reportedBy: [expected] });
      expect(tokens[n].revoked).toBe(true);
    }
    expect(reports.flatMap((report) => report.unmanaged)).toHaveLength(2);
    expectNothingUnreported(gitlab, before, runs);
  });
});
