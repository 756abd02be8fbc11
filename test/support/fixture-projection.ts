import type { Reference, ScanProblem } from '../../src/core/types.js';

/** The compact, byte-exact form references take in fixtures/<format>/expected.json. */
export interface ExpectedReference {
  line: number;
  column: number;
  value: string;
  kind: string;
  skip: string | null;
  image: string | null;
  spans: Array<[string, string, number, number]>;
}

export interface ExpectedFixture {
  references: Record<string, ExpectedReference[]>;
  problems: Array<{ file: string; line: number | null; code: string }>;
}

export function projectReference(reference: Reference): ExpectedReference {
  const image = reference.image;
  return {
    line: reference.line,
    column: reference.column,
    value: reference.value,
    kind: reference.kind,
    skip: reference.skip,
    image: image
      ? `${image.registry}/${image.repository}${image.tag === null ? '' : `:${image.tag}`}${image.digest === null ? '' : `@${image.digest}`}`
      : null,
    spans: reference.spans.map((span) => [span.role, span.text, span.line, span.column]),
  };
}

export function projectScan(references: readonly Reference[], problems: readonly ScanProblem[]): ExpectedFixture {
  const byFile: Record<string, ExpectedReference[]> = {};
  for (const reference of references) (byFile[reference.file] ??= []).push(projectReference(reference));
  return {
    references: byFile,
    problems: problems.map((problem) => ({ file: problem.file, line: problem.line, code: problem.code })),
  };
}
