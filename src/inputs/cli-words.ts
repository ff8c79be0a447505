/**
 * The command line's words (words.ts): flags and environment variables, and in a GitLab CI job
 * GitLab's CI/CD variables. Only the CLI loads this.
 */
import type { Words } from './words.js';

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
