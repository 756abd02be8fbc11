import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

describe('Flux image automation', () => {
  it("an ImageRepository's spec.image is the repository whose tags are listed, not an image that runs; what it updates still is", () => {
    const automation = [
      '---',
      'apiVersion: image.toolkit.fluxcd.io/v1',
      'kind: ImageRepository',
      'metadata:',
      '  name: shop-web',
      'spec:',
      '  image: registry.example.test/shop/web',
      '  interval: 6h',
      '---',
      'apiVersion: image.toolkit.fluxcd.io/v1beta2',
      'kind: ImageRepository',
      'metadata:',
      '  name: shop-chart',
      'spec:',
      '  image: "registry.example.test/charts/shop:1.2.0"',
      '---',
      'apiVersion: image.toolkit.fluxcd.io/v1',
      'kind: ImagePolicy',
      'metadata:',
      '  name: shop-web',
      'spec:',
      '  imageRepositoryRef:',
      '    name: shop-web',
      '  policy:',
      '    semver:',
      '      range: ">=1.0.0"',
      '---',
      'apiVersion: helm.toolkit.fluxcd.io/v2',
      'kind: HelmRelease',
      'metadata:',
      '  name: shop',
      'spec:',
      '  values:',
      '    web:',
      '      image: registry.example.test/shop/web:1.4.0 # {"$imagepolicy": "flux-system:shop-web"}',
      '',
    ].join('\n');
    // A kind of the same name in another API group is a custom resource like any other.
    const other = ['apiVersion: registry.example.test/v1', 'kind: ImageRepository', 'metadata:', '  name: mirror', 'spec:', '  image: registry.example.test/tools/mirror:3.0.1', ''].join('\n');
    expect(scan({ 'clusters/shop/automation.yaml': automation, 'clusters/tools/mirror.yaml': other })).toEqual([
      ['clusters/shop/automation.yaml', 35, 'registry.example.test/shop/web:1.4.0', 'helm-values', null],
      ['clusters/tools/mirror.yaml', 6, 'registry.example.test/tools/mirror:3.0.1', 'kubernetes-image', null],
    ]);
  });
});
