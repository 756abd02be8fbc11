import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../../src/core/source-file.js';
import { EMPTY_CONTEXT } from '../../../src/scan/extractor.js';
import { genericYamlExtractor, helmValuesKind } from '../../../src/scan/extractors/generic-yaml/generic-yaml.js';
import { project, readExpected, scanFixtures } from './yaml-image-fixtures.js';

const ROOT = new URL('../../../fixtures/helm-values/', import.meta.url).pathname;

function extract(path: string, text: string) {
  return genericYamlExtractor.extract(sourceFile(path, Buffer.from(text, 'utf8')), EMPTY_CONTEXT);
}

describe('helm values and generic YAML extractor', () => {
  it('matches the fixtures', () => {
    const scanned = scanFixtures(ROOT);
    const expected = readExpected(ROOT);
    expect(scanned.references).toEqual(expected.references);
    expect(scanned.problems).toEqual(expected.problems);
  });

  it('reads every fixture file: GitHub Actions and Cloud Build by their own extractors, the rest as generic YAML', () => {
    const { claimedBy } = scanFixtures(ROOT);
    expect(Object.entries(claimedBy).filter(([, name]) => name !== 'generic-yaml')).toEqual([
      ['.github/actions/release/action.yml', 'github-actions'],
      ['.github/workflows/ci.yml', 'github-actions'],
      ['.github/workflows/integration.yml', 'github-actions'],
      ['.github/workflows/lint.yml', 'github-actions'],
      ['deploy/cloudbuild.yaml', 'cloud-build'],
    ]);
    expect(Object.keys(claimedBy)).toEqual([
      '.github/actions/release/action.yml',
      '.github/workflows/ci.yml',
      '.github/workflows/integration.yml',
      '.github/workflows/lint.yml',
      'ansible/roles/app/defaults/main.yml',
      'broken.yaml',
      'charts/ledger/Chart.yaml',
      'charts/ledger/values.yaml',
      'charts/storefront/Chart.yaml',
      'charts/storefront/ci/ha-values.yaml',
      'charts/storefront/values-logging.yaml',
      'charts/storefront/values.yaml',
      'config/pipeline.yml',
      'deploy/cloudbuild.yaml',
      'deploy/values-prod.yaml',
      'stress/anchors.yaml',
    ]);
  });

  it('claims YAML only', () => {
    const claims = (path: string) => genericYamlExtractor.claims(sourceFile(path, Buffer.from('a: 1\n')), EMPTY_CONTEXT);
    expect([claims('a.yaml'), claims('b.YML'), claims('c.json'), claims('yaml'), claims('d.yaml.txt')]).toEqual([true, true, false, false, false]);
  });

  it('tells values files from other YAML', () => {
    expect(['values.yaml', 'values-prod.yml', 'prod.values.yaml', 'env/staging-values.yaml', 'charts/x/ci/extra.yaml', 'config/app.yaml', 'valuesets.yaml'].map(helmValuesKind)).toEqual([
      'helm-values',
      'helm-values',
      'helm-values',
      'helm-values',
      'helm-values',
      'yaml-image',
      'yaml-image',
    ]);
  });

  it('takes image + tag, snake keys and leaves non-images alone', () => {
    const text = [
      'builder:',
      '  image: golang',
      '  tag: 1.22.5-bookworm',
      'cache_image: "redis:7.2.5"',
      'imagePullPolicy: Always',
      'imagePullSecrets: [{name: regcred}]',
      'thumbnailImage: 640',
      'coverImage: ~/pictures/cover photo',
      'icon: logo.png',
      'chart: {repository: "https://charts.example.com", tag: 1.0.0}',
      'mirror: {repository: git@github.com:acme/mirror.git, tag: v1}',
      'image: {}',
      '',
    ].join('\n');
    expect(extract('config/app.yaml', text).references.map(project)).toEqual([
      {
        line: 2,
        column: 10,
        value: 'golang:1.22.5-bookworm',
        kind: 'yaml-image',
        skip: null,
        image: 'docker.io/library/golang:1.22.5-bookworm',
        spans: [
          ['repository', 'golang', 2, 10],
          ['tag', '1.22.5-bookworm', 3, 8],
        ],
      },
      { line: 4, column: 15, value: 'redis:7.2.5', kind: 'yaml-image', skip: null, image: 'docker.io/library/redis:7.2.5', spans: [['reference', 'redis:7.2.5', 4, 15]] },
    ]);
  });

  it('reports a repository without a tag under an image key as no-tag, and a null tag without a span', () => {
    const text = 'image:\n  repository: ghcr.io/acme/app\n  pullPolicy: Always\nsidecar:\n  image:\n    repository: envoyproxy/envoy\n    tag:\n';
    expect(extract('values.yaml', text).references.map(project)).toEqual([
      { line: 2, column: 15, value: 'ghcr.io/acme/app', kind: 'helm-values', skip: 'no-tag', image: 'ghcr.io/acme/app', spans: [['repository', 'ghcr.io/acme/app', 2, 15]] },
      { line: 6, column: 17, value: 'envoyproxy/envoy', kind: 'helm-values', skip: 'no-tag', image: 'docker.io/envoyproxy/envoy', spans: [['repository', 'envoyproxy/envoy', 6, 17]] },
    ]);
  });

  it('marks escaped parts of a split image as unsupported quoting', () => {
    const text = 'image:\n  repository: "acme/app"\n  tag: "1.0\\x2e1"\n';
    expect(extract('values.yaml', text).references.map(project)).toEqual([
      {
        line: 2,
        column: 16,
        value: 'acme/app:1.0.1',
        kind: 'helm-values',
        skip: 'unsupported-quoting',
        image: 'docker.io/acme/app:1.0.1',
        spans: [
          ['repository', 'acme/app', 2, 16],
          ['tag', '1.0\\x2e1', 3, 9],
        ],
      },
    ]);
  });

  it('reads a broken templated values file line by line, without a parse problem', () => {
    const text = '{{- if .Values.enabled }}\nimage: "{{ .Values.registry }}/app:1.0"\nworker_image: busybox:1.36.1\n{{- end }}\n';
    const result = extract('charts/app/templates/values.yaml', text);
    expect(result.problems).toEqual([]);
    expect(result.references.map(project)).toEqual([
      { line: 2, column: 9, value: '{{ .Values.registry }}/app:1.0', kind: 'helm-values', skip: 'templated', image: null, spans: [['reference', '{{ .Values.registry }}/app:1.0', 2, 9]] },
      { line: 3, column: 15, value: 'busybox:1.36.1', kind: 'helm-values', skip: null, image: 'docker.io/library/busybox:1.36.1', spans: [['reference', 'busybox:1.36.1', 3, 15]] },
    ]);
  });

  it('does not read an action that builds its own Dockerfile', () => {
    const text = 'name: lint\nruns:\n  using: docker\n  image: Dockerfile\n  steps:\n    - uses: actions/setup-node@v4\n';
    expect(extract('action.yaml', text).references).toEqual([]);
  });
});
