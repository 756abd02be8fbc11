/** What the update search needs from a registry. The registry client provides it; tests may too. */
import type { ImageLocation } from '../core/dependency.js';

export interface FetchedManifest {
  /** sha256 of the bytes received (verified by the client). */
  readonly digest: string;
  readonly mediaType: string;
  readonly bytes: Uint8Array;
}

export interface ManifestSource {
  listTags(image: ImageLocation): Promise<readonly string[]>;
  /** The manifest a tag points at now (HEAD first; a cached digest costs no GET). */
  manifestByTag(image: ImageLocation, tag: string): Promise<FetchedManifest>;
  /** An immutable manifest by digest (cached). */
  manifestByDigest(image: ImageLocation, digest: string): Promise<FetchedManifest>;
  /** A blob (image config), verified against its digest. */
  blob(image: ImageLocation, digest: string, maxBytes: number): Promise<Uint8Array>;
}
