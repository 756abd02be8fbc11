/** The gate's records: what it is asked about (GateInput) and what it answers (Verdict). */
import type { Manifest } from './manifest.js';
import type { Platform } from './platform.js';

export type BlockCode =
  | 'empty-index'
  | 'missing-platforms'
  | 'platform-regression'
  | 'single-arch'
  | 'too-new'
  | 'digest-mismatch'
  | 'unsupported-media-type'
  | 'manifest-too-large';

/** The order reasons are reported in (the order of the table in the design). */
export const BLOCK_CODES: readonly BlockCode[] = [
  'empty-index',
  'missing-platforms',
  'platform-regression',
  'single-arch',
  'too-new',
  'digest-mismatch',
  'unsupported-media-type',
  'manifest-too-large',
];

export interface BlockReason {
  readonly code: BlockCode;
  /** Canonical platforms that are absent (missing-platforms, platform-regression, single-arch). */
  readonly missing?: readonly string[];
  /** A plain sentence for the user. */
  readonly message: string;
}

export type Verdict =
  | { readonly pass: true; readonly platforms: readonly string[] }
  | { readonly pass: false; readonly reasons: readonly BlockReason[] };

/** A manifest the lookup could not read or trust; the gate turns it into a block reason. */
export interface UnreadableManifest {
  readonly kind: 'unreadable';
  readonly code: 'digest-mismatch' | 'unsupported-media-type' | 'manifest-too-large';
  readonly message: string;
}

export interface GateCandidate {
  /** Image key, e.g. `docker.io/library/docker`. */
  readonly image: string;
  readonly tag: string | null;
  /** The digest that would be pinned. */
  readonly digest: string;
  /** sha256 of the manifest bytes actually received; must equal `digest`. */
  readonly contentDigest: string;
  readonly manifest: Manifest | UnreadableManifest;
  /** For a single image manifest: the platform from its config blob; null when unknown. Ignored for indexes. */
  readonly imagePlatform: Platform | null;
  /** Epoch ms: the release time minimumReleaseAge is measured from; null when unknown. */
  readonly created: number | null;
  /** Where `created` came from (default `image-created`: the newest `created` among its platform images' configs). */
  readonly createdFrom?: ReleaseTimeSource;
  /** Epoch ms when this digest was first seen; null when never seen before. */
  readonly firstSeen: number | null;
}

/** The manifest the reference uses today (its tag's or its pinned digest's). */
export interface CurrentImage {
  readonly manifest: Manifest;
  /** For a single image manifest: the platform from its config blob; null when unknown. */
  readonly imagePlatform: Platform | null;
}

/** Docker Hub's `tag_last_pushed`, the image config's `created`, the manifest's `Last-Modified`, or when archpin first saw the digest. */
export type ReleaseTimeSource = 'tag-last-pushed' | 'image-created' | 'last-modified' | 'first-seen';

export interface GatePolicy {
  /** Required platforms (`linux/amd64`, …); null or empty: none configured, the default "no regression" applies. */
  readonly platforms: readonly string[] | null;
  /** Milliseconds; null or 0 disables. */
  readonly minimumReleaseAge: number | null;
  /** Milliseconds; null or 0 disables. */
  readonly settleTime: number | null;
}

export interface GateInput {
  readonly candidate: GateCandidate;
  readonly current: CurrentImage | null;
  readonly policy: GatePolicy;
  /** Epoch ms. */
  readonly now: number;
}
