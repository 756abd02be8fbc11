import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.column, reference.value, reference.kind, reference.skip]);
const lines = (...text: string[]) => `${text.join('\n')}\n`;
const digest = `sha256:${'cd'.repeat(32)}`;

describe('images a controller reads from a ConfigMap', () => {
  it('reads a complete reference under a data key that names an image, in kebab-case, snake_case or capitals', () => {
    const manifest = lines(
      'apiVersion: v1', // 1
      'kind: ConfigMap', // 2
      'metadata:', // 3
      '  name: config-runtime', // 4
      'data:', // 5
      `  sidecar-proxy-image: registry.example.test/mesh/proxy@${digest}`, // 6
      '  default_image: "registry.example.test/jobs/runner:4.2.0"', // 7
      '  KUBECTL_IMAGE: tools/kubectl:1.31.2', // 8
      '  image-pull-policy: IfNotPresent', // 9
      '  fallback-image: busybox', // 10
      '  registry-image: registry.example.test/mirror', // 11
      '  notes: |', // 12
      '    image: see registry.example.test/mesh/proxy:2.0 for details', // 13
      '  log-level: debug', // 14
    );
    expect(scan({ 'config/runtime.yaml': manifest })).toEqual([
      ['config/runtime.yaml', 6, 24, `registry.example.test/mesh/proxy@${digest}`, 'kubernetes-image', null],
      ['config/runtime.yaml', 7, 19, 'registry.example.test/jobs/runner:4.2.0', 'kubernetes-image', null],
      ['config/runtime.yaml', 8, 18, 'tools/kubectl:1.31.2', 'kubernetes-image', null],
    ]);
  });

  it('reads every complete reference of a ConfigMap named for its images, and no such value elsewhere', () => {
    const manifest = lines(
      'apiVersion: v1', // 1
      'kind: ConfigMap', // 2
      'metadata:', // 3
      '  name: connector-images', // 4
      'data:', // 5
      `  object-store-sink: registry.example.test/connectors/store-sink@${digest}`, // 6
      '  timer-source: registry.example.test/connectors/timer:1.9.0', // 7
      '  channel: stable', // 8
      '---', // 9
      'apiVersion: v1', // 10
      'kind: ConfigMap', // 11
      'metadata:', // 12
      '  name: connector-settings', // 13
      'data:', // 14
      '  timer-source: registry.example.test/connectors/timer:1.9.0', // 15
    );
    expect(scan({ 'config/connectors.yaml': manifest })).toEqual([
      ['config/connectors.yaml', 6, 22, `registry.example.test/connectors/store-sink@${digest}`, 'kubernetes-image', null],
      ['config/connectors.yaml', 7, 17, 'registry.example.test/connectors/timer:1.9.0', 'kubernetes-image', null],
    ]);
  });

  it('reads a ConfigMap whose name has the word image or images as one of its parts, and not one that only holds the letters', () => {
    const manifest = lines(
      'apiVersion: v1', // 1
      'kind: ConfigMap', // 2
      'metadata:', // 3
      '  name: storage-driver-image-set-config', // 4
      'data:', // 5
      '  provisioner: "registry.example.test/storage/provisioner:v5.1.0"', // 6
      '  plugin: registry.example.test/storage/driver:v3.4.2', // 7
      '  mode: fast', // 8
      '  sidecar: registry.example.test/storage/sidecar', // 9
      '---', // 10
      'apiVersion: v1', // 11
      'kind: ConfigMap', // 12
      'metadata:', // 13
      '  name: imagestore-config', // 14
      'data:', // 15
      '  plugin: registry.example.test/storage/driver:v3.4.2', // 16
      '---', // 17
      'apiVersion: v1', // 18
      'kind: ConfigMap', // 19
      'metadata:', // 20
      '  name: node.image_catalog', // 21
      'data:', // 22
      '  runner: registry.example.test/ci/runner:8.0.1', // 23
    );
    expect(scan({ 'deploy/driver.yaml': manifest })).toEqual([
      ['deploy/driver.yaml', 6, 17, 'registry.example.test/storage/provisioner:v5.1.0', 'kubernetes-image', null],
      ['deploy/driver.yaml', 7, 11, 'registry.example.test/storage/driver:v3.4.2', 'kubernetes-image', null],
      ['deploy/driver.yaml', 23, 11, 'registry.example.test/ci/runner:8.0.1', 'kubernetes-image', null],
    ]);
  });

  it("reads an operator's dotted settings: an imageRef, and a repository with its tag", () => {
    const manifest = lines(
      'apiVersion: v1', // 1
      'kind: ConfigMap', // 2
      'metadata:', // 3
      '  name: scan-operator', // 4
      'data:', // 5
      '  node.collector.imageRef: "registry.example.test/sec/collector:0.3.1"', // 6
      '  scanner.repository: "registry.example.test/sec/scanner"', // 7
      '  scanner.tag: "0.72.0"', // 8
      '  scanner.dbRepository: "registry.example.test/sec/scanner-db"', // 9
      '  policies.bundle.ref: "registry.example.test/sec/checks:1"', // 10
      '  archive.repository: "registry.example.test/sec/archive"', // 11
      '  mirror.repository: "scanner"', // 12
      '  mirror.tag: "1.0"', // 13
      '  helper.imageRef: "busybox"', // 14
    );
    const scanned = scanTexts({ 'deploy/operator.yaml': manifest }).references;
    expect(scanned.map((reference) => [reference.line, reference.value, reference.skip, reference.spans.map((span) => [span.role, span.line])])).toEqual([
      [6, 'registry.example.test/sec/collector:0.3.1', null, [['reference', 6]]],
      [
        7,
        'registry.example.test/sec/scanner:0.72.0',
        null,
        [
          ['repository', 7],
          ['tag', 8],
        ],
      ],
    ]);
  });
});
