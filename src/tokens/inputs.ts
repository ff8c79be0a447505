/**
 * Every input of a run that makes tokens: the request's (inputs/request.ts) and store-in's
 * (stores/targets.ts), read into one list of problems so that all are reported together, before
 * any request.
 */
import { readInputs, type TokenRequestInputs } from '../inputs/request.js';
import { Problems, type Env, type InputReader } from '../inputs/problems.js';
import type { Words } from '../inputs/words.js';
import { parseStoreInputs, type StoreInputs } from '../stores/targets.js';

export type RunInputs = TokenRequestInputs & StoreInputs;

/** Parses the inputs of a run; throws InputError listing all problems. */
export function parseRunInputs(read: InputReader, env: Env, now: Date, words?: Words): RunInputs {
  const problems = new Problems(words);
  const request = readInputs(read, env, now, problems);
  // revoke left empty decides by itself: a token stored for others outlives the job.
  const auto = read('revoke').trim() === '';
  const made = { targets: request.targets.length, revoke: auto ? false : request.revoke };
  const stores = parseStoreInputs(read, env, problems, made);
  problems.throwIfAny();
  const revoke = auto && stores.stores.length > 0 ? false : request.revoke;
  return { ...request, ...stores, revoke };
}
