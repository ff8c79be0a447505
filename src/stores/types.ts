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
  write(secret: string): Promise<'created' | 'updated'>;
  /** puts the target back as the check found it */
  restore(): Promise<void>;
  /** after the check: true when the target does not exist yet, undefined when unknown */
  missing(): Promise<boolean | undefined>;
}
