/** What every store-in target does, whatever it writes to. */
import type { StoreTarget } from './targets.js';

export interface StoreLog {
  info(message: string): void;
  warning(message: string): void;
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
   * `description`: what the target says it holds, where it can say (a CI/CD variable's
   * description names the token's ID for a fleet's plan); targets that cannot ignore it.
   */
  write(secret: string, description?: string): Promise<'created' | 'updated'>;
  /** puts the target back as the check found it */
  restore(): Promise<void>;
}
