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
