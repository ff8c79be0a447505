import { describe, expect, it } from '@jest/globals';
import { fleetCli, fleetEnv, json, manifestFile, useFleetSimulators } from './fleet-helpers.js';

const { gitlab, github } = useFleetSimulators();

describe('smoke', () => {
  it('plans and applies', async () => {
    const file = manifestFile(`fleet: acme
tokens:
  deploy-widgets:
    kind: project
    project: acme/widgets
    scopes: [read_api]
    access-level: developer
    store-in:
      - gitlab-variable:acme/widgets:DEPLOY_TOKEN
      - github-secret:acme/app:production:GITLAB_TOKEN
`);
    const env = fleetEnv(github);
    const plan = await fleetCli(['plan', file], env, gitlab);
    console.log(plan.code, plan.stdout, plan.stderr);
    const apply = await fleetCli(['apply', file, '--output', 'json'], env, gitlab);
    console.log(apply.code, apply.stdout, apply.stderr);
    const again = await fleetCli(['plan', file, '--detailed-exitcode'], env, gitlab);
    console.log(again.code, again.stdout, again.stderr);
    console.log(gitlab.requests.map((r) => `${r.method} ${r.path}`).join('\n'));
    expect(json(apply).entries[0].result).toBe('created');
  });
});
