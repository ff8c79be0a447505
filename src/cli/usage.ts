/** The command line's flags and its usage text. */
import type { CliIo } from './io.js';
import { EXIT_USAGE } from './io.js';

const text = { type: 'string' } as const;
const flag = { type: 'boolean' } as const;
export const OPTIONS = {
  'base-url': text,
  'gitlab-token': text,
  'user-id': text,
  scopes: text,
  name: text,
  'expires-at': text,
  description: text,
  'timeout-seconds': text,
  'max-concurrency': text,
  'max-wait-seconds': text,
  'expiring-within': text,
  'group-id': text,
  'project-id': text,
  'access-level': text,
  'if-exists': text,
  'rotate-before': text,
  'store-in': { type: 'string', multiple: true },
  'github-token': text,
  output: text,
  'skip-auth': flag,
  'allow-insecure-http': flag,
  impersonation: flag,
  'self-rotate': flag,
  help: flag,
  version: flag,
  id: { type: 'string', multiple: true },
  // fleet plan / fleet apply
  'detailed-exitcode': flag,
  junit: text,
  shard: text,
  prune: flag,
} as const;

export const USAGE = `Usage:
  create-gitlab-token [create] --user-id ID|USERNAME --scopes SCOPES [options]
  create-gitlab-token [create] --project-id PROJECT --scopes SCOPES [--access-level LEVEL] [options]
  create-gitlab-token [create] --group-id GROUP --scopes SCOPES [--access-level LEVEL] [options]
  create-gitlab-token revoke --id TOKEN_ID [--id TOKEN_ID ...] [TARGET]
  create-gitlab-token list [TARGET] [--expiring-within Nd] [--output json]
  create-gitlab-token fleet plan [FILE] [--detailed-exitcode] [--output json] [--junit FILE]
                                 [--shard I/N] [--prune]
  create-gitlab-token fleet apply [FILE] [--prune] [--output json] [--junit FILE] [--shard I/N]

The kind of token follows from the target flags:
  --user-id U                      a personal access token of user U (administrator)
  --user-id U --impersonation      an impersonation token of user U (administrator)
  --user-id U --group-id G         a token of service account U of top-level group G
  --project-id P                   a project access token (its own bot user; Maintainer)
  --group-id G                     a group access token (its own bot user; Owner)
revoke takes the same target flags (none for a user's personal access token), so that it uses
that kind's own endpoint. list takes them too (several users or projects: comma-separated) and
prints their active tokens; without one, the credential's own user's.

fleet plan compares a manifest of tokens (FILE, default .gitlab-tokens.yml; see docs/fleet.md)
with GitLab and the stores and says, for each entry, create, renew or none and why; fleet apply
does it: create, store everywhere, then revoke the old token (never GitLab's rotate).

The credential comes from the GITLAB_TOKEN environment variable (or --gitlab-token, which other
processes can see: avoid it).

Options:
  --base-url URL            GitLab instance (default https://gitlab.com)
  --user-id LIST            user IDs or usernames, comma-separated
  --scopes LIST             scope names, comma-separated
  --name NAME               token name (default: unique to the job, e.g.
                            "GitLab CI <project> pipeline <id> job <id> <random>")
  --expires-at DATE|Nd      YYYY-MM-DD in the future, or N days from today
  --description TEXT        token description
  --group-id GROUP          a top-level group's service accounts (with --user-id), or the
                            group's own access token (without)
  --project-id LIST         project IDs or full paths, comma-separated: a token each
  --access-level LEVEL      project/group tokens: guest, planner, reporter, developer,
                            maintainer (GitLab's default) or owner, or the number
  --impersonation           an impersonation token of --user-id
  --if-exists MODE          create (default), rotate or fail
  --rotate-before Nd        with --if-exists rotate: rotate only a token expiring within N days
  --self-rotate             the credential rotates itself (no target flags); with
                            --output, the new secret is printed
  --store-in TARGET         write the new secret there (repeatable): a CI/CD variable
                            gitlab-variable:<project or group>:<KEY>[:<environment scope>],
                            or a GitHub Actions secret github-secret:<owner/repo>:<NAME> or
                            github-secret:<owner/repo>:<environment>:<NAME>
  --github-token TOKEN      for github-secret targets (default: the GITHUB_TOKEN variable;
                            GitHub's address from GITHUB_API_URL, default api.github.com)
  --timeout-seconds N       per-request time limit (default 30)
  --max-concurrency N       tokens requested at once (default 8, at most 32)
  --max-wait-seconds N      the most time spent waiting out rate limits (default 300)
  --skip-auth               send no credential
  --allow-insecure-http     allow plain http to a remote host
  --output FORMAT           print the result on stdout: json, token or dotenv (default: nothing);
                            list: json, or text (default: a table)
  --expiring-within Nd      list: only tokens that expire within N days (on or before the date
                            N days from today, UTC); tokens without an expiry date are left out
  --version                 print the version and exit

Fleet options:
  --output FORMAT           text (default: a table sorted by days left) or json
  --junit FILE              also write a JUnit XML report: a test case per entry, failed while
                            the entry needs work (GitLab's test report as the dashboard)
  --detailed-exitcode       plan: exit 0 when nothing is to do, 2 when changes are pending
  --shard I/N               only the entries whose id hashes to shard I of N (default: from
                            CI_NODE_INDEX/CI_NODE_TOTAL in a GitLab parallel job, else all)
  --prune                   apply: revoke the fleet's tokens whose entry is gone (GitLab 17.7+);
                            plan: count them as pending changes

Output formats:
  json     the tokens as a JSON array (type, target, user_id, id, name, token, scopes,
           expires_at, and access_level for project and group tokens)
  token    each secret on a line of its own
  dotenv   GITLAB_NEW_TOKEN, GITLAB_NEW_TOKEN_ID, GITLAB_NEW_TOKEN_USER_ID and
           GITLAB_NEW_TOKEN_EXPIRES_AT of the first token, one KEY=value line each. A value with
           characters other than letters, digits and _ . : @ % + , / = - is single-quoted for a
           POSIX shell ('\\'' for a quote), so reading the file with a shell cannot run anything;
           a value with a line break or another control character is refused (exit 1).
  list json  one array of the active tokens listed: id, name, type, target, user_id, scopes,
           access_level (project and group tokens), created_at, expires_at, days_left (whole
           days from today, UTC, to expires_at; null without one) and last_used_at; never a secret.

Exit codes: 0 every token made (or revoked, or listed: whatever expires); 1 GitLab or the network
failed (list: the targets that worked are still printed), or the result could not be written to
stdout (the tokens made are then named on stderr: revoke them); 2 invalid arguments.
fleet: plan 0 (with --detailed-exitcode: 0 nothing to do, 2 changes pending); apply 0 all done,
1 an entry failed; both 1 when GitLab or the network failed, 2 when the manifest or the flags are
invalid (before any request: the message names the file, line and entry).`;

/** A usage error: the message, then the usage; exit code 2. */
export function usageError(io: CliIo, message: string): number {
  io.stderr(`create-gitlab-token: ${message}\n\n${USAGE}\n`);
  return EXIT_USAGE;
}
