/** Ansible variables judged by how the repository uses them: a registry prefix, an image it builds, an image it only pushes or removes. */
import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.detail ?? null]);

const storageDefaults = [
  '---', // 1
  'disk_csi_image_repo: "registry.example.test/storage/csi"', // 2
  'disk_csi_attacher_image_tag: "v3.1.0"', // 3
  'cloud_node_image_repo: "mirror.example.test"', // 4
  'cloud_node_image_tag: "v0.9.2"', // 5
  'dns_image_repo: "registry.example.test/net/dns"', // 6
  'dns_image_tag: "1.12.0"', // 7
  '',
].join('\n');

const storageTemplate = [
  'spec:',
  '  containers:',
  '    - name: attacher',
  '      image: {{ disk_csi_image_repo }}/attacher:{{ disk_csi_attacher_image_tag }}',
  '    - name: node-manager',
  '      image: {{ cloud_node_image_repo }}/cloud/node-manager:{{ cloud_node_image_tag }}',
  '    - name: dns',
  '      image: "{{ dns_image_repo }}:{{ dns_image_tag }}"',
  '',
].join('\n');

describe('Ansible variables that other values extend', () => {
  it('a variable written before "/" and more of a name is a registry prefix, not an image, with or without a tag beside it', () => {
    expect(scan({ 'roles/storage/defaults/main.yml': storageDefaults, 'roles/storage/templates/csi.yml.j2': storageTemplate })).toEqual([
      ['roles/storage/defaults/main.yml', 6, 'registry.example.test/net/dns:1.12.0', null, null],
    ]);
  });

  it('without the template that extends them, the same variables are images', () => {
    expect(scan({ 'roles/storage/defaults/main.yml': storageDefaults })).toEqual([
      ['roles/storage/defaults/main.yml', 2, 'registry.example.test/storage/csi', 'no-tag', null],
      ['roles/storage/defaults/main.yml', 4, 'mirror.example.test:v0.9.2', null, null],
      ['roles/storage/defaults/main.yml', 6, 'registry.example.test/net/dns:1.12.0', null, null],
    ]);
  });
});

const scenario = [
  'provisioner:', // 1
  '  name: ansible', // 2
  '  inventory:', // 3
  '    host_vars:', // 4
  '      localhost:', // 5
  '        operator_image: shelf-operator', // 6
  '        operator_pull_policy: Never', // 7
  '',
].join('\n');

const converge = [
  '---', // 1
  '- name: Converge', // 2
  '  hosts: localhost', // 3
  '  tasks:', // 4
  '    - name: Build the operator', // 5
  '      community.docker.docker_image:', // 6
  '        build:', // 7
  '          path: "{{ project_dir }}"', // 8
  '        name: "{{ operator_image }}"', // 9
  '        tag: latest', // 10
  '        source: build', // 11
  '    - name: Load it into the cluster', // 12
  '      ansible.builtin.command: kind load docker-image "{{ operator_image }}"', // 13
  '',
].join('\n');

const pullTests = [
  '---', // 1
  '- vars:', // 2
  '    image_name: registry.example.test/shelf/pulled:2.0', // 3
  '  block:', // 4
  '    - name: Pull it', // 5
  '      community.docker.docker_image_pull:', // 6
  '        name: "{{ image_name }}"', // 7
  '',
].join('\n');

const pushTests = [
  '---', // 1
  '- vars:', // 2
  '    image_name: registry.example.test:5000/shelf/pushed:edge', // 3
  '    kept_image_name: registry.example.test/shelf/kept:1.4', // 4
  '  block:', // 5
  '    - name: Remove it first', // 6
  '      community.docker.docker_image_remove:', // 7
  '        name: "{{ image_name }}"', // 8
  '    - name: Push it', // 9
  '      community.docker.docker_image_push:', // 10
  '        name: "{{ image_name }}"', // 11
  '    - name: Push the kept one', // 12
  '      community.docker.docker_image_push:', // 13
  '        name: "{{ kept_image_name }}"', // 14
  '    - name: Run the kept one', // 15
  '      community.docker.docker_container:', // 16
  '        name: kept', // 17
  '        image: "{{ kept_image_name }}"', // 18
  '',
].join('\n');

describe('Ansible variables that name an image a task makes or only works on locally', () => {
  it('a variable a task builds is the repository’s own image; one only pushed or removed names nothing to pull; one also run stays', () => {
    expect(
      scan({
        'molecule/kind/molecule.yml': scenario,
        'molecule/kind/converge.yml': converge,
        'tests/integration/targets/push/tasks/main.yml': pushTests,
      }),
    ).toEqual([
      ['molecule/kind/molecule.yml', 6, 'shelf-operator', 'local-stage', 'built in this repository (molecule/kind/converge.yml:9)'],
      ['tests/integration/targets/push/tasks/main.yml', 4, 'registry.example.test/shelf/kept:1.4', null, null],
    ]);
  });

  it('the name a task builds is built here wherever else it is written: the kustomization of the test overlay that runs it', () => {
    const overlay = ['resources:', '- ../manager', 'images:', '- name: controller', '  newName: shelf-operator', ''].join('\n');
    const manager = ['apiVersion: v1', 'kind: Pod', 'metadata:', '  name: manager', 'spec:', '  containers:', '  - name: manager', '    image: controller', ''].join('\n');
    const built = scan({
      'molecule/kind/molecule.yml': scenario,
      'molecule/kind/converge.yml': converge,
      'config/testing/kustomization.yaml': overlay,
      'config/manager/manager.yaml': manager,
    }).filter((row) => row[0] !== 'config/manager/manager.yaml');
    expect(built).toEqual([
      ['config/testing/kustomization.yaml', 5, 'shelf-operator', 'local-stage', 'built in this repository (molecule/kind/molecule.yml:6)'],
      ['molecule/kind/molecule.yml', 6, 'shelf-operator', 'local-stage', 'built in this repository (molecule/kind/converge.yml:9)'],
    ]);
    // Without the task that builds it, the name is an image to pull, and the kustomization's is reported as such.
    expect(scan({ 'config/testing/kustomization.yaml': overlay }).map((row) => [row[0], row[1], row[2], row[3]])).toEqual([['config/testing/kustomization.yaml', 5, 'shelf-operator', 'no-tag']]);
  });

  it("a block's vars are judged by that block's own tasks: the same name pulled in another block is that block's image", () => {
    expect(scan({ 'tests/integration/targets/push/tasks/main.yml': pushTests, 'tests/integration/targets/pull/tasks/main.yml': pullTests })).toEqual([
      ['tests/integration/targets/pull/tasks/main.yml', 3, 'registry.example.test/shelf/pulled:2.0', null, null],
      ['tests/integration/targets/push/tasks/main.yml', 4, 'registry.example.test/shelf/kept:1.4', null, null],
    ]);
  });

  it('vars given to an included role are judged by the whole scan: the role builds that image', () => {
    const playbook = ['---', '- hosts: all', '  tasks:', '    - include_role:', '        name: runner', '      vars:', '        runner_image: shelf-runner-test', ''].join('\n');
    const role = [
      '---', // 1
      '- name: Build the runner', // 2
      '  containers.podman.podman_image:', // 3
      '    name: "{{ runner_image }}"', // 4
      '    path: /tmp/runner', // 5
      '',
    ].join('\n');
    expect(scan({ 'ci/playbooks/runner.yml': playbook, 'roles/runner/tasks/main.yml': role })).toEqual([
      ['ci/playbooks/runner.yml', 7, 'shelf-runner-test', 'local-stage', 'built in this repository (roles/runner/tasks/main.yml:4)'],
    ]);
  });

  it('without the tasks, the variables are images', () => {
    expect(scan({ 'molecule/kind/molecule.yml': scenario, 'tests/integration/targets/push/tasks/vars.yml': pushTests.split('\n').slice(0, 5).join('\n') })).toEqual([
      ['molecule/kind/molecule.yml', 6, 'shelf-operator', 'no-tag', null],
      ['tests/integration/targets/push/tasks/vars.yml', 3, 'registry.example.test:5000/shelf/pushed:edge', null, null],
      ['tests/integration/targets/push/tasks/vars.yml', 4, 'registry.example.test/shelf/kept:1.4', null, null],
    ]);
  });

  it('the image of podman_save and podman_tag is one already on the host: only the pull and the container report it', () => {
    const tasks = [
      '---', // 1
      '- name: Pull the base', // 2
      '  containers.podman.podman_image:', // 3
      '    name: registry.example.test/base/pause:3.9', // 4
      '- name: Save it', // 5
      '  containers.podman.podman_save:', // 6
      '    image: registry.example.test/base/pause:3.9', // 7
      '    dest: /tmp/pause.tar', // 8
      '- name: Tag it', // 9
      '  containers.podman.podman_tag:', // 10
      '    image: registry.example.test/base/pause:3.9', // 11
      '    target_names: [pause-local]', // 12
      '- name: Run it', // 13
      '  containers.podman.podman_container:', // 14
      '    name: pause', // 15
      '    image: registry.example.test/base/pause:3.9', // 16
      '',
    ].join('\n');
    expect(scan({ 'tests/integration/targets/save/tasks/main.yml': tasks })).toEqual([
      ['tests/integration/targets/save/tasks/main.yml', 4, 'registry.example.test/base/pause:3.9', null, null],
      ['tests/integration/targets/save/tasks/main.yml', 16, 'registry.example.test/base/pause:3.9', null, null],
    ]);
  });
});
