/**
 * A token for a target whatever already exists: `if-exists` create, rotate (when due, by
 * rotate-before), replace (create, store, revoke the old one: with store-in, or when the scopes
 * changed, or after a lost rotation) or fail.
 */
import type { NewToken, TokenMaker, TokenRequest, UnchangedToken } from './make.js';
import { mayHaveActed } from './reconcile.js';
import { GitLabApiError, RevokeNotConfirmedError } from '../gitlab/errors.js';
import { TokenExistsError, TokenReconcileError } from './errors.js';
import { userDescription } from '../util/marker.js';
import type { PersonalAccessToken, TokenWithSecret } from '../gitlab/token.js';
import type { TokenParams } from '../kinds/index.js';
import { FEATURE_SINCE } from '../gitlab/features.js';

function sameScopes(a: string[], b: string[]): boolean {
  const have = new Set(a);
  return have.size === new Set(b).size && b.every((scope) => have.has(scope));
}

function newest(tokens: PersonalAccessToken[]): PersonalAccessToken {
  return [...tokens].sort(
    (a, b) => Date.parse(b.created_at) - Date.parse(a.created_at) || b.id - a.id,
  )[0];
}

/**
 * What `if-exists` rotate or fail does with the target's active tokens of the name: create one
 * (there is none), fail, replace the newest (a new token, then the old one revoked), keep it
 * (not due with rotate-before) or rotate it. The run (below) and the dry run (plan/) both ask.
 */
export type RenewalDecision =
  | { action: 'create' }
  | { action: 'fail'; current: PersonalAccessToken }
  | { action: 'replace'; current: PersonalAccessToken; why: string }
  | { action: 'keep'; current: PersonalAccessToken }
  | { action: 'rotate'; current: PersonalAccessToken };

export function decideRenewal(
  existing: PersonalAccessToken[],
  request: Pick<TokenRequest, 'ifExists' | 'params' | 'rotateBy'>,
  how: { storing: boolean; canCreate: boolean },
): RenewalDecision {
  if (existing.length === 0) return { action: 'create' };
  const current = newest(existing);
  if (request.ifExists === 'fail') return { action: 'fail', current };
  // No scopes asked (self-rotate): the rotation keeps the token's own.
  const { scopes } = request.params;
  if (scopes.length > 0 && !sameScopes(current.scopes, scopes)) {
    return { action: 'replace', current, why: 'has other scopes than requested' };
  }
  if (!isDue(current, request.rotateBy)) return { action: 'keep', current };
  // With store-in, consumers must never hold a dead token: make the new one, store it, then
  // revoke the old one (a rotation revokes the old one at once).
  if (how.storing && how.canCreate) {
    return { action: 'replace', current, why: 'was due for renewal' };
  }
  return { action: 'rotate', current };
}

/**
 * Whether `current` is due for rotation: always without rotate-before; with it, when it expires
 * by then, or never (a token without expiry is always renewed into one with).
 */
function isDue(current: PersonalAccessToken, rotateBy: string | undefined): boolean {
  return rotateBy === undefined || current.expires_at === null || current.expires_at <= rotateBy;
}

/**
 * The step's token for the maker's target: every store-in target is checked before anything
 * changes (whether or not a token is due), then if-exists decides.
 */
export async function obtainToken(maker: TokenMaker): Promise<NewToken | UnchangedToken> {
  await maker.hooks.stores?.check();
  if (maker.request.ifExists === 'create') return maker.createAndStore();
  return new Renewal(maker).whenExists();
}

class Renewal {
  constructor(private readonly maker: TokenMaker) {}

  // The maker's state, under the names these methods had as the maker's own.
  private get client() {
    return this.maker.client;
  }
  private get kind() {
    return this.maker.kind;
  }
  private get target() {
    return this.maker.target;
  }
  private get request() {
    return this.maker.request;
  }
  private get hooks() {
    return this.maker.hooks;
  }

  /** if-exists rotate or fail: an existing token of the name is rotated, replaced or refused. */
  async whenExists(): Promise<NewToken | UnchangedToken> {
    const { params, rotateBy } = this.request;
    const existing = await this.kind.list(this.client, this.target, {
      name: params.name,
      excludeImpersonation: true,
    });
    const decision = decideRenewal(existing, this.request, {
      storing: this.hooks.stores !== undefined,
      canCreate: this.kind.canCreate !== false,
    });
    switch (decision.action) {
      case 'create':
        return this.maker.createAndStore();
      case 'fail':
        throw new TokenExistsError(decision.current.id, params.name, this.kind.label(this.target));
      case 'replace':
        return this.replace(decision.current, decision.why);
      case 'keep':
        this.hooks.log.info(
          `Token ID ${decision.current.id} expires ${decision.current.expires_at}, after ${rotateBy} (${this.maker.words.input('rotate-before')}): not rotated, and no new secret is output.`,
        );
        await this.hooks.stores?.warnMissing(decision.current.id, this.maker.words);
        return { existing: decision.current, target: this.target };
      case 'rotate':
        return this.rotate(decision.current);
    }
  }

  /**
   * Rotates `current`. A rotation whose reply was lost is never sent again (GitLab may have done
   * it, and the old token is then revoked): the token is replaced by a new one instead.
   */
  private async rotate(current: PersonalAccessToken): Promise<NewToken> {
    const { params } = this.request;
    // A credential that rotates itself cannot go back: each target must take a secret first.
    if (this.kind.canCreate === false) await this.hooks.stores?.proveWritable();
    this.hooks.journal?.rotating(this.target, params.name, current.id);
    const sentAt = Date.now();
    let rotated: TokenWithSecret;
    try {
      rotated = await this.kind.rotate(this.client, this.target, current.id, params.expiresAt);
    } catch (error) {
      if (!mayHaveActed(error)) throw error;
      if (this.kind.canCreate === false) throw await this.lostSelfRotation(current, error);
      this.hooks.log.warning(
        `The reply to the rotation of token ID ${current.id} was lost; a rotation is never sent twice, so a new token replaces it.`,
      );
      await this.maker.reconciler.settle();
      await this.maker.reconciler.reportStrangers(sentAt, current.id);
      return this.replace(current, 'could not be rotated');
    }
    this.maker.keep(rotated, undefined, current.id);
    this.checkRotated(current, rotated);
    const storeError = await this.maker.store(rotated, current);
    return { token: rotated, target: this.target, rotatedFrom: current.id, storeError };
  }

  /**
   * The credential's own rotation lost its reply. It is never sent again; whether GitLab did it
   * shows in whether the credential still works (a revoked token on a route other than a rotate
   * one is a plain 401: it does not set off reuse detection).
   */
  private async lostSelfRotation(current: PersonalAccessToken, cause: unknown): Promise<Error> {
    const unknown = (why: string): Error =>
      new TokenReconcileError(
        `${why}: whether GitLab rotated the credential (token ID ${current.id}) is unknown. Check it with the credential: GET /personal_access_tokens/self answers 200 while it still works (then run the ${this.maker.words.run} again) and 401 once it was rotated (then its new secret is lost: create a new credential by hand)`,
        cause,
      );
    if (this.hooks.cancelled?.()) {
      return unknown(
        `the ${this.maker.words.run} was cancelled while the credential's rotation was in flight`,
      );
    }
    await this.maker.reconciler.settle();
    try {
      const still = await this.kind.list(this.client, this.target, { name: current.name });
      if (still.some((token) => token.id === current.id)) {
        return new TokenReconcileError(
          `the reply to the credential's rotation was lost, and the credential (token ID ${current.id}) still works: GitLab did not rotate it; run the ${this.maker.words.run} again`,
          cause,
        );
      }
    } catch (error) {
      // Only a 401 says the credential no longer authenticates; anything else says nothing.
      if (!(error instanceof GitLabApiError && error.status === 401)) {
        return unknown(
          `the reply to the credential's rotation was lost, and the check that followed failed too`,
        );
      }
    }
    return new TokenReconcileError(
      `the reply to the credential's rotation was lost, and the credential (token ID ${current.id}) no longer works: GitLab rotated (or revoked) it, and the new secret is lost. Create a new credential by hand, and revoke the one rotated from token ID ${current.id}`,
      cause,
    );
  }

  /**
   * A new token, then the old one revoked: with store-in (consumers never hold a dead token), for
   * a token whose scopes differ, or after a lost rotation. Like a rotation, it keeps the old
   * token's access level and description unless the inputs set them.
   */
  private async replace(current: PersonalAccessToken, why: string): Promise<NewToken> {
    this.hooks.journal?.replacing(this.target, this.request.params.name, current.id);
    const made = await this.maker.create(this.keptFrom(current));
    const storeError = await this.maker.store(made, current);
    // Stored in part: consumers may hold either token, so both stay active.
    if (storeError) return { token: made, target: this.target, storeError };
    const replaced = { token: made, target: this.target, rotatedFrom: current.id, replaced: true };
    try {
      await this.kind.revoke(this.client, this.target, current.id, this.hooks);
    } catch (error) {
      const detail = error instanceof RevokeNotConfirmedError ? ` (${error.reason})` : '';
      this.hooks.log.warning(
        `Token ID ${current.id} ${why}, so token ID ${made.id} replaces it, but GitLab did not confirm revoking token ID ${current.id}${detail}: it may still be active, revoke it by hand.`,
      );
      return { ...replaced, oldMayBeActive: true };
    }
    if (this.hooks.stores) await this.nameOthers(made);
    return replaced;
  }

  /**
   * What a replacement keeps of `current` that the inputs leave unset: its access level (else
   * GitLab's default, Maintainer, would change what the bot may do) and its description. Where
   * the inputs set one that differs, the change is said.
   */
  private keptFrom(current: PersonalAccessToken): Partial<TokenParams> {
    const { params } = this.request;
    const words = this.maker.words;
    const kept: Partial<TokenParams> = {};
    const level = current.access_level;
    if (this.kind.accessLevel && level !== undefined) {
      if (params.accessLevel === undefined) kept.accessLevel = level;
      else if (params.accessLevel !== level) {
        this.hooks.log.warning(
          `Token ID ${current.id} has access level ${level}; its replacement gets ${params.accessLevel}, as ${words.input('access-level')} says.`,
        );
      }
    }
    const description = userDescription(current.description);
    if (current.description !== undefined && description !== '') {
      if (params.description === undefined) kept.description = description;
      else if (params.description !== description) {
        this.hooks.log.warning(
          `Token ID ${current.id} is described ${JSON.stringify(description)}; its replacement gets the ${words.input('description')} given.`,
        );
      }
    }
    return kept;
  }

  /**
   * Two runs renewing one token at the same time each make a token and store it; the targets
   * keep the one written last, and the other stays active, unused. Whichever run lists last sees
   * both, so each run looks once it is done and names any other active token of the name.
   */
  private async nameOthers(made: TokenWithSecret): Promise<void> {
    const { name } = this.request.params;
    let others: PersonalAccessToken[];
    try {
      const active = await this.kind.list(this.client, this.target, {
        name,
        excludeImpersonation: true,
      });
      others = active.filter((token) => token.id !== made.id);
    } catch {
      return; // the renewal is done; this was only a look
    }
    if (others.length === 0) return;
    const ids = others.map((token) => token.id).join(', ');
    const [these, are] = others.length === 1 ? ['ID', 'is'] : ['IDs', 'are'];
    this.hooks.log.warning(
      `Token ${these} ${ids} of ${this.kind.label(this.target)} named ${JSON.stringify(name)} ${are} active besides the new token ID ${made.id} (another run renewing it at the same time, or made otherwise): the ${this.maker.words.input('store-in')} targets hold token ID ${made.id} unless another run wrote after this one. Revoke what nothing uses.`,
    );
  }

  private checkRotated(current: PersonalAccessToken, rotated: TokenWithSecret): void {
    const { params } = this.request;
    if (params.expiresAt === undefined && rotated.expires_at === null) {
      this.maker.warnNoExpiry(rotated);
    } else if (params.expiresAt === undefined) {
      // app/services/personal_access_tokens/rotate_service.rb: one week where expiry is enforced.
      this.hooks.log.info(
        `GitLab rotates a token without ${this.maker.words.input('expires-at')} into one that lives one week: token ID ${rotated.id} expires ${rotated.expires_at}.`,
      );
    } else if (rotated.expires_at !== params.expiresAt) {
      this.hooks.log.warning(
        `Token ID ${rotated.id} expires ${rotated.expires_at ?? 'never'}, not ${params.expiresAt} as requested: this GitLab ignores expires_at when rotating (instance tokens need ${FEATURE_SINCE.rotateExpiresAt}, group service-account tokens ${FEATURE_SINCE.serviceAccountRotateExpiresAt}).`,
      );
    }
    const kept = userDescription(current.description);
    if (
      params.description !== undefined &&
      current.description !== undefined &&
      kept !== params.description
    ) {
      this.hooks.log.warning(
        `Token ID ${rotated.id} keeps the description of the token it was rotated from (GitLab's rotation keeps name, scopes and description): ${JSON.stringify(kept)}.`,
      );
    }
  }
}
