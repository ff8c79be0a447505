/**
 * Sharding: `--shard I/N` (1-based) keeps the entries whose id hashes to shard I. The hash is of
 * the id alone (SHA-256, the first 32 bits, modulo N), so adding or removing an entry never
 * moves another, and the N shards of a manifest are disjoint and cover it. In a GitLab
 * `parallel: N` job, CI_NODE_INDEX and CI_NODE_TOTAL give it.
 */
import { createHash } from 'node:crypto';
import { quote } from '../util/text.js';

export interface Shard {
  /** 1-based */
  index: number;
  total: number;
}

export const WHOLE: Shard = { index: 1, total: 1 };
const MAX_SHARDS = 1000;

/** The shard (1-based) an entry id belongs to, of `total`. */
export function shardOf(id: string, total: number): number {
  if (total <= 1) return 1;
  const hash = createHash('sha256').update(id).digest().readUInt32BE(0);
  return (hash % total) + 1;
}

/**
 * `I/N` from the flag or input, else CI_NODE_INDEX/CI_NODE_TOTAL (GitLab's `parallel`), else
 * the whole manifest; a problem sentence for a value that is not one.
 */
export function parseShard(
  raw: string,
  env: Record<string, string | undefined>,
): Shard | { problem: string } {
  const given = raw.trim();
  // GitLab sets CI_NODE_TOTAL to 1 in a job without `parallel`, and CI_NODE_INDEX only with it.
  const nodes = (env.CI_NODE_TOTAL ?? '').trim();
  const fromEnv = given === '' && nodes !== '' && nodes !== '1';
  const text =
    given !== '' ? given : fromEnv ? `${env.CI_NODE_INDEX ?? ''}/${env.CI_NODE_TOTAL}` : '';
  if (text === '') return WHOLE;
  const match = /^(\d{1,4})\/(\d{1,4})$/.exec(text);
  const index = match ? Number(match[1]) : 0;
  const total = match ? Number(match[2]) : 0;
  if (!match || total < 1 || total > MAX_SHARDS || index < 1 || index > total) {
    const source = fromEnv ? 'CI_NODE_INDEX/CI_NODE_TOTAL' : 'expected I/N';
    return {
      problem: `${source}: a shard such as 2/4 (1 to N, N at most ${MAX_SHARDS}), got ${quote(text)}`,
    };
  }
  return { index, total };
}
