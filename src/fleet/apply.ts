/**
 * `fleet apply`: does what the plan says, entry by entry, through the same kinds and stores as a
 * single token (tokens/make.ts, stores/index.ts): create → store in every target → revoke the old
 * token. Never GitLab's rotate, which revokes the old secret at once: consumers keep working until
 * the new one is stored. An entry that fails keeps its old token and revokes its new one (unless a
 * GitHub secret already holds it), is named with the reason, and the others go on.
 *
 * The credential itself (a `self` entry) cannot be made anew: it rotates itself first, alone,
 * stores its new secret, and the rest of the run carries on with it. Entries run `concurrency` at
 * a time on one client, so that GitLab's rate limits pause them together and max-wait-seconds
 * bounds the waiting of them all. Once the run is told to stop (a cancel, the rate-limit budget
 * spent), no entry is begun; those under way finish, so every entry is done or untouched.
 */
import type { GitLabClient } from '../gitlab/client.js';
import type { PersonalAccessToken, TokenWithSecret } from '../gitlab/token.js';
import { daysFromToday } from '../inputs/fields.js';
import { tokenKind, type TokenTarget } from '../kinds/index.js';
import { heldTokenNote } from '../stores/reading.js';
import { SecretStores, type StoreInputs } from '../stores/index.js';
import { TokenMaker, type Logger } from '../tokens/make.js';
import type { StopSignal } from '../tokens/many.js';
import type { DescribeFailure } from '../tokens/errors.js';
import { obtainToken } from '../tokens/renew.js';
import { mapWithConcurrency } from '../util/concurrency.js';
import { fleetMarker, storeNoteAbout } from './identity.js';
import type { EntryPlan, FleetPlan, UnmanagedToken } from './plan.js';

export type EntryResult = 'created' | 'renewed' | 'unchanged' | 'failed';

export interface EntryOutcome {
  plan: EntryPlan;
  result: EntryResult;
  /** the token the entry has after the run (the new one once made) */
  token: PersonalAccessToken | undefined;
  /** every target holds the new token */
  stored: boolean;
  error?: string;
  /** never begun: the run was stopping */
  notStarted?: boolean;
}

export interface PruneOutcome {
  unmanaged: UnmanagedToken;
  pruned: boolean;
  error?: string;
}

export interface ApplyContext {
  /** the client of the run; a credential that rotated itself replaces it (useCredential) */
  client(): GitLabClient;
  useCredential(secret: string): void;
  /** a GitHub client shared by every entry's stores (undefined: no GitHub secret targets) */
  github: GitLabClient | undefined;
  storeInputs: Omit<StoreInputs, 'stores'>;
  concurrency: number;
  log: Logger;
  onSecret(secret: string): void;
  describe: DescribeFailure;
  secrets: Set<string>;
  stop: StopSignal;
  /** milliseconds to wait before looking for a token whose reply was lost (tests: 0) */
  settleMs?: number;
  debug?: (line: string) => void;
}

/** The day a new token expires: `expires-in` days from today (UTC). */
const expiryOf = (plan: EntryPlan, now: Date): string =>
  daysFromToday(now, plan.entry.expiresInDays);

class Applier {
  /** every token this run made and reports: a reconciliation never revokes one of them */
  private readonly kept = new Set<number>();

  constructor(
    private readonly context: ApplyContext,
    private readonly fleet: FleetPlan,
  ) {}

  private describe(error: unknown, plan: EntryPlan): Promise<string> {
    return this.context.describe(error, {
      kind: plan.entry.kind,
      groupId: plan.target?.groupId,
      secrets: this.context.secrets,
    });
  }

  private openStores(plan: EntryPlan, client: GitLabClient): SecretStores | undefined {
    const { storeInputs, log, debug, github } = this.context;
    const stores = SecretStores.open(
      { ...storeInputs, stores: plan.entry.stores },
      client,
      log,
      debug,
      {},
      github,
    );
    const about = storeNoteAbout(this.fleet.manifest.fleet, plan.entry.id);
    stores?.describeWrites((tokenId) => heldTokenNote(tokenId, about));
    return stores;
  }

  private hooks(stores: SecretStores | undefined) {
    const { context } = this;
    return {
      onSecret: (secret: string) => {
        context.secrets.add(secret);
        context.onSecret(secret);
      },
      log: context.log,
      kept: this.kept,
      stores,
      settleMs: context.settleMs,
      cancelled: () => context.stop.reason === 'cancelled',
    };
  }

  async entry(plan: EntryPlan): Promise<EntryOutcome> {
    const unchanged: EntryOutcome = { plan, result: 'unchanged', token: plan.token, stored: false };
    if (plan.action === 'none' || !plan.target) return unchanged;
    const { context } = this;
    const client = context.client();
    if (context.stop.reason ?? (client.rateLimitSpent ? 'rate-limit' : undefined)) {
      const why =
        context.stop.reason === 'cancelled'
          ? 'not started: the run was cancelled'
          : 'not started: GitLab kept rate-limiting past max-wait-seconds';
      return { ...unchanged, error: why, notStarted: true };
    }
    const kind = tokenKind(plan.entry.kind);
    const stores = this.openStores(plan, client);
    try {
      if (kind.canCreate === false) return await this.selfRotate(plan, client, stores);
      return await this.replace(plan, client, stores);
    } catch (error) {
      return {
        plan,
        result: 'failed',
        token: plan.token,
        stored: false,
        error: await this.describe(error, plan),
      };
    } finally {
      stores?.dispose();
    }
  }

  /** create → store everywhere → revoke the old tokens. */
  private async replace(
    plan: EntryPlan,
    client: GitLabClient,
    stores: SecretStores | undefined,
  ): Promise<EntryOutcome> {
    const { entry } = plan;
    const target = plan.target as TokenTarget;
    const kind = tokenKind(entry.kind);
    // Every target is checked before anything changes.
    await stores?.check();
    const marker = fleetMarker({
      fleet: this.fleet.manifest.fleet,
      entry: entry.id,
      kind: entry.kind,
    });
    const request = {
      params: {
        name: entry.name,
        scopes: entry.scopes,
        expiresAt: expiryOf(plan, this.fleet.now),
        // Where GitLab keeps no description, none is sent (it would be dropped with a warning).
        description: this.fleet.markers ? marker : undefined,
        accessLevel: entry.accessLevel,
      },
      ifExists: 'create' as const,
      uniqueName: false,
    };
    const maker = new TokenMaker(client, kind, target, request, this.hooks(stores));
    const made = await maker.create();
    const storeError = await maker.store(made, plan.old[0]?.token);
    if (storeError) {
      // Stored in part (a GitHub secret holds it): consumers may hold either token, so both stay.
      return {
        plan,
        result: 'failed',
        token: plan.token,
        stored: false,
        error: await this.describe(storeError, plan),
      };
    }
    const result: EntryResult = plan.action === 'create' ? 'created' : 'renewed';
    const problems: string[] = [];
    for (const old of plan.old) {
      try {
        const outcome = await tokenKind(old.kind).revoke(
          client,
          old.target,
          old.token.id,
          this.hooks(undefined),
        );
        if (outcome === 'revoked')
          this.context.log.info(
            `entry ${entry.id}: revoked token ID ${old.token.id}, replaced by token ID ${made.id}.`,
          );
      } catch (error) {
        problems.push(
          `token ID ${old.token.id}, which token ID ${made.id} replaces, may still be active (revoke it by hand): ${await this.describe(error, plan)}`,
        );
      }
    }
    const error = problems.length > 0 ? problems.join('; ') : undefined;
    return { plan, result, token: made, stored: true, error };
  }

  /** The credential renews itself: rotate (never twice), store, carry on with the new secret. */
  private async selfRotate(
    plan: EntryPlan,
    client: GitLabClient,
    stores: SecretStores | undefined,
  ): Promise<EntryOutcome> {
    const kind = tokenKind(plan.entry.kind);
    const request = {
      params: {
        name: '',
        scopes: [],
        expiresAt: expiryOf(plan, this.fleet.now),
        description: undefined,
      },
      ifExists: 'rotate' as const,
      uniqueName: false,
      // The plan decided it is due (by date or by a store): rotate whatever its expiry.
      rotateBy: '9999-12-31',
    };
    const maker = new TokenMaker(
      client,
      kind,
      plan.target as TokenTarget,
      request,
      this.hooks(stores),
    );
    const outcome = await obtainToken(maker);
    if ('existing' in outcome)
      return { plan, result: 'unchanged', token: outcome.existing, stored: false };
    const made: TokenWithSecret = outcome.token;
    this.context.useCredential(made.token);
    this.context.log.info(
      `entry ${plan.entry.id}: the credential rotated itself into token ID ${made.id}; the run carries on with it.`,
    );
    if (outcome.storeError) {
      return {
        plan,
        result: 'failed',
        token: made,
        stored: false,
        error: await this.describe(outcome.storeError, plan),
      };
    }
    return { plan, result: 'renewed', token: made, stored: true };
  }

  async prune(unmanaged: UnmanagedToken): Promise<PruneOutcome> {
    const client = this.context.client();
    try {
      await tokenKind(unmanaged.kind).revoke(
        client,
        unmanaged.target,
        unmanaged.token.id,
        this.hooks(undefined),
      );
      return { unmanaged, pruned: true };
    } catch (error) {
      const about = {
        kind: unmanaged.kind,
        groupId: unmanaged.target.groupId,
        secrets: this.context.secrets,
      };
      return { unmanaged, pruned: false, error: await this.context.describe(error, about) };
    }
  }
}

/** Applies the plan; with `prune`, revokes its unmanaged tokens after the entries. */
export async function applyFleet(
  applyContext: ApplyContext,
  plan: FleetPlan,
  prune: boolean,
): Promise<{ entries: EntryOutcome[]; pruned: PruneOutcome[] }> {
  const applier = new Applier(applyContext, plan);
  // The credential first and alone: every other entry then runs with its new secret.
  const selfFirst = plan.entries.filter((entry) => tokenKind(entry.entry.kind).canCreate === false);
  const outcomes = new Map<EntryPlan, EntryOutcome>();
  for (const entry of selfFirst) outcomes.set(entry, await applier.entry(entry));
  const rest = plan.entries.filter((entry) => !selfFirst.includes(entry));
  const done = await mapWithConcurrency(rest, applyContext.concurrency, (entry) =>
    applier.entry(entry),
  );
  rest.forEach((entry, index) => outcomes.set(entry, done[index]));
  const pruned: PruneOutcome[] = [];
  if (prune && applyContext.stop.reason === undefined) {
    pruned.push(
      ...(await mapWithConcurrency(plan.unmanaged, applyContext.concurrency, (token) =>
        applier.prune(token),
      )),
    );
  }
  return { entries: plan.entries.map((entry) => outcomes.get(entry) as EntryOutcome), pruned };
}
