/** A DevSpace config's `images` entries name what DevSpace builds; its `dev` and `deployments` run images. */
import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const rows = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

const config = [
  'version: v2beta1', // 1
  'name: shop', // 2
  'images:', // 3
  '  api:', // 4
  '    image: registry.example.test/shop/api', // 5
  '    dockerfile: ./Dockerfile', // 6
  '  worker:', // 7
  '    image: registry.example.test/shop/worker', // 8
  '    tags:', // 9
  '      - dev-####', // 10
  '    build:', // 11
  '      kaniko:', // 12
  '        image: registry.example.test/tools/kaniko:1.23.2', // 13
  'deployments:', // 14
  '  api:', // 15
  '    helm:', // 16
  '      values:', // 17
  '        image: registry.example.test/shop/api', // 18
  'dev:', // 19
  '  api:', // 20
  '    imageSelector: registry.example.test/shop/api', // 21
  '    devImage: registry.example.test/tools/devbox:2.0.1', // 22
  '',
].join('\n');

const older = ['version: v1beta11', 'images:', '  exporter:', '    image: registry.example.test/shop/exporter', '    dockerfile: exporter.Dockerfile', ''].join('\n');

const pipeline = ['steps:', '  - image: registry.example.test/shop/api', ''].join('\n');

describe('a DevSpace config', () => {
  it('does not report the names its images entries build, marks their use in its folder as built here, and reads the rest as usual', () => {
    expect(rows({ 'dev/devspace.yaml': config, 'tools/devspace.yml': older, 'ci/pipeline.yaml': pipeline, 'ci/devspace-copy.yaml': older })).toEqual([
      ['ci/devspace-copy.yaml', 4, 'registry.example.test/shop/exporter', 'yaml-image', 'no-tag'],
      ['ci/pipeline.yaml', 2, 'registry.example.test/shop/api', 'yaml-image', 'no-tag'],
      ['dev/devspace.yaml', 13, 'registry.example.test/tools/kaniko:1.23.2', 'yaml-image', null],
      ['dev/devspace.yaml', 18, 'registry.example.test/shop/api', 'yaml-image', 'local-stage'],
      ['dev/devspace.yaml', 22, 'registry.example.test/tools/devbox:2.0.1', 'yaml-image', null],
    ]);
  });
});
