import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const rows = (files: Record<string, string>) =>
  scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.column, reference.value, reference.kind, reference.skip, reference.spans.map((span) => span.text)]);

describe('maps of images keyed by component', () => {
  it("reads each tagged value of a chart's images.tags map, and leaves its settings alone", () => {
    const values = [
      'images:',
      '  tags:',
      '    bootstrap: registry.example.test/cloud/client:2025.2-noble',
      '    db_sync: registry.example.test/cloud/ledger:2025.2-noble',
      '    dep_check: registry.example.test/cloud/entrypoint:latest-noble',
      "    registry: 'docker.io/library/registry:2'",
      '    queue_init: docker.io/rabbitmq:4.1.2-management',
      '    proxy: registry.example.test/cloud/proxy',
      '  pull_policy: IfNotPresent',
      '  local_registry:',
      '    active: false',
      '    exclude:',
      '      - dep_check',
      'pod:',
      '  replicas: 1',
      '',
    ].join('\n');
    expect(rows({ 'ledger/values.yaml': values })).toEqual([
      ['ledger/values.yaml', 3, 16, 'registry.example.test/cloud/client:2025.2-noble', 'helm-values', null, ['registry.example.test/cloud/client:2025.2-noble']],
      ['ledger/values.yaml', 4, 14, 'registry.example.test/cloud/ledger:2025.2-noble', 'helm-values', null, ['registry.example.test/cloud/ledger:2025.2-noble']],
      ['ledger/values.yaml', 5, 16, 'registry.example.test/cloud/entrypoint:latest-noble', 'helm-values', null, ['registry.example.test/cloud/entrypoint:latest-noble']],
      ['ledger/values.yaml', 6, 16, 'docker.io/library/registry:2', 'helm-values', null, ['docker.io/library/registry:2']],
      ['ledger/values.yaml', 7, 17, 'docker.io/rabbitmq:4.1.2-management', 'helm-values', null, ['docker.io/rabbitmq:4.1.2-management']],
    ]);
  });

  it('reads the same map in an override file and under container_images / extraImages keys of any YAML', () => {
    const override = ['images:', '  tags:', '    db_sync: registry.example.test/cloud/ledger:2025.1-jammy', ''].join('\n');
    const vars = [
      'agent:',
      '  container_images:',
      '    builder: registry.example.test/ci/builder:3.4.1@sha256:' + 'a'.repeat(64),
      '    packaging: registry.example.test/ci/packaging:latest',
      '  extraImages:',
      '    sidecar: busybox:1.36.1',
      '',
    ].join('\n');
    expect(rows({ 'overrides/ledger/2025.1-jammy.yaml': override, 'group_vars/agents.yml': vars })).toEqual([
      ['group_vars/agents.yml', 3, 14, `registry.example.test/ci/builder:3.4.1@sha256:${'a'.repeat(64)}`, 'yaml-image', null, [`registry.example.test/ci/builder:3.4.1@sha256:${'a'.repeat(64)}`]],
      ['group_vars/agents.yml', 4, 16, 'registry.example.test/ci/packaging:latest', 'yaml-image', null, ['registry.example.test/ci/packaging:latest']],
      ['group_vars/agents.yml', 6, 14, 'busybox:1.36.1', 'yaml-image', null, ['busybox:1.36.1']],
      ['overrides/ledger/2025.1-jammy.yaml', 3, 14, 'registry.example.test/cloud/ledger:2025.1-jammy', 'yaml-image', null, ['registry.example.test/cloud/ledger:2025.1-jammy']],
    ]);
  });

  it('leaves out machine images, checksums, hosts with ports, templates, and tagged text outside an images map', () => {
    const vars = [
      'images:',
      '  jammy:',
      '    filename: jammy-server-cloudimg-amd64.img',
      '    url: https://cloud-images.example.test/jammy/current/disk.img',
      '    checksum: sha256:' + 'b'.repeat(64),
      '    tag: latest',
      'mirror_images:',
      '  registry: mirror.example.test:5000',
      '  app: "registry.example.test/team/app:{{ app_version }}"',
      '  checksum: sha256:' + 'c'.repeat(64),
      'links:',
      '  web: registry.example.test/team/web:2.0',
      'imagesDir: scratch:1',
      '',
    ].join('\n');
    expect(rows({ 'vars/main.yml': vars })).toEqual([]);
  });
});
