import { describe, expect, it } from 'vitest';
import { scanTexts, updatedFirst } from '../support/scan-texts.js';

const DIGEST = `sha256:${'c'.repeat(64)}`;

const scan = (files: Record<string, string>) =>
  scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip, reference.spans.map((span) => [span.role, span.line])]);

/** An operator's object naming the image it runs as a repository and a version. */
const ANALYZER = [
  'apiVersion: ops.example.test/v1alpha1',
  'kind: Analyzer',
  'metadata:',
  '  name: analyzer',
  'spec:',
  '  backend:',
  '    model: small',
  '  repository: registry.example.test/ops/analyzer',
  '  version: v0.8.2',
  '',
].join('\n');

describe("a custom resource's image written as repository + version", () => {
  it('is reported as repository:version at the repository, whichever of the two is written first', () => {
    const first = ['apiVersion: ops.example.test/v1alpha1', 'kind: Analyzer', 'metadata:', '  name: second', 'spec:', '  version: "1.4"', '  repository: localhost:5000/ops/analyzer', ''].join('\n');
    expect(scan({ 'deploy/analyzer.yaml': ANALYZER, 'deploy/second.yaml': first })).toEqual([
      [
        'deploy/analyzer.yaml',
        8,
        'registry.example.test/ops/analyzer:v0.8.2',
        'kubernetes-image',
        null,
        [
          ['repository', 8],
          ['tag', 9],
        ],
      ],
      [
        'deploy/second.yaml',
        7,
        'localhost:5000/ops/analyzer:1.4',
        'kubernetes-image',
        null,
        [
          ['repository', 7],
          ['tag', 6],
        ],
      ],
    ]);
  });

  it('is updated at the version, with no place for a digest', () => {
    const { plan, text } = updatedFirst('deploy/analyzer.yaml', ANALYZER, { tag: 'v0.9.0', digest: DIGEST });
    expect(plan.ok && plan.unpinned).toBe('digests are not pinned in split image fields without a digest field: there is no field for one');
    expect(text).toBe(ANALYZER.replace('v0.8.2', 'v0.9.0'));
  });

  it('is not read where it names a chart or a source, nor in a Kubernetes object of its own, nor without a registry host', () => {
    const release = [
      'apiVersion: helm.toolkit.fluxcd.io/v2',
      'kind: HelmRelease',
      'metadata:',
      '  name: web',
      'spec:',
      '  chart:',
      '    spec:',
      '      repository: registry.example.test/charts/web',
      '      version: 1.2.0',
      '---',
      'apiVersion: addons.example.test/v1',
      'kind: Addon',
      'metadata:',
      '  name: addons',
      'spec:',
      '  charts:',
      '    - chart: web',
      '      repository: registry.example.test/charts',
      '      version: 1.2.0',
      '    - url: https://charts.example.test/',
      '      repository: registry.example.test/charts/db',
      '      version: 2.0.1',
      '    - repository: oci://registry.example.test/charts/cache',
      '      version: 0.4.0',
      '    - repository: https://charts.example.test/stable',
      '      version: 0.4.0',
      '    - repository: team/agent',
      '      version: 3.1.0',
      '    - repository: registry.example.test/ops/agent',
      '      version: ${AGENT_VERSION}',
      '---',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: settings',
      'data:',
      '  repository: registry.example.test/ops/agent',
      '  version: 3.1.0',
      '',
    ].join('\n');
    expect(scan({ 'deploy/addons.yaml': release })).toEqual([]);
  });
});

describe("a custom resource's image map of repository + version", () => {
  const broker = [
    'apiVersion: broker.example.test/v1beta4',
    'kind: Broker',
    'metadata:',
    '  name: broker',
    'spec:',
    '  template:',
    '    spec:',
    '      brokerContainer:',
    '        image:',
    '          repository: team/broker',
    '          version: 5.1.0',
    '      exporterContainer:',
    '        image:',
    '          repository: registry.example.test/ops/exporter',
    '          version: "0.9"',
    '',
  ].join('\n');

  it('is repository:version under an image key, with or without a registry host, reported at the repository', () => {
    expect(scan({ 'deploy/broker.yaml': broker })).toEqual([
      [
        'deploy/broker.yaml',
        10,
        'team/broker:5.1.0',
        'kubernetes-image',
        null,
        [
          ['repository', 10],
          ['tag', 11],
        ],
      ],
      [
        'deploy/broker.yaml',
        14,
        'registry.example.test/ops/exporter:0.9',
        'kubernetes-image',
        null,
        [
          ['repository', 14],
          ['tag', 15],
        ],
      ],
    ]);
  });

  it('is updated at the version', () => {
    expect(updatedFirst('deploy/broker.yaml', broker, { tag: '5.2.0', digest: DIGEST }).text).toBe(broker.replace('5.1.0', '5.2.0'));
  });

  it('is not read this way in chart values, which the templates read', () => {
    const values = ['broker:', '  image:', '    repository: team/broker', '    version: 5.1.0', ''].join('\n');
    expect(scan({ 'chart/Chart.yaml': 'apiVersion: v2\nname: broker\nversion: 1.0.0\n', 'chart/values.yaml': values })).toEqual([
      ['chart/values.yaml', 3, 'team/broker', 'helm-values', 'no-tag', [['repository', 3]]],
    ]);
  });
});
