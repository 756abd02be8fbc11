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
 * A chart that keeps the template modules it shares with other charts in `templates/vendor/`, where its image is joined to
 * the registry; beside it a Go vendor folder and a `templates/vendor/` folder that belongs to no chart.
 */
const FILES: Record<string, string> = {
  'deploy/relay/Chart.yaml': 'apiVersion: v2\nname: relay\nversion: 1.0.0\n',
  'deploy/relay/values.yaml': 'docker:\n  registry: registry.example.test\napp:\n  image: team/relay\n  version: 2.4.1\n',
  'deploy/relay/templates/deployment.yaml': POD('{{ template "app.image" . }}'),
  'deploy/relay/templates/vendor/app/image_1.0.0.tpl': '{{- define "app.image" -}}\n"{{ .Values.docker.registry }}/{{ .Values.app.image }}:{{ .Values.app.version }}"\n{{- end -}}\n',
  'vendor/example.test/lib/pod.yaml': POD('registry.example.test/lib/tool:1.0.0'),
  'tools/templates/vendor/pod.yaml': POD('registry.example.test/tools/other:1.0.0'),
};

function project(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'archpin-chart-vendor-'));
  roots.push(root);
  for (const [relative, text] of Object.entries(FILES)) {
    mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
    writeFileSync(path.join(root, relative), text);
  }
  return root;
}

const READ = ['deploy/relay/Chart.yaml', 'deploy/relay/templates/deployment.yaml', 'deploy/relay/templates/vendor/app/image_1.0.0.tpl', 'deploy/relay/values.yaml'];

describe("a Helm chart's templates/vendor/ folder", () => {
  it("is read as the chart's templates, so the image its modules join is whole; other vendor folders are left out", async () => {
    // Before, the walk left out every vendor folder: the values image was `team/relay`, no-tag.
    const tree = await readTree(project());
    expect(tree.files.map((file) => file.path)).toEqual(READ);
    expect(scanFiles(tree.files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip])).toEqual([
      ['deploy/relay/values.yaml', 4, 'registry.example.test/team/relay:2.4.1', null],
    ]);
  });

  it('is read from a forge repository too', async () => {
    const { forge, repo } = memoryForge(FILES);
    const read = await readRepositoryFiles(forge, repo, 'main', { ignorePaths: [], maxFileSize: 1024 * 1024 });
    expect(read.files.map((file) => file.path).sort()).toEqual(READ);
  });
});
