import path from 'node:path';
import type { Config } from '../config/schema.js';
import { readOutsideIncludes } from '../pipeline/outside-includes.js';
import { scanSources, type Scanned } from '../pipeline/scan-stage.js';
import type { ScanResult } from '../scan/scan-files.js';
import { ciIncludeSource, type CiIncludeSource } from './ci-include-source.js';
import { EXIT_OK, EXIT_PARTIAL, type CliIo, type ExitCode } from './io.js';
import { readTree } from './read-tree.js';
import { problemJson, referenceJson } from './report-json.js';
import { renderTable } from './render-table.js';
import { terminalText } from './terminal-text.js';

export interface ScanCommandOptions {
  readonly directory: string;
  readonly format: 'text' | 'json';
  readonly config: Config;
}

/**
 * Reads and scans a directory tree. With a reader in `includes`, CI includes of other projects and templates are read
 * through it first; with a reason, those includes are named with it where a variable may come from them.
 */
export async function scanDirectory(directory: string, config: Config, includes: CiIncludeSource | null = null): Promise<Scanned> {
  const tree = await readTree(directory, {
    ...(config.ignorePaths ? { ignorePaths: config.ignorePaths } : {}),
    ...(config.maxFileSize ? { maxFileSize: config.maxFileSize } : {}),
  });
  const outside = includes === null ? undefined : 'reader' in includes ? await readOutsideIncludes(tree.files, includes.reader) : { files: [], unread: [], notAsked: includes.notAsked };
  return scanSources(tree.files, tree.problems, outside);
}

export async function runScan(options: ScanCommandOptions, io: CliIo): Promise<ExitCode> {
  const result = await scanDirectory(path.resolve(io.cwd, options.directory), options.config, await ciIncludeSource(options.config, io));
  if (options.format === 'json') {
    io.stdout(`${JSON.stringify({ version: 1, references: result.references.map(referenceJson), errors: result.problems.map(problemJson) }, null, 2)}\n`);
  } else {
    io.stdout(renderScanText(result));
  }
  return result.problems.some((problem) => problem.code === 'file-unreadable') ? EXIT_PARTIAL : EXIT_OK;
}

/** The text table shows at most this much of a value (a whole document under `image:` would pad every row); JSON keeps it whole. */
const MAX_TABLE_VALUE = 120;

function shortValue(value: string): string {
  return value.length <= MAX_TABLE_VALUE ? value : `${value.slice(0, MAX_TABLE_VALUE - 1)}… (${value.length} characters)`;
}

export function renderScanText(result: ScanResult): string {
  const rows = result.references.map((reference) => [`${reference.file}:${reference.line}:${reference.column}`, shortValue(reference.value), reference.kind, reference.skip ?? '']);
  const lines: string[] = [];
  lines.push(rows.length ? renderTable(['LOCATION', 'REFERENCE', 'KIND', 'SKIP'], rows) : 'No image references found.');
  const skipped = result.references.filter((reference) => reference.skip !== null).length;
  const files = new Set(result.references.map((reference) => reference.file)).size;
  lines.push('', `${result.references.length} references in ${files} files (${skipped} skipped).`);
  if (result.problems.length) {
    lines.push('', 'Problems:');
    for (const problem of result.problems) {
      lines.push(`  ${terminalText(problem.file)}${problem.line === null ? '' : `:${problem.line}`}  ${problem.code}  ${terminalText(problem.message)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
