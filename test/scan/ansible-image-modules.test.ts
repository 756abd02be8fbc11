import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) =>
  scanTexts(files).references.map((reference) => [reference.line, reference.column, reference.value, reference.skip, reference.spans.map((span) => span.text)]);

const tasks = [
  '- name: Pull the etcd image',
  '  containers.podman.podman_image:',
  '    name: quay.io/coreos/etcd:v3.5.27',
  '    platform: linux/amd64',
  '- name: Pull by name and tag',
  '  community.docker.docker_image_pull:',
  '    name: registry.example.test/tools/runner',
  '    tag: "2.4"',
  '- name: Pull with the short module name',
  '  docker_image:',
  '    name: docker.io/library/alpine',
  '    source: pull',
  '    tag: 3.21',
  '- name: Build the app image here',
  '  containers.podman.podman_image:',
  '    name: localhost/app',
  '    path: /srv/app',
  '- name: Build with docker',
  '  community.docker.docker_image:',
  '    name: registry.example.test/app/web:1.0',
  '    source: build',
  '    build:',
  '      path: /srv/web',
  '- name: Remove an old image',
  '  podman_image:',
  '    name: quay.io/coreos/etcd:v3.3.11',
  '    state: absent',
  '- name: Load from an archive',
  '  community.docker.docker_image:',
  '    name: registry.example.test/offline/base:7',
  '    source: load',
  '    load_path: /tmp/base.tar',
  '- name: Push a local image',
  '  containers.podman.podman_image:',
  '    name: registry.example.test/app/web:1.0',
  '    pull: false',
  '    push: true',
  '- name: Passed on from a variable',
  '  containers.podman.podman_image:',
  '    name: "{{ etcd_image }}"',
  '- name: Build each service image from its own folder',
  '  docker_image:',
  '    name: "{{ item.name }}"',
  '    tag: "{{ item.tag }}"',
  '    source: build',
  '    build:',
  '      path: "/srv/{{ item.dir }}"',
  '  with_items:',
  '    - { name: api, tag: latest, dir: api }',
  '- name: Build the worker with its tag input',
  '  podman_image:',
  '    name: registry.example.test/app/worker',
  '    tag: "2.0"',
  '    path: /srv/worker',
  '',
].join('\n');

describe('Ansible tasks that pull an image', () => {
  it('report the pulled name, with its tag input when the name has none; built, loaded, pushed and removed images are not pulled', () => {
    expect(scan({ 'roles/etcd/tasks/main.yml': tasks })).toEqual([
      [3, 11, 'quay.io/coreos/etcd:v3.5.27', null, ['quay.io/coreos/etcd:v3.5.27']],
      [7, 11, 'registry.example.test/tools/runner:2.4', null, ['registry.example.test/tools/runner', '2.4']],
      [11, 11, 'docker.io/library/alpine:3.21', null, ['docker.io/library/alpine', '3.21']],
    ]);
  });

  it('a tag input written as a template gives the pulled name that tag, `templated`', () => {
    const pulls = [
      '- name: Pull the exporter at its role version', // 1
      '  community.docker.docker_image:', // 2
      '    name: registry.example.test/metrics/exporter', // 3
      '    tag: "{{ exporter_version }}"', // 4
      '    source: pull', // 5
      '- name: Pull the relay at a prefixed version', // 6
      '  containers.podman.podman_image:', // 7
      '    name: registry.example.test/edge/relay', // 8
      "    tag: 'v{{ relay_version }}'", // 9
      '',
    ].join('\n');
    expect(scan({ 'roles/metrics/tasks/main.yml': pulls })).toEqual([
      [3, 11, 'registry.example.test/metrics/exporter:{{ exporter_version }}', 'templated', ['registry.example.test/metrics/exporter', '{{ exporter_version }}']],
      [8, 11, 'registry.example.test/edge/relay:v{{ relay_version }}', 'templated', ['registry.example.test/edge/relay', 'v{{ relay_version }}']],
    ]);
  });

  it('the same keys outside a pull module are not images', () => {
    const other = '- name: Not an image module\n  ansible.builtin.copy:\n    name: quay.io/coreos/etcd:v3.5.27\n    dest: /tmp/x\n';
    expect(scan({ 'roles/etcd/tasks/copy.yml': other })).toEqual([]);
  });
});
