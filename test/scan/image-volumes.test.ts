import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { scanFiles } from '../../src/scan/scan-files.js';

const scan = (path: string, lines: readonly string[]) =>
  scanFiles([sourceFile(path, Buffer.from(lines.join('\n'), 'utf8'))]).references.map((reference) => [
    reference.line,
    reference.column,
    reference.value,
    reference.kind,
    reference.skip,
    reference.spans.map((span) => span.text),
  ]);

const digest = `sha256:${'ab'.repeat(32)}`;

describe('Kubernetes image volumes', () => {
  it('reports the OCI image a Pod mounts as a volume (volumes[].image.reference), and no reference key elsewhere', () => {
    expect(
      scan('apps/greeter/deployment.yaml', [
        'apiVersion: apps/v1', // 1
        'kind: Deployment', // 2
        'metadata: {name: greeter}', // 3
        'spec:', // 4
        '  template:', // 5
        '    spec:', // 6
        '      containers:', // 7
        '        - name: web', // 8
        '          image: registry.example.test/web/greeter:3.2.0', // 9
        '          volumeMounts: [{name: models, mountPath: /models}]', // 10
        '      volumes:', // 11
        '        - name: models', // 12
        '          image:', // 13
        '            reference: registry.example.test/data/models:2024.10', // 14
        '            pullPolicy: IfNotPresent', // 15
        '        - name: cache', // 16
        '          emptyDir: {}', // 17
        '        - name: unset', // 18
        '          image: {pullPolicy: Always}', // 19
        '---', // 20
        'apiVersion: v1', // 21
        'kind: Pod', // 22
        'metadata: {name: probe}', // 23
        'spec:', // 24
        '  containers: [{name: probe, image: "busybox:1.37.0"}]', // 25
        '  volumes:', // 26
        `    - {name: tools, image: {reference: "registry.example.test/tools/bundle@${digest}"}}`, // 27
        '  notes:', // 28
        '    - image: {reference: "see the handbook:chapter-2"}', // 29
        '',
      ]),
    ).toEqual([
      [9, 18, 'registry.example.test/web/greeter:3.2.0', 'kubernetes-container', null, ['registry.example.test/web/greeter:3.2.0']],
      [14, 24, 'registry.example.test/data/models:2024.10', 'kubernetes-image', null, ['registry.example.test/data/models:2024.10']],
      [25, 38, 'busybox:1.37.0', 'kubernetes-container', null, ['busybox:1.37.0']],
      [27, 41, `registry.example.test/tools/bundle@${digest}`, 'kubernetes-image', null, [`registry.example.test/tools/bundle@${digest}`]],
    ]);
  });

  it('reads an image source written elsewhere: operator extensions, chart values that build the volumes, a HelmRelease', () => {
    expect(
      scan('db/cluster.yaml', [
        'apiVersion: postgresql.cnpg.io/v1', // 1
        'kind: Cluster', // 2
        'metadata: {name: ledger}', // 3
        'spec:', // 4
        '  imageName: registry.example.test/pg/server:17.4-bookworm', // 5
        '  postgresql:', // 6
        '    extensions:', // 7
        '      - name: vectors', // 8
        '        image:', // 9
        '          reference: registry.example.test/pg/vectors:0.9.2-17', // 10
        '      - name: geo', // 11
        `        image: {reference: "registry.example.test/pg/geo@${digest}"}`, // 12
        '',
      ]),
    ).toEqual([
      [5, 14, 'registry.example.test/pg/server:17.4-bookworm', 'kubernetes-image', null, ['registry.example.test/pg/server:17.4-bookworm']],
      [10, 22, 'registry.example.test/pg/vectors:0.9.2-17', 'kubernetes-image', null, ['registry.example.test/pg/vectors:0.9.2-17']],
      [12, 29, `registry.example.test/pg/geo@${digest}`, 'kubernetes-image', null, [`registry.example.test/pg/geo@${digest}`]],
    ]);
    expect(
      scan('charts/worker/values.yaml', [
        'image:', // 1
        '  repository: registry.example.test/jobs/worker', // 2
        '  tag: 5.1.0', // 3
        'extraVolumes:', // 4
        '  - name: plugins', // 5
        '    image:', // 6
        '      reference: registry.example.test/jobs/plugins:1.4.0', // 7
        '      pullPolicy: IfNotPresent', // 8
        '',
      ]),
    ).toEqual([
      [2, 15, 'registry.example.test/jobs/worker:5.1.0', 'helm-values', null, ['registry.example.test/jobs/worker', '5.1.0']],
      [7, 18, 'registry.example.test/jobs/plugins:1.4.0', 'helm-values', null, ['registry.example.test/jobs/plugins:1.4.0']],
    ]);
    expect(
      scan('apps/runner/helmrelease.yaml', [
        'apiVersion: helm.toolkit.fluxcd.io/v2', // 1
        'kind: HelmRelease', // 2
        'metadata: {name: runner}', // 3
        'spec:', // 4
        '  values:', // 5
        '    extraVolumes:', // 6
        '      - name: toolbox', // 7
        '        image:', // 8
        '          reference: registry.example.test/ci/toolbox:2026.1.3', // 9
        '',
      ]),
    ).toEqual([[9, 22, 'registry.example.test/ci/toolbox:2026.1.3', 'helm-values', null, ['registry.example.test/ci/toolbox:2026.1.3']]]);
  });
});
