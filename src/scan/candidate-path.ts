import { EXTRACTORS } from './extractors/index.js';

/** Folders that hold what tests expect a program to print or render: golden files and snapshots. */
const TEST_OUTPUT_FOLDER = /(?:^|\/)(?:golden|goldens|__snapshot__|__snapshots__)\//;
/**
 * Files named as such an output: `render.golden`, `render.golden.yaml`, `render.golden.json`, `render.snap`, and a stem with
 * `golden` as its last word, numbered or not (`render_golden.yaml`, `render-golden_2.yml`, `render_golden.json`).
 */
const TEST_OUTPUT_FILE = /\.golden(?:\.(?:json|ya?ml))?$|\.snap$|[^/._-][_-]golden(?:[_-]\d+)?\.(?:json|ya?ml)$/;
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
  const inputs = paths.filter((file) => TEST_INPUT_FILE.test(file.slice(file.lastIndexOf('/') + 1)));
  if (inputs.length === 0) return new Set();
  const folders = filesByFolder(paths);
  return new Set(inputs.filter((file) => isGoldenTestInput(file.slice(folderOf(file).length), () => folders.get(folderOf(file)) ?? [])));
}

/** The folder part of a path, with its trailing `/` (`''` at the root). */
function folderOf(file: string): string {
  return file.slice(0, file.lastIndexOf('/') + 1);
}

/** The names of a tree's files, by the folder they are in ({@link folderOf}). */
export function filesByFolder(paths: readonly string[]): Map<string, string[]> {
  const folders = new Map<string, string[]>();
  for (const file of paths) {
    const folder = folderOf(file);
    const names = folders.get(folder);
    const name = file.slice(folder.length);
    if (names) names.push(name);
    else folders.set(folder, [name]);
  }
  return folders;
}

/** A Go test function's declaration: `func TestDeployInit(t *testing.T) {`. */
const GO_TEST_FUNCTION = /^func[ \t]+(Test\w*)[ \t]*\(/gm;

/** The names of the test functions a Go test file declares (`TestDeployInit`). */
export function goTestFunctions(text: string): string[] {
  return [...text.matchAll(GO_TEST_FUNCTION)].map((match) => match[1] ?? '');
}

/**
 * A Go test's golden file: in the `testdata` folder of a package, named after one of the package's test functions
 * (`testdata/TestDeployInit.config.yml` for `func TestDeployInit`, as `golden.Bytes(got, t.Name()+".config.yml")` names it):
 * the output the test compares the program's with. `functions` are the test functions of the `_test.go` files beside
 * `testdata/`. Nothing deploys it.
 */
export function isGoTestGolden(relative: string, functions: ReadonlySet<string>): boolean {
  if (functions.size === 0 || !/(?:^|\/)testdata\/[^/]+$/.test(relative)) return false;
  const name = relative.slice(relative.lastIndexOf('/') + 1);
  const dot = name.indexOf('.');
  return dot > 0 && functions.has(name.slice(0, dot));
}

/** Below a test folder: `test/`, `tests/`, `testdata/`. */
const BELOW_TEST_FOLDER = /(?:^|\/)(?:tests?|testdata)\//;
/** The case a linter is expected to pass and the one it is expected to fail. */
const CASE_TWIN: Readonly<Record<string, string>> = { good: 'bad', bad: 'good' };
/** `kubeconform_good_1.yaml`, `lint-bad.yml`: a file named as one of such a pair, the stem before the word. */
const CASE_FILE = /^(.+?)([_-])(good|bad)(?=[._-])/;

/**
 * A linter's test cases: below a test folder, a folder named `good` with a folder `bad` beside it (or the other way), or a
 * file named `<stem>_good…` with a `<stem>_bad…` file beside it. The repository's tests run a linter on each pair and
 * expect it to pass the one and fail the other; the files are its input, written to break rules, and nothing builds,
 * deploys or runs them. Either word alone, or outside a test folder, is read as any file.
 */
export function isLintCaseFolder(relative: string, siblingFolders: () => Iterable<string>): boolean {
  const slash = relative.lastIndexOf('/');
  const twin = CASE_TWIN[relative.slice(slash + 1)];
  if (twin === undefined || !BELOW_TEST_FOLDER.test(relative.slice(0, slash + 1))) return false;
  for (const other of siblingFolders()) if (other === twin) return true;
  return false;
}

/** A file of a linter's test case pair, {@link isLintCaseFolder}; `folderFiles` gives the names of the files beside it. */
export function isLintCaseFile(relative: string, folderFiles: () => Iterable<string>): boolean {
  const slash = relative.lastIndexOf('/');
  const match = CASE_FILE.exec(relative.slice(slash + 1));
  if (!match || !BELOW_TEST_FOLDER.test(relative.slice(0, slash + 1))) return false;
  const [, stem = '', separator = '', word = ''] = match;
  const twin = `${stem}${separator}${CASE_TWIN[word] ?? ''}`;
  for (const other of folderFiles()) if (other.startsWith(twin) && /^[._-]/.test(other.slice(twin.length))) return true;
  return false;
}

/** Of a tree's file paths, those in a linter's test cases ({@link isLintCaseFolder}, {@link isLintCaseFile}). */
export function lintCasePaths(paths: readonly string[]): Set<string> {
  const folders = new Set<string>();
  const filesIn = filesByFolder(paths);
  for (const file of paths) {
    for (let at = file.indexOf('/'); at !== -1; at = file.indexOf('/', at + 1)) folders.add(file.slice(0, at));
  }
  const found = new Set<string>();
  for (const file of paths) {
    if (!BELOW_TEST_FOLDER.test(file)) continue;
    if (isLintCaseFile(file, () => filesIn.get(folderOf(file)) ?? [])) {
      found.add(file);
      continue;
    }
    for (let at = file.indexOf('/'); at !== -1; at = file.indexOf('/', at + 1)) {
      const folder = file.slice(0, at);
      const parent = folder.slice(0, folder.lastIndexOf('/') + 1);
      const twin = CASE_TWIN[folder.slice(parent.length)];
      if (twin !== undefined && isLintCaseFolder(folder, () => (folders.has(`${parent}${twin}`) ? [twin] : []))) {
        found.add(file);
        break;
      }
    }
  }
  return found;
}

/**
 * The paths of a repository's file list that a walk leaves out as another project's code: under `node_modules/` or `vendor/`,
 * except a Helm chart's `templates/vendor/` (its Chart.yaml in `paths`, one folder above `templates/`), which Helm renders as
 * the chart's own templates (`templates/vendor/app/generic_1.0.4.tpl`, the modules charts share).
 */
export function vendoredPaths(paths: readonly string[]): (path: string) => boolean {
  const charts = new Set(paths.filter((path) => /(?:^|\/)Chart\.yaml$/.test(path)).map((path) => path.slice(0, -'Chart.yaml'.length)));
  return (path) => {
    if (/(?:^|\/)node_modules\//.test(path)) return true;
    for (const match of path.matchAll(/(?:^|\/)vendor\//g)) {
      const before = path.slice(0, match.index + (match[0].startsWith('/') ? 1 : 0));
      if (!before.endsWith('templates/') || !charts.has(before.slice(0, -'templates/'.length))) return true;
    }
    return false;
  };
}

/** Could any extractor want this file? Decided by name alone, so a walk reads only these. Test output is never wanted. */
export function isCandidatePath(path: string): boolean {
  if (isTestOutputPath(path)) return false;
  for (const extractor of EXTRACTORS) if (extractor.isCandidate(path)) return true;
  return false;
}
