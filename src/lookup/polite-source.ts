/**
 * The registry client as the update search sees it (a ManifestSource), made polite: the same tag list
 * or tag is asked once per run, the first request to a registry goes alone, and a HEAD before GET is
 * only spent where the manifest cache may already hold the answer.
 */
import type { ImageLocation } from '../core/dependency.js';
import { isArchpinError } from '../core/errors.js';
import { imageKey } from '../core/image-ref.js';
import { createBlobCache } from './blob-cache.js';
import { createChildRecordCache, type ChildRecordCache } from './child-record-cache.js';
import { createTagDigestCache, type TagDigestCache } from './tag-digest-cache.js';
import type { FirstSeenStore } from './first-seen-store.js';
import { hubChildPlatform, hubIndexRecord, hubTagPreview } from './hub-records.js';
import { INDEX_MEDIA_TYPES, MAX_MANIFEST_BYTES, type IndexEntry } from '../core/manifest.js';
import type { FetchedManifest, ManifestSource, RecordedIndex, VouchedChild } from './manifest-source.js';
import type { ManifestHead, RegistryClient } from './registry-client.js';

/** Images that an earlier run looked up (their index digests are in the first-seen store), as image keys. */
function imagesSeenBefore(firstSeen: FirstSeenStore): ReadonlySet<string> {
  const keys = new Set<string>();
  for (const key of firstSeen.entries().keys()) {
    const at = key.lastIndexOf('@');
    if (at > 0) keys.add(key.slice(0, at));
  }
  return keys;
}

/** One promise per key for the whole run: the same tag list or tag is never asked twice. */
function memoise<T>(): (key: string, load: () => Promise<T>) => Promise<T> {
  const memo = new Map<string, Promise<T>>();
  return (key, load) => {
    let promise = memo.get(key);
    if (promise === undefined) {
      promise = load();
      memo.set(key, promise);
    }
    return promise;
  };
}

/**
 * Until a request to a registry has gone out and come back, lookups for it go one at a time: that first
 * answer (a 401) teaches the client the auth scheme, so the concurrent requests that follow send credentials
 * up front instead of each collecting a 401 of their own. Lookups served from the cache do not open the way.
 */
function oneAtATimeUntilContacted(requestsSent: () => number): <T>(image: ImageLocation, send: () => Promise<T>) => Promise<T> {
  const registries = new Map<string, { contacted: boolean; chain: Promise<unknown> }>();
  return (image, send) => {
    let state = registries.get(image.registry);
    if (state === undefined) {
      state = { contacted: false, chain: Promise.resolve() };
      registries.set(image.registry, state);
    }
    if (state.contacted) return send();
    const entry = state;
    const run = entry.chain.then(async () => {
      if (entry.contacted) return send();
      const before = requestsSent();
      try {
        return await send();
      } finally {
        if (requestsSent() > before) entry.contacted = true;
      }
    });
    entry.chain = run.catch(() => undefined);
    return run;
  };
}

/**
 * The manifest source of one run over `client`; `firstSeen` tells which images an earlier run looked up;
 * config blobs are kept under `cacheDir` (content-addressed, forever); a tag → digest answer is used again for
 * `tagCacheTtlMs` (the config's tagCacheTtl or its default; 0: never).
 */
export function politeSource(client: RegistryClient, firstSeen: FirstSeenStore, options: { cacheDir?: string | undefined; tagCacheTtlMs: number; now?: () => number }): ManifestSource {
  const requestsSent = (): number => Object.values(client.requestCounts()).reduce((sum, count) => sum + count, 0);
  const ordered = oneAtATimeUntilContacted(requestsSent);
  // Config blobs are content-addressed: cached forever, so verifying children again costs nothing warm.
  const blobs = createBlobCache({ dir: options.cacheDir });
  const byDigest = memoise<FetchedManifest>();
  const blobsInFlight = memoise<Uint8Array>();
  const tagLists = memoise<readonly string[]>();
  const tagged = memoise<FetchedManifest>();
  /** Where a tag points, asked once per run (audit asks it for the record and for the pin's judgement). */
  const tagHeads = memoise<string | null>();
  const vouched = memoise<VouchedChild | null>();
  const tags = tagReads(client, firstSeen, createTagDigestCache({ dir: options.cacheDir, ttlMs: options.tagCacheTtlMs, now: options.now ?? Date.now }));
  const records = createChildRecordCache({ dir: options.cacheDir });
  /** A HEAD by digest, once per run and repository (the answer for a digest cannot change). */
  const headsByDigest = memoise<ManifestHead>();
  const headDigest = (image: ImageLocation, digest: string): Promise<ManifestHead> => headsByDigest(`${imageKey(image)}@${digest}`, () => ordered(image, () => client.headManifest(image, digest)));
  return {
    describeTag: (image, tag) => hubTagPreview(client, image, tag),
    vouchChild: (image, indexDigest, entry) => vouched(`${imageKey(image)}@${indexDigest}>${entry.digest}`, () => vouchChild(client, records, headDigest, image, indexDigest, entry)),
    tagDigest: (image, tag) => tagHeads(`${imageKey(image)}:${tag}`, () => ordered(image, () => tags.headTag(image, tag))),
    listTags: (image) =>
      tagLists(imageKey(image), async () => {
        const hub = await client.hubTags(image);
        return hub !== null ? [...hub.keys()] : ordered(image, () => client.listTags(image));
      }),
    manifestByTag: (image, tag) => tagged(`${imageKey(image)}:${tag}`, () => ordered(image, () => tags.byTag(image, tag))),
    // Several lookups verify the same children at once: one request per repository and digest.
    manifestByDigest: (image, digest) => byDigest(`${imageKey(image)}@${digest}`, () => ordered(image, () => client.getManifest(image, digest))),
    blob: (image, digest, maxBytes) =>
      blobsInFlight(`${imageKey(image)}@${digest}`, async () => {
        const hit = await blobs.get(digest);
        if (hit !== null && hit.byteLength <= maxBytes) return hit;
        const bytes = await ordered(image, () => client.getBlob(image, digest, { maxBytes }));
        await blobs.put(digest, bytes).catch(() => undefined);
        return bytes;
      }),
    blobExists: (image, digest) => ordered(image, () => client.blobExists(image, digest)),
    recordedIndex: (image, digest) => recordedIndex(client, headDigest, image, digest),
    exists: async (image, digest) => {
      try {
        await headDigest(image, digest);
        return true;
      } catch (error) {
        if (isArchpinError(error) && error.code === 'registry-not-found') return false;
        throw error;
      }
    },
  };
}

/** Where a tag points and the manifest it points at, spending a HEAD only where it can save a GET. */
function tagReads(client: RegistryClient, firstSeen: FirstSeenStore, tagDigests: TagDigestCache) {
  // A HEAD before GET by tag only pays off when the manifest cache may already hold the digest, i.e. when an
  // earlier run looked this image up; otherwise GET the tag straight away.
  const seenBefore = imagesSeenBefore(firstSeen);
  /** Where a tag points: a fresh remembered answer, else a HEAD (remembered). Callers order it (see `ordered`). */
  const headTag = async (image: ImageLocation, tag: string): Promise<string | null> => {
    const key = `${imageKey(image)}:${tag}`;
    const known = tagDigests.get(key);
    if (known !== null) return known;
    const head = await client.headManifest(image, tag);
    if (head.digest !== null) tagDigests.put(key, head.digest);
    return head.digest;
  };
  const byTag = async (image: ImageLocation, tag: string): Promise<FetchedManifest> => {
    const described = await hubTagPreview(client, image, tag);
    if (described !== null) {
      // Docker Hub: a HEAD (free) confirms where the tag points; the bytes come from the cache or one GET by digest.
      const digest = (await headTag(image, tag)) ?? described.digest;
      return (await client.cachedManifest(digest)) ?? client.getManifest(image, digest);
    }
    if (!seenBefore.has(imageKey(image))) {
      const fetched = await client.getManifest(image, tag);
      tagDigests.put(`${imageKey(image)}:${tag}`, fetched.digest);
      return fetched;
    }
    const digest = await headTag(image, tag);
    const cached = digest === null ? null : await client.cachedManifest(digest);
    if (cached !== null) return cached;
    const fetched = await client.getManifest(image, tag);
    tagDigests.put(`${imageKey(image)}:${tag}`, fetched.digest);
    return fetched;
  };
  return { headTag, byTag };
}

type HeadDigest = (image: ImageLocation, digest: string) => Promise<ManifestHead>;

/**
 * Docker Hub counts every manifest GET as a pull, HEADs as none: a child the tags API records for this index is
 * confirmed by a HEAD and that record (one pull per proposed image, the index itself). A cached child is read
 * and verified from its bytes as everywhere else.
 */
async function vouchChild(client: RegistryClient, records: ChildRecordCache, headDigest: HeadDigest, image: ImageLocation, indexDigest: string, entry: IndexEntry): Promise<VouchedChild | null> {
  if ((await client.cachedManifest(entry.digest)) !== null) return null;
  const known = await records.get(entry.digest);
  if (known !== null) return known;
  const platform = await hubChildPlatform(client, image, indexDigest, entry.digest);
  if (platform === null) return null;
  const head = await headDigest(image, entry.digest);
  if (head.digest === null || head.size === null || head.mediaType === null) return null;
  const record = { digest: head.digest, size: head.size, mediaType: head.mediaType, platform, recordedBy: 'Docker Hub tags API' };
  // Only a record that agrees with the descriptor is kept: one that does not is reported, and asked again next run.
  if (head.digest === entry.digest && head.size === entry.size) await records.put(record).catch(() => undefined);
  return record;
}

/** Docker Hub: the index `digest` from the tags API's record, confirmed by a HEAD by digest; null when the index is cached already, has no complete record, or the HEAD does not confirm it. */
async function recordedIndex(client: RegistryClient, headDigest: HeadDigest, image: ImageLocation, digest: string): Promise<RecordedIndex | null> {
  if ((await client.cachedManifest(digest)) !== null) return null;
  const recorded = await hubIndexRecord(client, image, digest);
  if (recorded === null) return null;
  const head = await headDigest(image, digest);
  const confirmed = head.digest === digest && head.mediaType === recorded.mediaType && INDEX_MEDIA_TYPES.has(head.mediaType) && head.size !== null && head.size <= MAX_MANIFEST_BYTES;
  return confirmed ? { digest, index: recorded.index, recordedBy: 'Docker Hub tags API' } : null;
}
