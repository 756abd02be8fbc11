/** Plain YAML values that are one environment variable: filled in by whoever runs the file, they name no image as written. */
import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip]);

const SCENARIO = [
  '---', // 1
  'driver:', // 2
  '  name: delegated', // 3
  'provisioner:', // 4
  '  name: ansible', // 5
  '  inventory:', // 6
  '    host_vars:', // 7
  '      localhost:', // 8
  '        gateway_image: ${GATEWAY_TEST_IMAGE:-""}', // 9
  "        worker_image: ${WORKER_TEST_IMAGE:-''}", // 10
  '        agent_image: ${AGENT_TEST_IMAGE}', // 11
  '        probe_image: $PROBE_TEST_IMAGE', // 12
  '        cache_image: ${CACHE_TEST_IMAGE:-registry.example.test/cache/store:7.2}', // 13
  '        relay_image: ${RELAY_REGISTRY}/relay:2.0', // 14
  '',
].join('\n');

const POD_FRAGMENT = [
  'spec:', // 1
  '  containers:', // 2
  '  - name: docs', // 3
  '    image: ${TEMPLATE_DOCS_IMAGE}', // 4
  '    tty: true', // 5
  '  - name: shell', // 6
  '    image: registry.example.test/tools/shell:3.1', // 7
  '',
].join('\n');

describe('plain YAML values that are one environment variable', () => {
  it('a variable with no default or an empty one names no image; a default or text of its own stays templated', () => {
    expect(scan({ 'molecule/default/molecule.yml': SCENARIO })).toEqual([
      ['molecule/default/molecule.yml', 13, 'registry.example.test/cache/store:7.2', null],
      ['molecule/default/molecule.yml', 14, '${RELAY_REGISTRY}/relay:2.0', 'templated'],
    ]);
  });

  it('a pod template fragment that a library fills in keeps its literal images only', () => {
    expect(scan({ 'resources/podtemplates/docs.yaml': POD_FRAGMENT })).toEqual([['resources/podtemplates/docs.yaml', 7, 'registry.example.test/tools/shell:3.1', null]]);
  });

  it('a compose file still shows such an image templated: compose reads its own environment and .env', () => {
    const compose = ['services:', '  web:', '    image: ${WEB_IMAGE}', ''].join('\n');
    expect(scan({ 'compose.yaml': compose })).toEqual([['compose.yaml', 3, '${WEB_IMAGE}', 'templated']]);
  });
});

describe("a container's env value named for an image", () => {
  it('is reported when it is a complete reference with a tag or digest, and not otherwise', () => {
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
      '          image: registry.example.test/team/operator:1.0.0', // 10
      '          env:', // 11
      '            - name: WORKER_IMAGE', // 12
      '              value: registry.example.test/team/worker:2.1.0', // 13
      '            - name: RELATED_IMAGE_DB', // 14
      `              value: registry.example.test/team/db@sha256:${'a'.repeat(64)}`, // 15
      '            - name: proxy-image', // 16
      '              value: "registry.example.test/team/proxy:0.9"', // 17
      '            - name: SIDECAR_IMAGE', // 18
      '              value: busybox', // 19
      '            - name: WORKER_IMAGE_TAG', // 20
      '              value: "2.1"', // 21
      '            - name: IMAGE_PULL_POLICY', // 22
      '              value: Always', // 23
      '            - name: BACKUP_IMAGE', // 24
      '              value: ${BACKUP_IMAGE}', // 25
      '            - name: DEFAULT_REGISTRY', // 26
      '              value: registry.example.test/team/other:1.0', // 27
      '',
    ].join('\n');
    const values = ['env:', '  - name: WORKER_IMAGE', '    value: registry.example.test/team/worker:2.1.0', ''].join('\n');
    expect(scan({ 'deploy/operator.yaml': deployment, 'chart/values.yaml': values })).toEqual([
      ['deploy/operator.yaml', 10, 'registry.example.test/team/operator:1.0.0', null],
      ['deploy/operator.yaml', 13, 'registry.example.test/team/worker:2.1.0', null],
      ['deploy/operator.yaml', 15, `registry.example.test/team/db@sha256:${'a'.repeat(64)}`, null],
      ['deploy/operator.yaml', 17, 'registry.example.test/team/proxy:0.9', null],
    ]);
  });

  it('is templated when the name is written in full and only its digest is a placeholder a release script fills in', () => {
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
      '          image: registry.example.test/team/operator@sha256:<fill_operator_digest>', // 10
      '          env:', // 11
      '            - {', // 12
      '                name: RELATED_IMAGE_DB,', // 13
      '                value: "registry.example.test/team/db@sha256:<fill_db_digest>",', // 14
      '              }', // 15
      '            - name: RELATED_IMAGE_CACHE', // 16
      '              value: registry.example.test/team/cache:7.2@sha256:CACHE_DIGEST', // 17
      '            - name: RELATED_IMAGE_QUEUE', // 18
      '              value: ${QUEUE_IMAGE}@sha256:<fill_queue_digest>', // 19
      '            - name: RELATED_IMAGE_AGENT', // 20
      '              value: registry.example.test/${TEAM}/agent@sha256:<fill_agent_digest>', // 21
      '            - name: REPORT_IMAGE_DIGEST', // 22
      '              value: sha256:<fill_report_digest>', // 23
      '',
    ].join('\n');
    // The same object in a manifest that only a template engine makes YAML, read line by line.
    const broken = deployment.replace('  name: operator', '  name: {{ .Release.Name }}-operator').replace(/ {12}- \{\n.*\n.*\n {14}\}\n/, '');
    expect(scan({ 'deploy/operator.yaml': deployment, 'chart/templates/operator.yaml': broken })).toEqual([
      ['chart/templates/operator.yaml', 10, 'registry.example.test/team/operator@sha256:<fill_operator_digest>', 'templated'],
      ['chart/templates/operator.yaml', 13, 'registry.example.test/team/cache:7.2@sha256:CACHE_DIGEST', 'templated'],
      ['deploy/operator.yaml', 10, 'registry.example.test/team/operator@sha256:<fill_operator_digest>', 'templated'],
      ['deploy/operator.yaml', 14, 'registry.example.test/team/db@sha256:<fill_db_digest>', 'templated'],
      ['deploy/operator.yaml', 17, 'registry.example.test/team/cache:7.2@sha256:CACHE_DIGEST', 'templated'],
    ]);
  });

  it("is not an image when the value is a digest alone: a scan report's record of an image ID", () => {
    const report = [
      'apiVersion: scans.example.test/v1', // 1
      'kind: ImageReport', // 2
      'metadata:', // 3
      '  name: web-report', // 4
      'report:', // 5
      '  properties:', // 6
      '    - name: scanner:ImageID', // 7
      `      value: sha256:${'b'.repeat(64)}`, // 8
      '    - name: scanner:BaseImage', // 9
      `      value: registry.example.test/team/web@sha256:${'c'.repeat(64)}`, // 10
      '',
    ].join('\n');
    // The same record in a manifest that only a template engine makes YAML, read line by line.
    const broken = report.replace('  name: web-report', '  name: {{ .Release.Name }}-report');
    expect(scan({ 'reports/web.yaml': report, 'chart/templates/web.yaml': broken })).toEqual([
      ['chart/templates/web.yaml', 10, `registry.example.test/team/web@sha256:${'c'.repeat(64)}`, null],
      ['reports/web.yaml', 10, `registry.example.test/team/web@sha256:${'c'.repeat(64)}`, null],
    ]);
  });
});

describe('plain YAML values made only of environment variables joined as a name and a tag', () => {
  it('name no image of their own, as one such variable does not; a default or text of their own stays templated; a manifest keeps them templated', () => {
    const values = [
      'image: $IMAGE_REPOSITORY:$IMAGE_TAG', // 1
      'worker:', // 2
      '  image: ${REGISTRY}/${WORKER_NAME}:${WORKER_TAG}', // 3
      'agent:', // 4
      '  image: $REGISTRY/team/agent:$AGENT_TAG', // 5
      'probe:', // 6
      '  image: ${PROBE_NAME}:${PROBE_TAG:-1.4.0}', // 7
      '',
    ].join('\n');
    const pod = ['apiVersion: v1', 'kind: Pod', 'metadata:', '  name: app', 'spec:', '  containers:', '    - name: app', '      image: $IMAGE_REPOSITORY:$IMAGE_TAG', ''].join('\n');
    expect(scan({ 'chart/values.yaml': values, 'deploy/pod.yaml': pod })).toEqual([
      ['chart/values.yaml', 5, '$REGISTRY/team/agent:$AGENT_TAG', 'templated'],
      ['chart/values.yaml', 7, '${PROBE_NAME}:${PROBE_TAG:-1.4.0}', 'templated'],
      ['deploy/pod.yaml', 8, '$IMAGE_REPOSITORY:$IMAGE_TAG', 'templated'],
    ]);
  });
});
