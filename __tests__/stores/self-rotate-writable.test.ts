/**
 * Issue #18, item 10: the check of a github-secret target reads only the public key, which a
 * token that may only read secrets passes; a credential rotating itself then revokes its old
 * secret, and the new one cannot be stored (from the CLI without --output it is nowhere). Before
 * rotating, each GitHub secret is written with the current credential, the value it is meant to
 * hold: a target that refuses stops the rotation, and the credential keeps working.
 */
import { describe, expect, it } from '@jest/globals';
import { GITHUB_READ_TOKEN, GITHUB_WRITE_TOKEN } from '../simulator/github-simulator.js';
import { useGitHubSimulator } from '../helpers/github-simulator-fixture.js';
import { useSimulator } from '../helpers/simulator-fixture.js';
import {
  cli,
  existingToken,
  expectPromisesKept,
  madeSince,
  retireTokensBeforeEach,
  works,
} from './store-fixture.js';

const sim = useSimulator();
/** Writes acme/app's secrets, only reads acme/other's. */
const PARTLY_WRITING_TOKEN = 'github_pat_FAKEpartlywriting00000000000000';
const github = useGitHubSimulator({
  seed: (gh) => {
    gh.addRepository('acme/other');
    gh.addToken(PARTLY_WRITING_TOKEN, 'write', { 'acme/other': 'read' });
  },
});
retireTokensBeforeEach(sim);

const SECRET = 'github-secret:acme/app:GITLAB_BOT_TOKEN';

function selfRotate(credential: string, githubToken: string, stores = [SECRET]) {
  return cli(
    [
      ...['--base-url', sim.url, '--self-rotate', '--expires-at', '90d'],
      ...stores.flatMap((store) => ['--store-in', store]),
    ],
    { GITLAB_TOKEN: credential, GITHUB_TOKEN: githubToken, GITHUB_API_URL: github.url },
  );
}

describe('store-in: a credential that rotates itself into a GitHub secret', () => {
  it('a secret the github-token may only read stops the rotation before it happens', async () => {
    const credential = await existingToken(sim, 10, 'ci bot');
    const run = await selfRotate(credential.token, GITHUB_READ_TOKEN);
    expect(run.code).toBe(1);
    expect(sim.requests.some((request) => request.path.endsWith('/rotate'))).toBe(false);
    expect(madeSince(sim, credential.id)).toEqual([]);
    expect(credential.active).toBe(true);
    expect(await works(sim, credential.token)).toBe(true);
    expect(run.stderr).toContain(`${SECRET}: GitHub answered 403`);
    expect(run.stderr).toContain('(writing it)');
    expect(run.stderr).toContain('Nothing was changed: no token was made or rotated.');
    expect(github.secret('acme/app', 'GITLAB_BOT_TOKEN')).toBeUndefined();
    expectPromisesKept([run], [credential.token, GITHUB_READ_TOKEN], sim, []);
  });

  it('a writable secret takes the current credential, then the rotated one', async () => {
    const credential = await existingToken(sim, 10, 'ci bot');
    // What the secret held after each write, and whether GitLab had rotated by then.
    const held: { value?: string; rotated: boolean }[] = [];
    github.onRequestHandled = (request) => {
      if (request.method !== 'PUT') return;
      const rotated = sim.requests.some((r) => r.path.endsWith('/rotate'));
      held.push({ value: github.secret('acme/app', 'GITLAB_BOT_TOKEN'), rotated });
    };
    const run = await selfRotate(credential.token, GITHUB_WRITE_TOKEN);
    expect(run.stderr).not.toContain('error');
    expect(run.code).toBe(0);
    const [rotated] = madeSince(sim, credential.id);
    expect(credential.active).toBe(false);
    expect(github.secret('acme/app', 'GITLAB_BOT_TOKEN')).toBe(rotated.token);
    expect(held).toEqual([
      { value: credential.token, rotated: false },
      { value: rotated.token, rotated: true },
    ]);
    expectPromisesKept([run], [credential.token, GITHUB_WRITE_TOKEN], sim, [rotated]);
  });

  it('one secret refuses: no rotation, and the run says which secret took the current credential', async () => {
    const credential = await existingToken(sim, 10, 'ci bot');
    const other = 'github-secret:acme/other:GITLAB_BOT_TOKEN';
    const run = await selfRotate(credential.token, PARTLY_WRITING_TOKEN, [SECRET, other]);
    expect(run.code).toBe(1);
    expect(credential.active).toBe(true);
    expect(madeSince(sim, credential.id)).toEqual([]);
    expect(github.secret('acme/app', 'GITLAB_BOT_TOKEN')).toBe(credential.token);
    expect(run.stderr).toContain(`${other}: GitHub answered 403`);
    expect(run.stderr).toContain(
      `No token was made or rotated, so the credential still works; ${SECRET} took it (written to prove each target writable before the credential rotates itself).`,
    );
    expectPromisesKept([run], [credential.token, PARTLY_WRITING_TOKEN], sim, []);
  });
});
