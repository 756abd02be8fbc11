import type { SourceFile } from '../core/source-file.js';
import type { Reference, ScanProblem } from '../core/types.js';

export interface ExtractResult {
  readonly references: readonly Reference[];
  readonly problems: readonly ScanProblem[];
}

/** Facts about the whole tree that single-file extractors need. */
export interface ScanContext {
  /** Files pulled into GitLab CI by `include: local` (root-relative, `/`-separated). */
  readonly gitlabIncludes: ReadonlySet<string>;
}

/** One extractor per format: decides whether a file is its own, then extracts references from it. Pure. */
export interface Extractor {
  readonly name: string;
  claims(file: SourceFile, context: ScanContext): boolean;
  extract(file: SourceFile, context: ScanContext): ExtractResult;
}

export const EMPTY_CONTEXT: ScanContext = { gitlabIncludes: new Set() };
