/** What every store-in target does, whatever it writes to. */
import type { StoreTarget } from './targets.js';

export interface StoreLog {
  info(message: string): void;
  warning(message: string): void;
}

/** How long to wait before reading back a write whose reply was lost, and how to wait. */
export interface StoreTiming {
  settleMs: number;
  sleep(ms: number): Promise<void>;
}

export interface SecretStore {
  readonly target: StoreTarget;
  /** after the check: whether a write here can be undone (the earlier value is known) */
  readonly restorable: boolean;
  /** reads what a write needs, proving access; changes nothing */
  check(): Promise<void>;
  /** a reason this target cannot take `secret`, found before anything is written */
  refuse(secret: string): string | undefined;
  /**
   * Throws StoreTargetError; its `written` says whether the target may hold `secret` all the
   * same (then restore() undoes it, or finds it unchanged). `description`: what the target says
   * it holds, where it can say (a CI/CD variable's description names the token's ID for a
   * fleet's plan); targets that cannot ignore it.
   */
  write(secret: string, description?: string): Promise<'created' | 'updated'>;
  /**
   * Puts the target back as the check found it ('restored'), or finds that a write whose reply
   * was lost did not arrive ('unchanged'). Throws when neither can be done or shown.
   */
  restore(): Promise<'restored' | 'unchanged'>;
  /** after the check: true when the target does not exist yet, undefined when unknown */
  missing(): Promise<boolean | undefined>;
}
