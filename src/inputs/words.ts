/**
 * Who reads a message, and the words that person uses: the action's user writes inputs in a
 * workflow (`user-id`, `${{ secrets.… }}`), the CLI's user passes flags (`--user-id`) and, in a
 * GitLab CI job, keeps the credential in a CI/CD variable. Messages name inputs, settings and the
 * credential through this, so that a GitLab user is never told to write a GitHub workflow.
 */
export type Audience = 'action' | 'cli' | 'gitlab-ci';

export interface Words {
  readonly audience: Audience;
  /** an input by name: `user-id` (action) or `--user-id` (CLI) */
  input(name: string): string;
  /** an input set to a value: `if-exists: rotate` or `--if-exists rotate` (`--skip-auth`) */
  setting(name: string, value: string): string;
  /** what the inputs are called: `inputs` or `flags` */
  readonly inputs: string;
  /** what one run is called: the action's step, the CLI's command, the component's job */
  readonly run: string;
  /** how several values of one input are written */
  readonly several: string;
  /** what to do when no credential was given */
  readonly giveCredential: string;
  /** where a new credential goes once made ("update …") */
  readonly credentialHome: string;
  /** where the run hands a new secret on (a self-rotated credential's, after a failed store) */
  readonly newSecretHome: string;
}

const actionWords: Words = {
  audience: 'action',
  input: (name) => name,
  setting: (name, value) => `${name}: ${value}`,
  inputs: 'inputs',
  run: 'step',
  several: 'one per line',
  giveCredential:
    'pass an administrator token with the api scope (for example ' +
    '`gitlab-token: ${{ secrets.GITLAB_ADMIN_TOKEN }}`), set GITLAB_TOKEN, or set skip-auth: true',
  credentialHome: 'the secret',
  newSecretHome: "this step's masked output token",
};

export const ACTION_WORDS: Words = actionWords;

// The credential is an environment variable, not a flag (a flag is visible to other processes).
const CREDENTIAL_VARIABLES: Record<string, string> = {
  'gitlab-token': 'GITLAB_TOKEN',
  'github-token': 'GITHUB_TOKEN',
};
const flag = (name: string): string => CREDENTIAL_VARIABLES[name] ?? `--${name}`;
// A boolean flag is set by naming it; `false` is its absence.
const flagSetting = (name: string, value: string): string =>
  value === 'true' ? flag(name) : value === 'false' ? `no ${flag(name)}` : `${flag(name)} ${value}`;

const cliWords: Words = {
  audience: 'cli',
  input: flag,
  setting: flagSetting,
  inputs: 'flags',
  run: 'command',
  several: 'comma-separated',
  giveCredential:
    'set the GITLAB_TOKEN environment variable to an administrator token with the api scope ' +
    '(or pass --skip-auth)',
  credentialHome: 'GITLAB_TOKEN',
  newSecretHome: 'what --output printed (nothing without --output)',
};

const gitlabCiWords: Words = {
  ...cliWords,
  audience: 'gitlab-ci',
  run: 'job',
  giveCredential:
    'set GITLAB_TOKEN from a masked, protected CI/CD variable holding an administrator token ' +
    'with the api scope (or pass --skip-auth)',
  credentialHome: 'the masked, protected CI/CD variable that holds it',
};

export const CLI_WORDS: Words = cliWords;
export const GITLAB_CI_WORDS: Words = gitlabCiWords;

/** The CLI's words: in a GitLab CI job (the runner sets GITLAB_CI=true), GitLab's. */
export function cliWordsFor(env: Record<string, string | undefined>): Words {
  return env.GITLAB_CI === 'true' ? GITLAB_CI_WORDS : CLI_WORDS;
}
