import { readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { readRegularPath } from '../apply/read-regular-file.js';
import { DEFAULT_MAX_FILE_SIZE } from '../core/budgets.js';
import { ignoreRules, type IgnoreRules } from '../core/gitignore.js';
import { looksBinary, sourceFile, type SourceFile } from '../core/source-file.js';
import type { ScanProblem } from '../core/types.js';
import { isCandidatePath } from '../scan/candidate-path.js';

export interface ReadTreeOptions {
  /** gitignore-style patterns of paths to leave out, besides `.git`, `node_modules`, `vendor/` and `.gitignore`. */
  readonly ignorePaths?: readonly string[];
  /** Files larger than this are reported and left out. */
  readonly maxFileSize?: number;
}

export interface TreeContents {
  readonly files: readonly SourceFile[];
  readonly problems: readonly ScanProblem[];
}

export { DEFAULT_MAX_FILE_SIZE };
/** A `.gitignore` larger than this is reported and not applied. */
const MAX_GITIGNORE_SIZE = 1024 * 1024;
const ALWAYS_SKIPPED = new Set(['.git', 'node_modules', 'vendor']);

interface Layer {
  readonly base: string;
  readonly rules: IgnoreRules;
}

/** The deepest layer with a matching rule decides (a nested `.gitignore` may re-include with `!`). */
function ignoredBy(layers: readonly Layer[], relative: string, isDirectory: boolean): boolean {
  for (let index = layers.length - 1; index >= 0; index--) {
    const layer = layers[index]!;
    const local = layer.base === '' ? relative : relative.slice(layer.base.length + 1);
    const decision = layer.rules.decide(local, isDirectory);
    if (decision !== null) return decision;
  }
  return false;
}

/** A directory's `.gitignore`, read only if it is a regular file of bounded size; anything else is reported. */
function gitignoreLayer(directory: string, relative: string, problems: ScanProblem[]): Layer | null {
  const file = relative === '' ? '.gitignore' : `${relative}/.gitignore`;
  const read = readRegularPath(path.join(directory, '.gitignore'), MAX_GITIGNORE_SIZE);
  if (read.ok) return { base: relative, rules: ignoreRules(Buffer.from(read.bytes).toString('utf8')) };
  if (read.code !== 'file-missing') problems.push({ file, line: null, code: problemCode(read.code), message: `${read.message}; its rules are not applied` });
  return null;
}

function problemCode(code: 'file-not-regular' | 'file-outside' | 'file-too-large' | 'file-unreadable' | 'file-missing'): ScanProblem['code'] {
  if (code === 'file-too-large') return 'file-too-large';
  if (code === 'file-not-regular' || code === 'file-outside') return 'file-not-regular';
  return 'file-unreadable';
}

/**
 * Reads the files of a tree that an extractor may want. Skips `.git`, `node_modules`, `vendor/`, what
 * `.gitignore` files ignore and `ignorePaths`; never follows a symlink (one that points out of the
 * tree is reported); reports binary and oversized candidates instead of reading them.
 * Synchronous file system calls underneath: for thousands of small files they are several times
 * faster than awaiting each one, and a scan has nothing else to do meanwhile.
 */
export async function readTree(root: string, options: ReadTreeOptions = {}): Promise<TreeContents> {
  const maxFileSize = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  const realRoot = realpathSync(root);
  const files: SourceFile[] = [];
  const problems: ScanProblem[] = [];
  const configured: Layer[] = options.ignorePaths?.length ? [{ base: '', rules: ignoreRules(options.ignorePaths) }] : [];

  const visit = (directory: string, relative: string, inherited: readonly Layer[]): void => {
    const own = gitignoreLayer(directory, relative, problems);
    const layers = own ? [...inherited, own] : inherited;
    let entries;
    try {
      entries = readdirSync(directory, { withFileTypes: true });
    } catch (error) {
      problems.push({ file: relative || '.', line: null, code: 'file-unreadable', message: (error as Error).message });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const childRelative = relative === '' ? entry.name : `${relative}/${entry.name}`;
      const childPath = path.join(directory, entry.name);
      if (entry.isDirectory()) {
        if (ALWAYS_SKIPPED.has(entry.name) || ignoredBy(layers, childRelative, true)) continue;
        visit(childPath, childRelative, layers);
        continue;
      }
      if (entry.isSymbolicLink()) {
        checkSymlink(childPath, childRelative, realRoot, problems);
        continue;
      }
      if (!isCandidatePath(childRelative) || ignoredBy(layers, childRelative, false)) continue;
      const file = readCandidate(childPath, childRelative, maxFileSize, problems);
      if (file) files.push(file);
    }
  };

  visit(realRoot, '', configured);
  return { files, problems };
}

function checkSymlink(fullPath: string, relative: string, realRoot: string, problems: ScanProblem[]): void {
  let target: string;
  try {
    target = realpathSync(fullPath);
  } catch {
    return; // dangling: nothing to read
  }
  const inside = target === realRoot || target.startsWith(realRoot + path.sep);
  if (!inside && isCandidatePath(relative)) {
    problems.push({ file: relative, line: null, code: 'symlink-outside', message: 'symlink points outside the scanned tree; not followed' });
  }
}

function readCandidate(fullPath: string, relative: string, maxFileSize: number, problems: ScanProblem[]): SourceFile | null {
  const read = readRegularPath(fullPath, maxFileSize);
  if (!read.ok) {
    const message = read.code === 'file-too-large' ? `${read.message} (maxFileSize)` : read.message;
    if (read.code !== 'file-missing') problems.push({ file: relative, line: null, code: problemCode(read.code), message });
    return null;
  }
  if (looksBinary(read.bytes)) {
    problems.push({ file: relative, line: null, code: 'file-binary', message: 'binary file (NUL byte); not scanned' });
    return null;
  }
  return sourceFile(relative, read.bytes);
}
