/**
 * A cancel in the middle of an apply, through the fleet library (src/fleet/run.ts) with the stop
 * signal a SIGINT sets: no entry is begun after it, the ones under way finish, so every entry is
 * done (new token stored everywhere, old one revoked) or untouched, and the report says which.
 */
import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import type { GitLabClient } from '../../src/gitlab/client.js';
import { parseFleetInputs, runFleet } from '../../src/fleet/run.js';
import { reportText } from '../../src/fleet/report.js';
import { CLI_WORDS } from '../../src/inputs/words.js';
import type { StopSignal } from '../../src/tokens/many.js';
import { ADMIN_TOKEN } from '../simulator/gitlab-simulator.js';
import {
  expectNothingUnreported,
  managed,
  manifestFile,
  PROJECTS,
  tokenIds,
  useFleetSimulators,
} from './fleet-helpers.js';

const { gitlab } = useFleetSimulators();

const ENTRIES = ['widgets', 'api', 'web', 'app'] as const;
const PROJECT_IDS: Record<(typeof ENTRIES)[number], number> = { ...PROJECTS, app: 70 };

async function cancelledApply(fleet: string, concurrency: number) {
  const file = manifestFile(
    `fleet: ${fleet}\ntokens:\n${ENTRIES.map(
      (name) =>
        `  deploy-${name}:\n    kind: project\n    project: acme/${name}\n    scopes: [read_api]\n    store-in: [gitlab-variable:acme/${name}:${fleet.toUpperCase().replace(/-/g, '_')}]\n`,
    ).join('')}`,
  );
  const values: Record<string, string> = {
    'base-url': gitlab.url,
    'max-concurrency': String(concurrency),
  };
  const inputs = parseFleetInputs(
    (name) => values[name] ?? '',
    { GITLAB_TOKEN: ADMIN_TOKEN },
    CLI_WORDS,
    {
      mode: 'apply',
      file,
    },
  );
  const stop: { reason: StopSignal['reason'] } = { reason: undefined };
  // The cancel arrives as soon as GitLab has made the first token.
  gitlab.onRequestHandled = (request, status) => {
    if (request.method === 'POST' && request.path.endsWith('/access_tokens') && status === 201) {
      stop.reason = 'cancelled';
    }
  };
  const secrets = new Set<string>([ADMIN_TOKEN]);
  const lines: string[] = [];
  const run = await runFleet(inputs, {
    log: { info: (line) => lines.push(line), warning: (line) => lines.push(line) },
    onSecret: (secret) => secrets.add(secret),
    stop,
    secrets,
    settleMs: 0,
  });
  for (const secret of secrets) {
    expect(JSON.stringify(run.report)).not.toContain(secret);
    expect(lines.join('\n')).not.toContain(secret);
  }
  return {
    run,
    variable: (name: (typeof ENTRIES)[number]) =>
      gitlab.variable({ project: PROJECT_IDS[name] }, fleet.toUpperCase().replace(/-/g, '_')),
  };
}

/** Done: the entry's one token is in its variable; untouched: no token and no variable. */
function doneOrUntouched(fleet: string, check: Awaited<ReturnType<typeof cancelledApply>>) {
  return ENTRIES.map((name) => {
    const tokens = managed(gitlab, fleet, `deploy-${name}`);
    const variable = check.variable(name);
    if (tokens.length === 1 && variable?.value === tokens[0].token) return 'done';
    if (tokens.length === 0 && variable === undefined) return 'untouched';
    return 'half-done';
  });
}

describe('a cancel during apply', () => {
  it('lets the entry under way finish and begins no other', async () => {
    const before = tokenIds(gitlab);
    const check = await cancelledApply('cancel-one', 1);
    expect(doneOrUntouched('cancel-one', check)).toEqual([
      'done',
      'untouched',
      'untouched',
      'untouched',
    ]);
    const { entries } = check.run.report;
    expect(entries.map((entry) => [entry.id, entry.result, entry.error])).toEqual([
      ['deploy-widgets', 'created', undefined],
      ['deploy-api', 'unchanged', 'not started: the run was cancelled'],
      ['deploy-web', 'unchanged', 'not started: the run was cancelled'],
      ['deploy-app', 'unchanged', 'not started: the run was cancelled'],
    ]);
    expect(reportText(check.run)).toMatch(
      /deploy-api: create → unchanged: missing: .*\n {2}error: not started: the run was cancelled/,
    );
    expectNothingUnreported(gitlab, before, [
      { code: 1, stdout: JSON.stringify(check.run.report), stderr: '', junit: '' },
    ]);
  });

  it('finishes every entry already under way', async () => {
    const before = tokenIds(gitlab);
    const check = await cancelledApply('cancel-all', 4);
    const states = doneOrUntouched('cancel-all', check);
    expect(states.every((state) => state === 'done' || state === 'untouched')).toBe(true);
    expect(states.filter((state) => state === 'done').length).toBeGreaterThanOrEqual(1);
    for (const [index, entry] of check.run.report.entries.entries()) {
      expect(entry.result).toBe(states[index] === 'done' ? 'created' : 'unchanged');
    }
    expectNothingUnreported(gitlab, before, [
      { code: 1, stdout: JSON.stringify(check.run.report), stderr: '', junit: '' },
    ]);
  });
});

describe('a hard cancel (SIGTERM) with github-secret targets', () => {
  it('cuts the GitHub request in flight too, instead of waiting out its timeout', async () => {
    // A GitHub API that takes each request and never answers: the first one cancels the run.
    const clients: GitLabClient[] = [];
    const sockets = new Set<Socket>();
    let githubRequests = 0;
    const github = createServer(() => {
      githubRequests += 1;
      for (const client of clients) client.abortAll();
    });
    github.on('connection', (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => github.listen(0, '127.0.0.1', resolve));
    const address = github.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const file = manifestFile(
        'fleet: cancel-github\ntokens:\n  deploy-widgets:\n    kind: project\n    project: acme/widgets\n    scopes: [read_api]\n    store-in: [github-secret:acme/app:WIDGETS_TOKEN]\n',
      );
      const values: Record<string, string> = {
        'base-url': gitlab.url,
        'github-token': 'ghp_FAKE-cancel-test-000000000000000',
        // Far beyond the test's time: only the cancel can end the request.
        'timeout-seconds': '3600',
      };
      const inputs = parseFleetInputs(
        (name) => values[name] ?? '',
        { GITLAB_TOKEN: ADMIN_TOKEN, GITHUB_API_URL: `http://127.0.0.1:${port}` },
        CLI_WORDS,
        { mode: 'apply', file },
      );
      const before = tokenIds(gitlab);
      const run = await runFleet(inputs, {
        log: { info: () => undefined, warning: () => undefined },
        onSecret: () => undefined,
        stop: { reason: 'cancelled' },
        secrets: new Set([ADMIN_TOKEN]),
        settleMs: 0,
        onClient: (client) => clients.push(client),
      });
      expect(githubRequests).toBe(1);
      const [entry] = run.report.entries;
      expect(entry.result ?? 'unchanged').toBe('unchanged');
      expect(tokenIds(gitlab)).toEqual(before);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => github.close(() => resolve()));
    }
  }, 20_000);
});
