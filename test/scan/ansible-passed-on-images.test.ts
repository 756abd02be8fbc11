/** Ansible task values that pass on an image set elsewhere, in files YAML reads and in files read line by line. */
import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip]);

const tasks = (vars: readonly string[]) =>
  [
    '---', // 1
    '- name: Start the relay once', // 2
    '  vars:', // 3
    ...vars, // 4, 5 (and 6 when the URL is continued: the lines below move one down)
    '  community.docker.docker_container:',
    '    name: relay_once',
    '    image: "{{ relay.image }}"',
    '- name: Start each worker',
    '  community.docker.docker_container:',
    '    name: "{{ item.name }}"',
    '    image: "{{ item.image }}"',
    '  loop: "{{ workers }}"',
    '- name: Start the probe',
    '  community.docker.docker_container:',
    '    name: probe',
    '    image: "{{ probe[\'image\'] }}:2"',
    '- name: Start the shell',
    '  community.docker.docker_container:',
    '    name: shell',
    '    image: "{{ shell_registry }}/shell:2.1"',
    '',
  ].join('\n');

describe('Ansible values that pass on an image through a variable', () => {
  it('a variable with attribute or key access (relay.image, item.image, probe[image]) passes on an image like one variable does', () => {
    const parsed = tasks(['    relay: "{{ relay_services[\'relay-worker\'] }}"', '    relay_url: "https://{{ relay_host }}/v1"']);
    expect(scan({ 'roles/relay/tasks/main.yml': parsed })).toEqual([['roles/relay/tasks/main.yml', 21, '{{ shell_registry }}/shell:2.1', 'templated']]);
  });

  it('the same holds in a task file read line by line because a continued string starts a line with a template', () => {
    const continued = tasks(['    relay: "{{ relay_services[\'relay-worker\'] }}"', '    relay_url: "https://\\', '      {{ relay_host }}/v1"']);
    expect(scan({ 'roles/relay/tasks/main.yml': continued })).toEqual([['roles/relay/tasks/main.yml', 22, '{{ shell_registry }}/shell:2.1', 'templated']]);
  });
});

describe('Ansible images joined from variables the role sets', () => {
  const defaults = [
    '---', // 1
    'vault_box_image: "shelf/vault-box"', // 2
    'vault_box_image_tag: v2.4.1', // 3
    'vault_box_registry: registry.example.test', // 4
    '',
  ].join('\n');
  const tasks = [
    '---', // 1
    '- name: Adopt the box', // 2
    '  shelf.boxes.adopt:', // 3
    '    image: "{{ vault_box_registry }}/{{ vault_box_image }}:{{ vault_box_image_tag }}"', // 4
    '- name: Adopt the spare', // 5
    '  shelf.boxes.adopt:', // 6
    '    image: "{{ spare_registry }}/{{ vault_box_image }}:{{ vault_box_image_tag }}"', // 7
    '',
  ].join('\n');

  it('<x>_image + <x>_image_tag + <x>_registry is one image with its registry; a task joining variables is not a second one, whoever sets them', () => {
    expect(
      scanTexts({ 'roles/vault/defaults/main.yml': defaults, 'playbooks/adopt.yml': tasks }).references.map((reference) => [
        reference.file,
        reference.line,
        reference.value,
        reference.skip,
        reference.spans.map((span) => [span.role, span.line]),
      ]),
    ).toEqual([
      [
        'roles/vault/defaults/main.yml',
        2,
        'registry.example.test/shelf/vault-box:v2.4.1',
        null,
        [
          ['registry', 4],
          ['repository', 2],
          ['tag', 3],
        ],
      ],
    ]);
  });
});

describe('Ansible images joined from a registry prefix variable with its own slash', () => {
  it('a prefix variable written right before the name variable, then a tag variable, names no image of its own; text of its own is listed', () => {
    const defaults = [
      '---', // 1
      "ledger_container_image_registry_prefix: \"{{ 'localhost/' if ledger_container_image_self_build else 'registry.example.test/' }}\"", // 2
      'ledger_container_image_path: team/ledger', // 3
      'ledger_container_image_tag: v3.2.0', // 4
      'ledger_container_image: "{{ ledger_container_image_registry_prefix }}{{ ledger_container_image_path }}:{{ ledger_container_image_tag }}"', // 5
      'ledger_worker_container_image: "{{ ledger_container_image_registry_prefix }}team/ledger-worker:{{ ledger_container_image_tag }}"', // 6
      '',
    ].join('\n');
    expect(scan({ 'roles/ledger/defaults/main.yml': defaults })).toEqual([
      ['roles/ledger/defaults/main.yml', 6, '{{ ledger_container_image_registry_prefix }}team/ledger-worker:{{ ledger_container_image_tag }}', 'templated'],
    ]);
  });
});

describe('Ansible images joined from variables by Jinja control blocks', () => {
  it('a value of only actions and control blocks (with the separators between them) passes on an image; one with a name of its own is listed', () => {
    const tasks = [
      '---', // 1
      '- name: Start the gateway', // 2
      '  community.docker.docker_container:', // 3
      '    name: gateway', // 4
      '    image: "{{ gateway_image }}{% if gateway_image_tag %}:{% endif %}{{ gateway_image_tag }}"', // 5
      '- name: Start the relay', // 6
      '  community.docker.docker_container:', // 7
      '    name: relay', // 8
      '    image: "{{ relay_registry }}/{% if relay_team %}{{ relay_team }}/{% endif %}{{ relay_image }}:{{ relay_tag }}"', // 9
      '- name: Start the shell', // 10
      '  community.docker.docker_container:', // 11
      '    name: shell', // 12
      '    image: "shell{% if shell_tag %}:{{ shell_tag }}{% endif %}"', // 13
      '- name: Start the cache', // 14
      '  community.docker.docker_container:', // 15
      '    name: cache', // 16
      '    image: "{% if cache_local %}localhost/cache{% else %}{{ cache_image }}{% endif %}"', // 17
      '',
    ].join('\n');
    expect(scan({ 'roles/edge/tasks/main.yml': tasks })).toEqual([
      ['roles/edge/tasks/main.yml', 13, 'shell{% if shell_tag %}:{{ shell_tag }}{% endif %}', 'templated'],
      ['roles/edge/tasks/main.yml', 17, '{% if cache_local %}localhost/cache{% else %}{{ cache_image }}{% endif %}', 'templated'],
    ]);
  });
});

describe('Ansible images joined from variables through filters', () => {
  it('a name and a tag that only pass variables through filters or a method call name no image of their own; text of their own is listed', () => {
    const tasks = [
      '---', // 1
      '- name: Install the catalog', // 2
      '  ansible.builtin.include_role:', // 3
      '    name: catalog_setup', // 4
      '  vars:', // 5
      '    catalog_setup_source_image: "{{ shop_catalog_image | default(\'\') }}"', // 6
      '    catalog_setup_source_image_tag: "{{ shop_catalog_image_tag | default(\'\') }}"', // 7
      '- name: Start the relay', // 8
      '  community.docker.docker_container:', // 9
      '    name: relay', // 10
      '    image: "{{ relay_image | default(relay_fallback) }}:{{ relay_tag | lower }}"', // 11
      '- name: Start the shell', // 12
      '  community.docker.docker_container:', // 13
      '    name: shell', // 14
      "    image: \"{{ shell_registry | default('') }}/team/shell:{{ shell_tag | default('') }}\"", // 15
      '',
    ].join('\n');
    const defaults = [
      '---', // 1
      'worker_image: registry.example.test/team/worker', // 2
      'worker_image_version: "4.2.0"', // 3
      'sidecar_image: "{{ worker_image.split(\':\')[0] }}"', // 4
      'sidecar_image_version: "{{ worker_image_version | default(worker_fallback_version) }}"', // 5
      '',
    ].join('\n');
    expect(scan({ 'roles/shop/tasks/main.yml': tasks, 'roles/shop/defaults/main.yml': defaults })).toEqual([
      ['roles/shop/defaults/main.yml', 2, 'registry.example.test/team/worker:4.2.0', null],
      ['roles/shop/tasks/main.yml', 15, "{{ shell_registry | default('') }}/team/shell:{{ shell_tag | default('') }}", 'templated'],
    ]);
  });
});
