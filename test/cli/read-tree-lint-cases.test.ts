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

const POD = (image: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: ${image}\n`;

/**
 * A linter aggregator whose tests run each linter on a case it must pass and one it must fail, beside its own Dockerfile,
 * a test folder with only one of the words, and the same words outside a test folder.
 */
const FILES: Record<string, string> = {
  Dockerfile: 'FROM registry.example.test/base/runner:5.1.0\n',
  'test/linters/hadolint/good/Dockerfile': 'FROM node:22.1.0\n',
  'test/linters/hadolint/bad/Dockerfile': 'FROM node:latest\n',
  'test/linters/copypaste/good/Dockerfile.dev': 'FROM node:22.2.0\n',
  'test/linters/copypaste/bad/copied_bad_1.js': 'console.log(1);\n',
  'test/linters/kubeconform/kubeconform_good_1.yaml': POD('registry.example.test/team/web:1.0.0'),
  'test/linters/kubeconform/kubeconform_bad_1.yaml': POD('registry.example.test/team/web:1.0.1'),
  'test/linters/policy/good/chart/values.yaml': 'image: registry.example.test/team/api:1.0.2\n',
  'test/linters/policy/bad/chart/values.yaml': 'image: registry.example.test/team/api:1.0.3\n',
  'test/e2e/good/pod.yaml': POD('registry.example.test/team/web:2.0.0'),
  'test/e2e/manifest_good_1.yaml': POD('registry.example.test/team/web:2.0.1'),
  'examples/good/pod.yaml': POD('registry.example.test/team/web:2.0.2'),
  'examples/bad/pod.yaml': POD('registry.example.test/team/web:2.0.3'),
};

function project(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'archpin-lint-cases-'));
  roots.push(root);
  for (const [relative, text] of Object.entries(FILES)) {
    mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
    writeFileSync(path.join(root, relative), text);
  }
  return root;
}

const READ = ['Dockerfile', 'examples/bad/pod.yaml', 'examples/good/pod.yaml', 'test/e2e/good/pod.yaml', 'test/e2e/manifest_good_1.yaml'];

describe("a linter's test cases", () => {
  it('are not read by a walk: a good and a bad folder or file beside each other below a test folder', async () => {
    const tree = await readTree(project());
    expect(tree.files.map((file) => file.path)).toEqual(READ);
    expect(tree.problems).toEqual([]);
    expect(scanFiles(tree.files).references.map((reference) => [reference.file, reference.line, reference.value])).toEqual([
      ['Dockerfile', 1, 'registry.example.test/base/runner:5.1.0'],
      ['examples/bad/pod.yaml', 8, 'registry.example.test/team/web:2.0.3'],
      ['examples/good/pod.yaml', 8, 'registry.example.test/team/web:2.0.2'],
      ['test/e2e/good/pod.yaml', 8, 'registry.example.test/team/web:2.0.0'],
      ['test/e2e/manifest_good_1.yaml', 8, 'registry.example.test/team/web:2.0.1'],
    ]);
  });

  it('are not read from a forge repository either', async () => {
    const { forge, repo } = memoryForge(FILES);
    const read = await readRepositoryFiles(forge, repo, 'main', { ignorePaths: [], maxFileSize: 1024 * 1024 });
    expect(read.files.map((file) => file.path).sort()).toEqual(READ);
  });
});
