import { compileGlob } from '../core/glob.js';
import type { SourceFile } from '../core/source-file.js';
import type { Reference, ScanProblem } from '../core/types.js';
import type { Extractor, ScanContext } from './extractor.js';
import { EXTRACTORS } from './extractors/index.js';
import { gitlabLocalIncludes } from './extractors/gitlab-ci.js';
import { YAML_RELEVANT } from './yaml-source.js';

export interface ScanResult {
  readonly references: readonly Reference[];
  readonly problems: readonly ScanProblem[];
}

const GITLAB_CI_NAME = /(^|\/)\.gitlab-ci\.ya?ml$/i;
const YAML_NAME = /\.ya?ml$/i;

/** Turns a GitLab include glob (`ci/*.yml`, `ci/**\/*.yml`) into a matcher over root-relative paths, linear in time (core/glob.ts). */
function globMatcher(glob: string): (path: string) => boolean {
  const compiled = compileGlob(glob.replace(/^\/+/, ''), { globstar: true });
  return (path) => compiled.matches(path);
}

/** The files that GitLab CI files pull in with `include: local`, followed transitively. */
export function gitlabContext(files: readonly SourceFile[]): ScanContext {
  const byPath = new Map(files.map((file) => [file.path, file]));
  const included = new Set<string>();
  const queue = files.filter((file) => GITLAB_CI_NAME.test(file.path));
  const seen = new Set<string>();
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file.path)) continue;
    seen.add(file.path);
    for (const glob of gitlabLocalIncludes(file)) {
      const matches = globMatcher(glob);
      for (const [path, target] of byPath) {
        if (!matches(path) || included.has(path)) continue;
        included.add(path);
        queue.push(target);
      }
    }
  }
  return { gitlabIncludes: included };
}

function extractorFor(file: SourceFile, context: ScanContext, extractors: readonly Extractor[]): Extractor | null {
  for (const extractor of extractors) if (extractor.claims(file, context)) return extractor;
  return null;
}

/**
 * Scans source files: each file goes to the first extractor that claims it. A file whose extractor
 * throws is reported as a problem and the scan goes on. Pure: files in, references out.
 */
export function scanFiles(
  files: readonly SourceFile[],
  extractors: readonly Extractor[] = EXTRACTORS,
  context: ScanContext = gitlabContext(files),
): ScanResult {
  const references: Reference[] = [];
  const problems: ScanProblem[] = [];
  for (const file of files) {
    let extractor: Extractor | null = null;
    // A YAML file that never mentions an image, repository, service or include holds no reference
    // any extractor could find: skip the parse, which is most of a scan's cost.
    if (YAML_NAME.test(file.path) && !YAML_RELEVANT.test(file.text)) continue;
    try {
      extractor = extractorFor(file, context, extractors);
      if (!extractor) continue;
      const result = extractor.extract(file, context);
      references.push(...result.references);
      problems.push(...result.problems);
      file.memo.clear(); // parsed forms are large; keep memory flat over big trees
    } catch (error) {
      problems.push({
        file: file.path,
        line: null,
        code: 'parse-error',
        message: `${extractor?.name ?? 'scanner'}: ${(error as Error).message}`,
      });
    }
  }
  references.sort((a, b) => compareText(a.file, b.file) || a.line - b.line || a.column - b.column);
  problems.sort((a, b) => compareText(a.file, b.file) || (a.line ?? 0) - (b.line ?? 0));
  return { references, problems };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
