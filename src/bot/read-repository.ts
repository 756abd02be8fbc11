import type { Forge, Repository } from '../apply/forges/forge.js';
import { isConfigFileName, MAX_CONFIG_FILE_BYTES } from '../config/defaults.js';
import { ArchpinError } from '../core/errors.js';
import { ignoreRules, ignoresPath } from '../core/gitignore.js';
import { looksBinary, sourceFile, type SourceFile } from '../core/source-file.js';
import type { ScanProblem } from '../core/types.js';
import { filesByFolder, goldenTestInputPaths, goTestFunctions, isCandidatePath, isGoTestGolden, lintCasePaths, vendoredPaths } from '../scan/candidate-path.js';

export interface RepositoryFiles {
  readonly files: readonly SourceFile[];
  readonly problems: readonly ScanProblem[];
  /** The repository's own archpin.json text, if it has one. */
  readonly configText: string | null;
}

/** Reads the files an extractor may want from a repository at `ref`, through the API (no git). */
export async function readRepositoryFiles(
  forge: Forge,
  repo: Repository,
  ref: string,
  options: { ignorePaths: readonly string[]; maxFileSize: number; concurrency?: number },
): Promise<RepositoryFiles> {
  const tree = await forge.listTree(repo, ref);
  const ignored = ignoreRules(options.ignorePaths);
  const problems: ScanProblem[] = [];
  const paths = tree.map((entry) => entry.path);
  const testInputs = goldenTestInputPaths(paths);
  for (const path of lintCasePaths(paths)) testInputs.add(path);
  for (const path of await goTestGoldenPaths(forge, repo, ref, paths, options.maxFileSize)) testInputs.add(path);
  const vendored = vendoredPaths(paths);
  const wanted = tree.filter((entry) => {
    if (!isCandidatePath(entry.path) || testInputs.has(entry.path) || vendored(entry.path) || ignoresPath(ignored, entry.path)) return false;
    if (entry.size !== null && entry.size > options.maxFileSize) {
      problems.push({ file: entry.path, line: null, code: 'file-too-large', message: `${entry.size} bytes is over the ${options.maxFileSize}-byte limit (maxFileSize)` });
      return false;
    }
    return true;
  });
  const configEntry = tree.find((entry) => isConfigFileName(entry.path));
  const files: SourceFile[] = [];
  // The workers share one iterator: each takes the next entry when it is free.
  const pending = wanted.values();
  const worker = async (): Promise<void> => {
    for (const entry of pending) {
      const bytes = await forge.readFile(repo, entry.path, ref);
      if (bytes === null) continue;
      if (bytes.length > options.maxFileSize) {
        problems.push({ file: entry.path, line: null, code: 'file-too-large', message: `${bytes.length} bytes is over the limit` });
      } else if (looksBinary(bytes)) {
        problems.push({ file: entry.path, line: null, code: 'file-binary', message: 'binary file (NUL byte); not scanned' });
      } else {
        files.push(sourceFile(entry.path, bytes));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 4, wanted.length)) }, worker));
  files.sort((a, b) => (a.path < b.path ? -1 : 1));
  const configBytes = configEntry ? await forge.readFile(repo, configEntry.path, ref) : null;
  if (configEntry && configBytes && configBytes.length > MAX_CONFIG_FILE_BYTES) {
    throw new ArchpinError('config-invalid', `${repo.path}/${configEntry.path}: ${configBytes.length} bytes is over the ${MAX_CONFIG_FILE_BYTES}-byte limit for a config`);
  }
  return { files, problems, configText: configBytes ? Buffer.from(configBytes).toString('utf8') : null };
}

/** `testdata/TestDeployInit.config.yml` candidates: a file of a `testdata` folder whose name starts as a Go test function's. */
const GOLDEN_CANDIDATE = /(?:^|\/)testdata\/Test[^/.]*\.[^/]+$/;

/**
 * The golden files of Go tests ({@link isGoTestGolden}): the `_test.go` files beside a `testdata` folder that holds files named
 * like test functions are read for the functions they declare, only then.
 */
async function goTestGoldenPaths(forge: Forge, repo: Repository, ref: string, paths: readonly string[], maxFileSize: number): Promise<string[]> {
  const candidates = paths.filter((path) => GOLDEN_CANDIDATE.test(path) && isCandidatePath(path));
  if (candidates.length === 0) return [];
  const folders = new Map<string, string[]>();
  for (const path of candidates) {
    const folder = path.slice(0, path.lastIndexOf('testdata/'));
    folders.set(folder, [...(folders.get(folder) ?? []), path]);
  }
  const names = filesByFolder(paths);
  const found: string[] = [];
  for (const [folder, files] of folders) {
    const functions = new Set<string>();
    for (const file of names.get(folder) ?? []) {
      if (!file.endsWith('_test.go')) continue;
      const bytes = await forge.readFile(repo, folder + file, ref);
      if (bytes !== null && bytes.length <= maxFileSize) for (const name of goTestFunctions(Buffer.from(bytes).toString('utf8'))) functions.add(name);
    }
    for (const path of files) if (isGoTestGolden(path, functions)) found.push(path);
  }
  return found;
}
