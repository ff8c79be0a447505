/**
 * One cancel for every client of a run (issue #18): the GitHub client of store-in and the client
 * of a rotated credential follow the run's GitLab client, so a SIGTERM (abortAll) cuts their
 * requests in flight too, instead of leaving the runner to SIGKILL the step. Against a real
 * server on 127.0.0.1 that never answers.
 */
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GitLabClient } from '../../src/gitlab/client.js';
import { GitLabNetworkError } from '../../src/gitlab/errors.js';

let server: Server;
const sockets = new Set<Socket>();
let url = '';

beforeAll(async () => {
  server = createServer(() => {
    // never answers
  });
  server.on('connection', (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const client = (): GitLabClient =>
  new GitLabClient({ apiUrl: url, credential: 'glpat-FAKE-cancel-test-0001', timeoutMs: 60_000 });

describe('a cancel of the run cuts every client', () => {
  it.each([
    ['another API (GitHub, for store-in)', (gitlab: GitLabClient) => client().followCancel(gitlab)],
    [
      'another credential (a rotated one)',
      (gitlab: GitLabClient) => gitlab.withCredential('glpat-FAKE-rotated-000002'),
    ],
  ])('%s: its request in flight ends at once, as cancelled', async (_, follower) => {
    const gitlab = client();
    const other = follower(gitlab);
    try {
      const request = other.request('PUT', '/repos/o/r/actions/secrets/TOKEN', { value: 'x' });
      gitlab.abortAll();
      const error = await request.then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(GitLabNetworkError);
      expect((error as GitLabNetworkError).code).toBe('ECANCELED');
    } finally {
      other.dispose();
      gitlab.dispose();
    }
  });
});
