/** How often a scan reads each file of a tree: once to prepare the scan, once when the file's turn comes. */
import { describe, expect, it } from 'vitest';
import { lazySourceFile } from '../../src/core/source-file.js';
import { prepareScan, scanFiles } from '../../src/scan/scan-files.js';
import { DEPLOYMENT_HEAD } from '../support/scan-texts.js';

const lines = (...text: string[]) => `${text.join('\n')}\n`;

/** Files read on demand, as a scan of a tree reads them, counting each read. */
function countedFiles(texts: Record<string, string>): { files: ReturnType<typeof lazySourceFile>[]; reads: Map<string, number> } {
  const reads = new Map<string, number>();
  const files = Object.entries(texts).map(([path, text]) =>
    lazySourceFile(path, () => {
      reads.set(path, (reads.get(path) ?? 0) + 1);
      return Buffer.from(text, 'utf8');
    }),
  );
  return { files, reads };
}

describe('reads of a scan', () => {
  it("finds the registry prefixes a chart's templates write while preparing, so the values file does not read the templates again", () => {
    const { files, reads } = countedFiles({
      'depot/Chart.yaml': lines('apiVersion: v2', 'name: depot', 'version: 0.4.0', 'appVersion: 2.4.0'),
      'depot/templates/_helpers.tpl': lines('{{- define "depot.name" -}}depot{{- end }}'),
      'depot/templates/api.yaml': lines(...DEPLOYMENT_HEAD, '        - name: api', '          image: {{ .Values.images.repository }}/{{ .Values.api.name }}:{{ .Values.images.tag }}'),
      'depot/values.yaml': lines(
        'images:',
        '  repository: registry.example.test/depot',
        '  tag: "2.4.0"',
        'api:',
        '  name: api-server',
        'cache:',
        '  image:',
        '    repository: registry.example.test/team/cache',
        '    tag: "7.2.1"',
      ),
    });
    const context = prepareScan(files);
    const prepared = new Map(reads);
    const found = scanFiles(files, undefined, context).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip]);
    // `images.repository` is a registry the template joins with a name, not an image; the cache image is one.
    expect(found).toEqual([
      ['depot/templates/api.yaml', 8, 'registry.example.test/depot/api-server:2.4.0', 'templated'],
      ['depot/values.yaml', 8, 'registry.example.test/team/cache:7.2.1', null],
    ]);
    // Read during the scan itself: each file at its turn; Chart.yaml again for the template line rendered with its
    // appVersion, the templates again for how their image lines join values. Not the templates again for the prefixes.
    expect(Object.fromEntries([...reads].map(([path, count]) => [path, count - (prepared.get(path) ?? 0)]))).toEqual({
      'depot/Chart.yaml': 2,
      'depot/templates/_helpers.tpl': 2,
      'depot/templates/api.yaml': 2,
      'depot/values.yaml': 1,
    });
  });

  it("does not read a chart's templates again for how Ansible uses its variables", () => {
    const { files, reads } = countedFiles({
      'ledger/Chart.yaml': lines('apiVersion: v2', 'name: ledger', 'version: 1.3.0'),
      'ledger/templates/job.yaml': lines(...DEPLOYMENT_HEAD, '        - name: init', '          image: {{ .Values.images.tags.ledger_init }}'),
      'ledger/values.yaml': lines('images:', '  tags:', '    ledger_init: registry.example.test/team/ledger-init:3.1.0'),
      'site/roles/ledger/tasks/main.yml': lines('- name: Pull the init image', '  community.docker.docker_image:', '    name: "{{ mirror_prefix }}/ledger-init"', '    source: pull'),
      'site/roles/ledger/defaults/main.yml': lines('mirror_prefix: registry.example.test/mirror'),
    });
    const context = prepareScan(files);
    const prepared = new Map(reads);
    const found = scanFiles(files, undefined, context).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip]);
    // `mirror_prefix` is written before `/` and more of a name in the role's tasks: a registry prefix, not an image.
    expect(found).toEqual([
      ['ledger/values.yaml', 3, 'registry.example.test/team/ledger-init:3.1.0', null],
      ['site/roles/ledger/tasks/main.yml', 3, '{{ mirror_prefix }}/ledger-init', 'templated'],
    ]);
    // The values file's variable-like key asks how the tree's files use Ansible variables: each file outside the chart's
    // templates is read again for it (Chart.yaml a third time for the values file's chart), the chart's template is not:
    // Helm renders it, not Ansible.
    expect(Object.fromEntries([...reads].map(([path, count]) => [path, count - (prepared.get(path) ?? 0)]))).toEqual({
      'ledger/Chart.yaml': 3,
      'ledger/templates/job.yaml': 1,
      'ledger/values.yaml': 2,
      'site/roles/ledger/defaults/main.yml': 2,
      'site/roles/ledger/tasks/main.yml': 2,
    });
  });
});
