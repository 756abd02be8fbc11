/** The image-chain vocabulary: what one project uses and publishes, and the graph built from all of them. */

/** How a project depends on an image or another project. */
export type EdgeKind = 'from' | 'copy-from' | 'mount' | 'gitlab-deps' | 'chain.upstream';

/** An image a project builds on: a `FROM` stage, `COPY --from=image` or `RUN --mount=from=image`. */
export interface ImageUse {
  readonly kind: 'from' | 'copy-from' | 'mount';
  /** The reference with ARGs resolved, as BuildKit would read it. */
  readonly value: string;
  /** `registry/repository`, the key images are matched by. */
  readonly image: string;
  readonly tag: string | null;
  readonly digest: string | null;
  /** The stage's `--platform`, when given. */
  readonly platform: string | null;
  readonly file: string;
  readonly line: number;
}

/** An image a project pushes, from its CI or from `chain.publishes`. */
export interface Publication {
  /** The reference with `$CI_REGISTRY_IMAGE` and literal CI variables resolved. */
  readonly value: string;
  /** `registry/repository`; the registry is `*` when `$CI_REGISTRY` is unknown (matches any host). */
  readonly image: string;
  /** The pushed tag when it is literal; null when templated (`$CI_COMMIT_SHORT_SHA`) or absent. */
  readonly tag: string | null;
  readonly source: 'ci' | 'chain.publishes';
  readonly file: string;
  readonly line: number;
}

/** An upstream project named explicitly (`.gitlab-deps` line or `chain.upstream` entry). */
export interface UpstreamEntry {
  readonly path: string;
  readonly source: 'gitlab-deps' | 'chain.upstream';
  readonly file: string;
  readonly line: number;
}

export interface ChainProblem {
  readonly project: string;
  readonly file: string | null;
  readonly line: number | null;
  readonly code:
    | 'templated-from'
    | 'unresolved-publish'
    | 'unknown-upstream'
    | 'invalid-upstream-file'
    | 'parse-error'
    | 'cycle'
    | 'file-too-large'
    | 'file-unreadable'
    | 'yaml-too-complex'
    | 'nesting-too-deep'
    | 'too-many-references'
    | 'project-over-budget';
  readonly message: string;
}

/** Everything the graph needs to know about one project. */
export interface ProjectFacts {
  /** `group/sub/project` (GitLab) or the directory path under the checkouts root. */
  readonly path: string;
  /** GitLab project id when read through the forge. */
  readonly id: string | null;
  readonly defaultBranch: string | null;
  readonly uses: readonly ImageUse[];
  readonly publishes: readonly Publication[];
  /** The explicit upstream list; when present it replaces the edges found from images. */
  readonly upstream: readonly UpstreamEntry[] | null;
  readonly problems: readonly ChainProblem[];
}

/** Why an edge exists: one image use, or one explicit upstream entry. */
export interface EdgeReason {
  readonly kind: EdgeKind;
  readonly file: string;
  readonly line: number;
  /** The image used (absent for explicit upstream entries). */
  readonly image?: string;
  readonly platform?: string;
}

export interface GraphEdge {
  readonly parent: string;
  readonly child: string;
  readonly via: readonly EdgeReason[];
}

export interface GraphNode {
  readonly path: string;
  readonly id: string | null;
  readonly defaultBranch: string | null;
  readonly publishes: readonly Publication[];
  readonly parents: readonly string[];
  readonly children: readonly string[];
  /** Depth batch: 0 for roots, else one more than the deepest parent; null in or below a cycle. */
  readonly level: number | null;
}

export interface ChainGraph {
  /** Sorted by path. */
  readonly nodes: readonly GraphNode[];
  /** Sorted by parent, then child. */
  readonly edges: readonly GraphEdge[];
  /** Build order: parents before children, ties broken by level then path. Leaves out cycles and what is below them. */
  readonly order: readonly string[];
  /** Each cycle's members, sorted; cycles sorted by their first member. */
  readonly cycles: readonly (readonly string[])[];
  /** Projects that build on a cycle (and so have no build order). */
  readonly blocked: readonly string[];
  readonly problems: readonly ChainProblem[];
}
