/**
 * Serves the local GitLab API simulator until SIGTERM or SIGINT, for a CI job that runs the
 * action itself (`uses: ./`) against it:
 *
 *   tsc -p tsconfig.tools.json
 *   node build/scripts/simulator-service.js "$RUNNER_TEMP/simulator.env" > simulator.log 2>&1 &
 *
 * Once it listens, it writes `url=<base URL>` and `admin-token=<the simulator's fake admin
 * credential>` lines to the file named by its argument (written whole, then renamed into place,
 * so a reader never sees half of it), ready to append to $GITHUB_OUTPUT. The credential is the
 * simulator's own constant: it opens nothing but this process. On exit it logs the requests it
 * received and how many tokens are still active.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { ADMIN_TOKEN, GitLabSimulator } from '../__tests__/simulator/gitlab-simulator.js';
import { requestLine } from '../__tests__/helpers/run-action.js';

const readyFile = process.argv[2];
if (!readyFile) {
  console.error('usage: node build/scripts/simulator-service.js <ready-file>');
  process.exit(2);
}

const sim = new GitLabSimulator();
sim.seedDefaults();
const url = await sim.start();
writeFileSync(`${readyFile}.tmp`, `url=${url}\nadmin-token=${ADMIN_TOKEN}\n`);
renameSync(`${readyFile}.tmp`, readyFile);
console.log(`GitLab API simulator at ${url}`);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  await sim.stop();
  console.log(`Stopped by ${signal}. Requests received:`);
  for (const request of sim.requests) console.log(`  ${requestLine(request)}`);
  const active = sim.tokens.filter((token) => token.active).length;
  console.log(`Active tokens left: ${active}`);
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void stop(signal));
