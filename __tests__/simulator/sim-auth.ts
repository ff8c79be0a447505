// Authentication as lib/gitlab/auth/auth_finders.rb and lib/api/api_guard.rb do it: find the
// token, then AccessTokenValidationService#validate (expired, then revoked, then scopes), reuse
// detection on rotate paths, the blocked-user check, and last_used_at.
import type { Principal, SimState, SimToken, StoredUser } from './sim-state.js';
import { SINCE } from './sim-version.js';
import {
  TOKEN_EXPIRED,
  TOKEN_REVOKED,
  forbidden,
  insufficientScope,
  invalidToken,
  unauthorized,
} from './sim-replies.js';
import type { Reply } from './sim-replies.js';

export type AuthResult =
  { kind: 'ok'; principal: Principal } | { kind: 'anonymous' } | { kind: 'fail'; reply: Reply };

/** app/services/personal_access_tokens/last_used_service.rb: at most every 10 minutes. */
const LAST_USED_THROTTLE_MS = 10 * 60 * 1000;

/**
 * lib/gitlab/auth/auth_finders.rb `extract_personal_access_token`: the private_token parameter,
 * the PRIVATE-TOKEN header, or an OAuth-style `Authorization: Bearer` token.
 */
export function secretOf(
  headers: Record<string, string | undefined>,
  query: URLSearchParams,
): string | undefined {
  const param = query.get('private_token')?.trim();
  const header = headers['private-token']?.trim();
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers['authorization'] ?? '')?.[1];
  return param || header || bearer || undefined;
}

/**
 * auth_finders.rb `access_token_rotation_request?`: the path of a rotate call (`self` once the
 * self-rotate route exists, 16.10).
 */
function isRotationRequest(state: SimState, path: string): boolean {
  const re = state.atLeast(SINCE.selfRotate)
    ? /access_tokens\/(\d+|self)\/rotate$/
    : /access_tokens\/\d+\/rotate$/;
  return re.test(path);
}

/**
 * app/services/personal_access_tokens/revoke_token_family_service.rb: every active token that
 * descends from `token` through previous_personal_access_token_id is revoked.
 */
export function revokeTokenFamily(state: SimState, token: SimToken): void {
  const family = new Set<number>([token.id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const t of state.tokens) {
      if (t.previous_id !== null && family.has(t.previous_id) && !family.has(t.id)) {
        family.add(t.id);
        grew = true;
      }
    }
  }
  for (const t of state.tokens) {
    if (t.id !== token.id && family.has(t.id) && state.refresh(t).active) state.revoke(t);
  }
}

/**
 * `allowedScopes`: the scopes the endpoint class registers (allow_access_with_scope); `anyScope`
 * for endpoints that accept every scope (PersonalAccessTokens::SelfInformation).
 */
export function authenticate(
  state: SimState,
  request: {
    headers: Record<string, string | undefined>;
    query: URLSearchParams;
    path: string;
    allowedScopes: readonly string[];
    anyScope: boolean;
  },
): AuthResult {
  const secret = secretOf(request.headers, request.query);
  let user: StoredUser | undefined;
  let scopes: string[];
  let token: SimToken | null = null;
  let credential: Principal['credential'] = null;
  if (!secret) {
    if (state.anonymousUserId === null) return { kind: 'anonymous' };
    // An authenticating proxy in front of GitLab: a session user with every right.
    user = state.findUser(state.anonymousUserId);
    if (!user) return { kind: 'anonymous' };
    scopes = ['api', 'admin_mode'];
  } else {
    const cred = stateCredential(state, secret);
    if (cred) {
      // access_token_validation_service.rb: expired is checked before revoked
      if (cred.expiresAt !== null && state.isExpired({ expires_at: cred.expiresAt })) {
        return { kind: 'fail', reply: invalidToken(TOKEN_EXPIRED) };
      }
      if (cred.revoked) return { kind: 'fail', reply: invalidToken(TOKEN_REVOKED) };
      credential = cred;
      scopes = cred.scopes;
      user = state.findUser(cred.userId);
    } else {
      const found = state.tokens.find((t) => t.token === secret);
      // auth_finders.rb `find_personal_access_token`: unknown -> UnauthorizedError -> 401
      if (!found) return { kind: 'fail', reply: unauthorized() };
      // A token whose user was deleted (a resource-token bot before 17.9) went with the user
      if (!state.findUser(found.user_id)) return { kind: 'fail', reply: unauthorized() };
      state.refresh(found);
      if (state.isExpired(found)) return { kind: 'fail', reply: invalidToken(TOKEN_EXPIRED) };
      if (found.revoked) {
        // auth_finders.rb `revoke_token_family` (16.3+, doc: "Automatic reuse detection")
        if (state.atLeast(SINCE.reuseDetection) && isRotationRequest(state, request.path)) {
          revokeTokenFamily(state, found);
        }
        return { kind: 'fail', reply: invalidToken(TOKEN_REVOKED) };
      }
      token = found;
      scopes = found.scopes;
      user = state.findUser(found.user_id);
    }
    if (!request.anyScope && !scopes.some((s) => request.allowedScopes.includes(s))) {
      return { kind: 'fail', reply: insufficientScope(request.allowedScopes) };
    }
  }
  if (!user) return { kind: 'fail', reply: unauthorized() };
  // lib/api/api_guard.rb `find_current_user!`: Gitlab::Auth::UserAccessDeniedReason
  if (user.state === 'blocked') {
    return { kind: 'fail', reply: forbidden('Your account has been blocked.') };
  }
  if (token) {
    const last = token.last_used_at ? Date.parse(token.last_used_at) : null;
    const now = state.now();
    if (last === null || now.getTime() - last >= LAST_USED_THROTTLE_MS) {
      token.last_used_at = now.toISOString();
    }
  }
  // lib/api/helpers.rb `authenticated_as_admin!` uses can_admin_all_resources?: under Admin
  // Mode an administrator's token needs the admin_mode scope; GitLab.com has no administrators.
  const admin =
    user.isAdmin && !state.gitlabDotCom && (!state.adminMode || scopes.includes('admin_mode'));
  return { kind: 'ok', principal: { user, scopes, admin, token, credential } };
}

function stateCredential(state: SimState, secret: string): Principal['credential'] {
  return state.credentialFor(secret) ?? null;
}
