/**
 * Issue #18, item 1: a Free-tier group drops a variable's environment scope
 * (ee/lib/ee/api/helpers/variables_helpers.rb `filter_variable_parameters`) and answers 201 with
 * `"environment_scope": "*"`. The scope GitLab answered is read after the write; when it is not
 * the one asked for, the write is undone (the variable deleted, the new token revoked) and the
 * run fails, naming the target and why.
 */
import { describe, expect, it } from '@jest/globals';
import { MAINTAINER_TOKEN, SEED_USERS } from '../simulator/gitlab-simulator.js';
import { useSimulator } from '../helpers/simulator-fixture.js';
import {
  cli,
  cliEnv,
  existingToken,
  expectPromisesKept,
  madeSince,
  renewArgs,
  retireTokensBeforeEach,
} from './store-fixture.js';

const FREE_GROUP = 910;
const sim = useSimulator({
  seed: (gitlab) =>
    gitlab.addGroup({
      id: FREE_GROUP,
      fullPath: 'free-group',
      plan: 'free',
      ownerIds: [SEED_USERS.maintainer],
    }),
});
retireTokensBeforeEach(sim);

const SCOPED = 'gitlab-variable:free-group:DEPLOY_TOKEN:production';
const PROJECT_VARIABLE = 'gitlab-variable:acme/app:DEPLOY_TOKEN';

describe('store-in: a group that cannot scope its variables', () => {
  it('undoes the create GitLab stored as *, revokes the new token and names the target', async () => {
    const old = await existingToken(sim, 10);
    sim.addVariable({ project: 70, key: 'DEPLOY_TOKEN', value: old.token, masked: true });
    const run = await cli(renewArgs(sim, [PROJECT_VARIABLE, SCOPED]), cliEnv());
    expect(run.code).toBe(1);
    const [made] = madeSince(sim, old.id);
    expect(run.stderr).toContain(
      `${SCOPED}: GitLab stored the variable with environment scope "*", not "production": group free-group cannot scope its CI/CD variables to environments: that needs GitLab Premium or Ultimate`,
    );
    expect(run.stderr).toContain(`${SCOPED}, ${PROJECT_VARIABLE} put back as it was.`);
    expect(run.stderr).toContain(`The new token ID ${made.id} was revoked, so nothing changed.`);
    // No variable of the key is left in the group, in any scope; the project's is as it was.
    expect(sim.variablesOf({ group: FREE_GROUP })).toEqual([]);
    expect(sim.variable({ project: 70 }, 'DEPLOY_TOKEN')?.value).toBe(old.token);
    expect(made.active).toBe(false);
    expect(old.active).toBe(true);
    expectPromisesKept([run], [MAINTAINER_TOKEN], sim, madeSince(sim, old.id));
  });

  it('a create GitLab refuses because it dropped the scope onto an existing * says why', async () => {
    const old = await existingToken(sim, 10);
    sim.addVariable({ group: FREE_GROUP, key: 'DEPLOY_TOKEN', value: old.token, masked: true });
    const run = await cli(renewArgs(sim, [SCOPED]), cliEnv());
    expect(run.code).toBe(1);
    const [made] = madeSince(sim, old.id);
    expect(run.stderr).toContain(`${SCOPED}: GitLab answered 400`);
    expect(run.stderr).toContain(
      'group free-group already has DEPLOY_TOKEN for every environment (*), and GitLab took this create for that one: a group on the Free tier cannot scope its CI/CD variables to environments (that needs Premium or Ultimate).',
    );
    expect(made.active).toBe(false);
    expect(sim.variable({ group: FREE_GROUP }, 'DEPLOY_TOKEN')?.value).toBe(old.token);
    expectPromisesKept([run], [MAINTAINER_TOKEN], sim, madeSince(sim, old.id));
  });
});
