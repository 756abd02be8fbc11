import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) =>
  scanTexts(files).references.map((reference) => [reference.line, reference.column, reference.value, reference.skip, reference.spans.map((span) => span.text)]);

describe('a Containerfile or a Quadlet unit written as text in a literal block', () => {
  it('reports FROM images (not scratch, not a stage) and Image= lines of unit sections, where they are written', () => {
    const tasks = [
      '- name: Build the tool image',
      '  containers.podman.podman_image:',
      '    name: localhost/tool',
      '    state: build',
      '    build:',
      '      container_file: |',
      '        # build stage',
      '        FROM --platform=linux/amd64 quay.io/example/builder:1.8 AS build',
      '        RUN make',
      '        FROM build AS test',
      '        FROM scratch',
      '        COPY --from=build /out /',
      '- name: Write a unit',
      '  ansible.builtin.copy:',
      '    dest: /etc/containers/systemd/web.container',
      '    content: |',
      '      [Unit]',
      '      Description=web',
      '      [Container]',
      '      Image=docker://registry.example.test/shop/web:2.1',
      '      [Install]',
      '      Image=not-a-container-section:1',
      '- name: A script that mentions FROM is not a Containerfile',
      '  ansible.builtin.shell: |',
      '    echo done',
      '    FROM alpine:3.21',
      '- name: Passed on',
      '  ansible.builtin.copy:',
      '    content: |',
      '      FROM {{ base_image }}',
      '',
    ].join('\n');
    expect(scan({ 'roles/tool/tasks/main.yml': tasks })).toEqual([
      [8, 37, 'quay.io/example/builder:1.8', null, ['quay.io/example/builder:1.8']],
      [20, 22, 'registry.example.test/shop/web:2.1', null, ['registry.example.test/shop/web:2.1']],
    ]);
  });
});
