/** The records the pipeline stages exchange. Each stage returns new, read-only records. */

/** Which part of a reference a span holds. */
export type SpanRole =
  /** a whole reference `name[:tag][@digest]` */
  | 'reference'
  /** a registry host only (Helm `registry:`) */
  | 'registry'
  /** a name without tag (may include the host) */
  | 'repository'
  /** a tag only */
  | 'tag'
  /** a digest only */
  | 'digest'
  /** the literal value of a variable that the reference is built from */
  | 'variable'
  /** the reference text that uses the variable, e.g. `docker:${DOCKER_VERSION}-dind` */
  | 'template';

/**
 * A recorded range of a file. `start`/`end` are byte offsets into the file; `text` is what they held when scanned.
 * The file is the reference's own unless `file` names another (a GitLab CI variable defined in an included file).
 */
export interface Span {
  readonly role: SpanRole;
  /** The file the span lies in, when it is not the reference's file (root-relative, `/`-separated). */
  readonly file?: string;
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly line: number;
  readonly column: number;
  /** For `variable` spans: the variable's name. */
  readonly variable?: string;
  /**
   * A variable defined in a file archpin never edits (another project's, a GitLab template), or a field it leaves as
   * it is (a chart's empty `tag` whose templates choose the tag): why, and what to do. An update that would change
   * it is held with this message; one that changes only other parts goes on.
   */
  readonly outside?: string;
  /** For `variable` spans: how the template writes the use, when not `${NAME}` or `$NAME` (Nomad Pack `[[ var "tag" . ]]`). */
  readonly use?: string;
  /** The quote character around the span in the file, when it is quoted. */
  readonly quote?: '"' | "'";
  /** A digest field that holds only the hex part, without `sha256:` (Helm charts' `sha:`). */
  readonly form?: 'hex';
  /**
   * An absent field, recorded as an empty span where it would go: filling it writes `prefix` and
   * then the value (kustomize: a new `digest:` line after `newTag`).
   */
  readonly prefix?: string;
  /**
   * The value is the rest of a `NAME=value` line (a compose `.env` file), not a YAML scalar: a new value
   * is written as it stands, never quoted.
   */
  readonly syntax?: 'dotenv';
}

/**
 * What kind of place a reference sits in (`kubernetes-container`, `gitlab-ci-image`, `dockerfile-from`, …).
 * Named by the extractor that reports it; each extractor declares its kinds, so this list lives with them.
 */
export type ReferenceKind = string;

/** How the format around a reference takes a new plain value: `yaml` quotes one YAML would read as a number. */
export type ValueQuoting = 'yaml' | 'verbatim';

/** `overridden`: a GitLab CI job definition that a later definition of the same job replaces, so no job runs it; a manifest's container image that the kustomizations listing its file replace by name (`images:`). */
export type SkipReason = 'templated' | 'no-tag' | 'ignored' | 'invalid-reference' | 'local-stage' | 'unsupported-quoting' | 'overridden';

/**
 * What a reference pulls when it is not a container image to run: `tekton-bundle`, the OCI image a Tekton `taskRef`,
 * `pipelineRef` or step `ref` takes its Task, Pipeline or StepAction from. The gate judges its candidates as such.
 */
export type ReferenceContent = 'tekton-bundle';

export interface ImageName {
  readonly registry: string;
  readonly repository: string;
  readonly tag: string | null;
  readonly digest: string | null;
}

export interface Reference {
  /** Path relative to the scanned root, `/`-separated. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Exactly as written; split forms: the composed `repo:tag[@digest]`. */
  readonly value: string;
  readonly kind: ReferenceKind;
  /** How a new value is written here (set by the scan from the extractor's declaration; absent means verbatim). */
  readonly quoting?: ValueQuoting;
  /** Parsed image, or null when it cannot be parsed (templated, invalid). */
  readonly image: ImageName | null;
  /** The name as the user spelled it (no tag/digest), used to write back in their spelling. */
  readonly name: string | null;
  readonly skip: SkipReason | null;
  readonly spans: readonly Span[];
  /** Extra facts for the reader: e.g. the Dockerfile `--platform`, the Puppet resource. */
  readonly detail?: string;
  /** The literal that holds its tag holds the tag of other images too: it moves only with all of them. */
  readonly shared?: SharedLiteral;
  /** What it pulls, when not a container image to run (absent: a container image). */
  readonly content?: ReferenceContent;
}

/**
 * One literal (a GitLab CI variable's value) that is the tag, or part of it, of several images with
 * different names (`BUILDER_REVISION: "5.65.0"` for `builder/ubuntu:${BUILDER_REVISION}` and
 * `builder/debian:${BUILDER_REVISION}`). Editing it moves every one of them, so it is updated only when
 * all of them have the same new tag, in one change.
 */
export interface SharedLiteral {
  /** The literal's file and offset: the references that share it carry the same key. */
  readonly key: string;
  /** `$NAME (file:line)`, as a reader finds the literal. */
  readonly variable: string;
  /** Every image written through it, this one included: `value (file:line)`, in the order they are written. */
  readonly uses: readonly string[];
}

/** A reference archpin can look up: its image parsed (with a tag, a digest or both), its name as spelled, not skipped. */
export type ImageReference = Reference & { readonly image: ImageName; readonly name: string; readonly skip: null };

export function isImageReference(reference: Reference): reference is ImageReference {
  return reference.skip === null && reference.image !== null && reference.name !== null;
}

/**
 * Why a file was not (fully) scanned. Budget codes name the per-file limit that was exceeded
 * (core/budgets.ts): `yaml-too-complex` (YAML nodes), `too-many-references`, `nesting-too-deep`.
 */
export type ScanProblemCode =
  'parse-error' | 'file-too-large' | 'file-binary' | 'file-unreadable' | 'file-not-regular' | 'symlink-outside' | 'yaml-too-complex' | 'too-many-references' | 'nesting-too-deep' | 'include-unread';

/** A problem found while scanning a file; the scan goes on. */
export interface ScanProblem {
  readonly file: string;
  readonly line: number | null;
  readonly code: ScanProblemCode;
  readonly message: string;
}

/** One file asked of the forge for a CI include: a project's file (`ref` null: its default branch) or a template. */
export type OutsideRead =
  | { readonly kind: 'project'; readonly project: string; readonly path: string; readonly ref: string | null; readonly identity: string }
  | { readonly kind: 'template'; readonly name: string; readonly identity: string };
