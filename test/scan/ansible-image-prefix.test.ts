import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const rows = (files: Record<string, string>) =>
  scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.detail ?? null, reference.spans.map((span) => span.text)]);

const digest = 'd'.repeat(64);

describe('images written after a registry prefix variable', () => {
  const vars = [
    '_stack_images:',
    '  gateway: "{{ stack_mirror }}registry.example.test/edge/gateway:4.2.0"',
    `  ledger: "{{ stack_mirror }}registry.example.test/core/ledger:main@sha256:${digest}"`,
    '  queue: "registry.example.test/core/queue:3.13"',
    '  proxy: "{{ stack_mirror }}registry.example.test/edge/proxy:v{{ stack_release }}"',
    '  notes: "{{ stack_mirror }}registry.example.test/edge/notes"',
    "stack_images: '{{ _stack_images | combine(stack_image_overrides, recursive=True) }}'",
    'stack_probe_image: "{{ stack_mirror }}registry.example.test/tools/probe:1.0.3"',
    '',
  ].join('\n');

  it('reports the image after a prefix that the role sets to an empty string, edited in its own characters', () => {
    const detail = 'after the registry prefix {{ stack_mirror }}, set to "" (roles/stack/defaults/main.yml:2)';
    expect(rows({ 'roles/stack/vars/main.yml': vars, 'roles/stack/defaults/main.yml': 'stack_release: "2.1"\nstack_mirror: ""\n' })).toEqual([
      ['roles/stack/vars/main.yml', 2, 'registry.example.test/edge/gateway:4.2.0', null, detail, ['registry.example.test/edge/gateway:4.2.0']],
      ['roles/stack/vars/main.yml', 3, `registry.example.test/core/ledger:main@sha256:${digest}`, null, detail, [`registry.example.test/core/ledger:main@sha256:${digest}`]],
      ['roles/stack/vars/main.yml', 4, 'registry.example.test/core/queue:3.13', null, null, ['registry.example.test/core/queue:3.13']],
      [
        'roles/stack/vars/main.yml',
        5,
        '{{ stack_mirror }}registry.example.test/edge/proxy:v{{ stack_release }}',
        'templated',
        null,
        ['{{ stack_mirror }}registry.example.test/edge/proxy:v{{ stack_release }}'],
      ],
      ['roles/stack/vars/main.yml', 8, 'registry.example.test/tools/probe:1.0.3', null, detail, ['registry.example.test/tools/probe:1.0.3']],
    ]);
  });

  it('shows the value templated when the prefix is set to a mirror anywhere, or nowhere in the repository', () => {
    const mirrored = { 'roles/stack/vars/main.yml': vars, 'roles/stack/defaults/main.yml': 'stack_mirror: ""\n', 'group_vars/all.yml': 'stack_mirror: "mirror.example.test/"\n' };
    const unset = { 'roles/stack/vars/main.yml': vars };
    for (const files of [mirrored, unset]) {
      expect(rows(files).map(([, line, value, skip]) => [line, value, skip])).toEqual([
        [2, '{{ stack_mirror }}registry.example.test/edge/gateway:4.2.0', 'templated'],
        [3, `{{ stack_mirror }}registry.example.test/core/ledger:main@sha256:${digest}`, 'templated'],
        [4, 'registry.example.test/core/queue:3.13', null],
        [5, '{{ stack_mirror }}registry.example.test/edge/proxy:v{{ stack_release }}', 'templated'],
        [8, '{{ stack_mirror }}registry.example.test/tools/probe:1.0.3', 'templated'],
      ]);
    }
  });
});
