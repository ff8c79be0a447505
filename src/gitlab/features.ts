/**
 * GitLab versions: which feature needs which release (facts, no requests).
 */

/** The first GitLab release with each feature the action depends on (see README "GitLab versions"). */
export const FEATURE_SINCE = {
  /** POST /personal_access_tokens/:id/rotate honours expires_at (doc/api/personal_access_tokens.md) */
  rotateExpiresAt: '16.6',
  /** token descriptions are stored and returned (doc/api/personal_access_tokens.md, users.md) */
  description: '17.7',
  /** rotate of a group service account's token honours expires_at (doc/api/group_service_accounts.md) */
  serviceAccountRotateExpiresAt: '17.9',
  /** DELETE /groups/:id/service_accounts/:user_id/personal_access_tokens/:token_id */
  serviceAccountRevoke: '17.10',
  /** GET /groups/:id/service_accounts/:user_id/personal_access_tokens */
  serviceAccountList: '17.11',
} as const;

export type Feature = keyof typeof FEATURE_SINCE;

/** `17.10.2-ee` → [17, 10]; undefined when unreadable. */
export function parseVersion(text: string | undefined): [number, number] | undefined {
  const match = /^(\d+)\.(\d+)/.exec(text ?? '');
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

/** Whether `version` has `feature`; undefined when the version is unknown. */
export function hasFeature(version: string | undefined, feature: Feature): boolean | undefined {
  const have = parseVersion(version);
  const need = parseVersion(FEATURE_SINCE[feature]);
  if (!have || !need) return undefined;
  return have[0] > need[0] || (have[0] === need[0] && have[1] >= need[1]);
}

/** `needs GitLab 17.11 (this instance runs 17.10.1)`: for messages. */
export function needsVersion(feature: Feature, version: string | undefined): string {
  const running = version ? ` (this instance runs ${version.replace(/[^\w.+-]/g, '')})` : '';
  return `needs GitLab ${FEATURE_SINCE[feature]} or later${running}`;
}
