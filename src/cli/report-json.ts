import type { Reference, ScanProblem } from '../core/types.js';

/** The `references` entries of the JSON report (DESIGN.md, version 1). */
export function referenceJson(reference: Reference) {
  return {
    file: reference.file,
    line: reference.line,
    column: reference.column,
    value: reference.value,
    kind: reference.kind,
    image: reference.image
      ? {
          registry: reference.image.registry,
          repository: reference.image.repository,
          tag: reference.image.tag,
          digest: reference.image.digest,
        }
      : null,
    skip: reference.skip,
    spans: reference.spans.map((span) => ({
      role: span.role,
      line: span.line,
      column: span.column,
      text: span.text,
      start: span.start,
      end: span.end,
      ...(span.variable === undefined ? {} : { variable: span.variable }),
    })),
    ...(reference.detail === undefined ? {} : { detail: reference.detail }),
    ...(reference.shared === undefined ? {} : { shared: { variable: reference.shared.variable, uses: reference.shared.uses } }),
  };
}

export function problemJson(problem: ScanProblem) {
  return { file: problem.file, line: problem.line, code: problem.code, message: problem.message };
}
