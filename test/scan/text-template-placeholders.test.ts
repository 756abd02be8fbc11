import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

/** Chart values that a FreeMarker template renders from the program's configuration before Helm reads them. */
const FREEMARKER_VALUES = [
  'clientVersion: ${config.agent.clientVersion}', // 1
  '', // 2
  'server:', // 3
  '<#if config.server.image?has_content>', // 4
  '  <#assign parsed = parser.parse(config.server.image)>', // 5
  '  image:', // 6
  '    registry: ${parsed.registry}', // 7
  '    repository: ${parsed.repository}', // 8
  '    tag: "${parsed.tag}"', // 9
  '<#else>', // 10
  '  image:', // 11
  '    registry: registry.example.test', // 12
  '    repository: team/server', // 13
  '    tag: "${config.server.version}"', // 14
  '</#if>', // 15
  '  pullPolicy: "{{ .Values.server.pullPolicy }}"', // 16
  '  sidecars:', // 17
  '    - name: prepare', // 18
  '      image: ${config.server.shellImage}', // 19
  '    - name: audit', // 20
  '      image: registry.example.test/team/audit:1.2.0', // 21
  '',
].join('\n');

describe('placeholders of text templates', () => {
  it('an image made only of FreeMarker interpolations of dotted names passes on an image set elsewhere; a literal name with such a tag stays templated', () => {
    expect(scan({ 'apps/server/templates/values.ftl.yaml': FREEMARKER_VALUES })).toEqual([
      ['apps/server/templates/values.ftl.yaml', 13, 'registry.example.test/team/server:${config.server.version}', 'helm-values', 'templated'],
      ['apps/server/templates/values.ftl.yaml', 21, 'registry.example.test/team/audit:1.2.0', 'helm-values', null],
    ]);
  });

  it('reads so in parsed YAML of any kind, while shell variables without a dot stay templated', () => {
    const pod = [
      'apiVersion: v1',
      'kind: Pod',
      'metadata: {name: web}',
      'spec:',
      '  containers:',
      '    - name: web',
      '      image: ${config.web.image}',
      '    - name: proxy',
      '      image: ${PROXY_REGISTRY}/net/proxy:${PROXY_TAG}',
      '',
    ].join('\n');
    const compose = ['services:', '  api:', '    image: ${api.registry}/${api.repository}:${api.tag}', '  cache:', '    image: ${CACHE_IMAGE}', ''].join('\n');
    expect(scan({ 'deploy/pod.yaml': pod, 'deploy/compose.yaml': compose })).toEqual([
      ['deploy/compose.yaml', 5, '${CACHE_IMAGE}', 'compose-service', 'templated'],
      ['deploy/pod.yaml', 9, '${PROXY_REGISTRY}/net/proxy:${PROXY_TAG}', 'kubernetes-container', 'templated'],
    ]);
  });

  it('a Dockerfile image made only of dotted names is filled in by a build tool before any build; a literal name with such a tag, and a build argument, stay templated', () => {
    const dockerfile = [
      'FROM ${build.base.image} AS runtime', // 1
      'COPY --from=${build.tools.image} /usr/bin/tool /usr/bin/', // 2
      'FROM ${build.registry}/${build.repository}:${build.tag}', // 3
      'FROM registry.example.test/team/base:${build.base.version}', // 4
      'ARG BASE_IMAGE', // 5
      'FROM ${BASE_IMAGE}', // 6
      'COPY --from=runtime /app /app', // 7
      '',
    ].join('\n');
    expect(scan({ 'service/docker/Dockerfile': dockerfile })).toEqual([
      ['service/docker/Dockerfile', 4, 'registry.example.test/team/base:${build.base.version}', 'dockerfile-from', 'templated'],
      ['service/docker/Dockerfile', 6, '${BASE_IMAGE}', 'dockerfile-from', 'templated'],
    ]);
  });

  it('a registry written as a placeholder in angle brackets names no image, in values and in YAML templates alike', () => {
    const config = [
      'gateway:', // 1
      '  helm:', // 2
      '    values:', // 3
      '      image:', // 4
      '        registry: "<address>"', // 5
      '        repository: "library/gateway"', // 6
      '        tag: "3.3.3"', // 7
      'mail:', // 8
      '  image:', // 9
      '    registry: "<your-registry>"', // 10
      '    repository: team/mail', // 11
      '    tag: "1.0.0"', // 12
      'monitor:', // 13
      '  image:', // 14
      '    registry: registry.example.test', // 15
      '    repository: team/monitor', // 16
      '    tag: "2.0.0"', // 17
      '',
    ].join('\n');
    expect(scan({ 'scripts/airgapped-config.yaml': config, 'scripts/airgapped-config.yaml.tpl': config, 'chart/values.yaml': config })).toEqual([
      ['chart/values.yaml', 16, 'registry.example.test/team/monitor:2.0.0', 'helm-values', null],
      ['scripts/airgapped-config.yaml', 16, 'registry.example.test/team/monitor:2.0.0', 'yaml-image', null],
      ['scripts/airgapped-config.yaml.tpl', 16, 'registry.example.test/team/monitor:2.0.0', 'yaml-template', null],
    ]);
  });

  it('an owner or registry written as a format field in single braces is for the user to fill in, in manifests and compose files', () => {
    const service = [
      'apiVersion: serving.example.test/v1', // 1
      'kind: ModelService', // 2
      'metadata: {name: scorer}', // 3
      'spec:', // 4
      '  predictor:', // 5
      '    containers:', // 6
      '      - name: scorer', // 7
      '        image: {username}/scorer:latest', // 8
      '      - name: cache', // 9
      '        image: registry.example.test/team/cache:1.4', // 10
      '',
    ].join('\n');
    const compose = [
      'services:', // 1
      '  web:', // 2
      '    image: "{DOCKER_USER}/{PROJECT}:latest"', // 3
      '  proxy:', // 4
      '    image: "{registry}/edge/proxy:2.0"', // 5
      '  api:', // 6
      '    image: "registry.example.test/team/api:{version}"', // 7
      '  db:', // 8
      '    image: "registry.example.test/data/store:${STORE_TAG}"', // 9
      '',
    ].join('\n');
    expect(scan({ 'docs/samples/scorer.yaml': service, 'docs/samples/compose.yaml': compose })).toEqual([
      ['docs/samples/compose.yaml', 7, 'registry.example.test/team/api:{version}', 'compose-service', 'invalid-reference'],
      ['docs/samples/compose.yaml', 9, 'registry.example.test/data/store:${STORE_TAG}', 'compose-service', 'templated'],
      ['docs/samples/scorer.yaml', 10, 'registry.example.test/team/cache:1.4', 'kubernetes-container', null],
    ]);
  });

  it('an owner or registry written as a word in capitals with underscores or hyphens is for the user to fill in, in any file kind', () => {
    const service = [
      'apiVersion: apps/v1', // 1
      'kind: Deployment', // 2
      'metadata: {name: relay}', // 3
      'spec:', // 4
      '  template:', // 5
      '    spec:', // 6
      '      containers:', // 7
      '        - name: relay', // 8
      '          image: docker.io/YOUR_ALIAS/e2e-relay:dev', // 9
      '        - name: probe', // 10
      '          image: YOUR_REGISTRY/e2e-probe:dev', // 11
      '        - name: sink', // 12
      '          image: registry.example.test/team/sink:1.4', // 13
      '        - name: mixed', // 14
      '          image: registry.example.test/your_alias/mixed:2.0', // 15
      '        - name: gate', // 16
      '          image: YOUR-TEAM/e2e-gate:1.0', // 17
      '',
    ].join('\n');
    const dockerfile = ['FROM ACCOUNT_ID.dkr.ecr.region.example.test/base/os:1.0', 'FROM registry.example.test/YOUR_TEAM/tools:3.1 AS tools', 'FROM registry.example.test/team/runtime:2.2', ''].join(
      '\n',
    );
    expect(scan({ 'tests/apps/relay/service.yaml': service, 'images/base/Dockerfile': dockerfile })).toEqual([
      ['images/base/Dockerfile', 3, 'registry.example.test/team/runtime:2.2', 'dockerfile-from', null],
      ['tests/apps/relay/service.yaml', 13, 'registry.example.test/team/sink:1.4', 'kubernetes-container', null],
      ['tests/apps/relay/service.yaml', 15, 'registry.example.test/your_alias/mixed:2.0', 'kubernetes-container', null],
    ]);
  });
});
