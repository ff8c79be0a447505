/**
 * Bench: tokens as code (`fleet plan` / `fleet apply`, the library the CLI and the action run),
 * in-process against the GitLab API simulator with latency on every request, each figure next to
 * a baseline measured in the same run:
 *   a. the plan of 300 entries in 30 projects, each with a CI/CD variable: requests made (each
 *      owner and each store place read once: about 60, plus the version) and wall time, against
 *      the same facts read one entry at a time (a token list and a variable per entry);
 *   b. the apply of those 300 from scratch: wall time against the ideal for the concurrency used
 *      (the plan, then each entry's requests back to back, `concurrency` entries at a time);
 *   c. 5,000 entries in 10 shards: each shard's plan time against one tenth of the whole
 *      manifest's plan time, with one entry per project (5,000 projects) and with ten (500).
 *      Shards hash entry ids, so a shard reads every project one of its entries is in: with one
 *      entry per project that is a tenth of them, with ten per project about two thirds.
 * No timing is asserted; problems (a plan that changes something, an apply that fails) are.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientFor } from '../src/gitlab/client.js';
import { parseFleetInputs, runFleet } from '../src/fleet/run.js';
import { shardOf } from '../src/fleet/shard.js';
import type { FleetRun } from '../src/fleet/report.js';
import { CLI_WORDS } from '../src/inputs/words.js';
import { mapWithConcurrency } from '../src/util/concurrency.js';
import { ADMIN_TOKEN, GitLabSimulator } from '../__tests__/simulator/gitlab-simulator.js';

const LATENCY_MS = 20;
const CONCURRENCY = 8;
const SMALL = { entries: 300, projects: 30 };
/** Shards 1 to `timed` are planned (each takes about as long as another): a bounded run. */
const LARGE = { entries: 5000, layouts: [5000, 500], shards: 10, timed: 3, concurrency: 32 };
const FIRST_PROJECT_ID = 20_000;
const GROUP_ID = 901;

const ms = (value: number): string => `${value.toFixed(0)} ms`;

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await work();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

/** A manifest of `entries` project tokens spread over `projects` projects, a variable each. */
function manifest(fleet: string, entries: number, projects: number): string {
  const lines = [`fleet: ${fleet}`, 'tokens:'];
  for (let i = 0; i < entries; i++) {
    const project = FIRST_PROJECT_ID + (i % projects);
    lines.push(
      `  bot-${i}:`,
      '    kind: project',
      `    project: fleet-bench/p${project}`,
      '    scopes: [read_api]',
      `    store-in: [gitlab-variable:fleet-bench/p${project}:TOKEN_${i}]`,
    );
  }
  return `${lines.join('\n')}\n`;
}

class Bench {
  private readonly dir = mkdtempSync(join(tmpdir(), 'cgt-fleet-bench-'));

  constructor(
    readonly sim: GitLabSimulator,
    readonly problems: string[],
  ) {}

  async run(
    text: string,
    mode: 'plan' | 'apply',
    shard = '',
    concurrency = CONCURRENCY,
  ): Promise<{ ms: number; requests: number; run: FleetRun }> {
    const file = join(this.dir, `${mode}-${shard.replace('/', '-') || 'all'}.yml`);
    writeFileSync(file, text);
    const values: Record<string, string> = {
      'base-url': this.sim.url,
      'max-concurrency': String(concurrency),
      shard,
    };
    const inputs = parseFleetInputs(
      (name) => values[name] ?? '',
      { GITLAB_TOKEN: ADMIN_TOKEN },
      CLI_WORDS,
      {
        mode,
        file,
      },
    );
    this.sim.requests.length = 0;
    const { ms: wall, value: run } = await timed(() =>
      runFleet(inputs, {
        log: { info: () => {}, warning: (line) => this.problems.push(`fleet: warning: ${line}`) },
        onSecret: () => {},
        stop: { reason: undefined },
        secrets: new Set([ADMIN_TOKEN]),
      }),
    );
    const requests = this.sim.requests.length;
    if (run.readFailed || run.report.entries.some((entry) => entry.error !== undefined)) {
      this.problems.push(
        `fleet ${mode} ${shard}: ${JSON.stringify(run.report.entries.find((entry) => entry.error))}`,
      );
    }
    return { ms: wall, requests, run };
  }

  /** What reading the same facts one entry at a time costs: its token list and its variable. */
  async perEntry(entries: number, projects: number): Promise<{ ms: number; requests: number }> {
    const client = clientFor(
      {
        apiUrl: `${this.sim.url}/api/v4`,
        credential: ADMIN_TOKEN,
        timeoutMs: 30_000,
        maxWaitMs: 0,
      },
      CONCURRENCY,
    );
    this.sim.requests.length = 0;
    try {
      const { ms: wall } = await timed(() =>
        mapWithConcurrency(
          Array.from({ length: entries }, (_, i) => i),
          CONCURRENCY,
          async (i) => {
            const project = encodeURIComponent(`fleet-bench/p${FIRST_PROJECT_ID + (i % projects)}`);
            await client.request('GET', `/projects/${project}/access_tokens?per_page=100`);
            await client
              .request('GET', `/projects/${project}/variables/TOKEN_${i}`)
              .catch(() => undefined);
          },
        ),
      );
      return { ms: wall, requests: this.sim.requests.length };
    } finally {
      client.dispose();
    }
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function smallFleet(bench: Bench): Promise<void> {
  const { entries, projects } = SMALL;
  console.log(
    `\n5. Tokens as code: ${entries} entries in ${projects} projects, a CI/CD variable each, ${LATENCY_MS} ms latency, max-concurrency ${CONCURRENCY}`,
  );
  const text = manifest('bench-small', entries, projects);
  const baseline = await bench.perEntry(entries, projects);
  const plan = await bench.run(text, 'plan');
  const changes = bench.sim.requests.filter((request) => request.method !== 'GET').length;
  if (changes > 0) bench.problems.push(`fleet plan made ${changes} changes`);
  const goal = plan.requests <= 2 * projects + 5 ? 'met' : 'NOT met';
  console.log(
    `   plan                               ${plan.requests} requests (goal: owners and stores once, ~${2 * projects + 1}: ${goal}), wall ${ms(plan.ms)}`,
  );
  console.log(
    `   baseline, one entry at a time      ${baseline.requests} requests, wall ${ms(baseline.ms)}; plan/baseline ${(plan.ms / baseline.ms).toFixed(2)}`,
  );
  if (goal !== 'met')
    bench.problems.push(`fleet plan: ${plan.requests} requests for ${projects} projects`);

  const apply = await bench.run(text, 'apply');
  const made = apply.run.report.entries.filter((entry) => entry.result === 'created').length;
  if (made !== entries) bench.problems.push(`fleet apply: ${made} of ${entries} created`);
  const perEntry = (apply.requests - plan.requests) / entries;
  const ideal = plan.ms + Math.ceil(entries / CONCURRENCY) * perEntry * LATENCY_MS;
  console.log(
    `   apply from scratch                 ${apply.requests} requests (${perEntry.toFixed(1)} per entry after the plan), wall ${ms(apply.ms)}`,
  );
  console.log(
    `   ideal at max-concurrency ${CONCURRENCY}          ${ms(ideal)} (the plan, then ${Math.ceil(entries / CONCURRENCY)} rounds of ${perEntry.toFixed(1)} × ${LATENCY_MS} ms); wall/ideal ${(apply.ms / ideal).toFixed(2)}`,
  );
  const again = await bench.run(text, 'apply');
  const second = bench.sim.requests.filter((request) => request.method !== 'GET').length;
  console.log(
    `   apply again                        ${again.requests} requests, ${second} changes, wall ${ms(again.ms)}`,
  );
  if (second > 0) bench.problems.push(`fleet: a second apply made ${second} changes`);
}

async function shardedFleet(bench: Bench, projects: number): Promise<void> {
  const { entries, shards, timed: planned, concurrency } = LARGE;
  console.log(
    `   ${entries} entries in ${projects} projects (${entries / projects} per project), max-concurrency ${concurrency}:`,
  );
  const text = manifest(`bench-large-${projects}`, entries, projects);
  const whole = await bench.run(text, 'plan', '', concurrency);
  const times: number[] = [];
  const counts: number[] = [];
  for (let index = 1; index <= planned; index++) {
    const shard = await bench.run(text, 'plan', `${index}/${shards}`, concurrency);
    times.push(shard.ms);
    counts.push(shard.requests);
    const expected = whole.run.report.entries.filter(
      (entry) => shardOf(entry.id, shards) === index,
    );
    if (shard.run.report.entries.length !== expected.length) {
      bench.problems.push(
        `fleet shard ${index}/${shards}: ${shard.run.report.entries.length} entries, not ${expected.length}`,
      );
    }
  }
  const tenth = whole.ms / shards;
  const mean = times.reduce((sum, value) => sum + value, 0) / planned;
  const requests = counts.reduce((a, b) => a + b, 0) / planned;
  console.log(
    `     whole manifest                   ${whole.requests} requests, wall ${ms(whole.ms)}`,
  );
  console.log(
    `     one shard (mean of ${planned} of ${shards})        ${requests.toFixed(0)} requests, wall ${ms(mean)} (slowest ${ms(Math.max(...times))}); against a tenth of the whole (${ms(tenth)}): ${(mean / tenth).toFixed(2)}`,
  );
}

export async function fleetBenchmarks(problems: string[]): Promise<void> {
  const sim = new GitLabSimulator();
  sim.seedDefaults();
  sim.addGroup({ id: GROUP_ID, fullPath: 'fleet-bench' });
  for (let i = 0; i < Math.max(...LARGE.layouts); i++) {
    sim.addProject({
      id: FIRST_PROJECT_ID + i,
      fullPath: `fleet-bench/p${FIRST_PROJECT_ID + i}`,
      namespaceId: GROUP_ID,
    });
  }
  await sim.start('127.0.0.1');
  sim.latencyMs = LATENCY_MS;
  const bench = new Bench(sim, problems);
  try {
    await smallFleet(bench);
    console.log(
      `\n6. Tokens as code: ${LARGE.entries} entries, the plan of the whole against each of ${LARGE.shards} shards, ${LATENCY_MS} ms latency`,
    );
    for (const projects of LARGE.layouts) await shardedFleet(bench, projects);
  } finally {
    bench.dispose();
    await sim.stop();
  }
}
