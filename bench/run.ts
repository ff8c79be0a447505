/**
 * `npm run bench`: measures the bundled action (dist/) against the GitLab API simulator on
 * 127.0.0.1 and prints the figures, each next to a baseline measured in the same run:
 *   0. the bundles' sizes;
 *   1. cold start: `node dist/index.js` making one token vs bare `node -e 0` and vs two floors
 *      making the same request: the design card's (bench/floor-core.ts: @actions/core and
 *      @actions/http-client, bundled by ncc; goal: the action's overhead at most 1.25x its
 *      overhead, our own code adding at most a quarter to what the libraries cost) and the bare
 *      minimum (bench/floor.ts: node:http alone, for reference);
 *   2. 200 users with 50 ms latency per request: wall time at max-concurrency 8 and 32 vs
 *      sequential (max-concurrency 1), and the peak number of requests in flight;
 *   3. the first 30 token requests rate-limited (429 + Retry-After): tokens lost or duplicated;
 *   4. 100 renewals with store-in (bench/rotations.ts) vs the same without stores;
 *   5-6. tokens as code (bench/fleet.ts): a plan's requests and time, an apply against its ideal,
 *      a shard's plan against a tenth of the whole.
 * Every loop is bounded; the whole run takes well under two minutes.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_TOKEN, GitLabSimulator } from '../__tests__/simulator/gitlab-simulator.js';
import {
  ROOT,
  actionDefaults,
  runMainStep,
  spawnNode,
  type StepResult,
} from '../__tests__/helpers/run-action.js';
import { fleetBenchmarks } from './fleet.js';
import { rotationsWithStores } from './rotations.js';

const COLD_RUNS = 25;
const WARMUP_RUNS = 2;
const BULK_USERS = 200;
const BULK_LATENCY_MS = 50;
const RATE_LIMITED_REQUESTS = 30;
const RATE_LIMIT_USERS = 100;
/** User IDs the benchmark adds to the simulator. */
const FIRST_USER_ID = 5000;

const problems: string[] = [];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const ms = (value: number): string => `${value.toFixed(1)} ms`;

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await work();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

/** The environment the runner gives a step, without the step files' setup in the timing. */
function stepEnv(dir: string, inputs: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(INPUT_|STATE_|GITHUB_|NODE_OPTIONS$)/.test(key))
      env[key] = value;
  }
  for (const [name, value] of Object.entries({ ...actionDefaults(), ...inputs })) {
    env[`INPUT_${name.toUpperCase()}`] = value;
  }
  return {
    ...env,
    GITHUB_REPOSITORY: 'octo-org/octo-repo',
    GITHUB_RUN_ID: '4242',
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
  };
}

/** The goal: the action's overhead over bare Node at most this many design-card floors. */
const MAX_OVERHEAD_RATIO = 1.25;

async function coldStart(sim: GitLabSimulator, baseUrl: string): Promise<void> {
  console.log(`\n1. Cold start: median of ${COLD_RUNS} runs each, interleaved`);
  const dir = mkdtempSync(join(tmpdir(), 'cgt-bench-'));
  sim.requests.length = 0;
  try {
    const env = stepEnv(dir, {
      'base-url': baseUrl,
      'gitlab-token': ADMIN_TOKEN,
      'user-id': '42',
      scopes: 'read_api',
    });
    const reset = (): void => {
      for (const file of ['output', 'state', 'summary']) writeFileSync(join(dir, file), '');
    };
    const main = join(ROOT, 'dist', 'index.js');
    // The floors: the same request with the design card's libraries (bench/floor-core.ts,
    // bundled by ncc into build/floor-core), and with node:http alone (bench/floor.ts).
    const coreFloor = join(ROOT, 'build', 'floor-core', 'index.js');
    const floorScript = join(import.meta.dirname, 'floor.js');
    const scripts: { label: string; run: () => ReturnType<typeof spawnNode> }[] = [
      { label: 'node -e 0', run: () => spawnNode('-e', ['0'], env) },
      { label: 'floor: @actions/core + http-client', run: () => spawnNode(coreFloor, [], env) },
      { label: 'node dist/index.js (one token)', run: () => spawnNode(main, [], env) },
      { label: 'bare floor: node:http alone', run: () => spawnNode(floorScript, [], env) },
    ];
    const times: number[][] = scripts.map(() => []);
    for (let run = 0; run < WARMUP_RUNS + COLD_RUNS; run++) {
      for (const [index, script] of scripts.entries()) {
        reset();
        const step = await timed(script.run);
        if (step.value.code !== 0) {
          problems.push(
            `cold start: ${script.label} exited ${step.value.code}: ${step.value.stdout}`,
          );
          return;
        }
        if (index > 0 && !readFileSync(join(dir, 'output'), 'utf8').includes('token<<')) {
          problems.push(`cold start: ${script.label} wrote no token output`);
          return;
        }
        if (run >= WARMUP_RUNS) times[index].push(step.ms);
      }
    }
    const [bare, floor, action, bareFloor] = times;
    const row = (label: string, values: number[]): void =>
      console.log(
        `   ${label.padEnd(34)} median ${ms(median(values))}, fastest ${ms(Math.min(...values))}`,
      );
    for (const [index, script] of scripts.entries()) row(script.label, times[index]);
    const floorOverhead = median(floor) - median(bare);
    const overhead = median(action) - median(bare);
    const ratio = overhead / floorOverhead;
    const best = Math.min(...action) - Math.min(...bare);
    const met = ratio <= MAX_OVERHEAD_RATIO;
    console.log(`   design-card floor over bare Node   median ${ms(floorOverhead)}`);
    console.log(
      `   node:http floor over bare Node     median ${ms(median(bareFloor) - median(bare))}`,
    );
    console.log(
      `   action overhead over bare Node     median ${ms(overhead)}, fastest ${ms(best)}`,
    );
    console.log(
      `   overhead ratio (action / floor)    ${ratio.toFixed(2)}` +
        `  (target <= ${MAX_OVERHEAD_RATIO}: ${met ? 'met' : 'NOT met'})`,
    );
    if (!met) {
      problems.push(
        `cold start: the action's overhead is ${ratio.toFixed(2)}x the design-card floor's (target <= ${MAX_OVERHEAD_RATIO})`,
      );
    }
    console.log(
      `   requests per run                   ${sim.requests.length / (WARMUP_RUNS + COLD_RUNS) / 3}` +
        ' (action and floors)',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every bundle's size. */
function bundleSizes(): void {
  console.log('\n0. Bundles (dist/)');
  const files = readdirSync(join(ROOT, 'dist'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.js'))
    .sort();
  for (const file of files) {
    const bytes = statSync(join(ROOT, 'dist', file)).size;
    console.log(`   ${file.padEnd(34)} ${(bytes / 1000).toFixed(1).padStart(6)} kB`);
  }
}

interface BulkRun {
  label: string;
  ms: number;
  peak: number;
  result: StepResult;
}

async function bulkRun(
  sim: GitLabSimulator,
  baseUrl: string,
  users: number[],
  maxConcurrency: number,
): Promise<BulkRun> {
  sim.requests.length = 0;
  sim.peakInFlight = 0;
  const before = sim.tokens.length;
  const { ms: wall, value: result } = await timed(() =>
    runMainStep({
      bundle: true,
      inputs: {
        'base-url': baseUrl,
        'gitlab-token': ADMIN_TOKEN,
        'user-id': users.join('\n'),
        scopes: 'read_api',
        'max-concurrency': String(maxConcurrency),
      },
    }),
  );
  const made = sim.tokens.length - before;
  if (result.code !== 0 || made !== users.length) {
    problems.push(`max-concurrency ${maxConcurrency}: exit ${result.code}, ${made} tokens made`);
  }
  if (sim.peakInFlight > maxConcurrency) {
    problems.push(`max-concurrency ${maxConcurrency}: ${sim.peakInFlight} requests in flight`);
  }
  return { label: `max-concurrency ${maxConcurrency}`, ms: wall, peak: sim.peakInFlight, result };
}

async function bulk(sim: GitLabSimulator, baseUrl: string, users: number[]): Promise<void> {
  console.log(
    `\n2. ${users.length} users (numeric IDs, one POST each), ${BULK_LATENCY_MS} ms latency per request`,
  );
  sim.latencyMs = BULK_LATENCY_MS;
  try {
    const sequential = await bulkRun(sim, baseUrl, users, 1);
    const runs = [sequential, await bulkRun(sim, baseUrl, users, 8)];
    runs.push(await bulkRun(sim, baseUrl, users, 32));
    console.log(
      `   ideal sequential time              ${ms(users.length * BULK_LATENCY_MS)} (latency only)`,
    );
    for (const run of runs) {
      const ratio = run.ms / sequential.ms;
      const target =
        run === sequential ? '' : `  (target < 0.20: ${ratio < 0.2 ? 'met' : 'NOT met'})`;
      console.log(
        `   ${run.label.padEnd(20)} wall ${ms(run.ms).padStart(10)}  ` +
          `ratio ${ratio.toFixed(3)}  peak in flight ${String(run.peak).padStart(2)}${target}`,
      );
    }
  } finally {
    sim.latencyMs = 0;
  }
}

async function rateLimited(sim: GitLabSimulator, baseUrl: string, users: number[]): Promise<void> {
  console.log(
    `\n3. The first ${RATE_LIMITED_REQUESTS} token requests answer 429 (Retry-After 1), ${users.length} users, max-concurrency 8`,
  );
  sim.requests.length = 0;
  sim.clearFaults();
  sim.addFault({
    method: 'POST',
    pathPattern: /\/personal_access_tokens$/,
    times: RATE_LIMITED_REQUESTS,
    fault: { kind: 'rateLimit', retryAfterSeconds: 1 },
  });
  const before = sim.tokens.length;
  const { ms: wall, value: result } = await timed(() =>
    runMainStep({
      bundle: true,
      inputs: {
        'base-url': baseUrl,
        'gitlab-token': ADMIN_TOKEN,
        'user-id': users.join(','),
        scopes: 'read_api',
      },
    }),
  );
  sim.clearFaults();
  const made = sim.tokens.slice(before);
  const perUser = new Map<number, number>(users.map((id) => [id, 0]));
  for (const token of made) perUser.set(token.user_id, (perUser.get(token.user_id) ?? 0) + 1);
  const lost = [...perUser.values()].filter((count) => count === 0).length;
  const duplicated = [...perUser.values()].reduce((sum, count) => sum + Math.max(0, count - 1), 0);
  let output: { id: number; token: string }[] = [];
  try {
    output = JSON.parse(result.outputs.tokens ?? '[]') as { id: number; token: string }[];
  } catch {
    problems.push('rate limit: the tokens output is not JSON');
  }
  const known = new Map(made.map((token) => [token.id, token.token]));
  const unreported = made.filter((token) => !output.some((out) => out.id === token.id)).length;
  const mismatched = output.filter((out) => known.get(out.id) !== out.token).length;
  const posts = sim.requests.filter((request) => request.method === 'POST').length;
  console.log(`   exit code                          ${result.code}`);
  console.log(`   wall time                          ${ms(wall)}`);
  console.log(`   POST requests (429s included)      ${posts}`);
  console.log(`   tokens made / users                ${made.length} / ${users.length}`);
  console.log(`   users without a token (lost)       ${lost}`);
  console.log(`   extra tokens (duplicated)          ${duplicated}`);
  console.log(`   made but not in the output         ${unreported}`);
  console.log(`   output entries not matching GitLab ${mismatched}`);
  if (result.code !== 0 || lost + duplicated + unreported + mismatched > 0) {
    problems.push(
      `rate limit: exit ${result.code}, lost ${lost}, duplicated ${duplicated}, unreported ${unreported}`,
    );
  }
}

const sim = new GitLabSimulator();
sim.seedDefaults();
const users = Array.from({ length: BULK_USERS }, (_, i) => FIRST_USER_ID + i);
for (const id of users) sim.addUser({ id, username: `bench-${id}` });
const baseUrl = await sim.start('127.0.0.1');
console.log(`create-gitlab-token benchmarks: Node ${process.version}, simulator at ${baseUrl}`);
try {
  bundleSizes();
  await coldStart(sim, baseUrl);
  await bulk(sim, baseUrl, users);
  await rateLimited(sim, baseUrl, users.slice(0, RATE_LIMIT_USERS));
} finally {
  await sim.stop();
}
await rotationsWithStores(problems);
await fleetBenchmarks(problems);
if (problems.length > 0) {
  console.log(`\nProblems:\n${problems.map((problem) => `   ${problem}`).join('\n')}`);
  process.exitCode = 1;
}
