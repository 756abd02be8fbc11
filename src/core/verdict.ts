/** The gate's records: what it is asked about (GateInput) and what it answers (Verdict). */
import type { Manifest } from './manifest.js';
import type { Platform } from './platform.js';
import type { ReferenceContent } from './types.js';

export type HoldCode =
  | 'empty-index'
  | 'missing-platforms'
  | 'platform-regression'
  | 'single-arch'
  | 'too-new'
  | 'digest-mismatch'
  | 'unsupported-media-type'
  | 'manifest-too-large'
  | 'child-missing'
  | 'child-not-image'
  | 'platform-mismatch'
  | 'size-mismatch'
  | 'nested-index'
  | 'no-platform'
  | 'duplicate-platform'
  | 'artifact'
  /** A Tekton bundle reference's candidate is not a bundle: an index, an image to run, a manifest without resources. */
  | 'not-bundle'
  | 'unverified'
  | 'pin-missing'
  /** Another image whose tag is held in the same literal has no such update: the literal moves for all of them or none. */
  | 'shared-literal'
  /** The update would change a variable defined in another project's file or a GitLab template, which archpin never edits. */
  | 'outside-variable';

/** The order reasons are reported in (the order of the table in the design). */
export const BLOCK_CODES: readonly HoldCode[] = [
  'empty-index',
  'missing-platforms',
  'platform-regression',
  'single-arch',
  'too-new',
  'digest-mismatch',
  'unsupported-media-type',
  'manifest-too-large',
  'child-missing',
  'child-not-image',
  'platform-mismatch',
  'size-mismatch',
  'nested-index',
  'no-platform',
  'duplicate-platform',
  'artifact',
  'not-bundle',
  'unverified',
  'pin-missing',
  'shared-literal',
  'outside-variable',
];

/** Why one child of an index failed verification (the block code it turns into). */
export type ChildFailureCode = 'child-missing' | 'child-not-image' | 'size-mismatch' | 'digest-mismatch' | 'manifest-too-large' | 'unverified';

/**
 * What fetching one child of an index by digest showed: its bytes hashed to the digest (the client checks),
 * then either a failure, or the image manifest's size and its config's platform (normalised) and creation time.
 */
export type ChildCheck =
  | {
      readonly ok: true;
      /** The platform the child's config blob names (normalised). */
      readonly platform: Platform;
      /** Whether the config gave a variant (without one, the descriptor's variant is not contradicted). */
      readonly variantGiven: boolean;
      /** Epoch ms from the config's `created`, or null. */
      readonly created: number | null;
      /**
       * Set when the child was confirmed by a HEAD (digest, size, media type) and its platform taken from the
       * registry's own record (e.g. `Docker Hub tags API`) instead of reading the child and its config.
       */
      readonly confirmedBy?: string;
    }
  | { readonly ok: false; readonly code: ChildFailureCode; readonly message: string };

/** Why the gate holds a candidate back (a held update carries its reasons). */
export interface HoldReason {
  readonly code: HoldCode;
  /** Canonical platforms that are absent (missing-platforms, platform-regression, single-arch). */
  readonly missing?: readonly string[];
  /** A plain sentence for the user. */
  readonly message: string;
}

/**
 * A pass lists the platforms it vouches for: for an index whose children were fetched, the verified ones; the
 * other platforms the index lists (no platform required them, so their children were not fetched) are in
 * `unverified`, present only when there are some.
 */
export type Verdict = { readonly pass: true; readonly platforms: readonly string[]; readonly unverified?: readonly string[] } | { readonly pass: false; readonly reasons: readonly HoldReason[] };

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
  /**
   * For an index: what fetching each runnable entry's child by digest showed, by digest. Absent when the
   * children have not been fetched (a descriptor-only verdict, which the lookup never pins from).
   */
  readonly children?: ReadonlyMap<string, ChildCheck>;
  /** For a single image: why its config blob is not an image config (an artifact: `{}`, no os/architecture). */
  readonly configProblem?: string;
}

/** The manifest the reference uses today (its tag's or its pinned digest's). */
export interface CurrentImage {
  readonly manifest: Manifest;
  /** For a single image manifest: the platform from its config blob; null when unknown. */
  readonly imagePlatform: Platform | null;
}

/** Docker Hub's `tag_last_pushed`, the image config's `created`, the manifest's `Last-Modified`, or when archpin first saw the digest. */
export type ReleaseTimeSource = 'tag-last-pushed' | 'image-created' | 'last-modified' | 'first-seen';

/**
 * Where required platforms come from, for hold messages: 'configured' (platforms, a package rule, --platforms,
 * chain.platforms); 'default': nothing was configured and linux/amd64 is the fallback for an image in use that is no
 * baseline; 'chain-default': nothing was configured and linux/amd64 is what an image chain's parent must offer.
 */
export type PlatformsSource = 'configured' | 'default' | 'chain-default';

export interface GatePolicy {
  /** Required platforms (`linux/amd64`, …); null or empty: none configured, the default "no regression" applies. */
  readonly platforms: readonly string[] | null;
  /** Absent: configured. */
  readonly platformsSource?: PlatformsSource;
  /** Milliseconds; null or 0 disables. */
  readonly minimumReleaseAge: number | null;
  /** Milliseconds; null or 0 disables. */
  readonly settleTime: number | null;
}

export interface GateInput {
  /** What the reference pulls when it is not a container image to run (a Tekton bundle): the candidate is judged as that. */
  readonly content?: ReferenceContent;
  readonly candidate: GateCandidate;
  readonly current: CurrentImage | null;
  readonly policy: GatePolicy;
  /** Epoch ms. */
  readonly now: number;
}

/**
 * A lookup that gathers facts for the gate one candidate at a time: it yields each candidate's facts as a
 * GateInput, is sent back the gate's Verdict, and returns its result. The lookup never calls the gate; the
 * pipeline answers its questions. One candidate at a time keeps the pull economy: a candidate refused on a
 * registry's record costs no pull, and the lookup stops at the first candidate that passes.
 */
export type GateQuestions<T> = AsyncGenerator<GateInput, T, Verdict>;
