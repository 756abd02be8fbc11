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
const POD_JSON = (image: string) => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'web', image }] } }, null, 2);

/** A project whose tests render manifests and compare them with what they expect, beside manifests that are deployed. */
const FILES: Record<string, string> = {
  'deploy/pod.yaml': POD('registry.example.test/team/web:2.4.0'),
  'render/testdata/input.yaml': POD('registry.example.test/team/web:2.3.0'),
  'render/golden/basic/input.yaml': POD('registry.example.test/team/web:1.0.0'),
  'render/golden/basic/output.yaml': POD('registry.example.test/team/web:1.0.1'),
  'lib/tests/goldens/render.json': POD_JSON('registry.example.test/team/web:1.0.2'),
  'chart/test/__snapshot__/default.yaml': POD('registry.example.test/team/web:1.0.3'),
  'ui/__snapshots__/pods.yaml': POD('registry.example.test/team/web:1.0.4'),
  'render/testdata/pod.golden.yaml': POD('registry.example.test/team/web:1.0.5'),
  'render/testdata/pod.golden.yml': POD('registry.example.test/team/web:1.0.6'),
  'render/testdata/pod.golden.json': POD_JSON('registry.example.test/team/web:1.0.7'),
  'render/testdata/pod.golden': POD('registry.example.test/team/web:1.0.8'),
  'chart/tests/pod.snap': POD('registry.example.test/team/web:1.0.9'),
  'lib/tests/test_data/workflow_golden.yaml': POD('registry.example.test/team/web:1.2.0'),
  'lib/tests/test_data/workflow_golden_2.yml': POD('registry.example.test/team/web:1.2.1'),
  'lib/tests/test_data/steps-golden.json': POD_JSON('registry.example.test/team/web:1.2.2'),
  'deploy/golden-pod.yaml': POD('registry.example.test/team/web:3.0.0'),
  'deploy/pod_golden_gate.yaml': POD('registry.example.test/team/web:3.0.1'),
  'overlays/golden-path/pod.yaml': POD('registry.example.test/team/web:2.5.0'),
  'render/goldenrod.yaml': POD('registry.example.test/team/web:2.6.0'),
  'tests/expected/single/bundle.yaml': POD('registry.example.test/team/web:1.1.0'),
  'tests/expected/single/dev-output.yaml': POD('registry.example.test/team/web:1.1.1'),
  'render/testdata/case1/expected_output/pod.yaml': POD('registry.example.test/team/web:1.1.2'),
  'pkg/test/expected-output/pod.json': POD_JSON('registry.example.test/team/web:1.1.3'),
  'expected/pod.yaml': POD('registry.example.test/team/web:2.7.0'),
  'tests/expected-values/pod.yaml': POD('registry.example.test/team/web:2.8.0'),
  'tests/deploy/expected.yaml': POD('registry.example.test/team/web:2.9.0'),
};

function project(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'archpin-test-output-'));
  roots.push(root);
  for (const [relative, text] of Object.entries(FILES)) {
    mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
    writeFileSync(path.join(root, relative), text);
  }
  return root;
}

describe('the expected output of tests', () => {
  it('is not read by a walk: golden and snapshot folders, files named as golden files or snapshots, expected folders of tests', async () => {
    const tree = await readTree(project());
    expect(tree.files.map((file) => file.path)).toEqual([
      'deploy/golden-pod.yaml',
      'deploy/pod.yaml',
      'deploy/pod_golden_gate.yaml',
      'expected/pod.yaml',
      'overlays/golden-path/pod.yaml',
      'render/goldenrod.yaml',
      'render/testdata/input.yaml',
      'tests/deploy/expected.yaml',
      'tests/expected-values/pod.yaml',
    ]);
    expect(tree.problems).toEqual([]);
    expect(scanFiles(tree.files).references.map((reference) => [reference.file, reference.line, reference.value])).toEqual([
      ['deploy/golden-pod.yaml', 8, 'registry.example.test/team/web:3.0.0'],
      ['deploy/pod.yaml', 8, 'registry.example.test/team/web:2.4.0'],
      ['deploy/pod_golden_gate.yaml', 8, 'registry.example.test/team/web:3.0.1'],
      ['expected/pod.yaml', 8, 'registry.example.test/team/web:2.7.0'],
      ['overlays/golden-path/pod.yaml', 8, 'registry.example.test/team/web:2.5.0'],
      ['render/goldenrod.yaml', 8, 'registry.example.test/team/web:2.6.0'],
      ['render/testdata/input.yaml', 8, 'registry.example.test/team/web:2.3.0'],
      ['tests/deploy/expected.yaml', 8, 'registry.example.test/team/web:2.9.0'],
      ['tests/expected-values/pod.yaml', 8, 'registry.example.test/team/web:2.8.0'],
    ]);
  });

  it('is not read from a forge repository either', async () => {
    const { forge, repo } = memoryForge(FILES);
    const read = await readRepositoryFiles(forge, repo, 'main', { ignorePaths: [], maxFileSize: 1024 * 1024 });
    expect(read.files.map((file) => file.path).sort()).toEqual([
      'deploy/golden-pod.yaml',
      'deploy/pod.yaml',
      'deploy/pod_golden_gate.yaml',
      'expected/pod.yaml',
      'overlays/golden-path/pod.yaml',
      'render/goldenrod.yaml',
      'render/testdata/input.yaml',
      'tests/deploy/expected.yaml',
      'tests/expected-values/pod.yaml',
    ]);
  });
});
