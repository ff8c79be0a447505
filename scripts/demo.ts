/**
 * `npm run demo`: starts the local GitLab API simulator, runs the bundled action (dist/) as the
 * runner would, with revoke: true, then its post step, and prints what a workflow log would show.
 */
import { ADMIN_TOKEN, GitLabSimulator } from '../__tests__/simulator/gitlab-simulator.js';
import {
  requestLine,
  runMainStep,
  runPostStep,
  type StepResult,
} from '../__tests__/helpers/run-action.js';

/** The runner replaces every masked value with *** in the log. */
function asRunnerShows(result: StepResult): string {
  const masks = result.stdout
    .split('\n')
    .filter((line) => line.startsWith('::add-mask::'))
    .map((line) => line.slice('::add-mask::'.length));
  return result.stdout
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('::add-mask::'))
    .map((line) => masks.reduce((text, secret) => text.split(secret).join('***'), line))
    .map((line) => `  | ${line}`)
    .join('\n');
}

const sim = new GitLabSimulator();
sim.seedDefaults();
const baseUrl = await sim.start();
try {
  const inputs = {
    'base-url': baseUrl,
    'gitlab-token': ADMIN_TOKEN,
    'user-id': '42\n@bob',
    scopes: 'read_api, read_repository',
    'expires-at': '7d',
    revoke: 'true',
  };
  console.log(`GitLab API simulator at ${baseUrl}\n`);
  console.log('Step "uses: create-gitlab-token" with:');
  for (const [name, value] of Object.entries(inputs)) {
    const shown =
      name === 'gitlab-token' ? '${{ secrets.GITLAB_ADMIN_TOKEN }}' : JSON.stringify(value);
    console.log(`  ${name}: ${shown}`);
  }
  const main = await runMainStep({ inputs, bundle: true });
  console.log(`\nMain step exited ${main.code}; its log, masked as the runner shows it:`);
  console.log(asRunnerShows(main));
  console.log('\nOutputs (secrets masked, as a later step would print them):');
  const masked = (text: string): string =>
    sim.tokens.reduce((out, token) => out.split(token.token).join('***'), text);
  for (const [name, value] of Object.entries(main.outputs))
    console.log(`  ${name} = ${masked(value)}`);
  const post = await runPostStep(main, { inputs, bundle: true });
  console.log(`\nPost step exited ${post.code}; its log:`);
  console.log(asRunnerShows(post));
  console.log('\nRequests the simulator received:');
  for (const request of sim.requests) console.log(`  ${requestLine(request)}`);
  const active = sim.tokens.filter((token) => token.active).length;
  console.log(`\nActive tokens left: ${active}`);
  if (main.code !== 0 || post.code !== 0 || active !== 0) process.exitCode = 1;
} finally {
  await sim.stop();
}
