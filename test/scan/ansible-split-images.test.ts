import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) =>
  scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.spans.map((span) => [span.role, span.text, span.line])]);

describe('Ansible role variables that split an image into image, tag and registry', () => {
  it('pairs <prefix>_image with <prefix>_tag or <prefix>_version, as Puppet parameters are paired', () => {
    const defaults = [
      '---',
      'ledger_port: 8443',
      'ledger_container_image: registry.example.test/books/ledger',
      'ledger_container_tag: 5.2.7',
      'inbox_container_image: "registry.example.test/books/inbox"',
      'inbox_container_version: "3.10"',
      'relay_image: books/relay',
      'relay_tag: 1.20',
      'relay_registry: mirror.example.test:5000',
      '',
    ].join('\n');
    expect(scan({ 'roles/ledger/defaults/main.yml': defaults })).toEqual([
      [
        'roles/ledger/defaults/main.yml',
        3,
        'registry.example.test/books/ledger:5.2.7',
        null,
        [
          ['repository', 'registry.example.test/books/ledger', 3],
          ['tag', '5.2.7', 4],
        ],
      ],
      [
        'roles/ledger/defaults/main.yml',
        5,
        'registry.example.test/books/inbox:3.10',
        null,
        [
          ['repository', 'registry.example.test/books/inbox', 5],
          ['tag', '3.10', 6],
        ],
      ],
      // The registry is written first, the reference is reported where the image is named.
      [
        'roles/ledger/defaults/main.yml',
        7,
        'mirror.example.test:5000/books/relay:1.20',
        null,
        [
          ['registry', 'mirror.example.test:5000', 9],
          ['repository', 'books/relay', 7],
          ['tag', '1.20', 8],
        ],
      ],
    ]);
  });

  it('a tag written as a template variable is shown templated; an image with its own tag and a lone image keep their reading', () => {
    const vars = [
      'ledger_container_image: registry.example.test/books/ledger',
      'ledger_container_tag: "{{ ledger_release }}"',
      'audit_image: registry.example.test/books/audit:2.0.1',
      'audit_tag: 9.9.9',
      'spool_image: registry.example.test/books/spool',
      'spool_tag: ""',
      '',
    ].join('\n');
    expect(scan({ 'roles/ledger/vars/main.yml': vars })).toEqual([
      [
        'roles/ledger/vars/main.yml',
        1,
        'registry.example.test/books/ledger:{{ ledger_release }}',
        'templated',
        [
          ['repository', 'registry.example.test/books/ledger', 1],
          ['tag', '{{ ledger_release }}', 2],
        ],
      ],
      ['roles/ledger/vars/main.yml', 3, 'registry.example.test/books/audit:2.0.1', null, [['reference', 'registry.example.test/books/audit:2.0.1', 3]]],
      ['roles/ledger/vars/main.yml', 5, 'registry.example.test/books/spool', 'no-tag', [['reference', 'registry.example.test/books/spool', 5]]],
    ]);
  });
});

describe('Ansible role variables with a leading underscore and an _image_version sibling', () => {
  it('pairs _image with _image_version and <x>_image with <x>_image_version; a template version is named in the detail', () => {
    const defaults = [
      '_image: registry.example.test/books/web',
      `_image_version: "{{ lookup('env', 'WEB_RELEASE') or 'stable' }}"`,
      '_cache_image: registry.example.test/books/cache',
      '_cache_image_version: 8',
      '',
    ].join('\n');
    expect(scanTexts({ 'roles/web/defaults/main.yml': defaults }).references.map((reference) => [reference.line, reference.value, reference.skip, reference.detail ?? null])).toEqual([
      [1, "registry.example.test/books/web:{{ lookup('env', 'WEB_RELEASE') or 'stable' }}", 'templated', '_image_version (line 2) is a template, known only when it is rendered'],
      [3, 'registry.example.test/books/cache:8', null, null],
    ]);
  });
});

describe('Ansible name variables that templates join to a tag variable of another name', () => {
  const defaults = [
    '---', // 1
    'suite_version: "2026.1.4"', // 2
    'suite_image: registry.example.test/auth/server', // 3
    'suite_ldap_image: registry.example.test/auth/ldap', // 4
    'suite_proxy_image: registry.example.test/auth/proxy', // 5
    'suite_probe_image: registry.example.test/auth/probe', // 6
    'probe_version: "1.2"', // 7
    'canary_version: "1.3"', // 8
    'suite_relay_image: registry.example.test/auth/relay', // 9
    '',
  ].join('\n');

  it("takes the tag variable's literal from the same file, through a role's Jinja template or a task", () => {
    expect(
      scan({
        'roles/suite/defaults/main.yaml': defaults,
        'roles/suite/templates/server.container.j2': '[Container]\nImage={{ suite_image }}:{{ suite_version }}\n',
        'roles/suite/templates/ldap.container.j2': '[Container]\nImage={{ suite_ldap_image }}:{{ suite_version }}\n',
        'roles/suite/tasks/main.yaml': '- name: proxy\n  containers.podman.podman_container:\n    name: proxy\n    image: "{{ suite_proxy_image }}:{{ suite_version }}"\n',
        'roles/suite/templates/probe.container.j2': '[Container]\nImage={{ suite_probe_image }}:{{ probe_version }}\n',
        'roles/suite/templates/probe-canary.container.j2': '[Container]\nImage={{ suite_probe_image }}:{{ canary_version }}\n',
        'roles/suite/templates/relay.container.j2': '[Container]\nImage={{ suite_relay_image }}:{{ relay_version }}\n',
      }),
    ).toEqual([
      [
        'roles/suite/defaults/main.yaml',
        3,
        'registry.example.test/auth/server:2026.1.4',
        null,
        [
          ['repository', 'registry.example.test/auth/server', 3],
          ['tag', '2026.1.4', 2],
        ],
      ],
      [
        'roles/suite/defaults/main.yaml',
        4,
        'registry.example.test/auth/ldap:2026.1.4',
        null,
        [
          ['repository', 'registry.example.test/auth/ldap', 4],
          ['tag', '2026.1.4', 2],
        ],
      ],
      [
        'roles/suite/defaults/main.yaml',
        5,
        'registry.example.test/auth/proxy:2026.1.4',
        null,
        [
          ['repository', 'registry.example.test/auth/proxy', 5],
          ['tag', '2026.1.4', 2],
        ],
      ],
      ['roles/suite/defaults/main.yaml', 6, 'registry.example.test/auth/probe', 'no-tag', [['reference', 'registry.example.test/auth/probe', 6]]],
      ['roles/suite/defaults/main.yaml', 9, 'registry.example.test/auth/relay', 'no-tag', [['reference', 'registry.example.test/auth/relay', 9]]],
    ]);
    const ldap = scanTexts({ 'roles/suite/defaults/main.yaml': defaults, 'roles/suite/templates/ldap.container.j2': 'Image={{ suite_ldap_image }}:{{ suite_version }}\n' }).references[1];
    expect(ldap?.detail).toBe('the tag is suite_version (line 2), which the templates join to suite_ldap_image');
  });
});
