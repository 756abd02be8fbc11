import { describe, expect, it } from 'vitest';
import { hasStandInName } from '../../src/core/image-ref.js';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

/** A chart whose defaults leave the worker image for the user to set, beside a real sidecar image. */
const CHART_VALUES = [
  'worker:', // 1
  '  image:', // 2
  '    repository: setme', // 3
  '    tag: setme', // 4
  'migrations:', // 5
  '  image:', // 6
  '    # Point this at an image holding your migrations', // 7
  '    repository: overrideme', // 8
  '    tag: latest', // 9
  'exporter:', // 10
  '  image:', // 11
  '    repository: registry.example.test/team/settings-exporter', // 12
  '    tag: "2.4.1"', // 13
  '',
].join('\n');

/** An example Deployment whose owner part is a stand-in, and a compiled workflow whose runtime fills the image in. */
const DEPLOYMENT = [
  'apiVersion: apps/v1', // 1
  'kind: Deployment', // 2
  'metadata: {name: shop}', // 3
  'spec:', // 4
  '  template:', // 5
  '    spec:', // 6
  '      containers:', // 7
  '        - name: cart', // 8
  '          image: changeme/shop-cart:latest', // 9
  '        - name: front', // 10
  '          image: CHANGE_ME.registry.example.test/shop/front:1.0', // 11
  '        - name: cache', // 12
  '          image: registry.example.test/library/cache:7.2', // 13
  '        - name: pinned-by-hand', // 14
  '          image: registry.example.test/shop/meme-generator:changeme', // 15
  '',
].join('\n');

const WORKFLOW = [
  'apiVersion: argoproj.io/v1alpha1', // 1
  'kind: Workflow', // 2
  'metadata: {generateName: train-}', // 3
  'spec:', // 4
  '  entrypoint: main', // 5
  '  templates:', // 6
  '    - name: main', // 7
  '      container:', // 8
  '        image: registry.example.test/pipelines/should-be-overridden-at-run', // 9
  '    - name: driver', // 10
  '      container:', // 11
  '        image: registry.example.test/pipelines/driver:3.1', // 12
  '',
].join('\n');

describe('stand-in names', () => {
  it('a name with a part that tells the user to put their own image there is not listed, in chart values and manifests alike', () => {
    expect(scan({ 'charts/jobs/values.yaml': CHART_VALUES, 'examples/shop.yaml': DEPLOYMENT, 'compiled/train.yaml': WORKFLOW })).toEqual([
      ['charts/jobs/values.yaml', 12, 'registry.example.test/team/settings-exporter:2.4.1', 'helm-values', null],
      ['compiled/train.yaml', 12, 'registry.example.test/pipelines/driver:3.1', 'kubernetes-image', null],
      ['examples/shop.yaml', 13, 'registry.example.test/library/cache:7.2', 'kubernetes-container', null],
      ['examples/shop.yaml', 15, 'registry.example.test/shop/meme-generator:changeme', 'kubernetes-container', null],
    ]);
  });

  it('reads so in a Dockerfile and a compose file too', () => {
    const dockerfile = ['FROM set-me/base:1.0 AS base', 'FROM registry.example.test/lang/runtime:2.0', ''].join('\n');
    const compose = ['services:', '  api:', '    image: replace_me:latest', '  db:', '    image: registry.example.test/data/store:16', ''].join('\n');
    expect(scan({ 'app/Dockerfile': dockerfile, 'app/compose.yaml': compose })).toEqual([
      ['app/Dockerfile', 2, 'registry.example.test/lang/runtime:2.0', 'dockerfile-from', null],
      ['app/compose.yaml', 5, 'registry.example.test/data/store:16', 'compose-service', null],
    ]);
  });

  it('matches whole parts of the name only', () => {
    expect(hasStandInName('setme:setme')).toBe(true);
    expect(hasStandInName('registry.example.test/team/fillme@sha256:' + 'a'.repeat(64))).toBe(true);
    expect(hasStandInName('registry.example.test/team/to-be-replaced:1.0')).toBe(true);
    expect(hasStandInName('registry.example.test/team/settings:1.0')).toBe(false);
    expect(hasStandInName('registry.example.test/team/acme:1.0')).toBe(false);
    expect(hasStandInName('registry.example.test/team/change-me-not:1.0')).toBe(false);
    expect(hasStandInName('registry.example.test/team/app:changeme')).toBe(false);
  });
});
