import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRepositoryFiles } from '../../src/bot/read-repository.js';
import { readTree } from '../../src/cli/read-tree.js';
import { scanFiles } from '../../src/scan/scan-files.js';
import { memoryForge } from '../support/memory-forge.js';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

const CONFIG = (image: string) => `version: 2.1\njobs:\n  build:\n    docker:\n      - image: ${image}\n    steps:\n      - checkout\n`;

const TESTS = [
  'package acceptance',
  '',
  'func TestInitConfig(t *testing.T) {',
  '\tassert.Check(t, golden.Bytes(written, t.Name()+".yml"))',
  '}',
  '',
  'func TestInitConfig_Defaults(t *testing.T) {',
  '\tassert.Check(t, golden.Bytes(written, t.Name()+".config.yml"))',
  '}',
  '',
  'func helperTestName() string { return "TestOther" }',
  '',
].join('\n');

/**
 * A CLI's acceptance tests compare the config it writes with a golden file named after each test function; beside them,
 * files of `testdata/` that no test function names, a CI config of the repository, and a `testdata/` with no Go tests.
 */
const FILES: Record<string, string> = {
  '.circleci/config.yml': CONFIG('registry.example.test/ci/base:2024.10'),
  'acceptance/init_test.go': TESTS,
  'acceptance/testdata/TestInitConfig.yml': CONFIG('registry.example.test/ci/base:stable'),
  'acceptance/testdata/TestInitConfig_Defaults.config.yml': CONFIG('registry.example.test/ci/base:stable-1'),
  'acceptance/testdata/TestOther.yml': CONFIG('registry.example.test/ci/base:stable-2'),
  'acceptance/testdata/project/.circleci/config.yml': CONFIG('registry.example.test/ci/base:stable-3'),
  'deploy/testdata/TestInitConfig.yml': CONFIG('registry.example.test/ci/base:stable-4'),
};

function project(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'archpin-go-golden-'));
  roots.push(root);
  for (const [relative, text] of Object.entries(FILES)) {
    mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
    writeFileSync(path.join(root, relative), text);
  }
  return root;
}

const READ = ['.circleci/config.yml', 'acceptance/testdata/TestOther.yml', 'acceptance/testdata/project/.circleci/config.yml', 'deploy/testdata/TestInitConfig.yml'];

describe('the golden files of Go tests', () => {
  it('are not read by a walk: a testdata file named after a test function of the Go tests beside it', async () => {
    const tree = await readTree(project());
    expect(tree.files.map((file) => file.path)).toEqual(READ);
    expect(tree.problems).toEqual([]);
    expect(scanFiles(tree.files).references.map((reference) => [reference.file, reference.line, reference.value])).toEqual([
      ['.circleci/config.yml', 5, 'registry.example.test/ci/base:2024.10'],
      ['acceptance/testdata/TestOther.yml', 5, 'registry.example.test/ci/base:stable-2'],
      ['acceptance/testdata/project/.circleci/config.yml', 5, 'registry.example.test/ci/base:stable-3'],
      ['deploy/testdata/TestInitConfig.yml', 5, 'registry.example.test/ci/base:stable-4'],
    ]);
  });

  it('are not read from a forge repository either', async () => {
    const { forge, repo } = memoryForge(FILES);
    const read = await readRepositoryFiles(forge, repo, 'main', { ignorePaths: [], maxFileSize: 1024 * 1024 });
    expect(read.files.map((file) => file.path).sort()).toEqual(READ);
  });
});
