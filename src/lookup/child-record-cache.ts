import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDigest } from '../core/digest.js';
import type { VouchedChild } from './manifest-source.js';

/**
 * Children confirmed without their body (a HEAD and the registry's own record of their platform), by digest.
 * What was confirmed belongs to the digest (its size, media type and config platform never change), so it is
 * kept like the manifests: in memory, and on disk under `records/sha256/<hex>.json` when a directory is given.
 * Whether the registry still has the child is not kept: `audit` asks again.
 */
export interface ChildRecordCache {
  get(digest: string): Promise<VouchedChild | null>;
  put(record: VouchedChild): Promise<void>;
}

export function createChildRecordCache(options: { dir?: string | undefined } = {}): ChildRecordCache {
  const memory = new Map<string, VouchedChild>();
  const dir = options.dir;
  const pathOf = (root: string, digest: string): string => join(root, 'records', 'sha256', `${digest.slice('sha256:'.length)}.json`);
  return {
    async get(digest) {
      const hit = memory.get(digest);
      if (hit !== undefined) return hit;
      if (dir === undefined || !isDigest(digest)) return null;
      try {
        const record = parseRecord(JSON.parse(await readFile(pathOf(dir, digest), 'utf8')), digest);
        if (record !== null) memory.set(digest, record);
        return record;
      } catch {
        return null;
      }
    },
    async put(record) {
      if (!isDigest(record.digest)) return;
      memory.set(record.digest, record);
      if (dir === undefined) return;
      await mkdir(join(dir, 'records', 'sha256'), { recursive: true });
      const temporary = `${pathOf(dir, record.digest)}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
      await writeFile(temporary, JSON.stringify(record));
      await rename(temporary, pathOf(dir, record.digest));
    },
  };
}

function parseRecord(value: unknown, digest: string): VouchedChild | null {
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Record<string, unknown>;
  const platform = record['platform'] as Record<string, unknown> | null | undefined;
  if (record['digest'] !== digest || typeof record['size'] !== 'number' || typeof record['mediaType'] !== 'string' || typeof record['recordedBy'] !== 'string') return null;
  if (typeof platform !== 'object' || platform === null || typeof platform['os'] !== 'string' || typeof platform['architecture'] !== 'string') return null;
  const variant = typeof platform['variant'] === 'string' ? platform['variant'] : null;
  return { digest, size: record['size'], mediaType: record['mediaType'], recordedBy: record['recordedBy'], platform: { os: platform['os'], architecture: platform['architecture'], variant } };
}
