import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip, reference.detail]);

const deployment = (...images: string[]): string =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: ledger',
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    ...images.flatMap((image, index) => [`        - name: c${index}`, `          image: ${image}`]),
    '',
  ].join('\n');

describe('manifest images that the kustomization listing them replaces', () => {
  it('an operator manager written with a build name that its kustomization renames is overridden; the entry is the reference', () => {
    const files = {
      'config/manager/manager.yaml': deployment('ledger-operator:dev', 'busybox:1.36.1'),
      'config/manager/kustomization.yaml': [
        'resources:',
        '- manager.yaml',
        'apiVersion: kustomize.config.k8s.io/v1beta1',
        'kind: Kustomization',
        'images:',
        '- name: ledger-operator',
        '  newName: registry.example.test/books/ledger-operator',
        '  newTag: 2.4.0',
        '',
      ].join('\n'),
    };
    expect(scan(files)).toEqual([
      ['config/manager/kustomization.yaml', 7, 'registry.example.test/books/ledger-operator:2.4.0', 'kustomize-image', null, undefined],
      [
        'config/manager/manager.yaml',
        10,
        'ledger-operator:dev',
        'kubernetes-container',
        'overridden',
        'not run: kustomize replaces it with registry.example.test/books/ledger-operator:2.4.0 (config/manager/kustomization.yaml:7)',
      ],
      ['config/manager/manager.yaml', 12, 'busybox:1.36.1', 'kubernetes-container', null, undefined],
    ]);
  });

  it('a patch file named by patches[].path, and an entry that sets only a tag, replace the image written under that exact name', () => {
    const files = {
      'deploy/kustomization.yaml': [
        'resources:',
        '  - ./ledger.yaml',
        'patches:',
        '  - path: patches/sidecar.yaml',
        'images:',
        '  - name: nginx',
        '    newTag: 1.27.3',
        '  - name: ledger-test',
        '    newName: ledger-ci',
        '',
      ].join('\n'),
      'deploy/ledger.yaml': deployment('nginx:1.25.0', 'docker.io/library/nginx:1.25.0'),
      'deploy/patches/sidecar.yaml': deployment('ledger-test'),
    };
    expect(scan(files)).toEqual([
      ['deploy/kustomization.yaml', 6, 'nginx:1.27.3', 'kustomize-image', null, undefined],
      ['deploy/kustomization.yaml', 9, 'ledger-ci', 'kustomize-image', 'no-tag', undefined],
      ['deploy/ledger.yaml', 10, 'nginx:1.25.0', 'kubernetes-container', 'overridden', 'not run: kustomize replaces it with nginx:1.27.3 (deploy/kustomization.yaml:6)'],
      ['deploy/ledger.yaml', 12, 'docker.io/library/nginx:1.25.0', 'kubernetes-container', null, undefined],
      ['deploy/patches/sidecar.yaml', 10, 'ledger-test', 'kubernetes-container', 'overridden', 'not run: kustomize replaces it with ledger-ci (deploy/kustomization.yaml:9)'],
    ]);
  });

  it('a file that another kustomization lists as it is, or that an overlay reaches only through a folder, keeps its image', () => {
    const files = {
      'shared/ledger.yaml': deployment('registry.example.test/books/ledger:3.0.1'),
      'green/kustomization.yaml': ['resources:', '- ../shared/ledger.yaml', 'images:', '- name: registry.example.test/books/ledger', '  newTag: 3.1.0', ''].join('\n'),
      'blue/kustomization.yaml': ['resources:', '- ../shared/ledger.yaml', ''].join('\n'),
      'base/kustomization.yaml': ['resources:', '- api.yaml', ''].join('\n'),
      'base/api.yaml': deployment('registry.example.test/books/api:1.0.0'),
      'overlays/prod/kustomization.yaml': ['resources:', '- ../../base', 'images:', '- name: registry.example.test/books/api', '  newTag: 1.2.0', ''].join('\n'),
    };
    expect(scan(files)).toEqual([
      ['base/api.yaml', 10, 'registry.example.test/books/api:1.0.0', 'kubernetes-container', null, undefined],
      ['green/kustomization.yaml', 4, 'registry.example.test/books/ledger:3.1.0', 'kustomize-image', null, undefined],
      ['overlays/prod/kustomization.yaml', 4, 'registry.example.test/books/api:1.2.0', 'kustomize-image', null, undefined],
      ['shared/ledger.yaml', 10, 'registry.example.test/books/ledger:3.0.1', 'kubernetes-container', null, undefined],
    ]);
  });

  it('an image field of a custom resource is not a container image that kustomize renames', () => {
    const files = {
      'db/kustomization.yaml': ['resources:', '- cluster.yaml', 'images:', '- name: ghcr.io/example/pg', '  newTag: "17.2"', ''].join('\n'),
      'db/cluster.yaml': ['apiVersion: db.example.test/v1', 'kind: Cluster', 'metadata:', '  name: books', 'spec:', '  imageName: ghcr.io/example/pg:17.1', ''].join('\n'),
    };
    expect(scan(files)).toEqual([
      ['db/cluster.yaml', 6, 'ghcr.io/example/pg:17.1', 'kubernetes-image', null, undefined],
      ['db/kustomization.yaml', 4, 'ghcr.io/example/pg:17.2', 'kustomize-image', null, undefined],
    ]);
  });
});

describe('an images entry that sets only newName keeps the tag of the images it renames', () => {
  const kustomization = (resources: readonly string[], ...entries: string[][]): string =>
    ['resources:', ...resources.map((resource) => `  - ${resource}`), 'images:', ...entries.flatMap((entry) => entry.map((line, index) => `${index === 0 ? '  - ' : '    '}${line}`)), ''].join('\n');

  it('reports newName with the tag its resources write, and the image it renames as overridden by that image', () => {
    const files = {
      'base/exporter.yaml': deployment('registry.example.test/upstream/exporter:v1.8.2', 'registry.example.test/upstream/proxy:0.18.1'),
      'base/kustomization.yaml': kustomization(
        ['exporter.yaml'],
        ['name: registry.example.test/upstream/exporter', 'newName: registry.example.test/mirror/exporter'],
        ['newName: registry.example.test/mirror/proxy', 'name: registry.example.test/upstream/proxy'],
      ),
    };
    expect(scan(files)).toEqual([
      [
        'base/exporter.yaml',
        10,
        'registry.example.test/upstream/exporter:v1.8.2',
        'kubernetes-container',
        'overridden',
        'not run: kustomize replaces it with registry.example.test/mirror/exporter:v1.8.2 (base/kustomization.yaml:5)',
      ],
      [
        'base/exporter.yaml',
        12,
        'registry.example.test/upstream/proxy:0.18.1',
        'kubernetes-container',
        'overridden',
        'not run: kustomize replaces it with registry.example.test/mirror/proxy:0.18.1 (base/kustomization.yaml:6)',
      ],
      [
        'base/kustomization.yaml',
        5,
        'registry.example.test/mirror/exporter:v1.8.2',
        'kustomize-image',
        null,
        'kustomize keeps the tag of registry.example.test/upstream/exporter (base/exporter.yaml:10)',
      ],
      ['base/kustomization.yaml', 6, 'registry.example.test/mirror/proxy:0.18.1', 'kustomize-image', null, 'kustomize keeps the tag of registry.example.test/upstream/proxy (base/exporter.yaml:12)'],
    ]);
  });

  it('an overlay that renames what its base renders keeps the tag the base gives, through folders and inline patches', () => {
    const files = {
      'base/agent.yaml': deployment('registry.example.test/upstream/agent:2.4.0'),
      'base/kustomization.yaml': [
        'resources:',
        '  - agent.yaml',
        'patchesStrategicMerge:',
        '  - |-',
        '    apiVersion: apps/v1',
        '    kind: Deployment',
        '    metadata:',
        '      name: ledger',
        '    spec:',
        '      template:',
        '        spec:',
        '          initContainers:',
        '            - name: prepare',
        '              image: shell',
        'images:',
        '  - name: shell',
        '    newName: registry.example.test/mirror/shell',
        '    newTag: "3"',
        '  - name: registry.example.test/upstream/agent',
        '    newName: registry.example.test/mirror/agent',
        '',
      ].join('\n'),
      'overlays/upstream/kustomization.yaml': kustomization(
        ['../../base'],
        ['name: registry.example.test/mirror/shell', 'newName: shell'],
        ['name: registry.example.test/mirror/agent', 'newName: registry.example.test/upstream/agent'],
      ),
    };
    expect(scan(files).filter(([file]) => file !== 'base/agent.yaml')).toEqual([
      ['base/kustomization.yaml', 14, 'shell', 'kustomize-image', 'no-tag', 'inline patch'],
      ['base/kustomization.yaml', 17, 'registry.example.test/mirror/shell:3', 'kustomize-image', null, undefined],
      ['base/kustomization.yaml', 20, 'registry.example.test/mirror/agent:2.4.0', 'kustomize-image', null, 'kustomize keeps the tag of registry.example.test/upstream/agent (base/agent.yaml:10)'],
      ['overlays/upstream/kustomization.yaml', 5, 'shell:3', 'kustomize-image', null, 'kustomize keeps the tag of registry.example.test/mirror/shell (base/kustomization.yaml:18)'],
      [
        'overlays/upstream/kustomization.yaml',
        7,
        'registry.example.test/upstream/agent:2.4.0',
        'kustomize-image',
        null,
        'kustomize keeps the tag of registry.example.test/mirror/agent (base/agent.yaml:10)',
      ],
    ]);
  });

  it('stays without a tag when the images it renames have different tags or none, or when it renames nothing; a name alone is no image', () => {
    const files = {
      'deploy/a.yaml': deployment('registry.example.test/upstream/worker:1.0.0', 'registry.example.test/upstream/cache'),
      'deploy/b.yaml': deployment('registry.example.test/upstream/worker:1.1.0'),
      'deploy/kustomization.yaml': kustomization(
        ['a.yaml', 'b.yaml', 'https://example.test/remote/bundle.yaml'],
        ['name: registry.example.test/upstream/worker', 'newName: registry.example.test/mirror/worker'],
        ['name: registry.example.test/upstream/cache', 'newName: registry.example.test/mirror/cache'],
        ['name: registry.example.test/upstream/gone', 'newName: registry.example.test/mirror/gone'],
        ['name: registry.example.test/upstream/plain'],
      ),
    };
    expect(scan(files).filter(([file]) => file === 'deploy/kustomization.yaml')).toEqual([
      [
        'deploy/kustomization.yaml',
        7,
        'registry.example.test/mirror/worker',
        'kustomize-image',
        'no-tag',
        'kustomize keeps the tag of each image named registry.example.test/upstream/worker: 1.0.0, 1.1.0',
      ],
      ['deploy/kustomization.yaml', 9, 'registry.example.test/mirror/cache', 'kustomize-image', 'no-tag', undefined],
      ['deploy/kustomization.yaml', 11, 'registry.example.test/mirror/gone', 'kustomize-image', 'no-tag', undefined],
    ]);
  });
});
