/** A values file's `image: {name: …}` with no `repository`: the name is the image's repository, written with its registry. */
import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const rows = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

const values = [
  'build:', // 1
  '  enabled: false', // 2
  'image:', // 3
  '  name: registry.example.test/team/api', // 4
  '  pullPolicy: IfNotPresent', // 5
  'worker:', // 6
  '  image:', // 7
  '    name: registry.example.test:5000/team/worker', // 8
  '    tag: 2.3.1', // 9
  'job:', // 10
  '  image:', // 11
  '    name: api', // 12
  'stream:', // 13
  '  image:', // 14
  '    namespace: team', // 15
  '    name: registry.example.test/team/stream', // 16
  '',
].join('\n');

const plain = ['image:', '  name: registry.example.test/team/api', ''].join('\n');

describe('a values image map written with `name` alone', () => {
  it('reads a name that starts with a registry host as the repository, with or without a tag; a bare name, an image stream and other YAML are not read', () => {
    expect(rows({ 'deploy/app/values.yaml': values, 'config/settings.yaml': plain })).toEqual([
      ['deploy/app/values.yaml', 4, 'registry.example.test/team/api', 'helm-values', 'no-tag'],
      ['deploy/app/values.yaml', 8, 'registry.example.test:5000/team/worker:2.3.1', 'helm-values', null],
    ]);
  });
});

describe('an image map of `name` + `tag`', () => {
  const release = [
    'apiVersion: helm.toolkit.fluxcd.io/v2', // 1
    'kind: HelmRelease', // 2
    'metadata:', // 3
    '  name: forge', // 4
    'spec:', // 5
    '  chart:', // 6
    '    spec: {chart: forge, sourceRef: {kind: HelmRepository, name: forge}}', // 7
    '  values:', // 8
    '    test:', // 9
    '      image:', // 10
    '        name: busybox', // 11
    '        tag: "1.37"', // 12
    '    probe:', // 13
    '      image:', // 14
    '        name: team/probe', // 15
    '        version: "2.0"', // 16
    '',
  ].join('\n');
  const settings = ['checker:', '  image:', '    name: registry.example.test/team/checker', '    tag: 0.9.1', 'stream:', '  image: {namespace: team, name: relay, tag: "4.1"}', ''].join('\n');

  it('is name:tag when no template of the chart is there to join it otherwise: a remote chart’s HelmRelease values, any YAML; not with a version, nor an image stream’s namespace', () => {
    expect(rows({ 'clusters/home/forge.yaml': release, 'config/checker.yaml': settings })).toEqual([
      ['clusters/home/forge.yaml', 11, 'busybox:1.37', 'helm-values', null],
      ['config/checker.yaml', 3, 'registry.example.test/team/checker:0.9.1', 'yaml-image', null],
    ]);
  });
});

describe('a values image map that keeps the whole name in `registry`, beside a `tag`', () => {
  const driver = [
    'controller:', // 1
    '  driver:', // 2
    '    image:', // 3
    '      registry: registry.example.test/storage/driver', // 4
    '      tag: v1.9.5', // 5
    'node:', // 6
    '  image:', // 7
    '    registry: registry.example.test', // 8
    '    tag: v1.9.5', // 9
    'proxy:', // 10
    '  image:', // 11
    '    registry: registry.example.test/storage/proxy', // 12
    'sidecar:', // 13
    '  image:', // 14
    '    registry: registry.example.test/storage', // 15
    '    repository: sidecar', // 16
    '    tag: 0.4.0', // 17
    '',
  ].join('\n');

  it('reads a registry with a path and a tag beside it as the image, edited in both places; a host alone, a registry without a tag, one beside a repository or one outside a chart’s values is read as before', () => {
    // Outside a chart's values, `registry` + `tag` alone is not read this way.
    expect(rows({ 'deploy/csi/values.yaml': driver, 'config/settings.yaml': driver })).toEqual([
      ['config/settings.yaml', 16, 'registry.example.test/storage/sidecar:0.4.0', 'yaml-image', null],
      ['deploy/csi/values.yaml', 4, 'registry.example.test/storage/driver:v1.9.5', 'helm-values', null],
      ['deploy/csi/values.yaml', 16, 'registry.example.test/storage/sidecar:0.4.0', 'helm-values', null],
    ]);
    const [reference] = scanTexts({ 'deploy/csi/values.yaml': driver }).references;
    expect(reference?.spans.map((span) => [span.role, span.text, span.line])).toEqual([
      ['repository', 'registry.example.test/storage/driver', 4],
      ['tag', 'v1.9.5', 5],
    ]);
  });
});
