import { describe, expect, it } from 'vitest';
import { renderScanText } from '../../src/cli/scan.js';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

describe('values under image keys that are not container images', () => {
  it('OpenStack policy rules and pictures are not images; a real one next to them still is', () => {
    const picture = 'iVBORw0KGgo'.padEnd(2000, 'QUFB');
    expect(
      scan({
        'openstack/glance/policy.yaml': '"add_image": "rule:admin_or_owner"\n"delete_image": "role:admin"\n',
        'tests/logo.yaml': `request:\n  image: ${picture}\n  base_image: python:3.13.0-slim\n`,
      }),
    ).toEqual([['tests/logo.yaml', 3, 'python:3.13.0-slim', 'yaml-image', null]]);
  });

  it('OpenShift CI ImageStreamTags ({namespace, name, tag}) are images inside the CI cluster, not registry references', () => {
    expect(
      scan({
        '.ci-operator.yaml': 'build_root_image:\n  name: release\n  namespace: openshift\n  tag: rhel-9-golang-1.22\n',
        'ci-operator/config/org/repo/org-repo-main.yaml':
          'base_images:\n  base:\n    name: "4.17"\n    namespace: ocp\n    tag: base-rhel9\nbuild_root:\n  image_stream_tag:\n    name: release\n    namespace: openshift\n    tag: golang-1.22\n',
        'deploy/builder.yaml': 'builder_image:\n  name: registry.example.test/ci/builder\n  tag: "2.1"\n',
      }),
    ).toEqual([['deploy/builder.yaml', 2, 'registry.example.test/ci/builder:2.1', 'yaml-image', null]]);
  });

  it('a field map whose values are the names of their own keys (a log shipper adding pod fields) holds no image', () => {
    const shipper = [
      'sources:',
      '  pods:',
      '    type: kubernetes_logs',
      '    pod_annotation_fields:',
      '      container_image: container_image',
      '      container_name: container_name',
      '    extra:',
      '      image: image',
      '      helper_image: registry.example.test/logs/helper:0.9.2',
      '',
    ].join('\n');
    expect(scan({ 'logging/shipper.yaml': shipper })).toEqual([['logging/shipper.yaml', 9, 'registry.example.test/logs/helper:0.9.2', 'yaml-image', null]]);
  });

  it('Nagios host pictures in Puppet are not images', () => {
    const manifest = [
      'nagios_host { $title:',
      '  icon_image      => $icon_image,',
      "  vrml_image      => 'server.png',",
      '  statusmap_image => $statusmap_image,',
      '}',
      "docker::run { 'exporter': image => 'prom/node-exporter:v1.8.2' }",
      '',
    ].join('\n');
    expect(scan({ 'modules/monitoring/manifests/host.pp': manifest })).toEqual([['modules/monitoring/manifests/host.pp', 6, 'prom/node-exporter:v1.8.2', 'puppet', null]]);
  });

  it('the text table never prints a huge value whole', () => {
    const value = `acme/app:${'x'.repeat(300)}`;
    const text = renderScanText({
      references: [{ file: 'a.yaml', line: 1, column: 8, value, kind: 'yaml-image', image: null, name: null, skip: 'invalid-reference', spans: [] }],
      problems: [],
    });
    expect(text).toContain(`${value.slice(0, 119)}… (309 characters)`);
    expect(text).not.toContain(value);
  });
});

describe('compose file format 1', () => {
  it('reads services written at the top level of a compose-named file', () => {
    const v1 = 'web:\n  build: .\n  links: [db]\ndb:\n  image: postgres:9.6.24\n  environment:\n    - POSTGRES_PASSWORD=x\ncache:\n  image: "redis:3.2.12"\n';
    expect(scan({ 'legacy/docker-compose.yml': v1 })).toEqual([
      ['legacy/docker-compose.yml', 5, 'postgres:9.6.24', 'compose-service', null],
      ['legacy/docker-compose.yml', 9, 'redis:3.2.12', 'compose-service', null],
    ]);
  });
});

describe('virtual machine images', () => {
  it('Azure Pipelines pool vmImage is not a container image; a container resource is', () => {
    const pipeline = 'pool:\n  vmImage: ubuntu-24.04\nresources:\n  containers:\n    - container: db\n      image: postgres:16.4\n';
    expect(scan({ 'azure-pipelines.yml': pipeline })).toEqual([['azure-pipelines.yml', 6, 'postgres:16.4', 'yaml-image', null]]);
  });

  it("a pool in a chart's values is a component of the chart, and its image is a container image", () => {
    const values = [
      'store:', // 1
      '  pool:', // 2
      '    image: registry.example.test/team/pool-daemon', // 3
      '    imageTag: "2.1.0"', // 4
      '  manager:', // 5
      '    image: registry.example.test/team/pool-manager', // 6
      '    imageTag: "2.1.0"', // 7
      'agents:', // 8
      '  pool:', // 9
      '    image: registry.example.test/team/agent:1.4.0', // 10
      '',
    ].join('\n');
    expect(
      scan({
        'chart/Chart.yaml': 'apiVersion: v2\nname: store\nversion: 1.0.0\n',
        'chart/values.yaml': values,
        'azure-pipelines.yml': 'pool:\n  name: hosted\n  image: ubuntu-2404-image\nsteps:\n  - script: make\n',
      }),
    ).toEqual([
      ['chart/values.yaml', 3, 'registry.example.test/team/pool-daemon:2.1.0', 'helm-values', null],
      ['chart/values.yaml', 6, 'registry.example.test/team/pool-manager:2.1.0', 'helm-values', null],
      ['chart/values.yaml', 10, 'registry.example.test/team/agent:1.4.0', 'helm-values', null],
    ]);
  });
});

describe('helm-unittest suites', () => {
  const suite = [
    'suite: proxy image', // 1
    'templates:', // 2
    '  - deployment.yaml', // 3
    'tests:', // 4
    '  - it: takes the tag from the values', // 5
    '    set:', // 6
    '      image:', // 7
    '        repository: example.test/proxy', // 8
    '        tag: 2.4.1', // 9
    '    asserts:', // 10
    '      - equal:', // 11
    '          path: spec.template.spec.containers[0].image', // 12
    '          value: example.test/proxy:2.4.1', // 13
    '',
  ].join('\n');

  it('holds test inputs and expectations: nothing in a suite is reported, the chart values beside it are', () => {
    expect(
      scan({
        'chart/tests/image_test.yaml': suite,
        'chart/values.yaml': 'image:\n  repository: example.test/proxy\n  tag: 2.4.0\n',
      }),
    ).toEqual([['chart/values.yaml', 2, 'example.test/proxy:2.4.0', 'helm-values', null]]);
  });

  it('a suite whose tests each name their template (no templates list at the top) is a suite too', () => {
    const perTest = [
      'suite: registry deployment', // 1
      'tests:', // 2
      '  - it: runs the image the values name', // 3
      '    template: templates/registry/deployment.yaml', // 4
      '    set:', // 5
      '      registry:', // 6
      '        image:', // 7
      '          repository: example.test/registry', // 8
      '          tag: 3.0.0', // 9
      '        initContainers:', // 10
      '          - name: wait', // 11
      '            image: busybox', // 12
      '    asserts:', // 13
      '      - equal:', // 14
      '          path: spec.template.spec.containers[0].image', // 15
      '          value: example.test/registry:3.0.0', // 16
      '',
    ].join('\n');
    expect(scan({ 'test/unittest/registry/registry_deployment_test.yaml': perTest })).toEqual([]);
  });

  it('a suite-like file whose tests are not all helm-unittest entries (it + asserts) is still read', () => {
    const jobs = 'suite: nightly\ntests:\n  - it: smoke\n    asserts: []\n  - name: load\n    image: grafana/k6:0.55.0\n';
    expect(scan({ 'ci/nightly.yaml': jobs })).toEqual([['ci/nightly.yaml', 6, 'grafana/k6:0.55.0', 'yaml-image', null]]);
  });

  it('a file that only looks like one (no tests list) is still read', () => {
    expect(scan({ 'ci/suite.yaml': 'suite: nightly\ntemplates: [smoke]\nrunner:\n  image: python:3.13.1-slim\n' })).toEqual([['ci/suite.yaml', 4, 'python:3.13.1-slim', 'yaml-image', null]]);
  });
});

describe('the same Puppet image written twice', () => {
  it('an image made only of class parameters that are reported at their defaults is not reported again where it is used', () => {
    const manifest = [
      'class profile::proxy (', // 1
      "  String $proxy_image = 'haproxy',", // 2
      "  String $proxy_tag   = '3.0.5-alpine',", // 3
      "  String $name_prefix = 'edge',", // 4
      ') {', // 5
      "  docker::run { 'proxy':", // 6
      '    image => "${proxy_image}:${proxy_tag}",', // 7
      '  }', // 8
      "  docker::run { 'sidecar':", // 9
      '    image => "${name_prefix}/${unknown_tag}",', // 10
      '  }', // 11
      '}', // 12
      '',
    ].join('\n');
    expect(scan({ 'site/profile/manifests/proxy.pp': manifest })).toEqual([
      ['site/profile/manifests/proxy.pp', 2, 'haproxy:3.0.5-alpine', 'puppet', null],
      ['site/profile/manifests/proxy.pp', 10, '${name_prefix}/${unknown_tag}', 'puppet', 'templated'],
    ]);
  });
});

describe('OCI Marketplace metadata in chart values', () => {
  it('oci_meta images are relative to a repository the Marketplace fills in; the chart image is still read', () => {
    const values = [
      'image:', // 1
      '  repository: example.test/gateway', // 2
      '  tag: 1.9.0', // 3
      'oci_meta:', // 4
      '  enabled: false', // 5
      '  repo: gateway', // 6
      '  images:', // 7
      '    gateway:', // 8
      '      image: gateway', // 9
      '      tag: latest', // 10
      'metrics:', // 11
      '  image: example.test/exporter:0.4.2', // 12
      '',
    ].join('\n');
    expect(scan({ 'chart/values.yaml': values })).toEqual([
      ['chart/values.yaml', 2, 'example.test/gateway:1.9.0', 'helm-values', null],
      ['chart/values.yaml', 12, 'example.test/exporter:0.4.2', 'helm-values', null],
    ]);
  });
});

describe('values passed on from elsewhere', () => {
  it("a Puppet parameter defaulting to another class's parameter passes it on; a literal default is still read", () => {
    const manifest = [
      'class platform::runtime (', // 1
      '  String $sandbox_image = $platform::sandbox_image,', // 2
      "  String $pause_image   = 'registry.k8s.io/pause:3.10',", // 3
      ') {', // 4
      '}', // 5
      '',
    ].join('\n');
    expect(scan({ 'manifests/runtime.pp': manifest })).toEqual([['manifests/runtime.pp', 3, 'registry.k8s.io/pause:3.10', 'puppet', null]]);
  });

  it('an Ansible image made of a name variable and a digest or tag variable passes them on', () => {
    const tasks = [
      '- name: start by digest', // 1
      '  community.docker.docker_container:', // 2
      '    name: probe', // 3
      '    image: "{{ probe_base }}@sha256:{{ probe_digest }}"', // 4
      '- name: start by tag', // 5
      '  community.docker.docker_container:', // 6
      '    name: probe2', // 7
      '    image: "{{ probe_base }}:{{ probe_tag }}"', // 8
      '',
    ].join('\n');
    expect(scan({ 'roles/probe/tasks/main.yml': tasks })).toEqual([]);
  });

  it('so does a name variable joined by @ to one action that gives the whole digest; a digest action after a name written out stays templated', () => {
    const tasks = [
      '- name: pull what was recorded', // 1
      '  community.docker.docker_image:', // 2
      "    name: \"{{ probe_base }}@{{ recorded.images[0].RepoDigests[0] | regex_replace('.*@', '') }}\"", // 3
      '    source: pull', // 4
      '- name: start by digest', // 5
      '  community.docker.docker_container:', // 6
      '    name: probe', // 7
      '    image: "{{ probe_base }}@{{ probe_digest }}"', // 8
      '- name: start the agent', // 9
      '  community.docker.docker_container:', // 10
      '    name: agent', // 11
      '    image: "registry.example.test/team/agent@{{ agent_digest }}"', // 12
      '',
    ].join('\n');
    expect(scan({ 'roles/probe/tasks/main.yml': tasks })).toEqual([['roles/probe/tasks/main.yml', 12, 'registry.example.test/team/agent@{{ agent_digest }}', 'yaml-image', 'templated']]);
  });

  it('a GitHub Actions container computed by an expression names no image; a plain matrix use is its listed values', () => {
    const workflow = [
      'jobs:', // 1
      '  dist:', // 2
      '    runs-on: ubuntu-24.04', // 3
      '    container: ${{ matrix.container && matrix.container.image || null }}', // 4
      '    services:', // 5
      '      db:', // 6
      '        image: ${{ fromJSON(inputs.services).db }}', // 7
      '    steps: [{run: make}]', // 8
      '  test:', // 9
      '    runs-on: ubuntu-24.04', // 10
      '    container: ${{ matrix.os }}', // 11
      '    strategy:', // 12
      '      matrix:', // 13
      '        os: [debian:12.8, alpine:3.21.0]', // 14
      '    steps: [{run: make test}]', // 15
      '',
    ].join('\n');
    expect(scan({ '.github/workflows/dist.yml': workflow })).toEqual([
      ['.github/workflows/dist.yml', 14, 'debian:12.8', 'yaml-image', null],
      ['.github/workflows/dist.yml', 14, 'alpine:3.21.0', 'yaml-image', null],
    ]);
  });
});

describe("Ansible's docker_image module", () => {
  it('repository is where the image is tagged or pushed to, not an image to pull; name and tag still are', () => {
    const tasks = [
      '- name: tag for the mirror', // 1
      '  community.docker.docker_image:', // 2
      '    name: app:1.2.0', // 3
      '    repository: registry.example.test/team/app', // 4
      '    push: true', // 5
      '    source: local', // 6
      '- name: pull', // 7
      '  docker_image:', // 8
      '    name: alpine', // 9
      '    tag: 3.21.0', // 10
      '    repository: registry.example.test/mirror/alpine', // 11
      '',
    ].join('\n');
    expect(scan({ 'roles/mirror/tasks/main.yml': tasks })).toEqual([['roles/mirror/tasks/main.yml', 9, 'alpine:3.21.0', 'yaml-image', null]]);
  });
});

describe('YAML a program renders with template actions', () => {
  it('takes a name and tag written only as actions for an image set elsewhere; one with text of its own stays templated', () => {
    const values = [
      'fullnameOverride: "{{ .Release.Name }}"', // 1
      'replicaCount: {{ .Replicas }}', // 2
      'image:', // 3
      '  repository: {{ .RelayImageRepo }}', // 4
      '  tag: {{ .RelayImageTag }}', // 5
      'sidecar:', // 6
      '  image:', // 7
      '    repository: registry.example.test/{{ .Team }}/sidecar', // 8
      '    tag: {{ .SidecarTag }}', // 9
      '',
    ].join('\n');
    expect(scan({ 'deploy/e2e/relay-under-test.yaml': values })).toEqual([
      ['deploy/e2e/relay-under-test.yaml', 8, 'registry.example.test/{{ .Team }}/sidecar:{{ .SidecarTag }}', 'yaml-image', 'templated'],
    ]);
  });
});
