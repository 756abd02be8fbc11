/** The records the plan stage hands on: per-reference updates with their edits, and the changes (one MR each). */
import type { HeldUpdate, LookupFailure, UpdateType } from './dependency.js';
import type { TextEdit } from './text-edit.js';
import type { Reference, ReferenceContent } from './types.js';
import type { ExpectedReference, FileEdit } from './verify-edits.js';

/** One reference's update, as reported and as applied; its edits and what a re-scan must find are worked out once, by the plan. */
export interface PlannedUpdate {
  readonly reference: Reference;
  readonly file: string;
  readonly line: number;
  readonly from: string;
  readonly to: string;
  readonly image: string;
  readonly tag: string | null;
  readonly updateType: UpdateType;
  readonly digest: string;
  readonly platforms: readonly string[];
  /** Listed by the new index but not verified (absent when none). */
  readonly unverifiedPlatforms?: readonly string[];
  readonly fromPlatforms: readonly string[];
  readonly pinned: boolean;
  /** The byte-precise edits of the reference's file. */
  readonly edits: readonly TextEdit[];
  /** What a re-scan of the edited file must find for this reference. */
  readonly expected: ExpectedReference;
  /** The change it goes into, when it must go with others: the variable whose literal is the tag of several images. */
  readonly group?: string;
  /** What the reference pulls when not a container image to run (a Tekton bundle: no platform applies). */
  readonly content?: ReferenceContent;
}

export interface PlanFailure {
  readonly file: string;
  readonly line: number;
  readonly image: string;
  readonly code: 'plan-failed';
  readonly message: string;
}

/** A reference whose format has no place for a digest: its tag is updated, no pin is proposed. */
export interface UnpinnedNote {
  readonly file: string;
  readonly line: number;
  readonly image: string;
  readonly message: string;
}

export interface Plan {
  /** What became of each literal several images share (absent when there is none). */
  readonly shared?: readonly SharedLiteralOutcome[];
  readonly updates: readonly PlannedUpdate[];
  /** References left unpinned because their format cannot hold a digest (each said once). */
  readonly unpinned: readonly UnpinnedNote[];
  readonly fileEdits: readonly FileEdit[];
  readonly held: readonly HeldUpdate[];
  readonly errors: readonly LookupFailure[];
  readonly failures: readonly PlanFailure[];
}

/** How literals shared by several images are updated: together, in one change (`group`), or never (`hold`). */
export type SharedLiteralMode = 'group' | 'hold';

/** What became of one shared literal's updates. */
export interface SharedLiteralOutcome {
  readonly key: string;
  readonly variable: string;
  /** `grouped`: one change; `held`: none moves; `retry`: each image goes to its own newest tag, so look again below them. */
  readonly status: 'grouped' | 'held' | 'retry';
  /** The new literals the images' updates would write, in order of the references. */
  readonly literals: readonly string[];
  /** Why it does not move (empty when grouped). */
  readonly blockers: readonly string[];
  /**
   * `retry`: for each reference through the literal, the tags of its own image that hold each of the other
   * literals. A new lookup not going past any of them finds the newest tag each image has no newer than every
   * other image's choice; repeated, it reaches the newest tag all of them have and pass, if there is one.
   */
  readonly ceilings?: ReadonlyMap<Reference, readonly string[]>;
}

/** A pipeline named in a merge request's Upstream section. */
export interface UpstreamPipeline {
  readonly id: number;
  readonly url: string;
  readonly ref: string | null;
}

/**
 * Which pipeline produced an updated parent digest, and how that is known: recorded by `serve` when the
 * pipeline succeeded and the digest passed the chain gate; or the image's revision label and the
 * successful pipelines of that commit; or not known, and why.
 */
export type UpstreamProducer =
  | { readonly kind: 'chain-state'; readonly pipeline: UpstreamPipeline }
  | { readonly kind: 'revision'; readonly revision: string; readonly pipelines: readonly UpstreamPipeline[] }
  | { readonly kind: 'unknown'; readonly reason: string };

/** The project that builds an updated image (same forge, image chains) and the pipeline that produced the digest. */
export interface UpstreamNote {
  /** `registry/repository:tag@digest`. */
  readonly image: string;
  readonly project: string;
  readonly producer: UpstreamProducer;
}

/** One merge request: the updates it carries and where they go. */
export interface PlannedChange {
  readonly branch: string;
  /** Images it updates (`docker.io/library/docker`). */
  readonly images: readonly string[];
  /** Short name for titles (`docker`, `ghcr.io/acme/api`). */
  readonly displayName: string;
  readonly updates: readonly PlannedUpdate[];
  /** Newer versions of its images held back by the gate. */
  readonly held: readonly HeldUpdate[];
  readonly groupName: string | null;
  readonly isMajor: boolean;
  /** The updates' edits per file, files in path order. */
  readonly fileEdits: readonly FileEdit[];
  /** From package rules, the union over its updates (sorted): added to the top-level labels. */
  readonly labels?: readonly string[];
  /** From package rules: asked when the change request is opened. */
  readonly reviewers?: readonly string[];
  readonly assignees?: readonly string[];
}
