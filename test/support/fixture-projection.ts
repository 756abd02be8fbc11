import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { sourceFile } from '../../src/core/source-file.js';
import type { Reference, ScanProblem, Span } from '../../src/core/types.js';
import { EMPTY_CONTEXT, type Extractor } from '../../src/scan/extractor.js';

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
    image: image ? `${image.registry}/${image.repository}${image.tag === null ? '' : `:${image.tag}`}${image.digest === null ? '' : `@${image.digest}`}` : null,
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

/** Every file below `dir`, as `/`-separated paths relative to it, sorted. */
export function fixtureFiles(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .flatMap((entry) => {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      return entry.isDirectory() ? fixtureFiles(dir, rel) : [rel];
    })
    .sort();
}

/** Runs one extractor alone over a fixtures folder: the files it claims, its references (projected) and problems. */
export function extractFixtures(extractor: Extractor, dir: string) {
  const references: Record<string, ExpectedReference[]> = {};
  const problems: ExpectedFixture['problems'] = [];
  const claimed: string[] = [];
  const spans: Array<{ bytes: Buffer; span: Span }> = [];
  for (const rel of fixtureFiles(dir)) {
    const bytes = readFileSync(path.join(dir, rel));
    const file = sourceFile(rel, bytes);
    if (!extractor.claims(file, EMPTY_CONTEXT)) continue;
    claimed.push(rel);
    const result = extractor.extract(file, EMPTY_CONTEXT);
    if (result.references.length > 0) references[rel] = result.references.map(projectReference);
    for (const reference of result.references) for (const span of reference.spans) spans.push({ bytes, span });
    for (const problem of result.problems) problems.push({ file: problem.file, line: problem.line, code: problem.code });
  }
  return { claimed, references, problems, spans };
}
