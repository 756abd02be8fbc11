import { lstatSync, readdirSync, realpathSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { readRegularPath } from '../apply/read-regular-file.js';
import { DEFAULT_MAX_FILE_SIZE } from '../core/budgets.js';
import { readGitIndex } from '../core/git-index.js';
import { ignoreRules, type IgnoreRules } from '../core/gitignore.js';
import { BINARY_CHECK_BYTES, lazySourceFile, looksBinary, type SourceFile } from '../core/source-file.js';
import type { ScanProblem } from '../core/types.js';
import { goTestFunctions, isCandidatePath, isGoldenTestInput, isGoTestGolden, isLintCaseFile, isLintCaseFolder } from '../scan/candidate-path.js';

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
/** A git index larger than this is not read (the `.gitignore` rules alone then decide). */
const MAX_GIT_INDEX_SIZE = 256 * 1024 * 1024;
const ALWAYS_SKIPPED = new Set(['.git', 'node_modules', 'vendor']);

/**
 * `templates/vendor/` of a Helm chart (its Chart.yaml one folder up): Helm renders every file under `templates/`, and charts
 * keep the template modules they share there (`templates/vendor/app/generic_1.0.4.tpl`), so it is read as the chart's.
 */
function isChartTemplatesVendor(directory: string, name: string): boolean {
  if (name !== 'vendor' || path.basename(directory) !== 'templates') return false;
  try {
    return lstatSync(path.join(directory, '..', 'Chart.yaml')).isFile();
  } catch {
    return false;
  }
}

interface Layer {
  readonly base: string;
  readonly rules: IgnoreRules;
}

/** The deepest layer with a matching rule decides (a nested `.gitignore` may re-include with `!`). */
function ignoredBy(layers: readonly Layer[], relative: string, isDirectory: boolean): boolean {
  for (const layer of [...layers].reverse()) {
    const local = layer.base === '' ? relative : relative.slice(layer.base.length + 1);
    const decision = layer.rules.decide(local, isDirectory);
    if (decision !== null) return decision;
  }
  return false;
}

/** A directory's `.gitignore`, read only if it is a regular file of bounded size; anything else is reported. */
function gitignoreLayer(directory: string, base: string, shown: string, problems: ScanProblem[]): Layer | null {
  const file = shown === '' ? '.gitignore' : `${shown}/.gitignore`;
  const read = readRegularPath(path.join(directory, '.gitignore'), MAX_GITIGNORE_SIZE);
  if (read.ok) return { base, rules: ignoreRules(Buffer.from(read.bytes).toString('utf8')) };
  if (read.code !== 'file-missing') problems.push({ file, line: null, code: problemCode(read.code), message: `${read.message}; its rules are not applied` });
  return null;
}

/**
 * The git work tree a scanned folder is in, as git sees it: the folder's path inside the work tree,
 * the ignore rules above the folder (`.git/info/exclude`, the `.gitignore` files of its parents) and
 * the files the index tracks. Tracked files are never ignored, so a scan gives the same files whether
 * it starts at the repository root or in a subfolder. Null outside a work tree.
 */
interface WorkTree {
  readonly prefix: string;
  readonly layers: readonly Layer[];
  /** Tracked paths and every folder that holds one, relative to the work tree; null if the index could not be read. */
  readonly tracked: { readonly files: ReadonlySet<string>; readonly folders: ReadonlySet<string> } | null;
}

function findWorkTree(realRoot: string, problems: ScanProblem[]): WorkTree | null {
  let top = realRoot;
  let gitPath: string;
  for (;;) {
    const candidate = path.join(top, '.git');
    try {
      const stat = lstatSync(candidate);
      if (stat.isDirectory() || stat.isFile()) {
        gitPath = candidate;
        break;
      }
    } catch {
      // not here: look further up
    }
    const parent = path.dirname(top);
    if (parent === top) return null;
    top = parent;
  }
  const prefix = path.relative(top, realRoot).split(path.sep).join('/');
  const layers: Layer[] = [];
  const gitDirectory = resolveGitDirectory(gitPath);
  if (gitDirectory) {
    const exclude = readRegularPath(path.join(gitDirectory.common, 'info', 'exclude'), MAX_GITIGNORE_SIZE);
    if (exclude.ok) layers.push({ base: '', rules: ignoreRules(Buffer.from(exclude.bytes).toString('utf8')) });
  }
  if (prefix !== '') {
    const parts = prefix.split('/');
    for (let depth = 0; depth < parts.length; depth++) {
      const base = parts.slice(0, depth).join('/');
      const layer = gitignoreLayer(
        path.join(top, ...parts.slice(0, depth)),
        base,
        Array(parts.length - depth)
          .fill('..')
          .join('/'),
        problems,
      );
      if (layer) layers.push(layer);
    }
  }
  let tracked: WorkTree['tracked'] = null;
  if (gitDirectory) {
    const read = readRegularPath(path.join(gitDirectory.own, 'index'), MAX_GIT_INDEX_SIZE);
    const index = read.ok ? readGitIndex(read.bytes, gitDirectory.hashBytes) : null;
    if (index?.ok) {
      const files = new Set(index.paths);
      const folders = new Set<string>();
      for (const file of index.paths) {
        for (let slash = file.lastIndexOf('/'); slash > 0; slash = file.lastIndexOf('/', slash - 1)) {
          const folder = file.slice(0, slash);
          if (folders.has(folder)) break;
          folders.add(folder);
        }
      }
      tracked = { files, folders };
    } else if (index) {
      problems.push({ file: '.git/index', line: null, code: 'file-unreadable', message: `${index.reason}; .gitignore rules alone decide which files are scanned` });
    }
  }
  return { prefix, layers, tracked };
}

/** Is the scanned folder, or a folder above it inside the work tree, ignored (so only tracked files in it count)? */
function folderIgnored(workTree: WorkTree): boolean {
  if (workTree.prefix === '') return false;
  const parts = workTree.prefix.split('/');
  for (let depth = 1; depth <= parts.length; depth++) {
    const folder = parts.slice(0, depth).join('/');
    const above = workTree.layers.filter((layer) => layer.base === '' || folder.startsWith(`${layer.base}/`));
    if (ignoredBy(above, folder, true)) return true;
  }
  return false;
}

/** The git directory of a `.git` folder or of a `.git` file (`gitdir: …`, worktrees and submodules), its common directory and hash size. */
function resolveGitDirectory(gitPath: string): { own: string; common: string; hashBytes: number } | null {
  let own = gitPath;
  const stat = lstatSync(gitPath);
  if (stat.isFile()) {
    const read = readRegularPath(gitPath, 4096);
    if (!read.ok) return null;
    const match = /^gitdir:[ \t]*(.+?)[ \t]*\r?$/m.exec(Buffer.from(read.bytes).toString('utf8'));
    if (!match) return null;
    const [, target = ''] = match;
    own = path.resolve(path.dirname(gitPath), target);
  }
  let common = own;
  const commonFile = readRegularPath(path.join(own, 'commondir'), 4096);
  if (commonFile.ok) common = path.resolve(own, Buffer.from(commonFile.bytes).toString('utf8').trim());
  const config = readRegularPath(path.join(common, 'config'), 1024 * 1024);
  const sha256 = config.ok && /^\s*objectformat\s*=\s*sha256\s*$/im.test(Buffer.from(config.bytes).toString('utf8'));
  return { own, common, hashBytes: sha256 ? 32 : 20 };
}

function problemCode(code: 'file-not-regular' | 'file-outside' | 'file-too-large' | 'file-unreadable' | 'file-missing'): ScanProblem['code'] {
  if (code === 'file-too-large') return 'file-too-large';
  if (code === 'file-not-regular' || code === 'file-outside') return 'file-not-regular';
  return 'file-unreadable';
}

/**
 * Reads the files of a tree that an extractor may want. Skips `.git`, `node_modules`, `vendor/`, what
 * `.gitignore` files ignore and `ignorePaths`. In a git work tree it follows git: the `.gitignore`
 * files above the scanned folder and `.git/info/exclude` apply too, and a file the index tracks is
 * scanned even where a pattern ignores it; never follows a symlink (one that points out of the
 * tree is reported); reports binary and oversized candidates instead of reading them.
 * Synchronous file system calls underneath: for thousands of small files they are several times
 * faster than awaiting each one, and a scan has nothing else to do meanwhile.
 */
export async function readTree(root: string, options: ReadTreeOptions = {}): Promise<TreeContents> {
  const maxFileSize = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  const realRoot = realpathSync(root);
  const files: SourceFile[] = [];
  const problems: ScanProblem[] = [];
  const workTree = findWorkTree(realRoot, problems);
  const prefix = workTree?.prefix ?? '';
  const tracked = workTree?.tracked ?? null;
  // layers work on paths relative to the work tree (the scanned folder when there is none)
  const inWorkTree = (relative: string): string => (prefix === '' ? relative : relative === '' ? prefix : `${prefix}/${relative}`);
  const configured: Layer[] = options.ignorePaths?.length ? [{ base: '', rules: ignoreRules(options.ignorePaths) }] : [];
  const configuredIgnores = (relative: string, isDirectory: boolean): boolean => configured.length > 0 && ignoredBy(configured, relative, isDirectory);

  /**
   * `insideIgnored`: an ignored folder entered only for the tracked files it holds. `goTests`: in a `testdata` folder, the test
   * functions of the Go test files beside it, whose golden files it holds.
   */
  const visit = (directory: string, relative: string, inherited: readonly Layer[], insideIgnored: boolean, goTests: ReadonlySet<string> = new Set()): void => {
    const own = gitignoreLayer(directory, inWorkTree(relative), relative, problems);
    const layers = own ? [...inherited, own] : inherited;
    let entries;
    try {
      entries = readdirSync(directory, { withFileTypes: true });
    } catch (error) {
      problems.push({ file: relative || '.', line: null, code: 'file-unreadable', message: (error as Error).message });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const fileNames = (): string[] => entries.filter((entry) => !entry.isDirectory()).map((entry) => entry.name);
    const folderNames = (): string[] => entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    for (const entry of entries) {
      const childRelative = relative === '' ? entry.name : `${relative}/${entry.name}`;
      const childPath = path.join(directory, entry.name);
      const gitPath = inWorkTree(childRelative);
      if (entry.isDirectory()) {
        if ((ALWAYS_SKIPPED.has(entry.name) && !isChartTemplatesVendor(directory, entry.name)) || configuredIgnores(childRelative, true)) continue;
        // `test/linters/hadolint/good/` beside `bad/`: a linter's test cases, input that nothing builds or runs.
        if (isLintCaseFolder(childRelative, folderNames)) continue;
        const ignored = insideIgnored || ignoredBy(layers, gitPath, true);
        if (ignored && !tracked?.folders.has(gitPath)) continue;
        visit(childPath, childRelative, layers, ignored, entry.name === 'testdata' ? goTestFunctionsIn(directory, entries, maxFileSize) : undefined);
        continue;
      }
      if (entry.isSymbolicLink()) {
        checkSymlink(childPath, childRelative, realRoot, problems);
        continue;
      }
      if (!isCandidatePath(childRelative) || configuredIgnores(childRelative, false)) continue;
      // `render.input.yaml` beside `render.golden.yaml`: what a unit test feeds the program, not a deployment.
      if (isGoldenTestInput(entry.name, fileNames)) continue;
      if (isLintCaseFile(childRelative, fileNames)) continue;
      // `testdata/TestDeployInit.config.yml` beside `func TestDeployInit` of a `_test.go`: the output a Go test compares with.
      if (isGoTestGolden(childRelative, goTests)) continue;
      if ((insideIgnored || ignoredBy(layers, gitPath, false)) && !tracked?.files.has(gitPath)) continue;
      const file = readCandidate(childPath, childRelative, maxFileSize, problems);
      if (file) files.push(file);
    }
  };

  visit(realRoot, '', workTree?.layers ?? [], workTree !== null && folderIgnored(workTree));
  return { files, problems };
}

/** The test functions the Go test files (`*_test.go`) of a folder declare; `entries` are the folder's. */
function goTestFunctionsIn(directory: string, entries: readonly Dirent[], maxFileSize: number): Set<string> {
  const functions = new Set<string>();
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith('_test.go')) continue;
    const read = readRegularPath(path.join(directory, entry.name), maxFileSize);
    if (read.ok) for (const name of goTestFunctions(Buffer.from(read.bytes).toString('utf8'))) functions.add(name);
  }
  return functions;
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
  // Only what the binary check looks at: the whole file is read when the scan needs it.
  const read = readRegularPath(fullPath, maxFileSize, { head: BINARY_CHECK_BYTES });
  if (!read.ok) {
    const message = read.code === 'file-too-large' ? `${read.message} (maxFileSize)` : read.message;
    if (read.code !== 'file-missing') problems.push({ file: relative, line: null, code: problemCode(read.code), message });
    return null;
  }
  if (looksBinary(read.bytes)) {
    problems.push({ file: relative, line: null, code: 'file-binary', message: 'binary file (NUL byte); not scanned' });
    return null;
  }
  // The contents are read whole when the scan reaches the file and dropped after it: a scan holds
  // one file at a time, not the tree.
  return lazySourceFile(relative, () => {
    const again = readRegularPath(fullPath, maxFileSize);
    if (!again.ok) throw new Error(`${again.message} (read again for the scan)`);
    return again.bytes;
  });
}
