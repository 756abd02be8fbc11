import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sourceFile } from '../../../src/core/source-file.js';
import { EXTRACTORS } from '../../../src/scan/extractors/index.js';
import { extractorFor, scanFiles } from '../../../src/scan/scan-files.js';
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

/**
 * Scans a fixtures folder as the scanner does: each file goes to the extractor that owns or claims it,
 * and what one file builds marks its uses in the others (`scanFiles`).
 */
export function scanFixtures(root: string) {
  const claimedBy: Record<string, string> = {};
  const files = listFiles(root)
    .filter((path) => path !== 'expected.json')
    .map((path) => sourceFile(path, readFileSync(join(root, path))));
  for (const file of files) {
    const extractor = extractorFor(file, new Map(), EXTRACTORS);
    if (extractor) claimedBy[file.path] = extractor.name;
  }
  // With the facts the scan prepares (a chart's Chart.yaml and templates), as the whole scanner reads the same fixtures.
  const result = scanFiles(files, EXTRACTORS);
  const references: Record<string, unknown[]> = {};
  for (const reference of result.references) (references[reference.file] ??= []).push(project(reference));
  const problems = result.problems.map((problem) => ({ file: problem.file, line: problem.line, code: problem.code }));
  return { references, problems, claimedBy };
}

export function readExpected(root: string): { references: Record<string, unknown[]>; problems: unknown[] } {
  return JSON.parse(readFileSync(join(root, 'expected.json'), 'utf8'));
}
