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

/** Could any extractor want this file? Decided by name alone, so a walk reads only these. Test output is never wanted. */
export function isCandidatePath(path: string): boolean {
  if (isTestOutputPath(path)) return false;
  for (const extractor of EXTRACTORS) if (extractor.isCandidate(path)) return true;
  return false;
}
