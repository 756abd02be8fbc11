/**
 * What Docker Hub's tags API records about a repository's tags, as the polite source reads it (one tags API
 * read per repository and run, through the client): null wherever the registry has no such API or no record.
 */
import type { ImageLocation } from '../core/dependency.js';
import type { Platform } from '../core/platform.js';
import { previewIndex } from './hub-tags.js';
import type { TagPreview } from './manifest-source.js';
import type { RegistryClient } from './registry-client.js';

type HubReader = Pick<RegistryClient, 'hubTags'>;

/** Where a tag points and the index the tags API records for it. */
export async function hubTagPreview(client: HubReader, image: ImageLocation, tag: string): Promise<TagPreview | null> {
  const hub = await client.hubTags(image);
  const entry = hub?.get(tag);
  if (entry === undefined || entry.digest === null) return null;
  return { digest: entry.digest, index: previewIndex(entry), pushedAt: entry.pushedAt, recordedBy: 'the Docker Hub tags API' };
}

/** The tags API's complete record of the index `digest` (any tag pointing at it now); null when none. */
export async function hubIndexRecord(client: HubReader, image: ImageLocation, digest: string) {
  const hub = await client.hubTags(image);
  if (hub === null) return null;
  for (const tag of hub.values()) {
    if (tag.digest !== digest || !tag.complete) continue;
    const index = previewIndex(tag);
    if (index !== null && tag.mediaType !== null) return { index, mediaType: tag.mediaType };
  }
  return null;
}

/**
 * The child's platform as the tags API records that image (under any tag: Hub makes the record from the image's
 * own config, so it is the same under every index listing it); null when it has no record.
 */
export async function hubChildPlatform(client: HubReader, image: ImageLocation, indexDigest: string, childDigest: string): Promise<Platform | null> {
  const hub = await client.hubTags(image);
  if (hub === null) return null;
  const tags = [...hub.values()].sort((a, b) => Number(b.digest === indexDigest) - Number(a.digest === indexDigest));
  for (const tag of tags) {
    const recorded = tag.images.find((entry) => entry.digest === childDigest && entry.platform !== null && !entry.attestation);
    if (recorded !== undefined) return recorded.platform;
  }
  return null;
}
