import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const rows = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

const KO = [
  'defaultBaseImage: registry.example.test/base/static:nonroot',
  'baseImageOverrides:',
  '  example.test/shop/cmd/migrate: registry.example.test/base/shell:1.4',
  '  example.test/shop/cmd/probe: registry.example.test/base/debug',
  'builds:',
  '  - id: server',
  '    main: ./cmd/server',
  '',
].join('\n');

const DEPLOYMENT = [
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata:',
  '  name: shop',
  'spec:',
  '  template:',
  '    spec:',
  '      containers:',
  '        - name: server',
  '          image: ko://example.test/shop/cmd/server',
  '        - name: migrate',
  '          image: example.test/shop/cmd/migrate',
  '        - name: whole',
  '          image: example.test/shop',
  '        - name: relay',
  '          image: github.com/example/relay/cmd/relay',
  '        - name: front',
  '          image: example.test/shopfront',
  '        - name: pinned',
  '          image: example.test/shop/cmd/server:1.0',
  '',
].join('\n');

describe('ko', () => {
  it('reports the base images of .ko.yaml: defaultBaseImage and each baseImageOverrides value', () => {
    expect(rows({ '.ko.yaml': KO })).toEqual([
      ['.ko.yaml', 1, 'registry.example.test/base/static:nonroot', 'ko-base-image', null],
      ['.ko.yaml', 3, 'registry.example.test/base/shell:1.4', 'ko-base-image', null],
      ['.ko.yaml', 4, 'registry.example.test/base/debug', 'ko-base-image', 'no-tag'],
    ]);
  });

  it('leaves out Go import paths: under the module path of a go.mod of the scan, or on github.com', () => {
    const goMod = ['module example.test/shop', '', 'go 1.23', ''].join('\n');
    expect(rows({ 'go.mod': goMod, 'config/shop.yaml': DEPLOYMENT })).toEqual([
      ['config/shop.yaml', 18, 'example.test/shopfront', 'kubernetes-container', 'no-tag'],
      ['config/shop.yaml', 20, 'example.test/shop/cmd/server:1.0', 'kubernetes-container', null],
    ]);
    // Without the go.mod, only the github.com path is known to be no image.
    expect(rows({ 'config/shop.yaml': DEPLOYMENT }).map((row) => row[1])).toEqual([12, 14, 18, 20]);
  });
});

describe('ko:// import paths anywhere', () => {
  const manifest = (image: string) =>
    ['apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: board', 'spec:', '  template:', '    spec:', '      containers:', '        - name: board', `          image: ${image}`, ''].join(
      '\n',
    );
  const kustomization = (newName: string) =>
    ['apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization', 'resources:', '  - deployment.yaml', 'images:', '  - name: boardImage', `    newName: ${newName}`, ''].join('\n');

  it('are not images, in a manifest or a kustomization newName; nor is the name such an entry replaces', () => {
    expect(
      rows({
        'config/deployment.yaml': manifest('boardImage'),
        'config/kustomization.yaml': kustomization('ko://example.test/board/cmd/board'),
        'other/job.yaml': manifest('"ko://example.test/board/cmd/migrate"'),
      }),
    ).toEqual([]);
  });

  it('a name no registry could serve that an ordinary entry replaces is overridden, the entry reported', () => {
    expect(rows({ 'config/deployment.yaml': manifest('boardImage'), 'config/kustomization.yaml': `${kustomization('registry.example.test/team/board')}    newTag: 1.4.0\n` })).toEqual([
      ['config/deployment.yaml', 10, 'boardImage', 'kubernetes-container', 'overridden'],
      ['config/kustomization.yaml', 7, 'registry.example.test/team/board:1.4.0', 'kustomize-image', null],
    ]);
  });
});
