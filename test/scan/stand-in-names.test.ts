import { describe, expect, it } from 'vitest';
import { hasNamePlaceholder, hasStandInName } from '../../src/core/image-ref.js';
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

/** Chart defaults that say the image is filled in when the chart is rendered or published, beside images that merely hold such words. */
const RENDERED_VALUES = [
  'billing:', // 1
  '  image: placeholder-for-billing-image-name', // 2
  '  version: latest', // 3
  'database:', // 4
  '  image: automatically_overriden_at_render_time', // 5
  'exporter:', // 6
  '  image:', // 7
  '    registry: __REGISTRY_HOST__', // 8
  '    repository: team/exporter', // 9
  '    tag: "4.0.2"', // 10
  'search:', // 11
  '  image: __PUBLISHED_REGISTRY__/team/search:2.0.1', // 12
  'scaler:', // 13
  '  image: registry.example.test/ops/node-placeholder-scaler:0.3.0', // 14
  'defaults:', // 15
  '  image: registry.example.test/ops/overridden-defaults-report:1.2.0', // 16
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

  it('a placeholder word or a phrase saying the image is put there at render time is a stand-in; so is a host between double underscores', () => {
    expect(scan({ 'charts/shop/values.yaml': RENDERED_VALUES })).toEqual([
      ['charts/shop/values.yaml', 14, 'registry.example.test/ops/node-placeholder-scaler:0.3.0', 'helm-values', null],
      ['charts/shop/values.yaml', 16, 'registry.example.test/ops/overridden-defaults-report:1.2.0', 'helm-values', null],
    ]);
    expect(hasStandInName('placeholder:latest')).toBe(true);
    expect(hasStandInName('registry.example.test/team/placeholder_image:1.0')).toBe(true);
    expect(hasStandInName('registry.example.test/team/image-overridden-by-ci:1.0')).toBe(true);
    expect(hasStandInName('registry.example.test/team/placeholders:1.0')).toBe(false);
    expect(hasStandInName('registry.example.test/team/overridden:1.0')).toBe(false);
    expect(hasNamePlaceholder('__REGISTRY__/team/app:1.0')).toBe(true);
    expect(hasNamePlaceholder('registry.example.test/team/__init__:1.0')).toBe(false);
  });
});
