import type { SourceFile } from '../core/source-file.js';
import type { OutsideRead, Reference, ReferenceKind, ScanProblem, ValueQuoting } from '../core/types.js';

export interface ExtractResult {
  readonly references: readonly Reference[];
  readonly problems: readonly ScanProblem[];
  /** Images this file builds and names (compose `build:` with `image:`): where they are used, they are not pulled from a registry. */
  readonly builds?: readonly BuiltImage[];
}

export interface BuiltImage {
  readonly value: string;
  readonly file: string;
  readonly line: number;
  /**
   * The folder whose files use this build (`a/b/`, `` for the root), when it is not the whole repository: a
   * Skaffold artifact is built for the manifests of its own project, not for a CI step elsewhere that pulls the same name.
   */
  readonly scope?: string;
}

/**
 * A container image that a manifest writes and a kustomization replaces: every kustomization that lists the
 * manifest file has an `images:` entry for the name it writes (`image: controller:latest` beside `images: - name:
 * controller, newName: …`), so what runs is that entry's image, reported where the entry is written.
 */
export interface ReplacedImage {
  /** The manifest file. */
  readonly file: string;
  /** The image's name as the manifest writes it, without tag or digest. */
  readonly name: string;
  /** The `images:` entry that replaces it: its file, line and the image it gives. */
  readonly by: { readonly file: string; readonly line: number; readonly value: string };
}

/**
 * One extractor per format, in its own folder under extractors/, registered once in extractors/index.ts.
 * Everything the scan needs to know about the format is declared here, so nothing elsewhere lists
 * formats: the kinds it reports, how a new value is written into it, which paths a walk must read for
 * it, the files it owns by name, and the facts it needs from the whole tree. Pure.
 *
 * `Facts` is what `prepare` works out over all files of a scan (GitLab CI: which files are included and
 * the variables they define); a file scanned on its own (a re-scan after an edit, a unit test) may get
 * `undefined` when no facts were prepared.
 */
export interface Extractor<Facts = unknown> {
  readonly name: string;
  /** The `kind` values its references carry (what users see in reports). */
  readonly kinds: readonly ReferenceKind[];
  /** How a new plain value is written into this format (`yaml`: quoted when YAML would read it as a number). */
  readonly quoting: ValueQuoting;
  /** Could a file at this path be this format's? Decided by name alone, so a walk reads only these. */
  isCandidate(path: string): boolean;
  /** Facts over every file of the scan, worked out once before any file is claimed. */
  prepare?(files: readonly SourceFile[], outside?: OutsideSources): Facts;
  /** Images the prepared facts show this repository builds itself (`docker build -t` in CI, bake `tags`). */
  preparedBuilds?(facts: Facts): readonly BuiltImage[];
  /**
   * Name prefixes that the prepared facts show are Go module paths (ko): a name under one without a tag or digest
   * (`example.test/app/cmd/server`) is a Go import path that a build resolves to its own output, not an image.
   */
  preparedImportPaths?(facts: Facts): readonly string[];
  /** Images of other files that the prepared facts show are replaced before they run (kustomize `images:`). */
  preparedReplaced?(facts: Facts): readonly ReplacedImage[];
  /**
   * Files that are this format's by name (or by the prepared facts): they go to the first extractor
   * that owns them, before any extractor looks at content. Must imply `claims`.
   */
  owns?(file: SourceFile, facts: Facts | undefined): boolean;
  /**
   * For YAML-named files that are templates, not YAML until rendered (Helm `templates/`): does this
   * extractor read this one line by line? Decided without parsing; extractors that cannot read
   * templates leave it out, and are not asked about such files.
   */
  claimsTemplate?(file: SourceFile): boolean;
  /** Is this file this format's (by name, facts or content)? Asked in registration order. */
  claims(file: SourceFile, facts: Facts | undefined): boolean;
  extract(file: SourceFile, facts: Facts | undefined): ExtractResult;
  /**
   * Parts of a file it extracts that are not its format (`[start, end)` offsets in the file's text): the documents of a file of
   * Kubernetes objects that are no object. The next extractor that claims the file reads them, and its references there count.
   */
  leftToOthers?(file: SourceFile): ReadonlyArray<readonly [number, number]>;
}

/** The name tests of a format known by its file names alone (`isCandidate`, `owns`, `claims`). */
export interface PathFormat {
  isCandidate(path: string): boolean;
  owns(file: SourceFile): boolean;
  claims(file: SourceFile): boolean;
}

/**
 * For a format whose files are known by their path alone (Puppet `.pp`, a devcontainer definition, a
 * Quadlet unit): a walk reads the files whose path matches, and each such file is this format's, owned
 * before any extractor looks at content; no other file is.
 */
export function byPath(matches: RegExp | ((path: string) => boolean)): PathFormat {
  const test = typeof matches === 'function' ? matches : (path: string) => matches.test(path);
  return { isCandidate: test, owns: (file) => test(file.path), claims: (file) => test(file.path) };
}

/**
 * Files from outside the repository that its files pull in (GitLab CI `include: project` and
 * `include: template`), read through the forge before the scan, each under a path no repository file
 * has (`group/project@ref:path`, `template:Name.gitlab-ci.yml`); and the ones that could not be read, with
 * the reason. They feed `prepare` only: nothing in them is reported or edited.
 */
export interface OutsideSources {
  readonly files: readonly SourceFile[];
  readonly unread: readonly UnreadInclude[];
  /** Every file asked of the forge, with the version it gave (or `unread`): read again, they tell whether anything changed. */
  readonly asked?: readonly OutsideRead[];
  /**
   * No forge was asked, and why (`GITLAB_TOKEN is not set …`): `files` and `unread` are empty, and each
   * include of another project or a template is named with this reason where a variable may come from it.
   */
  readonly notAsked?: string;
}

export interface UnreadInclude {
  /** The path the file would have had. */
  readonly key: string;
  /** The file and line of the entry that asked for it. */
  readonly file: string;
  readonly line: number;
  readonly reason: string;
}

/** The prepared facts of one scan, by extractor. */
export type ScanContext = ReadonlyMap<Extractor, unknown>;

/** No facts: a file scanned on its own. */
export const EMPTY_CONTEXT = undefined;
