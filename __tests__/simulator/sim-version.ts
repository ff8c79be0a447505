// GitLab versions and the version where each simulated behaviour starts. Every gate is read at
// request time from the simulator's `version.version`, so a test can switch versions per test.

/** A parsed 'major.minor.patch' (any '-ee'/'-pre' suffix ignored). */
export type VersionTuple = [number, number, number];

export function parseVersion(version: string): VersionTuple {
  const m = /^\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(version);
  if (!m) throw new Error(`not a GitLab version: ${version}`);
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

/** True when `version` is `since` or newer. */
export function versionAtLeast(version: string, since: string): boolean {
  const a = parseVersion(version);
  const b = parseVersion(since);
  for (let i = 0; i < 3; i++) {
    if (a[i] !== b[i]) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

/** '17.10' -> '17.10.0-ee'; a full version is kept. */
export function normalizeVersion(version: string): string {
  const [major, minor, patch] = parseVersion(version);
  const suffix = /-([a-z]+)\s*$/.exec(version)?.[1] ?? 'ee';
  return `${major}.${minor}.${patch}-${suffix}`;
}

/** The version a new simulator reports: a current 18.x. */
export const DEFAULT_VERSION = '18.6.0-ee';

/** The versions the tests exercise (SPEC: 16.0 to 18.x). */
export const MODELLED_VERSIONS = [
  '16.0',
  '16.5',
  '16.6',
  '17.6',
  '17.9',
  '17.10',
  '17.11',
  '18.6',
] as const;

/**
 * Where each behaviour starts. Sources are paths in GitLab's repository (gitlab-org/gitlab,
 * mirrored as gitlabhq/gitlabhq) unless noted.
 */
export const SINCE = {
  // doc/api/personal_access_tokens.md "Self-revoke: Introduced in GitLab 15.0" (any scope from 15.4)
  selfRevoke: '15.0',
  // doc/api/personal_access_tokens.md "Self-inform: Introduced in GitLab 15.5"
  selfInform: '15.5',
  // doc/api/personal_access_tokens.md: created_*/last_used_*/revoked/search/state filters in 15.5
  listFilters: '15.5',
  // Not in the 17.6 docs of doc/api/personal_access_tokens.md; in lib/api/helpers/
  // personal_access_tokens_helpers.rb `access_token_params` of 2025 (GitLab's Go client added
  // them in August 2025, GitLab 18.3). Inferred version: see the report.
  listExpiresAndSort: '18.3',
  // doc/api/personal_access_tokens.md "Rotate: Introduced in GitLab 16.0"
  rotate: '16.0',
  // doc/api/personal_access_tokens.md "`expires_at` attribute added in GitLab 16.6"
  rotateExpiresAt: '16.6',
  // doc/api/personal_access_tokens.md "Automatic reuse detection: Introduced in GitLab 16.3"
  reuseDetection: '16.3',
  // doc/api/personal_access_tokens.md "Self-rotate: Introduced in GitLab 16.10"
  selfRotate: '16.10',
  // lib/api/personal_access_tokens/self_rotation.rb `allow_access_with_scope :self_rotate`;
  // doc/user/profile/personal_access_tokens.md: `self_rotate` scope in 17.9
  selfRotateScope: '17.9',
  // lib/api/users.rb `optional :description` on PAT and impersonation token create (brief: 17.7)
  description: '17.7',
  // app/models/personal_access_token.rb `allow_expires_at_to_be_empty?` reads the
  // require_personal_access_token_expiry setting (doc: setting added in 17.3); before it,
  // expiry is always required (16.0: "Ability to create non-expiring tokens removed").
  requireExpirySetting: '17.3',
  // ee/lib/api/group_service_accounts.rb: PAT create and rotate "introduced in GitLab 16.1"
  groupServiceAccountTokens: '16.1',
  // doc/api/group_service_accounts.md: rotate `expires_at` "Introduced in GitLab 17.9"
  groupServiceAccountRotateExpiresAt: '17.9',
  // ee/lib/api/group_service_accounts.rb `delete ':token_id'` (brief/SPEC: 17.10)
  groupServiceAccountRevoke: '17.10',
  // ee/lib/api/group_service_accounts.rb `get` on :user_id/personal_access_tokens (brief/SPEC: 17.11)
  groupServiceAccountList: '17.11',
  // ee/lib/api/group_service_accounts.rb: 16.1 `not_found!` -> later `not_found!('User')`; the
  // change came with the 17.1 service-account list/delete routes (inferred, see the report)
  groupServiceAccountUserNotFoundLabel: '17.1',
  // ---- project and group access tokens: lib/api/resource_access_tokens.rb ----
  // doc/api/project_access_tokens.md "Rotate: Introduced in GitLab 16.0"
  resourceTokenRotate: '16.0',
  // doc/api/project_access_tokens.md "`expires_at` attribute added in GitLab 16.6"
  resourceTokenRotateExpiresAt: '16.6',
  // doc/api/project_access_tokens.md "`state` attribute introduced in GitLab 17.2" (issue 462217)
  resourceTokenListState: '17.2',
  // `optional :description` on create: in the 17.2 source (with `state`), absent from a 16.x
  // one; the earliest version verified, not the first (see the report)
  resourceTokenDescription: '17.2',
  // `requires :expires_at, default: MAX_PERSONAL_ACCESS_TOKEN_LIFETIME_IN_DAYS.days.from_now`
  // became `optional` + CreateService#pat_expiration with the require_personal_access_token_expiry
  // setting (17.3, as SINCE.requireExpirySetting)
  resourceTokenOptionalExpiry: '17.3',
  // lib/gitlab/access.rb PLANNER (15): the Planner role, GitLab 17.7
  plannerRole: '17.7',
  // doc/user/project/settings/project_access_tokens.md: revoked/expired tokens stay visible and
  // the bot is kept, GA in 17.9 (flag retain_resource_access_token_user_after_revoke removed);
  // before, RevokeService schedules DeleteUserWorker for the bot
  resourceTokenRetainBot: '17.9',
  // lib/api/resource_access_tokens/self_rotation.rb (`allow_access_with_scope :self_rotate`,
  // the 17.9 scope; brief/SPEC: 17.9)
  resourceTokenSelfRotate: '17.9',
  // CreateService "contains permissions not held by the creating user" and RotateService
  // "Not eligible to rotate tokens with permissions not held by the user" (level_encompasses?)
  // replaced "can't be greater the access level..." and "Could not provision owner access...":
  // inferred, see the report
  resourceTokenEncompassMessages: '18.0',
  // `use :access_token_params` on the list and `not_found!("#{source_type} Access Token")`
  // replacing "Could not find <type> access token with token_id: <id>": inferred, the same
  // version as listExpiresAndSort (see the report)
  resourceTokenListFilters: '18.3',
  // lib/api/entities/resource_access_token.rb `resource_type`, `resource_id`: inferred
  resourceTokenResourceFields: '18.3',
  // ---- CI/CD variables: lib/api/ci/variables.rb, lib/api/group_variables.rb ----
  // doc/api/group_level_variables.md, project_level_variables.md: `description` "Introduced in
  // GitLab 16.2" (issue 409641); before it the parameter is undeclared and the entity has no field
  ciVariableDescription: '16.2',
  // doc/api/group_level_variables.md "The `filter` parameter was introduced in GitLab 16.9"
  // (issue 340185); projects had it long before (lib/api/ci/variables.rb)
  groupVariableFilter: '16.9',
  // doc/api/*_level_variables.md "`masked_and_hidden` and `hidden` attributes introduced in
  // GitLab 17.4" (issue 29674); app/models/concerns/ci/hidable_variable.rb
  ciHiddenVariables: '17.4',
  // app/models/concerns/ci/maskable.rb MASK_AND_RAW_REGEX (`\A\S{8,}\z` for masked + raw):
  // behind ci_remove_character_limitation_raw_masked_var, introduced 15.9 default off
  // (config/feature_flags/development/…yml, MR 109008); the version that turned it on for good
  // was not found: inferred (see the report). Override with GitLabSimulator.maskedRawRelaxed.
  ciMaskedRawAnyCharacters: '16.0',
} as const;

/** Scopes that did not exist before a version (the Grape `values:` check rejects them). */
export const SCOPE_SINCE: Readonly<Record<string, string>> = {
  // lib/gitlab/auth.rb SELF_ROTATE_SCOPE; doc/user/profile/personal_access_tokens.md 17.9
  self_rotate: SINCE.selfRotateScope,
};
