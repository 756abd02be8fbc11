import { lstatSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
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

export const DEFAULT_MAX_FILE_SIZE = 32 * 1024 * 1024;
const ALWAYS_SKIPPED = new Set(['.git', 'node_modules', 'vendor']);

interface Layer {
  readonly base: string;
  readonly rules: Ignore;
}

function ignoredBy(layers: readonly Layer[], relative: string, isDirectory: boolean): boolean {
  for (const layer of layers) {
    const local = layer.base === '' ? relative : relative.slice(layer.base.length + 1);
    if (layer.rules.ignores(isDirectory ? `${local}/` : local)) return true;
  }
  return false;
}

function gitignoreLayer(directory: string, relative: string): Layer | null {
  try {
    const text = readFileSync(path.join(directory, '.gitignore'), 'utf8');
    return { base: relative, rules: ignore().add(text) };
  } catch {
    return null;
  }
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
  const configured: Layer[] = options.ignorePaths?.length ? [{ base: '', rules: ignore().add([...options.ignorePaths]) }] : [];

  const visit = (directory: string, relative: string, inherited: readonly Layer[]): void => {
    const own = gitignoreLayer(directory, relative);
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
      if (!entry.isFile() || !isCandidatePath(childRelative) || ignoredBy(layers, childRelative, false)) continue;
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
  try {
    const stats = lstatSync(fullPath);
    if (stats.size > maxFileSize) {
      problems.push({ file: relative, line: null, code: 'file-too-large', message: `${stats.size} bytes is over the ${maxFileSize}-byte limit (maxFileSize)` });
      return null;
    }
    const bytes = readFileSync(fullPath);
    if (looksBinary(bytes)) {
      problems.push({ file: relative, line: null, code: 'file-binary', message: 'binary file (NUL byte); not scanned' });
      return null;
    }
    return sourceFile(relative, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (error) {
    problems.push({ file: relative, line: null, code: 'file-unreadable', message: (error as Error).message });
    return null;
  }
}
