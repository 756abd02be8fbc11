import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sourceFile } from '../../../src/core/source-file.js';
import type { ScanProblem } from '../../../src/core/types.js';
import { EMPTY_CONTEXT } from '../../../src/scan/extractor.js';
import { EXTRACTORS } from '../../../src/scan/extractors/index.js';
import { extractorFor } from '../../../src/scan/scan-files.js';
import { projectReference as project } from '../../support/fixture-projection.js';

export { project };

function listFiles(root: string, prefix = ''): string[] {
  return readdirSync(join(root, prefix))
    .sort()
    .flatMap((name) => {
      const relative = prefix === '' ? name : `${prefix}/${name}`;
      return statSync(join(root, relative)).isDirectory() ? listFiles(root, relative) : [relative];
    });
}

/** Scans a fixtures folder as the scanner dispatches: each file goes to the extractor that owns or claims it. */
export function scanFixtures(root: string) {
  const references: Record<string, unknown[]> = {};
  const problems: Array<{ file: string; line: number | null; code: ScanProblem['code'] }> = [];
  const claimedBy: Record<string, string> = {};
  for (const path of listFiles(root)) {
    if (path === 'expected.json') continue;
    const file = sourceFile(path, readFileSync(join(root, path)));
    const extractor = extractorFor(file, new Map(), EXTRACTORS);
    if (!extractor) continue;
    claimedBy[path] = extractor.name;
    const result = extractor.extract(file, EMPTY_CONTEXT);
    if (result.references.length > 0) references[path] = result.references.map(project);
    problems.push(...result.problems.map((problem) => ({ file: problem.file, line: problem.line, code: problem.code })));
  }
  return { references, problems, claimedBy };
}

export function readExpected(root: string): { references: Record<string, unknown[]>; problems: unknown[] } {
  return JSON.parse(readFileSync(join(root, 'expected.json'), 'utf8'));
}
