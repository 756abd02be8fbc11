/**
 * Splitting the repositories of a sweep over N processes (`archpin run --shard I/N`, or GitLab's
 * `parallel: N` through CI_NODE_INDEX / CI_NODE_TOTAL): a repository belongs to shard
 * 1 + (first 32 bits of sha256(id)) mod N. The forge id does not change when a project is renamed
 * or moved, so a repository stays in its shard, and every shard gets its share whatever the order.
 */
import { createHash } from 'node:crypto';
import { ArchpinError } from '../core/errors.js';

export interface Shard {
  /** 1-based, as CI_NODE_INDEX counts. */
  readonly index: number;
  readonly total: number;
}

export function shardOf(id: string, total: number): number {
  return 1 + (createHash('sha256').update(id).digest().readUInt32BE(0) % total);
}

export function inShard(id: string, shard: Shard): boolean {
  return shard.total <= 1 || shardOf(id, shard.total) === shard.index;
}

/** `--shard I/N`, else CI_NODE_INDEX / CI_NODE_TOTAL when both are set, else none. */
export function parseShard(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): Shard | undefined {
  const source = flag !== undefined ? `--shard ${flag}` : 'CI_NODE_INDEX/CI_NODE_TOTAL';
  let text = flag;
  if (text === undefined) {
    if (!env.CI_NODE_INDEX || !env.CI_NODE_TOTAL) return undefined;
    text = `${env.CI_NODE_INDEX}/${env.CI_NODE_TOTAL}`;
  }
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = match ? Number(match[1]) : NaN;
  const total = match ? Number(match[2]) : NaN;
  if (!match || total < 1 || index < 1 || index > total) {
    throw new ArchpinError('usage', `${source}: expected I/N with 1 ≤ I ≤ N (e.g. 2/4), not "${text}"`);
  }
  return { index, total };
}
