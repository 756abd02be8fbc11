import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { applyEdits } from '../../src/core/text-edit.js';
import { editsForReference } from '../../src/plan/edits-for-reference.js';
import { scanFiles } from '../../src/scan/scan-files.js';

const D1 = `sha256:${'e'.repeat(64)}`;

/** A ConfigMap an operator applies from: a Tekton Task and a Deployment carried in its data. */
const configMap = [
  'apiVersion: v1',
  'kind: ConfigMap',
  'metadata:',
  '  name: portal-addons',
  'data:',
  '  addons.yaml: |-',
  '    ---',
  '    apiVersion: tekton.dev/v1',
  '    kind: Task',
  '    metadata:',
  '      name: fetch-sources',
  '      namespace: {{portal-namespace}}',
  '    spec:',
  '      params:',
  '        - name: RUNNER_IMAGE',
  '          type: string',
  '          default: registry.example.test/tools/fetcher:3.1.0',
  '      steps:',
  '        - name: fetch',
  '          image: $(params.RUNNER_IMAGE)',
  '          script: |',
  '            fetch --all',
  '        - name: report',
  '          image: registry.example.test/base/shell',
  '          script: ls',
  '    ---',
  '    apiVersion: apps/v1',
  '    kind: Deployment',
  '    metadata:',
  '      name: portal',
  '    spec:',
  '      template:',
  '        spec:',
  '          containers:',
  '            - name: portal',
  '              image: registry.example.test/portal/site:5.2',
  '              env:',
  '                - name: PLUGIN_INDEX_IMAGE',
  '                  value: "registry.example.test/portal/plugin-index:5.2"',
  '                - name: LOG_LEVEL',
  '                  value: info',
  '',
].join('\n');

/** A post-renderer patch that carries a whole CloudNativePG Cluster: its image is in `imageName`, no line is an `image:` key. */
const release = [
  'apiVersion: helm.toolkit.fluxcd.io/v2',
  'kind: HelmRelease',
  'metadata:',
  '  name: ledger-db',
  'spec:',
  '  postRenderers:',
  '    - kustomize:',
  '        patches:',
  '          - target:',
  '              kind: Cluster',
  '            patch: |-',
  '              apiVersion: postgresql.cnpg.io/v1',
  '              kind: Cluster',
  '              metadata:',
  '                name: ledger-db',
  '              spec:',
  '                instances: 2',
  '                imageName: registry.example.test/db/ledger-postgres:17.2',
  '',
].join('\n');

/** The same patch given in a chart's values, which a template writes into the HelmRelease. */
const values = [
  'ledger:',
  '  enabled: true',
  '  postRenderers:',
  '    - kustomize:',
  '        patches:',
  '          - target:',
  '              kind: Cluster',
  '            patch: |-',
  '              apiVersion: postgresql.cnpg.io/v1',
  '              kind: Cluster',
  '              metadata:',
  '                name: ledger-db',
  '              spec:',
  '                imageName: registry.example.test/db/ledger-postgres:17.2',
  '                env:',
  '                  - name: BACKUP_IMAGE',
  '                    value: registry.example.test/db/ledger-backup:1.0.4',
  '',
].join('\n');

/** A post-renderer's JSON patch that replaces a rendered ConfigMap with a whole Cluster (`path: ""`). */
const swapped = [
  'apiVersion: helm.toolkit.fluxcd.io/v2',
  'kind: HelmRelease',
  'metadata:',
  '  name: ledger-db',
  'spec:',
  '  postRenderers:',
  '    - kustomize:',
  '        patches:',
  '          - target:',
  '              kind: ConfigMap',
  '              name: ledger-db',
  '            patch: |-',
  '              - op: replace',
  '                path: ""',
  '                value:',
  '                  apiVersion: postgresql.cnpg.io/v1',
  '                  kind: Cluster',
  '                  metadata:',
  '                    name: ledger-db',
  '                  spec:',
  '                    imageName: registry.example.test/db/ledger-postgres:17.2',
  '',
].join('\n');

function scan(path: string, text: string) {
  return scanFiles([sourceFile(path, new Uint8Array(Buffer.from(text)))]).references;
}

describe('Kubernetes objects carried in a literal block', () => {
  it('are read as in a file of their own: a Task parameter default a step runs, a step image without a tag, an env entry named for an image', () => {
    expect(scan('deploy/portal-addons.yaml', configMap).map((reference) => [reference.line, reference.column, reference.value, reference.kind, reference.skip])).toEqual([
      [17, 20, 'registry.example.test/tools/fetcher:3.1.0', 'kubernetes-image', null],
      [24, 18, 'registry.example.test/base/shell', 'kubernetes-image', 'no-tag'],
      [36, 22, 'registry.example.test/portal/site:5.2', 'kubernetes-container', null],
      [39, 27, 'registry.example.test/portal/plugin-index:5.2', 'kubernetes-image', null],
    ]);
  });

  it('are updated where they are written in the block', () => {
    const file = sourceFile('deploy/portal-addons.yaml', new Uint8Array(Buffer.from(configMap)));
    const references = scanFiles([file]).references;
    const index = references.find((reference) => reference.value.endsWith('plugin-index:5.2'));
    const plan = editsForReference(index!, { tag: '5.3', digest: D1 });
    expect(plan.ok && Buffer.from(applyEdits(file.bytes, plan.edits)).toString()).toBe(configMap.replace('plugin-index:5.2', `plugin-index:5.3@${D1}`));
  });

  it('are read when no line of the block is an image key (a Cluster names its image in imageName)', () => {
    expect(scan('clusters/ledger/release.yaml', release).map((reference) => [reference.line, reference.column, reference.value, reference.kind, reference.skip])).toEqual([
      [18, 28, 'registry.example.test/db/ledger-postgres:17.2', 'kubernetes-image', null],
    ]);
  });

  it("are read as objects in a chart's values too, listed as the values file's kind", () => {
    expect(scan('chart/values.yaml', values).map((reference) => [reference.line, reference.column, reference.value, reference.kind, reference.skip])).toEqual([
      [14, 28, 'registry.example.test/db/ledger-postgres:17.2', 'helm-values', null],
      [17, 28, 'registry.example.test/db/ledger-backup:1.0.4', 'helm-values', null],
    ]);
  });

  it('are read in a JSON patch whose operation at the root path writes a whole object', () => {
    expect(scan('clusters/ledger/release.yaml', swapped).map((reference) => [reference.line, reference.column, reference.value, reference.kind, reference.skip])).toEqual([
      [21, 32, 'registry.example.test/db/ledger-postgres:17.2', 'kubernetes-image', null],
    ]);
  });

  it("leave a chart template's block to its image lines", () => {
    const template = configMap.replace('default: registry.example.test/tools/fetcher:3.1.0', 'default: {{ .Values.fetcher.image }}');
    expect(scan('charts/portal/templates/addons.yaml', template).map((reference) => [reference.line, reference.value, reference.skip])).toEqual([
      [24, 'registry.example.test/base/shell', 'no-tag'],
      [36, 'registry.example.test/portal/site:5.2', null],
    ]);
  });
});

describe('Kubernetes objects carried in a literal block that YAML cannot read whole', () => {
  /** An Ansible task that pipes two objects to kubectl; the first one's quoted string runs back to the block's margin. */
  const tasks = [
    '- name: Create the network and the probe', // 1
    '  ansible.builtin.command:', // 2
    '    cmd: kubectl create -f -', // 3
    '    stdin: |', // 4
    '      apiVersion: k8s.cni.cncf.io/v1', // 5
    '      kind: NetworkAttachmentDefinition', // 6
    '      metadata:', // 7
    '        name: lan-conf', // 8
    '      spec:', // 9
    "        config: '{", // 10
    '          "type": "macvlan",', // 11
    '          "image": "registry.example.test/net/not-read:1.0"', // 12
    "      }'", // 13
    '      ---', // 14
    '      apiVersion: v1', // 15
    '      kind: Pod', // 16
    '      metadata:', // 17
    '        name: lan-probe', // 18
    '      spec:', // 19
    '        containers:', // 20
    '        - name: probe', // 21
    '          image: registry.example.test/net/probe', // 22
    '        - name: sidecar', // 23
    '          image: registry.example.test/net/sidecar:2.0.1', // 24
    '  changed_when: true', // 25
    '',
  ].join('\n');

  it('read each document that parses alone by its image lines, as a file of such objects is read; the broken one gives nothing', () => {
    expect(scan('tests/network.yml', tasks).map((reference) => [reference.line, reference.column, reference.value, reference.kind, reference.skip])).toEqual([
      [22, 18, 'registry.example.test/net/probe', 'yaml-image', 'no-tag'],
      [24, 18, 'registry.example.test/net/sidecar:2.0.1', 'yaml-image', null],
    ]);
  });

  it('are updated where they are written in the block', () => {
    const file = sourceFile('tests/network.yml', new Uint8Array(Buffer.from(tasks)));
    const sidecar = scanFiles([file]).references.find((reference) => reference.value.endsWith('sidecar:2.0.1'));
    const plan = editsForReference(sidecar!, { tag: '2.0.2', digest: D1 });
    expect(plan.ok && Buffer.from(applyEdits(file.bytes, plan.edits)).toString()).toBe(tasks.replace('sidecar:2.0.1', `sidecar:2.0.2@${D1}`));
  });
});
