import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDigest } from '../core/digest.js';

/**
 * Where a tag pointed, for a short time (`tagCacheTtl`, default 5 minutes): a run right after another one does
 * not HEAD the same tags again. Tags move, so an answer older than the TTL is asked again; a tag list never
 * stands in for it (a re-pushed tag keeps its name). Kept in `tag-digests.json` in the cache directory, written
 * after each answer (a small file, replaced atomically).
 */
export interface TagDigestCache {
  /** The digest `key` (`registry/repository:tag`) pointed at less than the TTL ago, else null. */
  get(key: string): string | null;
  put(key: string, digest: string): void;
}

const FILE = 'tag-digests.json';

export function createTagDigestCache(options: { dir?: string | undefined; ttlMs: number; now: () => number }): TagDigestCache {
  const { dir, ttlMs, now } = options;
  let entries: Map<string, { digest: string; at: number }> | null = null;
  const load = (): Map<string, { digest: string; at: number }> => {
    if (entries !== null) return entries;
    entries = new Map();
    if (dir === undefined || ttlMs <= 0) return entries;
    try {
      const data = JSON.parse(readFileSync(join(dir, FILE), 'utf8')) as Record<string, unknown>;
      for (const [key, value] of Object.entries(data)) {
        const entry = value as { digest?: unknown; at?: unknown } | null | undefined;
        if (typeof entry?.digest === 'string' && isDigest(entry.digest) && typeof entry.at === 'number' && Number.isFinite(entry.at)) entries.set(key, { digest: entry.digest, at: entry.at });
      }
    } catch {
      // no file yet, or unreadable: start empty
    }
    return entries;
  };
  const save = (): void => {
    if (dir === undefined) return;
    const fresh = [...load()].filter(([, entry]) => now() - entry.at < ttlMs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    try {
      mkdirSync(dir, { recursive: true });
      const temporary = join(dir, `${FILE}.${process.pid}.tmp`);
      writeFileSync(temporary, `${JSON.stringify(Object.fromEntries(fresh))}\n`);
      renameSync(temporary, join(dir, FILE));
    } catch {
      // a cache that cannot be written costs requests next run, nothing else
    }
  };
  return {
    get(key) {
      if (ttlMs <= 0) return null;
      const entry = load().get(key);
      if (entry === undefined) return null;
      const age = now() - entry.at;
      return age >= 0 && age < ttlMs ? entry.digest : null;
    },
    put(key, digest) {
      if (ttlMs <= 0 || !isDigest(digest)) return;
      load().set(key, { digest, at: now() });
      save();
    },
  };
}
