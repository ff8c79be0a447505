/**
 * The GitLab CI/CD component with `fleet` (templates/create-token.yml, read with a YAML parser):
 * the inputs fleet, fleet-mode and prune; the token job only without a fleet, the fleet job only
 * with one; the fleet job downloads and checks the CLI as the token job does, runs `fleet plan` or
 * `fleet apply` on the manifest (its shard from CI_NODE_INDEX/CI_NODE_TOTAL), and hands GitLab the
 * JUnit report.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import { ROOT } from '../helpers/run-action.js';

interface Job {
  rules?: { if: string }[];
  variables: Record<string, string>;
  script: string[];
  after_script?: string[];
  artifacts?: { when?: string; reports?: { junit?: string } };
}

const [spec, body] = parseAllDocuments(
  readFileSync(join(ROOT, 'templates', 'create-token.yml'), 'utf8'),
).map((doc) => doc.toJS() as Record<string, unknown>);
const inputs = (spec as { spec: { inputs: Record<string, Record<string, unknown>> } }).spec.inputs;
const tokenJob = body['$[[ inputs.job-name ]]'] as Job;
const fleetJob = body['$[[ inputs.job-name ]]-fleet'] as Job;

describe('the component with fleet', () => {
  it('takes fleet, fleet-mode and prune', () => {
    expect(inputs.fleet).toEqual(expect.objectContaining({ default: '' }));
    expect(inputs['fleet-mode']).toEqual(
      expect.objectContaining({ default: 'plan', options: ['plan', 'apply'] }),
    );
    expect(inputs.prune).toEqual(expect.objectContaining({ type: 'boolean', default: false }));
  });

  it('adds the token job without a fleet and the fleet job with one', () => {
    expect(tokenJob.rules).toEqual([{ if: '"$[[ inputs.fleet ]]" == ""' }]);
    expect(fleetJob.rules).toEqual([{ if: '"$[[ inputs.fleet ]]" != ""' }]);
    expect(Object.keys(body)).toEqual(['$[[ inputs.job-name ]]', '$[[ inputs.job-name ]]-fleet']);
  });

  it('downloads and checks the CLI as the token job does, then plans or applies the manifest', () => {
    const download = (job: Job): string | undefined =>
      job.script.find((item) => item.includes('createHash("sha256")'));
    expect(download(fleetJob)).toBeDefined();
    // The same download, less its one comment line.
    const strip = (text = ''): string =>
      text
        .split('\n')
        .filter((line) => !line.trim().startsWith('//'))
        .join('\n');
    expect(strip(download(fleetJob))).toBe(strip(download(tokenJob)));
    expect(fleetJob.variables).toEqual(
      expect.objectContaining({
        CGT_CREDENTIAL: '$[[ inputs.gitlab-token ]]',
        CGT_FLEET: '$[[ inputs.fleet ]]',
        CGT_FLEET_MODE: '$[[ inputs.fleet-mode ]]',
        CGT_PRUNE: '$[[ inputs.prune ]]',
        CGT_GITHUB_TOKEN: '$[[ inputs.github-token ]]',
        CGT_JUNIT: '$CI_PROJECT_DIR/.create-gitlab-token-fleet.xml',
      }),
    );
    const run = fleetJob.script.at(-1) ?? '';
    expect(run).toContain(
      'set -- fleet "$CGT_FLEET_MODE" "$CGT_FLEET" --base-url "$CGT_BASE_URL" --junit "$CGT_JUNIT"',
    );
    expect(run).toContain('if [ "$CGT_PRUNE" = "true" ]; then set -- "$@" --prune; fi');
    expect(run).toContain(
      'GITLAB_TOKEN="$CGT_CREDENTIAL" GITHUB_TOKEN="$CGT_GITHUB_TOKEN" node "$CGT_CLI" "$@"',
    );
    // The credential is never on a command line: it goes in the environment of the one command.
    expect(run).not.toMatch(/--gitlab-token|--github-token/);
    expect(fleetJob.artifacts).toEqual({
      when: 'always',
      reports: { junit: '.create-gitlab-token-fleet.xml' },
    });
    expect(fleetJob.after_script).toEqual(['rm -f "$CGT_CLI"']);
  });
});
