import { EXTRACTORS } from './extractors/index.js';

/** Folders that hold what tests expect a program to print or render: golden files and snapshots. */
const TEST_OUTPUT_FOLDER = /(?:^|\/)(?:golden|goldens|__snapshot__|__snapshots__)\//;
/** Files named as such an output: `render.golden`, `render.golden.yaml`, `render.golden.json`, `render.snap`. */
const TEST_OUTPUT_FILE = /\.golden(?:\.(?:json|ya?ml))?$|\.snap$/;
/**
 * A folder named for what a test expects (`expected`, `expected-output`, `expected_output`) below a test folder
 * (`test`, `tests`, `testdata`): the manifests a test compares a program's output with. Elsewhere the word names no such thing.
 */
const TEST_EXPECTED_FOLDER = /(?:^|\/)(?:tests?|testdata)\/(?:[^/]+\/)*expected(?:[-_]output)?\//;

/**
 * A test's expected output (or the input kept beside it): objects that look like deployments but that nothing runs.
 * Decided by name alone, as the walk decides for `node_modules` and `vendor`.
 */
export function isTestOutputPath(path: string): boolean {
  return TEST_OUTPUT_FOLDER.test(path) || TEST_OUTPUT_FILE.test(path) || TEST_EXPECTED_FOLDER.test(path);
}

/** `render.input.yaml`, `migrate-input.yml`, `pods_input.json`: a file named as a test's input. */
const TEST_INPUT_FILE = /^(.+)[._-]input\.(?:json|ya?ml)$/;
/** What follows the stem in the name of the output such a test compares with: `.golden`, `.golden.yml`, `-expected.yaml`. */
const TEST_OUTPUT_AFTER_STEM = /^[._-](?:golden|expected)(?:\.[\w-]+)*$/;

/**
 * The input of a golden test: a file named `<stem>.input.yaml` (also `-input`, `_input`; `.yml`, `.json`) in a folder that
 * holds the output the test compares the program's result with, `<stem>.golden…` or `<stem>-expected…`. A unit test feeds
 * it to a program; nothing deploys it. Without such an output beside it, an `*input.yaml` is read as any file.
 * `folderFiles` gives the names of the files in the same folder.
 */
export function isGoldenTestInput(name: string, folderFiles: () => Iterable<string>): boolean {
  const input = TEST_INPUT_FILE.exec(name);
  if (!input) return false;
  const stem = input[1] ?? '';
  for (const other of folderFiles()) {
    if (other.startsWith(stem) && TEST_OUTPUT_AFTER_STEM.test(other.slice(stem.length))) return true;
  }
  return false;
}

/** Of a tree's file paths, those that are inputs of golden tests ({@link isGoldenTestInput}). */
export function goldenTestInputPaths(paths: readonly string[]): Set<string> {
  const folderOf = (file: string): string => file.slice(0, file.lastIndexOf('/') + 1);
  const inputs = paths.filter((file) => TEST_INPUT_FILE.test(file.slice(file.lastIndexOf('/') + 1)));
  if (inputs.length === 0) return new Set();
  const folders = new Map<string, string[]>();
  for (const file of paths) {
    const folder = folderOf(file);
    const names = folders.get(folder);
    const name = file.slice(folder.length);
    if (names) names.push(name);
    else folders.set(folder, [name]);
  }
  return new Set(inputs.filter((file) => isGoldenTestInput(file.slice(folderOf(file).length), () => folders.get(folderOf(file)) ?? [])));
}

/** Could any extractor want this file? Decided by name alone, so a walk reads only these. Test output is never wanted. */
export function isCandidatePath(path: string): boolean {
  if (isTestOutputPath(path)) return false;
  for (const extractor of EXTRACTORS) if (extractor.isCandidate(path)) return true;
  return false;
}
