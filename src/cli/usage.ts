/**
 * The command line's flags and its help: a short overview (`--help`), one text per command
 * (`<command> --help`), and the one line a usage error prints.
 */
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
  'dry-run': flag,
  help: { type: 'boolean', short: 'h' },
  version: flag,
  id: { type: 'string', multiple: true },
  // fleet plan / fleet apply
  'detailed-exitcode': flag,
  junit: text,
  shard: text,
  prune: flag,
} as const;

/** The commands, the first one the default. */
export const COMMANDS = ['create', 'rotate', 'revoke', 'list', 'fleet'] as const;
export type Command = (typeof COMMANDS)[number];

export function isCommand(name: string): name is Command {
  return (COMMANDS as readonly string[]).includes(name);
}

const TARGETS = `  --user-id U                      a personal access token of user U (administrator)
  --user-id U --impersonation      an impersonation token of user U (administrator)
  --user-id U --group-id G         a token of service account U of top-level group G
  --project-id P                   a project access token (its own bot user; Maintainer)
  --group-id G                     a group access token (its own bot user; Owner)`;

const CREDENTIAL = `The credential comes from the GITLAB_TOKEN environment variable (or --gitlab-token, which other
processes can see: avoid it).`;

const CONNECTION = `Connection (every command):
  --base-url URL            GitLab instance (default https://gitlab.com; in a GitLab CI job, the
                            job's own, CI_SERVER_URL)
  --timeout-seconds N       per-request time limit (default 30)
  --max-wait-seconds N      the most time spent waiting out rate limits (default 300)
  --skip-auth               send no credential
  --allow-insecure-http     allow plain http to a remote host
  -h, --help                this help`;

const OUTPUT_FORMATS = `Output formats:
  json     the tokens as a JSON array (type, target, user_id, id, name, token, scopes,
           expires_at, and access_level for project and group tokens); [] when nothing was made
           (a token not due with --rotate-before, a failure, a dry run)
  token    each secret on a line of its own
  dotenv   GITLAB_NEW_TOKEN, GITLAB_NEW_TOKEN_ID, GITLAB_NEW_TOKEN_USER_ID and
           GITLAB_NEW_TOKEN_EXPIRES_AT of the first token, one KEY=value line each. A value with
           characters other than letters, digits and _ . : @ % + , / = - is single-quoted for a
           POSIX shell ('\\'' for a quote), so reading the file with a shell cannot run anything;
           a value with a line break or another control character is refused (exit 1).`;

/** `create-gitlab-token --help`: what there is, and where to read more. */
export const OVERVIEW = `Usage:
  create-gitlab-token [create] TARGET --scopes SCOPES [options]
  create-gitlab-token rotate (--id TOKEN_ID | --name NAME) [TARGET] --output FORMAT [options]
  create-gitlab-token revoke --id TOKEN_ID [--id TOKEN_ID ...] [TARGET] [options]
  create-gitlab-token list [TARGET] [--expiring-within Nd] [--output json]
  create-gitlab-token fleet plan|apply [FILE] [options]

Makes, rotates, lists and revokes GitLab tokens for users and bots.

Commands:
  create    make a token for each target (the default command), or renew one by name
  rotate    rotate one token into a new secret; GitLab revokes the old one at once
  revoke    revoke tokens by ID
  list      list the targets' active tokens, or those that expire within N days
  fleet     tokens as code: plan or apply a manifest of tokens kept alive (docs/fleet.md)

TARGET says whose token, and so its kind:
${TARGETS}

${CREDENTIAL}

create, rotate and revoke take --dry-run: check the flags, the credential, the targets and what
is due, print what would change, and change nothing.

Exit codes: 0 success; 1 GitLab or the network failed, a check failed, or the result could not be
written to stdout (the tokens made are then named on stderr); 2 invalid arguments (nothing sent).

Run 'create-gitlab-token <command> --help' for a command's flags; --version prints the version.`;

const CREATE_HELP = `Usage:
  create-gitlab-token [create] TARGET --scopes SCOPES [options]

Makes a token for each target (create is the default command). With --name and --if-exists
rotate it renews one instead: the target's token of that name is rotated when due, or replaced.

TARGET says whose token, and so its kind:
${TARGETS}

${CREDENTIAL}

Options:
  --user-id LIST            user IDs or usernames, comma-separated: a token each
  --project-id LIST         project IDs or full paths, comma-separated: a token each
  --group-id GROUP          a top-level group's service accounts (with --user-id), or the
                            group's own access token (without)
  --impersonation           an impersonation token of --user-id
  --scopes LIST             scope names, comma-separated
  --name NAME               token name (default: unique to the run, e.g. "GitLab CI <project>
                            pipeline <id> job <id> <random>"; outside CI, "create-gitlab-token
                            on <host> by <user> <UTC time> <random>")
  --expires-at DATE|Nd      YYYY-MM-DD in the future, or N days from today
  --description TEXT        token description
  --access-level LEVEL      project/group tokens: guest, planner, reporter, developer,
                            maintainer (GitLab's default) or owner, or the number
  --if-exists MODE          create (default), rotate or fail
  --rotate-before Nd        with --if-exists rotate: rotate only a token expiring within N days
  --self-rotate             the credential rotates itself (no TARGET); with --output, the new
                            secret is printed
  --store-in TARGET         write the new secret there (repeatable): a CI/CD variable
                            gitlab-variable:<project or group>:<KEY>[:<environment scope>],
                            or a GitHub Actions secret github-secret:<owner/repo>:<NAME> or
                            github-secret:<owner/repo>:<environment>:<NAME>
  --github-token TOKEN      for github-secret targets (default: the GITHUB_TOKEN variable;
                            GitHub's address from GITHUB_API_URL, default api.github.com)
  --max-concurrency N       tokens requested at once (default 8, at most 32)
  --output FORMAT           print the result on stdout: json, token or dotenv (default: nothing)
  --dry-run                 check the flags, the credential (who it is), the users, every
                            --store-in target and, with --if-exists rotate or fail, the token
                            of that name; print what would be made, rotated, replaced or
                            stored, one line each on stderr; change nothing

${CONNECTION}

${OUTPUT_FORMATS}

Exit codes: 0 every token made (or not due; or a dry run that found nothing wrong); 1 GitLab or
the network failed (some tokens may have been made: they are printed with --output and named on
stderr), a dry run's check failed, or the result could not be written to stdout (the tokens made
are then named on stderr: revoke them); 2 invalid arguments (nothing was sent).`;

const ROTATE_HELP = `Usage:
  create-gitlab-token rotate (--id TOKEN_ID | --name NAME) [TARGET] --output FORMAT
                             [--expires-at DATE|Nd] [--dry-run]

Rotates one active token: GitLab gives it a new secret (same name, scopes and description) and
revokes the old one at once, so whatever still holds the old secret stops working. To renew a
token without breaking what uses it, store the new secret where it is read instead:
  create-gitlab-token create TARGET --scopes SCOPES --name NAME --if-exists rotate \\
    --store-in gitlab-variable:<project or group>:<KEY>
makes the new token, stores it, and only then revokes the old one.

--id TOKEN_ID names the token, or --name NAME: the target's one active token with exactly that
name (none or several: exit 1, naming them). TARGET (user IDs are numeric):
  (none)                           a personal access token of the credential's own user
${TARGETS}

${CREDENTIAL}

Options:
  --id TOKEN_ID             the token's ID
  --name NAME               the token's exact name
  --output FORMAT           required: json, token or dotenv (as for create); the new secret is
                            printed there, and nowhere else
  --expires-at DATE|Nd      the new secret's expiry (default: GitLab's, one week where an expiry
                            is enforced)
  --dry-run                 check the credential and find the token; rotate nothing

${CONNECTION}

A rotation whose reply is lost (the request may have reached GitLab) is never sent again: the
command says that the outcome is unknown and exits 1. 'create-gitlab-token list TARGET' then
shows which: the old token ID still listed (nothing changed: run rotate again), or a newer token
of that name instead (its secret was lost: revoke it and make another).

Exit codes: 0 rotated (or a dry run found the token); 1 no such token, several of that name,
GitLab or the network failed, the outcome is unknown, or stdout could not be written (the new
token is then named on stderr); 2 invalid arguments (nothing was sent).`;

const REVOKE_HELP = `Usage:
  create-gitlab-token revoke --id TOKEN_ID [--id TOKEN_ID ...] [TARGET] [--dry-run]

Revokes tokens by ID (repeat --id, or comma-separated) through their kind's own endpoint, named
by the target flags (user IDs are numeric):
  (none)                           a user's personal access token (the instance route)
${TARGETS}
With --user-id alone, the token is first checked to be that user's.

It reports only what GitLab confirmed: revoked (GitLab answers the same for a token already
revoked), no longer there, or not this target's; anything else exits 1 saying the token may
still be active.

${CREDENTIAL}

Options:
  --id TOKEN_ID             the token IDs (repeatable, or comma-separated)
  --dry-run                 check the credential and look each token up; revoke nothing

${CONNECTION}

Exit codes: 0 every token revoked, already revoked or no longer there; 1 GitLab or the network
failed (the token may still be active), or a dry run's check failed; 2 invalid arguments.`;

const LIST_HELP = `Usage:
  create-gitlab-token list [TARGET] [--expiring-within Nd] [--output json]

Prints the active tokens (not revoked, not expired) of each target, every page; never a secret,
so a credential with read_api is enough. TARGET (several users or projects: comma-separated):
  (none)                           the credential's own user's personal access tokens
  --user-id U                      user U's personal access tokens (and, for an administrator,
                                   U's impersonation tokens)
  --user-id U --impersonation      user U's impersonation tokens (administrator)
  --user-id U --group-id G         service account U's tokens through group G
  --project-id P                   project P's access tokens (Maintainer)
  --group-id G                     group G's access tokens (Owner)

${CREDENTIAL}

Options:
  --expiring-within Nd      only tokens that expire within N days (30 and 30d both mean 30
                            days): on or before the date N days from today, UTC; tokens without
                            an expiry date are left out
  --output FORMAT           text (default: a table, one line per token) or json: one array of
                            the tokens listed ([] for none): id, name, type, target, user_id,
                            scopes, access_level (project and group tokens), created_at,
                            expires_at, days_left (whole days from today, UTC, to expires_at;
                            null without one) and last_used_at

${CONNECTION}

Exit codes: 0 every target listed (whatever expires); 1 a target could not be listed (the others
are still printed), or stdout could not be written; 2 invalid arguments (nothing was sent).`;

/** `create-gitlab-token <command> --help`. */
const FLEET_HELP = `Usage:
  create-gitlab-token fleet plan [FILE] [--detailed-exitcode] [--output json] [--junit FILE]
                                 [--shard I/N] [--prune]
  create-gitlab-token fleet apply [FILE] [--prune] [--output json] [--junit FILE] [--shard I/N]

fleet plan compares a manifest of tokens (FILE, default .gitlab-tokens.yml; see docs/fleet.md)
with GitLab and the stores and says, for each entry, create, renew or none and why; fleet apply
does it: create, store everywhere, then revoke the old token (never GitLab's rotate).

${CREDENTIAL}

Options:
  --output FORMAT           text (default: a table sorted by days left) or json
  --junit FILE              also write a JUnit XML report: a test case per entry, failed while
                            the entry needs work (GitLab's test report as the dashboard)
  --detailed-exitcode       plan: exit 0 when nothing is to do, 2 when changes are pending
  --shard I/N               only the entries whose id hashes to shard I of N (default: from
                            CI_NODE_INDEX/CI_NODE_TOTAL in a GitLab parallel job, else all)
  --prune                   apply: revoke the fleet's tokens whose entry is gone (GitLab 17.7+);
                            plan: count them as pending changes

${CONNECTION}

Exit codes: plan 0 (with --detailed-exitcode: 0 nothing to do, 2 changes pending); apply 0 all
done, 1 an entry failed; both 1 when GitLab or the network failed, 2 when the manifest or the
flags are invalid (before any request: the message names the file, line and entry).`;

export const HELP: Readonly<Record<Command, string>> = {
  create: CREATE_HELP,
  rotate: ROTATE_HELP,
  revoke: REVOKE_HELP,
  list: LIST_HELP,
  fleet: FLEET_HELP,
};

/**
 * A usage error: what is wrong (one line per problem), then where the command's help is; exit
 * code 2. Nothing was sent.
 */
export function usageError(io: CliIo, message: string, command?: Command): number {
  const lines = message.split('\n').filter((line) => line.trim() !== '');
  for (const line of lines) io.stderr(`create-gitlab-token: ${line}\n`);
  io.stderr(`Run 'create-gitlab-token ${command ? `${command} ` : ''}--help' for usage.\n`);
  return EXIT_USAGE;
}
