import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Remembers when each index digest was first seen, so `settleTime` works across runs. */
export interface FirstSeenStore {
  /** Epoch ms when `image@digest` was first seen, or null when never before. Records `now` for new ones. */
  observe(image: string, digest: string, now: number): number | null;
  /** Known entries, e.g. to carry in a dashboard issue. */
  entries(): ReadonlyMap<string, number>;
  /** Takes an earlier first-seen time (e.g. from a dashboard issue); the earliest wins. */
  remember(key: string, firstSeen: number): void;
  save(): Promise<void>;
}

const FILE = 'first-seen.json';

export async function openFirstSeenStore(cacheDir: string | null, seed: ReadonlyMap<string, number> = new Map()): Promise<FirstSeenStore> {
  const known = new Map<string, number>(seed);
  if (cacheDir) {
    try {
      const data = JSON.parse(await readFile(path.join(cacheDir, FILE), 'utf8')) as Record<string, unknown>;
      for (const [key, value] of Object.entries(data)) {
        if (typeof value === 'number' && Number.isFinite(value) && (known.get(key) ?? Infinity) > value) known.set(key, value);
      }
    } catch {
      // no store yet, or unreadable: start empty
    }
  }
  let dirty = false;
  return {
    observe(image, digest, now) {
      const key = `${image}@${digest}`;
      const seen = known.get(key);
      if (seen !== undefined) return seen;
      known.set(key, now);
      dirty = true;
      return null;
    },
    entries: () => known,
    remember(key, firstSeen) {
      if (!Number.isFinite(firstSeen)) return;
      const seen = known.get(key);
      if (seen === undefined || firstSeen < seen) {
        known.set(key, firstSeen);
        dirty = true;
      }
    },
    async save() {
      if (!cacheDir || !dirty) return;
      await mkdir(cacheDir, { recursive: true });
      const temporary = path.join(cacheDir, `${FILE}.${process.pid}.tmp`);
      await writeFile(temporary, `${JSON.stringify(Object.fromEntries([...known].sort()), null, 1)}\n`);
      await rename(temporary, path.join(cacheDir, FILE));
      dirty = false;
    },
  };
}
