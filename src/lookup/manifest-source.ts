/** What the update search needs from a registry. The registry client provides it; tests may too. */
import type { ImageLocation } from '../core/dependency.js';
import type { IndexEntry, IndexManifest } from '../core/manifest.js';
import type { Platform } from '../core/platform.js';

export interface FetchedManifest {
  /** sha256 of the bytes received (verified by the client). */
  readonly digest: string;
  readonly mediaType: string;
  readonly bytes: Uint8Array;
  /** The registry's `Last-Modified` for it, epoch ms, when it sent one. */
  readonly lastModified?: number;
}

/** What a registry's own API says about a tag without a pull (Docker Hub's tags API). Not verified: a preview. */
export interface TagPreview {
  readonly digest: string;
  /** The index as the API describes it, for judging a candidate before pulling it; null when it cannot say. */
  readonly index: IndexManifest | null;
  /** When the tag was last pushed, epoch ms; null when unknown. */
  readonly pushedAt: number | null;
  /** Whose record this is, for messages: `the Docker Hub tags API`. */
  readonly recordedBy: string;
}

/** A child as a HEAD by digest describes it, with the platform the registry's own record gives its config. */
export interface VouchedChild {
  readonly digest: string;
  readonly size: number;
  readonly mediaType: string;
  /** Normalised. */
  readonly platform: Platform;
  /** Whose record the platform comes from, e.g. `Docker Hub tags API`. */
  readonly recordedBy: string;
}

/**
 * An index as the registry's own record describes it (Docker Hub's tags API), with its digest and index media type
 * confirmed by a HEAD by digest. The descriptors' sizes are not known: the record gives each image's compressed
 * size, not its manifest's; the index bytes were not read.
 */
export interface RecordedIndex {
  readonly digest: string;
  readonly index: IndexManifest;
  /** Whose record this is, e.g. `Docker Hub tags API`. */
  readonly recordedBy: string;
}

export interface ManifestSource {
  listTags(image: ImageLocation): Promise<readonly string[]>;
  /** Where a tag points now, by HEAD (no manifest body, no pull); null when the registry sends no digest. */
  tagDigest?(image: ImageLocation, tag: string): Promise<string | null>;
  /** A preview of a tag from the registry's own API; null (or absent) when there is none. Costs no pull. */
  describeTag?(image: ImageLocation, tag: string): Promise<TagPreview | null>;
  /** The manifest a tag points at now (HEAD first; a cached digest costs no GET). */
  manifestByTag(image: ImageLocation, tag: string): Promise<FetchedManifest>;
  /** An immutable manifest by digest (cached). */
  manifestByDigest(image: ImageLocation, digest: string): Promise<FetchedManifest>;
  /** A blob (image config), verified against its digest. */
  blob(image: ImageLocation, digest: string, maxBytes: number): Promise<Uint8Array>;
  /**
   * A child of `indexDigest` confirmed without a pull, where the registry keeps its own record of the index's
   * platforms (Docker Hub's tags API): a HEAD by digest (free) and the recorded platform. Null when there is no
   * such record, the child is cached already, or the HEAD gives no digest or size: then the child is fetched.
   */
  readonly vouchChild?: (image: ImageLocation, indexDigest: string, entry: IndexEntry) => Promise<VouchedChild | null>;
  /**
   * The index `digest` from the registry's own record, without a pull: null when the index is cached already (its
   * bytes say more), when no record describes every image of it, or when the HEAD by digest does not answer with
   * that digest and an index media type of at most the manifest limit. A 404 throws `registry-not-found`.
   */
  readonly recordedIndex?: (image: ImageLocation, digest: string) => Promise<RecordedIndex | null>;
  /** Whether the registry still has a manifest, asked with a HEAD (the cache cannot tell: it keeps deleted ones). */
  readonly exists?: (image: ImageLocation, digest: string) => Promise<boolean>;
  /** Whether the registry still has a blob, asked with a HEAD (audit: a cached config may have been deleted). */
  readonly blobExists?: (image: ImageLocation, digest: string) => Promise<boolean>;
}
