/** An image map that writes its namespace in `repository` and the rest of its path in `name`: `[registry/]repository/name:tag`. */
import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const rows = (files: Record<string, string>) =>
  scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip, reference.spans.map((span) => [span.role, span.text])]);

const values = [
  'operator:', // 1
  '  imageSettings:', // 2
  '    images:', // 3
  '      indexer:', // 4
  '        repository: "analytics"', // 5
  '        name: "search-indexer"', // 6
  '        tag: "2.4.1"', // 7
  '      backup:', // 8
  '        registry: registry.example.test', // 9
  '        repository: ops', // 10
  '        name: backup-agent', // 11
  '        tag: 0.9.0', // 12
  'sidecars:', // 13
  '  - name: proxy', // 14
  '    repository: edge-proxy', // 15
  '    tag: 1.2.0', // 16
  'gateway:', // 17
  '  image:', // 18
  '    repository: registry.example.test/team/gateway', // 19
  '    name: gateway', // 20
  '    tag: 3.1.0', // 21
  '',
].join('\n');

const resource = [
  'apiVersion: example.test/v1', // 1
  'kind: ShopCluster', // 2
  'metadata:', // 3
  '  name: demo', // 4
  'spec:', // 5
  '  init:', // 6
  '    helperImage:', // 7
  '      repository: library', // 8
  '      name: toolbox', // 9
  '  worker:', // 10
  '    containerImage:', // 11
  '      repository: analytics', // 12
  '      name: worker_3-1', // 13
  '      tag: v1.0.3', // 14
  '',
].join('\n');

describe('an image map of repository, name and tag', () => {
  it('joins a one-component repository and name under a key, in values and in a custom resource; a list entry and a whole repository keep their own reading', () => {
    expect(rows({ 'charts/shop/values.yaml': values, 'deploy/cluster.yaml': resource })).toEqual([
      [
        'charts/shop/values.yaml',
        5,
        'analytics/search-indexer:2.4.1',
        'helm-values',
        null,
        [
          ['registry', 'analytics'],
          ['repository', 'search-indexer'],
          ['tag', '2.4.1'],
        ],
      ],
      [
        'charts/shop/values.yaml',
        10,
        'registry.example.test/ops/backup-agent:0.9.0',
        'helm-values',
        null,
        [
          ['registry', 'registry.example.test'],
          ['registry', 'ops'],
          ['repository', 'backup-agent'],
          ['tag', '0.9.0'],
        ],
      ],
      [
        'charts/shop/values.yaml',
        15,
        'edge-proxy:1.2.0',
        'helm-values',
        null,
        [
          ['repository', 'edge-proxy'],
          ['tag', '1.2.0'],
        ],
      ],
      [
        'charts/shop/values.yaml',
        19,
        'registry.example.test/team/gateway:3.1.0',
        'helm-values',
        null,
        [
          ['repository', 'registry.example.test/team/gateway'],
          ['tag', '3.1.0'],
        ],
      ],
      [
        'deploy/cluster.yaml',
        8,
        'library/toolbox',
        'kubernetes-image',
        'no-tag',
        [
          ['registry', 'library'],
          ['repository', 'toolbox'],
        ],
      ],
      [
        'deploy/cluster.yaml',
        12,
        'analytics/worker_3-1:v1.0.3',
        'kubernetes-image',
        null,
        [
          ['registry', 'analytics'],
          ['repository', 'worker_3-1'],
          ['tag', 'v1.0.3'],
        ],
      ],
    ]);
  });

  it('reads a registry host and a one-component repository with no name or tag in a custom resource as a prefix, not an image', () => {
    const cluster = [
      'apiVersion: storage.example.test/v1', // 1
      'kind: BackupCluster', // 2
      'metadata:', // 3
      '  name: nightly', // 4
      'spec:', // 5
      '  agent:', // 6
      '    containerImage:', // 7
      '      registry: registry.example.test', // 8
      '      repository: vaultkeeper', // 9
      '  mirror:', // 10
      '    containerImage:', // 11
      '      registry: registry.example.test', // 12
      '      repository: vaultkeeper/mirror', // 13
      '  pruner:', // 14
      '    containerImage:', // 15
      '      repository: vaultkeeper', // 16
      '',
    ].join('\n');
    const chartValues = ['agent:', '  image:', '    registry: registry.example.test', '    repository: vaultkeeper', ''].join('\n');
    expect(rows({ 'deploy/cluster.yaml': cluster, 'charts/vault/values.yaml': chartValues }).map((row) => row.slice(0, 5))).toEqual([
      ['charts/vault/values.yaml', 4, 'registry.example.test/vaultkeeper', 'helm-values', 'no-tag'],
      ['deploy/cluster.yaml', 13, 'registry.example.test/vaultkeeper/mirror', 'kubernetes-image', 'no-tag'],
      ['deploy/cluster.yaml', 16, 'vaultkeeper', 'kubernetes-image', 'no-tag'],
    ]);
  });
});
