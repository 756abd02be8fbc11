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

const NOTES = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\n';

/**
 * A tool whose unit tests feed manifests to the program and compare its result with a golden or expected file of the same
 * stem, beside inputs that have no such output and manifests that are deployed.
 */
const FILES: Record<string, string> = {
  'deploy/pod.yaml': POD('registry.example.test/team/web:2.4.0'),
  'cmd/testdata/sidecar_pod.input.yml': POD('registry.example.test/team/web:1.0.0'),
  'cmd/testdata/sidecar_pod.golden.yml': POD('registry.example.test/team/web:1.0.1'),
  'cmd/testdata/sidecar_job.input.yaml': POD('registry.example.test/team/web:1.0.2'),
  'cmd/testdata/sidecar_job.golden': POD('registry.example.test/team/web:1.0.3'),
  'migrate/cases/basic-input.yaml': POD('registry.example.test/team/web:1.0.4'),
  'migrate/cases/basic-expected.yaml': NOTES,
  'convert/pods_input.json': POD_JSON('registry.example.test/team/web:1.0.6'),
  'convert/pods_expected.json': '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "notes"}}\n',
  'cmd/testdata/sidecar_cron.input.yml': POD('registry.example.test/team/web:2.5.0'),
  'cmd/testdata/sidecar_cron_disabled.golden.yml': POD('registry.example.test/team/web:1.0.8'),
  'pipelines/kafka-input.yaml': POD('registry.example.test/team/web:2.6.0'),
  'pipelines/kafka-output.yaml': POD('registry.example.test/team/web:2.7.0'),
  'render/input.yaml': POD('registry.example.test/team/web:2.8.0'),
  'render/expected.yaml': POD('registry.example.test/team/web:2.9.0'),
  'other/sidecar_pod.input.yml': POD('registry.example.test/team/web:3.0.0'),
};

function project(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'archpin-golden-inputs-'));
  roots.push(root);
  for (const [relative, text] of Object.entries(FILES)) {
    mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
    writeFileSync(path.join(root, relative), text);
  }
  return root;
}

const READ = [
  'cmd/testdata/sidecar_cron.input.yml',
  'convert/pods_expected.json',
  'deploy/pod.yaml',
  'migrate/cases/basic-expected.yaml',
  'other/sidecar_pod.input.yml',
  'pipelines/kafka-input.yaml',
  'pipelines/kafka-output.yaml',
  'render/expected.yaml',
  'render/input.yaml',
];

describe('the inputs of golden tests', () => {
  it('are not read by a walk when the golden or expected file of the same stem is beside them', async () => {
    const tree = await readTree(project());
    expect(tree.files.map((file) => file.path)).toEqual(READ);
    expect(tree.problems).toEqual([]);
    expect(scanFiles(tree.files).references.map((reference) => [reference.file, reference.line, reference.value])).toEqual([
      ['cmd/testdata/sidecar_cron.input.yml', 8, 'registry.example.test/team/web:2.5.0'],
      ['deploy/pod.yaml', 8, 'registry.example.test/team/web:2.4.0'],
      ['other/sidecar_pod.input.yml', 8, 'registry.example.test/team/web:3.0.0'],
      ['pipelines/kafka-input.yaml', 8, 'registry.example.test/team/web:2.6.0'],
      ['pipelines/kafka-output.yaml', 8, 'registry.example.test/team/web:2.7.0'],
      ['render/expected.yaml', 8, 'registry.example.test/team/web:2.9.0'],
      ['render/input.yaml', 8, 'registry.example.test/team/web:2.8.0'],
    ]);
  });

  it('are not read from a forge repository either', async () => {
    const { forge, repo } = memoryForge(FILES);
    const read = await readRepositoryFiles(forge, repo, 'main', { ignorePaths: [], maxFileSize: 1024 * 1024 });
    expect(read.files.map((file) => file.path).sort()).toEqual(READ);
  });
});
