/** Placeholders a build or release script substitutes before the file is used. */
import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { scanSources } from '../../src/pipeline/pipeline.js';

const deployment = [
  'apiVersion: apps/v1', // 1
  'kind: Deployment', // 2
  'metadata:', // 3
  '  name: operator', // 4
  'spec:', // 5
  '  template:', // 6
  '    spec:', // 7
  '      containers:', // 8
  '        - name: manager', // 9
  '          image: "@MANAGER_IMAGE@"', // 10
  '        - name: proxy', // 11
  '          image: registry.example.test/proxy:@PROXY_VERSION@', // 12
  '        - name: probe', // 13
  '          image: __PROBE_IMAGE__', // 14
  '        - name: shell', // 15
  '          image: example/shell:1.0', // 16
  '        - name: broken', // 17
  '          image: example/Shell:1.0', // 18
  '',
].join('\n');

const compose = ['services:', '  cache:', '    image: "@CACHE_IMAGE@"', '  web:', '    image: example/web:@WEB_TAG@', ''].join('\n');

describe('substitution placeholders', () => {
  it('leaves out a value that is only a placeholder, shows one inside a reference as templated, and keeps other bad names invalid', () => {
    const scanned = scanSources([sourceFile('deploy/operator.yaml', new Uint8Array(Buffer.from(deployment))), sourceFile('compose.yaml', new Uint8Array(Buffer.from(compose)))]);
    expect(scanned.references.map((reference) => [reference.file, reference.line, reference.value, reference.skip])).toEqual([
      ['compose.yaml', 5, 'example/web:@WEB_TAG@', 'templated'],
      ['deploy/operator.yaml', 12, 'registry.example.test/proxy:@PROXY_VERSION@', 'templated'],
      ['deploy/operator.yaml', 16, 'example/shell:1.0', null],
      ['deploy/operator.yaml', 18, 'example/Shell:1.0', 'invalid-reference'],
    ]);
  });

  it('a name in brackets that a builder replaces with an image it resolves is a placeholder; its stage is a stage', () => {
    const dockerfile = [
      'FROM [deps-cache] AS deps-cache',
      'FROM node:22-alpine',
      'COPY --from=deps-cache /srv/app/node_modules ./node_modules',
      'FROM [Deps.Cache-2]',
      'FROM [registry.example.test]/tools/lint:3.1',
      '',
    ].join('\n');
    const scanned = scanSources([sourceFile('server/Dockerfile', new Uint8Array(Buffer.from(dockerfile)))]);
    expect(scanned.references.map((reference) => [reference.line, reference.value, reference.skip])).toEqual([
      [2, 'node:22-alpine', null],
      [5, '[registry.example.test]/tools/lint:3.1', 'invalid-reference'],
    ]);
  });

  it('a name in capitals between double underscores with a bracketed variable in it is a generator placeholder', () => {
    // A build script writes the base of each flavour into the copied Dockerfile in place of `__ENV_[…]__`.
    const dockerfile = [
      'FROM __ENV_[RELAY_BASE_IMAGE]__', // 1
      'FROM __RELAY_[BASE]_IMAGE__ AS tools', // 2
      'FROM registry.example.test/relay/tools:2.4', // 3
      'FROM __env_[relay_base]__', // 4
      'RUN true',
      '',
    ].join('\n');
    const scanned = scanSources([sourceFile('relay/Dockerfile', new Uint8Array(Buffer.from(dockerfile)))]);
    expect(scanned.references.map((reference) => [reference.line, reference.value, reference.skip])).toEqual([
      [3, 'registry.example.test/relay/tools:2.4', null],
      [4, '__env_[relay_base]__', 'invalid-reference'],
    ]);
  });

  it('a Python format field that a rendering script fills in: alone it names no image, in a tag it is templated', () => {
    const dockerfile = [
      'FROM %(builder)s AS build', // 1
      'FROM registry.example.test/agents/runner:%(runner_tag)s', // 2
      'COPY --from=build /opt/agent /opt/agent', // 3
      'FROM registry.example.test/agents/base:%(tag)d', // 4
      '',
    ].join('\n');
    const scanned = scanSources([sourceFile('agent/Dockerfile', new Uint8Array(Buffer.from(dockerfile)))]);
    expect(scanned.references.map((reference) => [reference.line, reference.value, reference.skip])).toEqual([
      [2, 'registry.example.test/agents/runner:%(runner_tag)s', 'templated'],
      [4, 'registry.example.test/agents/base:%(tag)d', 'invalid-reference'],
    ]);
  });

  it('leaves out a name in capitals and the remainder of a name that a script completes, in any file kind', () => {
    const resource = [
      'apiVersion: example.test/v1', // 1
      'kind: ReplicaStore', // 2
      'metadata:', // 3
      '  name: store', // 4
      'spec:', // 5
      '  image: STORE_SERVER_IMAGE', // 6
      '  archiver:', // 7
      '    image: -archiver', // 8
      '  metrics:', // 9
      '    image: registry.example.test/store/metrics:2.1', // 10
      '  probe:', // 11
      '    image: registry.example.test/STORE_PROBE:2.1', // 12
      '',
    ].join('\n');
    const compose = ['services:', '  relay:', '    image: PUT_RELAY_IMAGE_HERE', '  queue:', '    image: example/queue:3.4', ''].join('\n');
    const dockerfile = ['FROM BUILDER_BASE_IMAGE', 'RUN true', ''].join('\n');
    // A base that the build script writes in before it builds each variant.
    // `Replace-Me` is a stand-in in any case; `Base-Here`, in mixed case, is no name in capitals and stays an invalid reference.
    const variant = ['FROM REPLACE-ME', 'FROM SET-BASE-HERE AS tools', 'FROM Replace-Me', 'FROM Base-Here', 'RUN true', ''].join('\n');
    const scanned = scanSources([
      sourceFile('deploy/store.yaml', new Uint8Array(Buffer.from(resource))),
      sourceFile('compose.yaml', new Uint8Array(Buffer.from(compose))),
      sourceFile('Dockerfile', new Uint8Array(Buffer.from(dockerfile))),
      sourceFile('assets/debian.Dockerfile', new Uint8Array(Buffer.from(variant))),
    ]);
    expect(scanned.references.map((reference) => [reference.file, reference.line, reference.value, reference.skip])).toEqual([
      ['assets/debian.Dockerfile', 4, 'Base-Here', 'invalid-reference'],
      ['compose.yaml', 5, 'example/queue:3.4', null],
      ['deploy/store.yaml', 10, 'registry.example.test/store/metrics:2.1', null],
    ]);
  });

  it('leaves out a format field in single braces that a program fills in, in any file kind', () => {
    const values = [
      'hub:', // 1
      '  profiles:', // 2
      '    - display_name: Custom image', // 3
      '      override:', // 4
      "        image: '{value}'", // 5
      '    - display_name: Default', // 6
      '      override:', // 7
      '        image: registry.example.test/notebooks/base:2024.10', // 8
      '    - display_name: Mixed', // 9
      '      override:', // 10
      "        image: 'registry.example.test/team/lab:{version}'", // 11
      '',
    ].join('\n');
    const compose = ['services:', '  worker:', '    image: "{image}"', '  spare:', '    image: example/spare:1.0', ''].join('\n');
    const scanned = scanSources([sourceFile('config/hub.values.yaml', new Uint8Array(Buffer.from(values))), sourceFile('compose.yaml', new Uint8Array(Buffer.from(compose)))]);
    expect(scanned.references.map((reference) => [reference.file, reference.line, reference.value, reference.skip])).toEqual([
      ['compose.yaml', 5, 'example/spare:1.0', null],
      ['config/hub.values.yaml', 8, 'registry.example.test/notebooks/base:2024.10', null],
      ['config/hub.values.yaml', 11, 'registry.example.test/team/lab:{version}', 'invalid-reference'],
    ]);
  });

  it('leaves out a name in capitals between plus signs that a release script replaces, in any file kind', () => {
    const csv = [
      'apiVersion: operators.coreos.com/v1alpha1', // 1
      'kind: ClusterServiceVersion', // 2
      'metadata:', // 3
      '  name: relay-operator.v0.4.0', // 4
      'spec:', // 5
      '  install:', // 6
      '    strategy: deployment', // 7
      '    spec:', // 8
      '      deployments:', // 9
      '        - name: relay-operator', // 10
      '          spec:', // 11
      '            template:', // 12
      '              spec:', // 13
      '                containers:', // 14
      '                  - name: manager', // 15
      '                    image: +RELAY_IMAGE_TO_REPLACE+', // 16
      '                  - name: proxy', // 17
      '                    image: registry.example.test/relay/proxy:0.4.0', // 18
      '                  - name: probe', // 19
      '                    image: +relay_probe+', // 20
      '  relatedImages:', // 21
      '    - name: webhook', // 22
      '      image: +WEBHOOK_IMAGE_TO_REPLACE+', // 23
      '',
    ].join('\n');
    const dockerfile = ['FROM +BUILDER_IMAGE+ AS build', 'FROM registry.example.test/relay/base:0.4.0', 'COPY --from=build /out /out', ''].join('\n');
    const scanned = scanSources([
      sourceFile('bundle/manifests/relay-operator.clusterserviceversion.yaml', new Uint8Array(Buffer.from(csv))),
      sourceFile('build/Dockerfile', new Uint8Array(Buffer.from(dockerfile))),
    ]);
    expect(scanned.references.map((reference) => [reference.file, reference.line, reference.value, reference.skip])).toEqual([
      ['build/Dockerfile', 2, 'registry.example.test/relay/base:0.4.0', null],
      ['bundle/manifests/relay-operator.clusterserviceversion.yaml', 18, 'registry.example.test/relay/proxy:0.4.0', null],
      ['bundle/manifests/relay-operator.clusterserviceversion.yaml', 20, '+relay_probe+', 'invalid-reference'],
    ]);
  });
});
