import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) =>
  scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip, reference.spans.map((span) => [span.role, span.text])]);

describe('Helm values inside the resources that install a chart', () => {
  it('Flux HelmRelease spec.values is read with the values rules: split repository + tag under any key', () => {
    const release = [
      'apiVersion: helm.toolkit.fluxcd.io/v2',
      'kind: HelmRelease',
      'metadata:',
      '  name: shop',
      'spec:',
      '  chart:',
      '    spec:',
      '      chart: shop',
      '  values:',
      '    cache:',
      '      enabled: true',
      '      repository: registry.example.test/library/valkey',
      '      tag: 8.0.1',
      '    worker:',
      '      image: registry.example.test/shop/worker:2.3.0',
      '    proxy_image: registry.example.test/shop/proxy:1.1.0',
      '',
    ].join('\n');
    expect(scan({ 'apps/shop/release.yaml': release })).toEqual([
      [
        'apps/shop/release.yaml',
        12,
        'registry.example.test/library/valkey:8.0.1',
        'helm-values',
        null,
        [
          ['repository', 'registry.example.test/library/valkey'],
          ['tag', '8.0.1'],
        ],
      ],
      ['apps/shop/release.yaml', 15, 'registry.example.test/shop/worker:2.3.0', 'helm-values', null, [['reference', 'registry.example.test/shop/worker:2.3.0']]],
      ['apps/shop/release.yaml', 16, 'registry.example.test/shop/proxy:1.1.0', 'helm-values', null, [['reference', 'registry.example.test/shop/proxy:1.1.0']]],
    ]);
  });

  it('Argo CD helm.valuesObject of an Application (source and each of sources) and of an ApplicationSet template', () => {
    const application = [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Application',
      'spec:',
      '  source:',
      '    chart: queue',
      '    helm:',
      '      valuesObject:',
      '        broker:',
      '          repository: registry.example.test/mq/broker',
      '          tag: "3.13"',
      '  sources:',
      '    - chart: metrics',
      '      helm:',
      '        valuesObject:',
      '          exporter: {repository: registry.example.test/mq/exporter, tag: 1.0.2}',
      '---',
      'apiVersion: argoproj.io/v1alpha1',
      'kind: ApplicationSet',
      'spec:',
      '  template:',
      '    spec:',
      '      source:',
      '        helm:',
      '          valuesObject:',
      '            agent:',
      '              repository: registry.example.test/ops/agent',
      '              tag: 0.9.0',
      '',
    ].join('\n');
    expect(scan({ 'argocd/apps.yaml': application }).map(([file, line, value, kind, skip]) => [file, line, value, kind, skip])).toEqual([
      ['argocd/apps.yaml', 9, 'registry.example.test/mq/broker:3.13', 'helm-values', null],
      ['argocd/apps.yaml', 15, 'registry.example.test/mq/exporter:1.0.2', 'helm-values', null],
      ['argocd/apps.yaml', 26, 'registry.example.test/ops/agent:0.9.0', 'helm-values', null],
    ]);
  });

  it('a container flag and a pod spec carried as text in a HelmRelease spec.values are listed as helm-values too', () => {
    const release = [
      'apiVersion: helm.toolkit.fluxcd.io/v2',
      'kind: HelmRelease',
      'metadata:',
      '  name: gateway',
      'spec:',
      '  values:',
      '    containers:',
      '      webhook:',
      '        image:',
      '          repository: registry.example.test/net/admission',
      '          tag: 3.2.0',
      '        args:',
      '          - --listen=:8080',
      '          - --sidecarImage=registry.example.test/net/tunnel:1.6.0',
      '    files:',
      '      podspec.yaml: |-',
      '        containers:',
      '          - name: main',
      '            image: registry.example.test/ci/job-runner:24.04',
      '---',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: tunnel',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: main',
      '          image: registry.example.test/net/tunnel:1.6.0',
      '          args: [--probeImage=registry.example.test/net/probe:0.4.1]',
      '',
    ].join('\n');
    expect(scan({ 'apps/gateway/release.yaml': release }).map(([file, line, value, kind, skip]) => [file, line, value, kind, skip])).toEqual([
      ['apps/gateway/release.yaml', 10, 'registry.example.test/net/admission:3.2.0', 'helm-values', null],
      ['apps/gateway/release.yaml', 14, 'registry.example.test/net/tunnel:1.6.0', 'helm-values', null],
      ['apps/gateway/release.yaml', 19, 'registry.example.test/ci/job-runner:24.04', 'helm-values', null],
      ['apps/gateway/release.yaml', 30, 'registry.example.test/net/tunnel:1.6.0', 'kubernetes-container', null],
      ['apps/gateway/release.yaml', 31, 'registry.example.test/net/probe:0.4.1', 'kubernetes-image', null],
    ]);
  });

  it('other custom resources with spec.values keep the Kubernetes rules: no split repository + tag outside image keys', () => {
    const other = 'apiVersion: example.test/v1\nkind: Config\nspec:\n  values:\n    cache:\n      repository: valkey/valkey\n      tag: 8.0.1\n    image: valkey/valkey:8.0.1\n';
    expect(scan({ 'cr.yaml': other })).toEqual([['cr.yaml', 8, 'valkey/valkey:8.0.1', 'kubernetes-image', null, [['reference', 'valkey/valkey:8.0.1']]]]);
  });
});

describe('image maps that name the repository repo', () => {
  it('image: {repo, tag} is a split image; repo + tag under other keys is not', () => {
    const values = [
      'proxy:',
      '  image:',
      '    repo: registry.example.test/sql/proxy',
      '    tag: 2.14.0',
      'source:',
      '  repo: acme/charts',
      '  tag: v1.0.0',
      'gitops:',
      '  image:',
      '    repo: https://git.example.test/acme/app.git',
      '    tag: main',
      '',
    ].join('\n');
    expect(scan({ 'charts/db/values.yaml': values })).toEqual([
      [
        'charts/db/values.yaml',
        3,
        'registry.example.test/sql/proxy:2.14.0',
        'helm-values',
        null,
        [
          ['repository', 'registry.example.test/sql/proxy'],
          ['tag', '2.14.0'],
        ],
      ],
    ]);
  });
});
