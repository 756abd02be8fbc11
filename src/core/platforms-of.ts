import { IMAGE_MEDIA_TYPES, INDEX_MEDIA_TYPES, type IndexEntry, type Manifest } from './manifest.js';
import { comparePlatformKeys, platformKey, type Platform } from './platform.js';

/** An index entry that names its platform (what isRunnable guarantees). */
export type RunnableEntry = IndexEntry & { readonly platform: Platform };

/** An entry a container runtime would pick: an image manifest with a real platform, not an attestation. */
export function isRunnable(entry: IndexEntry): entry is RunnableEntry {
  return !entry.attestation && !entry.artifactType && entry.platform !== null && IMAGE_MEDIA_TYPES.has(entry.mediaType);
}

/** An image manifest entry that is neither an attestation nor an artifact but names no platform. */
export function lacksPlatform(entry: IndexEntry): boolean {
  return !entry.attestation && !entry.artifactType && entry.platform === null && IMAGE_MEDIA_TYPES.has(entry.mediaType);
}

/** An entry that is itself an index (nested; the lookup resolves the ones it can). */
export function isNestedIndex(entry: IndexEntry): boolean {
  return !entry.attestation && !entry.artifactType && INDEX_MEDIA_TYPES.has(entry.mediaType);
}

/**
 * The canonical platforms a manifest offers, sorted and without duplicates: an index's runnable entries;
 * a single image's one platform (from its config, `imagePlatform`), or none when that is unknown.
 */
export function platformsOf(manifest: Manifest, imagePlatform: Platform | null = null): string[] {
  if (manifest.kind === 'image') return imagePlatform ? [platformKey(imagePlatform)] : [];
  const keys = new Set<string>();
  for (const entry of manifest.entries) {
    if (isRunnable(entry)) keys.add(platformKey(entry.platform));
  }
  return [...keys].sort(comparePlatformKeys);
}
