import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

describe('virtual machine and cloud server images are not container images', () => {
  it("a Heat template's server, volume and block device images are Glance images; its container resource and compose config still name containers", () => {
    const template = [
      'heat_template_version: 2018-08-31',
      'resources:',
      '  gateway:',
      '    type: OS::Nova::Server',
      '    properties:',
      '      image: alpine-3.20-cloud',
      '      flavor: m1.tiny',
      '      block_device_mapping_v2:',
      '        - image: alpine-3.20-cloud',
      '          volume_size: 8',
      '  data:',
      '    type: OS::Cinder::Volume',
      '    properties: {image: centos/stream9, size: 10}',
      '  edge:',
      '    type: nested/edge-node.yaml',
      '    properties:',
      '      image: debian-12',
      '  app:',
      '    type: OS::Heat::StructuredConfig',
      '    properties:',
      '      group: docker-compose',
      '      config:',
      '        web:',
      '          image: registry.example.test/shop/web:3.1.0',
      '  sidecar:',
      '    type: OS::Zun::Container',
      '    properties:',
      '      image: registry.example.test/shop/sidecar:1.0',
      '',
    ].join('\n');
    expect(scan({ 'stacks/shop.yaml': template })).toEqual([
      ['stacks/shop.yaml', 24, 'registry.example.test/shop/web:3.1.0', 'yaml-image', null],
      ['stacks/shop.yaml', 28, 'registry.example.test/shop/sidecar:1.0', 'yaml-image', null],
    ]);
  });

  it('the same keys outside a Heat template are still read', () => {
    const text = ['resources:', '  web:', '    type: OS::Nova::Server', '    properties:', '      image: registry.example.test/shop/web:3.1.0', ''].join('\n');
    expect(scan({ 'notes/resources.yaml': text })).toEqual([['notes/resources.yaml', 5, 'registry.example.test/shop/web:3.1.0', 'yaml-image', null]]);
  });

  it("an Ansible task of a cloud collection's module boots a machine image; nested container definitions and container modules still name containers", () => {
    const tasks = [
      '- name: boot a builder',
      '  openstack.cloud.server:',
      '    name: builder',
      '    image: ubuntu-24.04',
      '- name: boot the old way',
      '  os_server:',
      '    name: builder-2',
      '    image: centos/stream9',
      '- name: a droplet',
      '  community.digitalocean.digital_ocean_droplet:',
      '    name: probe',
      '    image: ubuntu-24-04-x64',
      '- name: register the task definition',
      '  community.aws.ecs_taskdefinition:',
      '    family: api',
      '    containers:',
      '      - name: api',
      '        image: registry.example.test/shop/api:2.2.0',
      '- name: run it here too',
      '  containers.podman.podman_container:',
      '    name: api',
      '    image: registry.example.test/shop/api:2.2.0',
      '',
    ].join('\n');
    expect(scan({ 'roles/fleet/tasks/main.yml': tasks })).toEqual([
      ['roles/fleet/tasks/main.yml', 18, 'registry.example.test/shop/api:2.2.0', 'yaml-image', null],
      ['roles/fleet/tasks/main.yml', 22, 'registry.example.test/shop/api:2.2.0', 'yaml-image', null],
    ]);
  });

  it("a Cluster API infrastructure machine's image is the machine's; a KubeVirt containerDisk is a container image", () => {
    const machines = [
      'apiVersion: infrastructure.cluster.x-k8s.io/v1alpha7',
      'kind: OpenStackMachineTemplate',
      'metadata: {name: md-0}',
      'spec:',
      '  template:',
      '    spec:',
      '      image: ubuntu-2204-kube-v1.30.4',
      '---',
      'apiVersion: infrastructure.cluster.x-k8s.io/v1alpha1',
      'kind: KubevirtMachineTemplate',
      'metadata: {name: md-1}',
      'spec:',
      '  template:',
      '    spec:',
      '      virtualMachineTemplate:',
      '        spec:',
      '          template:',
      '            spec:',
      '              volumes:',
      '                - name: boot',
      '                  containerDisk:',
      '                    image: quay.io/capk/ubuntu-2204-container-disk:v1.30.4',
      '---',
      'apiVersion: example.test/v1',
      'kind: BuildMachine',
      'metadata: {name: other}',
      'spec:',
      '  image: registry.example.test/ci/builder:5.0',
      '',
    ].join('\n');
    expect(scan({ 'clusters/lab/machines.yaml': machines })).toEqual([
      ['clusters/lab/machines.yaml', 22, 'quay.io/capk/ubuntu-2204-container-disk:v1.30.4', 'kubernetes-image', null],
      ['clusters/lab/machines.yaml', 28, 'registry.example.test/ci/builder:5.0', 'kubernetes-image', null],
    ]);
  });
  it("a kops instance group's image is the cloud image its nodes boot; the cluster's own component images are containers", () => {
    const cluster = [
      'apiVersion: kops.k8s.io/v1alpha2',
      'kind: Cluster',
      'metadata: {name: lab.example.test}',
      'spec:',
      '  kubeAPIServer:',
      '    image: registry.example.test/k8s/kube-apiserver:v1.30.4',
      '---',
      'apiVersion: kops.k8s.io/v1alpha2',
      'kind: InstanceGroup',
      'metadata: {name: nodes-a}',
      'spec:',
      '  image: 000000000000/team/images/node-base-2404-20250101',
      '  machineType: t3.large',
      '  role: Node',
      '---',
      'apiVersion: example.test/v1',
      'kind: InstanceGroup',
      'metadata: {name: workers}',
      'spec:',
      '  image: registry.example.test/team/worker:2.1',
      '',
    ].join('\n');
    expect(scan({ 'kops/lab.yaml': cluster })).toEqual([
      ['kops/lab.yaml', 6, 'registry.example.test/k8s/kube-apiserver:v1.30.4', 'kubernetes-image', null],
      ['kops/lab.yaml', 20, 'registry.example.test/team/worker:2.1', 'kubernetes-image', null],
    ]);
  });
  it("a GitLab job on a hosted macOS runner names its VM image; the pipeline's other images are still read", () => {
    const pipeline = [
      'default:',
      '  image: registry.example.test/ci/base:1.2',
      '  tags: [saas-linux-small-amd64]',
      '.mac:',
      '  tags: [saas-macos-medium-m1]',
      'unit:',
      '  script: [make test]',
      'ios:',
      '  extends: .mac',
      '  image: macos-15-xcode-16',
      '  script: [xcodebuild]',
      '.xcode:',
      '  image: macos-14-xcode-15',
      'ios:legacy:',
      '  extends: .xcode',
      '  tags: [saas-macos-large-m2pro]',
      '  script: [xcodebuild]',
      'self-hosted:',
      '  image: macos-14-xcode-15',
      '  tags: [macos]',
      '  script: [xcodebuild]',
      '',
    ].join('\n');
    expect(scan({ '.gitlab-ci.yml': pipeline })).toEqual([
      ['.gitlab-ci.yml', 2, 'registry.example.test/ci/base:1.2', 'gitlab-ci-image', null],
      ['.gitlab-ci.yml', 19, 'macos-14-xcode-15', 'gitlab-ci-image', 'no-tag'],
    ]);
  });
  it("a Heat environment's value for a template parameter that is a Glance image is one; its other parameters are read as in any YAML", () => {
    const template = [
      'heat_template_version: 2018-08-31',
      'parameters:',
      '  base_image:',
      '    type: string',
      '    constraints:',
      '      - custom_constraint: glance.image',
      '  edge_image:',
      '    type: string',
      'resources:',
      '  edge:',
      '    type: OS::Nova::Server',
      '    properties:',
      '      image: {get_param: edge_image}',
      '',
    ].join('\n');
    const environment = [
      'parameter_defaults:',
      '  base_image: rocky-9-genericcloud',
      '  edge_image: alpine/3.20',
      '  extra_image: debian-12',
      '  ContainerProxyImage: registry.example.test/edge/proxy:1.9.0',
      'resource_registry:',
      '  Edge::Node: edge.yaml',
      '',
    ].join('\n');
    const notEnvironment = ['parameters:', '  base_image: rocky-9-genericcloud', 'services:', '  - api', ''].join('\n');
    expect(scan({ 'stacks/edge.yaml': template, 'stacks/site.yaml': environment, 'notes/params.yaml': notEnvironment })).toEqual([
      ['notes/params.yaml', 2, 'rocky-9-genericcloud', 'yaml-image', 'no-tag'],
      ['stacks/site.yaml', 4, 'debian-12', 'yaml-image', 'no-tag'],
      ['stacks/site.yaml', 5, 'registry.example.test/edge/proxy:1.9.0', 'yaml-image', null],
    ]);
  });
  it("a CircleCI machine executor's image is a VM image; its docker executor images are containers", () => {
    const config = [
      'version: 2.1',
      'jobs:',
      '  build:',
      '    docker:',
      '      - image: registry.example.test/ci/go:1.22.4',
      '    steps: [checkout]',
      '  integration:',
      '    machine:',
      '      image: ubuntu-2204:2024.05.1',
      '    steps: [checkout]',
      '',
    ].join('\n');
    const elsewhere = ['machine:', '  image: registry.example.test/lab/vm-runner:0.4.0', ''].join('\n');
    expect(scan({ '.circleci/config.yml': config, 'lab/runner.yaml': elsewhere })).toEqual([
      ['.circleci/config.yml', 5, 'registry.example.test/ci/go:1.22.4', 'yaml-image', null],
      ['lab/runner.yaml', 2, 'registry.example.test/lab/vm-runner:0.4.0', 'yaml-image', null],
    ]);
  });
  it("a Travis CI configuration's osx_image is a macOS VM image, at the top and in a job; the same key elsewhere is read as written", () => {
    const config = [
      'language: c',
      'os: osx',
      'osx_image: xcode15.4',
      'jobs:',
      '  include:',
      '    - os: osx',
      '      osx_image: xcode14',
      '    - os: linux',
      '      services: [docker]',
      '      script: docker run --rm registry.example.test/ci/cc:13.2 make',
      'script: make check',
      '',
    ].join('\n');
    const elsewhere = ['runner:', '  osx_image: registry.example.test/lab/mac-runner:0.2.0', ''].join('\n');
    expect(scan({ '.travis.yml': config, 'lab/runner.yaml': elsewhere })).toEqual([['lab/runner.yaml', 2, 'registry.example.test/lab/mac-runner:0.2.0', 'yaml-image', null]]);
  });
  it("an AppVeyor configuration's image, one name or a list and in a for: item, is the build worker's VM image; a container its script runs is not read", () => {
    const config = ['image:', '  - Visual Studio 2022', '  - macos-sonoma', 'for:', '  - matrix: {only: [image: macos-sonoma]}', '    image: ubuntu2204', 'build_script:', '  - make', ''].join('\n');
    const single = ['image: ubuntu', 'test_script: make check', ''].join('\n');
    const compose = ['image: registry.example.test/lab/tool:1.4.0', 'build: .', ''].join('\n');
    expect(scan({ 'appveyor.yml': config, 'ci/.appveyor.yml': single, 'lab/tool.yaml': compose })).toEqual([['lab/tool.yaml', 1, 'registry.example.test/lab/tool:1.4.0', 'yaml-image', null]]);
  });
});
