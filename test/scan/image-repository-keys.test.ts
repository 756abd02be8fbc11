import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) =>
  scanTexts(files).references.map((reference) => [
    reference.file,
    reference.line,
    reference.column,
    reference.value,
    reference.kind,
    reference.skip,
    reference.spans.map((span) => [span.role, span.line]),
  ]);

describe('Helm values that name an image by an imageRepository key', () => {
  it('reads imageRepository and <x>ImageRepository, with their tag beside them when there is one', () => {
    const values = [
      'connect:',
      '  api:',
      '    imageRepository: ghcr.io/example/connect-api',
      '    serviceMonitor: {enabled: true}',
      '  sync:',
      '    imageRepository: registry.example.test/example/connect-sync',
      '    imageTag: "1.7.3"',
      '  worker:',
      '    sidecarImageRepository: example/sidecar',
      '    sidecarImageTag: v2',
      'global:',
      '  imageRepository: registry.example.test',
      '  mirrorImageRepository: localhost:5000',
      '  imageRepositoryPolicy: IfNotPresent',
      '',
    ].join('\n');
    expect(scan({ 'charts/connect/values.yaml': values })).toEqual([
      ['charts/connect/values.yaml', 3, 22, 'ghcr.io/example/connect-api', 'helm-values', 'no-tag', [['reference', 3]]],
      [
        'charts/connect/values.yaml',
        6,
        22,
        'registry.example.test/example/connect-sync:1.7.3',
        'helm-values',
        null,
        [
          ['repository', 6],
          ['tag', 7],
        ],
      ],
      [
        'charts/connect/values.yaml',
        9,
        29,
        'example/sidecar:v2',
        'helm-values',
        null,
        [
          ['repository', 9],
          ['tag', 10],
        ],
      ],
    ]);
  });

  it('reads them in the values of a HelmRelease, not in other custom resources', () => {
    const release = [
      'apiVersion: helm.toolkit.fluxcd.io/v2',
      'kind: HelmRelease',
      'metadata:',
      '  name: connect',
      'spec:',
      '  values:',
      '    api:',
      '      imageRepository: ghcr.io/example/connect-api',
      '---',
      'apiVersion: kubeadm.k8s.io/v1beta3',
      'kind: ClusterConfiguration',
      'imageRepository: registry.example.test/mirror',
      '',
    ].join('\n');
    expect(scan({ 'apps/connect.yaml': release })).toEqual([['apps/connect.yaml', 8, 24, 'ghcr.io/example/connect-api', 'helm-values', 'no-tag', [['reference', 8]]]]);
  });
});
