import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { scanFiles } from '../../src/scan/scan-files.js';

const scan = (path: string, lines: readonly string[]) =>
  scanFiles([sourceFile(path, Buffer.from(lines.join('\n'), 'utf8'))]).references.map((reference) => [reference.line, reference.column, reference.value, reference.kind, reference.skip]);

describe('an image written as a one-line folded or literal block with strip chomping (image: >-)', () => {
  it('is reported at the line that holds it, in a manifest carried as text in playbook variables', () => {
    expect(
      scan('tests/pull-failure.yml', [
        '- name: Start a pod whose image is missing', // 1
        '  hosts: all', // 2
        '  tasks:', // 3
        '    - name: Run the role', // 4
        '      include_role:', // 5
        '        name: site.pods', // 6
        '      vars:', // 7
        '        pod_specs:', // 8
        '          - state: created', // 9
        '            pod_text: |', // 10
        '              apiVersion: v1', // 11
        '              kind: Pod', // 12
        '              metadata:', // 13
        '                name: missing', // 14
        '              spec:', // 15
        '                containers:', // 16
        '                  - name: missing', // 17
        '                    image: >-', // 18
        '                      registry.example.test/team/not-there:1.0', // 19
        '                  - name: helper', // 20
        '                    image: |-', // 21
        '                      registry.example.test/team/helper:2.1', // 22
        '                  - name: joined', // 23
        '                    image: >-', // 24
        '                      registry.example.test/team/joined:3.0', // 25
        '                      --and-more', // 26
        '                  - name: kept', // 27
        '                    image: >', // 28
        '                      registry.example.test/team/kept:4.0', // 29
        '',
      ]),
    ).toEqual([
      [19, 23, 'registry.example.test/team/not-there:1.0', 'yaml-image', null],
      [22, 23, 'registry.example.test/team/helper:2.1', 'yaml-image', null],
    ]);
  });

  it('is reported at the line that holds it in a parsed manifest, its span that line; a body of two lines is not one image', () => {
    const file = sourceFile(
      'deploy/pod.yaml',
      Buffer.from(
        [
          'apiVersion: v1', // 1
          'kind: Pod', // 2
          'metadata: {name: folded}', // 3
          'spec:', // 4
          '  containers:', // 5
          '    - name: app', // 6
          '      image: >- # written long-hand', // 7
          '        registry.example.test/team/app:5.2', // 8
          '    - name: joined', // 9
          '      image: >-', // 10
          '        registry.example.test/team/joined:3.0', // 11
          '        --and-more', // 12
          '',
        ].join('\n'),
        'utf8',
      ),
    );
    expect(scanFiles([file]).references.map((reference) => [reference.line, reference.column, reference.value, reference.kind, reference.skip, reference.spans.map((span) => span.text)])).toEqual([
      [8, 9, 'registry.example.test/team/app:5.2', 'kubernetes-container', null, ['registry.example.test/team/app:5.2']],
    ]);
  });
});
