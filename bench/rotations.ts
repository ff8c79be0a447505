/**
 * Bench: the renewal of 100 project bots' tokens with store-in (a CI/CD variable and a GitHub
 * secret each), one step per token as a matrix runs them (8 at a time), against the simulators
 * with latency on every request; next to the same 100 renewals without stores (a plain rotation),
 * measured in the same run. Reports wall times, their ratio, requests per renewal, and checks
 * after every request that no target ever held a dead token.
 */
import { ADMIN_TOKEN, GitLabSimulator } from '../__tests__/simulator/gitlab-simulator.js';
import { GITHUB_WRITE_TOKEN, GitHubSimulator } from '../__tests__/simulator/github-simulator.js';
import { runMainStep } from '../__tests__/helpers/run-action.js';

const PROJECTS = 100;
const PARALLEL_STEPS = 8;
const LATENCY_MS = 20;
const FIRST_PROJECT_ID = 9000;
const NAME = 'deploy bot';

const days = (n: number): string =>
  new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

async function mapLimit<T>(items: T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

/** A due token for each project, and (with stores) the targets holding it. */
async function seedDueTokens(
  gitlab: GitLabSimulator,
  github: GitHubSimulator,
  projects: number[],
  stores: boolean,
): Promise<void> {
  gitlab.latencyMs = 0;
  for (const id of projects) {
    const response = await fetch(`${gitlab.url}/api/v4/projects/${id}/access_tokens`, {
      method: 'POST',
      headers: { 'private-token': ADMIN_TOKEN, 'content-type': 'application/json' },
      body: JSON.stringify({ name: NAME, scopes: ['api'], expires_at: days(5) }),
    });
    const { token } = (await response.json()) as { token: string };
    if (stores) {
      gitlab.addVariable({ project: id, key: 'DEPLOY_TOKEN', value: token, masked: true });
    }
  }
  gitlab.requests.length = 0;
  github.requests.length = 0;
}

async function renewAll(
  gitlab: GitLabSimulator,
  github: GitHubSimulator,
  projects: number[],
  stores: boolean,
  problems: string[],
): Promise<number> {
  gitlab.latencyMs = LATENCY_MS;
  github.latencyMs = LATENCY_MS;
  const started = process.hrtime.bigint();
  try {
    await mapLimit(projects, PARALLEL_STEPS, async (id) => {
      const result = await runMainStep({
        bundle: true,
        inputs: {
          'base-url': gitlab.url,
          'gitlab-token': ADMIN_TOKEN,
          'project-id': String(id),
          name: NAME,
          scopes: 'api',
          'if-exists': 'rotate',
          'rotate-before': '30d',
          'expires-at': '90d',
          ...(stores
            ? {
                'store-in': `gitlab-variable:${id}:DEPLOY_TOKEN\ngithub-secret:bench/p${id}:GITLAB_TOKEN`,
                'github-token': GITHUB_WRITE_TOKEN,
              }
            : {}),
        },
        env: { GITHUB_API_URL: github.url },
      });
      if (result.code !== 0 || result.outputs.rotated !== 'true') {
        problems.push(`rotations: project ${id}: exit ${result.code}: ${result.stdout}`);
      }
    });
  } finally {
    gitlab.latencyMs = 0;
    github.latencyMs = 0;
  }
  return Number(process.hrtime.bigint() - started) / 1e6;
}

export async function rotationsWithStores(problems: string[]): Promise<void> {
  console.log(
    `\n4. ${PROJECTS} due tokens renewed, a step each (${PARALLEL_STEPS} at a time), ${LATENCY_MS} ms latency per request`,
  );
  const gitlab = new GitLabSimulator();
  const github = new GitHubSimulator();
  gitlab.seedDefaults();
  github.seedDefaults();
  gitlab.addGroup({ id: 900, fullPath: 'bench' });
  const ids = Array.from({ length: 2 * PROJECTS }, (_, i) => FIRST_PROJECT_ID + i);
  for (const id of ids) {
    gitlab.addProject({ id, fullPath: `bench/p${id}`, namespaceId: 900 });
    github.addRepository(`bench/p${id}`);
  }
  await gitlab.start('127.0.0.1');
  await github.start('127.0.0.1');
  try {
    const plain = ids.slice(0, PROJECTS);
    const stored = ids.slice(PROJECTS);
    await seedDueTokens(gitlab, github, plain, false);
    const plainMs = await renewAll(gitlab, github, plain, false, problems);
    const plainRequests = gitlab.requests.length;

    await seedDueTokens(gitlab, github, stored, true);
    // After every request either service answers: every target holds an active token.
    let dead = 0;
    const check = (): void => {
      for (const id of stored) {
        const value = gitlab.variable({ project: id }, 'DEPLOY_TOKEN')?.value;
        if (typeof value === 'string' && !gitlab.tokenIsActive(value)) dead++;
      }
    };
    gitlab.onRequestHandled = check;
    github.onRequestHandled = check;
    const storedMs = await renewAll(gitlab, github, stored, true, problems);
    gitlab.onRequestHandled = undefined;
    github.onRequestHandled = undefined;
    const storedRequests = gitlab.requests.length + github.requests.length;
    let wrong = 0;
    for (const id of stored) {
      const value = gitlab.variable({ project: id }, 'DEPLOY_TOKEN')?.value;
      const secret = github.secret(`bench/p${id}`, 'GITLAB_TOKEN');
      if (typeof value !== 'string' || !gitlab.tokenIsActive(value) || secret !== value) wrong++;
    }
    const ratio = storedMs / plainMs;
    const ms = (value: number): string => `${value.toFixed(0)} ms`;
    console.log(
      `   rotation, no store                 wall ${ms(plainMs)}, ${(plainRequests / PROJECTS).toFixed(1)} requests per token`,
    );
    console.log(
      `   new token + 2 stores + revoke      wall ${ms(storedMs)}, ${(storedRequests / PROJECTS).toFixed(1)} requests per token, ratio ${ratio.toFixed(2)}`,
    );
    console.log(`   targets holding a dead token, after any request   ${dead}`);
    console.log(`   targets not holding the new active token at the end ${wrong}`);
    if (dead > 0 || wrong > 0) {
      problems.push(`rotations: ${dead} dead-token moments, ${wrong} targets wrong at the end`);
    }
  } finally {
    await gitlab.stop();
    await github.stop();
  }
}
