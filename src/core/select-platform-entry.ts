import type { IndexEntry, IndexManifest } from './manifest.js';
import { platformKey, type Platform } from './platform.js';
import { isRunnable } from './platforms-of.js';

/**
 * For a reference that pinned one platform's manifest on purpose: the entry of `index` for the same
 * os/architecture/variant (compared normalised, exactly). The first one wins when several match
 * (Windows indexes list one entry per OS version). Null when the index has no such runnable entry.
 */
export function selectPlatformEntry(index: IndexManifest, platform: Platform): IndexEntry | null {
  const wanted = platformKey(platform);
  return index.entries.find((entry) => isRunnable(entry) && platformKey(entry.platform) === wanted) ?? null;
}
