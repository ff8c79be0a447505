/**
 * A token for a target whatever already exists: `if-exists` create, rotate (when due, by
 * rotate-before), replace (create, store, revoke the old one: with store-in, or when the scopes
 * changed, or after a lost rotation) or fail.
 */
import type { NewToken, TokenMaker, UnchangedToken } from './make.js';
import { mayHaveActed } from './reconcile.js';
import { RevokeNotConfirmedError } from '../gitlab/errors.js';
import { TokenExistsError, TokenReconcileError } from './errors.js';
import { userDescription } from '../util/marker.js';
import type { PersonalAccessToken, TokenWithSecret } from '../gitlab/token.js';
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
    const { ifExists, params } = this.request;
    const existing = await this.kind.list(this.client, this.target, {
      name: params.name,
      excludeImpersonation: true,
    });
    if (existing.length > 0) {
      const current = newest(existing);
      if (ifExists === 'fail') {
        throw new TokenExistsError(current.id, params.name, this.kind.label(this.target));
      }
      // No scopes asked (self-rotate): the rotation keeps the token's own.
      if (params.scopes.length > 0 && !sameScopes(current.scopes, params.scopes)) {
        return this.replace(current, 'has other scopes than requested');
      }
      if (!this.due(current)) {
        await this.hooks.stores?.warnMissing(current.id, this.maker.words);
        return { existing: current, target: this.target };
      }
      // With store-in, consumers must never hold a dead token: make the new one, store it,
      // then revoke the old one (a rotation revokes the old one at once).
      if (this.hooks.stores && this.kind.canCreate !== false) {
        return this.replace(current, 'was due for renewal');
      }
      return this.rotate(current);
    }
    return this.maker.createAndStore();
  }

  /**
   * Whether `current` is due for rotation: always without rotate-before; with it, when it
   * expires by then, or never (a token without expiry is always renewed into one with).
   */
  private due(current: PersonalAccessToken): boolean {
    const { rotateBy } = this.request;
    if (rotateBy === undefined || current.expires_at === null || current.expires_at <= rotateBy) {
      return true;
    }
    this.hooks.log.info(
      `Token ID ${current.id} expires ${current.expires_at}, after ${rotateBy} (${this.maker.words.input('rotate-before')}): not rotated, and no new secret is output.`,
    );
    return false;
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
    await this.maker.reconciler.settle();
    try {
      const still = await this.kind.list(this.client, this.target, { name: current.name });
      if (still.some((token) => token.id === current.id)) {
        return new TokenReconcileError(
          `the reply to the credential's rotation was lost, and the credential (token ID ${current.id}) still works: GitLab did not rotate it; run the ${this.maker.words.run} again`,
          cause,
        );
      }
    } catch {
      // It no longer authenticates: the rotation happened, or the credential was revoked.
    }
    return new TokenReconcileError(
      `the reply to the credential's rotation was lost, and the credential (token ID ${current.id}) no longer works: GitLab rotated (or revoked) it, and the new secret is lost. Create a new credential by hand, and revoke the one rotated from token ID ${current.id}`,
      cause,
    );
  }

  /** A new token, then the old one revoked: for a token whose scopes differ, or a lost rotation. */
  private async replace(current: PersonalAccessToken, why: string): Promise<NewToken> {
    const made = await this.maker.create();
    const storeError = await this.maker.store(made, current);
    // Stored in part: consumers may hold either token, so both stay active.
    if (storeError) return { token: made, target: this.target, storeError };
    try {
      await this.kind.revoke(this.client, this.target, current.id, this.hooks);
    } catch (error) {
      const detail = error instanceof RevokeNotConfirmedError ? ` (${error.reason})` : '';
      this.hooks.log.warning(
        `Token ID ${current.id} ${why}, so token ID ${made.id} replaces it, but GitLab did not confirm revoking token ID ${current.id}${detail}: it may still be active, revoke it by hand.`,
      );
      return { token: made, target: this.target, rotatedFrom: current.id, oldMayBeActive: true };
    }
    if (this.hooks.stores) await this.nameOthers(made);
    return { token: made, target: this.target, rotatedFrom: current.id };
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
