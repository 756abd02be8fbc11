import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const lines = (...text: string[]) => `${text.join('\n')}\n`;
const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

const SPEC = lines(
  'version: 1', // 1
  'specs:', // 2
  '  distroinfo:', // 3
  '    el9:', // 4
  '      distros:', // 5
  '        - centos-stream-9-x86_64', // 6
  '      minimal_image: "registry.example.test/base/el9-minimal:9.5"', // 7
  '      org: base', // 8
  '    f41:', // 9
  '      distros: [fedora-41-x86_64]', // 10
  '      minimal_image: registry.example.test/base/fedora-minimal:41', // 11
  '  version:', // 12
  '    "3.3":', // 13
  '      version: "3.3"', // 14
  '      main_image: registry.example.test/lang/ruby-33', // 15
  '    "3.4":', // 16
  '      version: "3.4"', // 17
  '      main_image: "registry.example.test/lang/ruby-34"', // 18
  'matrix:', // 19
  '  exclude:', // 20
  '    - distros: [fedora-41-x86_64]', // 21
  '      version: "3.3"', // 22
);

describe('distgen specs', () => {
  it('reports the base images written with a tag, not the bare names the builds give their outputs', () => {
    expect(scan({ 'specs/multispec.yml': SPEC })).toEqual([
      ['specs/multispec.yml', 7, 'registry.example.test/base/el9-minimal:9.5', 'yaml-image', null],
      ['specs/multispec.yml', 11, 'registry.example.test/base/fedora-minimal:41', 'yaml-image', null],
    ]);
  });

  it('leaves out output names written with the spec variables, and keeps a templated tag', () => {
    const templated = SPEC.replace(
      '      main_image: registry.example.test/lang/ruby-33\n',
      [
        '      main_image: registry.example.test/lang/ruby-33',
        '      common_image_name: "{{ spec.org }}/ruby-{{ spec.short }}-{{ spec.prod }}"',
        '      el_image_name: base/ruby-{{ spec.short }}',
        '      builder_image: "registry.example.test/base/builder:{{ spec.version }}"',
        '',
      ].join('\n'),
    );
    expect(scan({ 'specs/multispec.yml': templated })).toEqual([
      ['specs/multispec.yml', 7, 'registry.example.test/base/el9-minimal:9.5', 'yaml-image', null],
      ['specs/multispec.yml', 11, 'registry.example.test/base/fedora-minimal:41', 'yaml-image', null],
      ['specs/multispec.yml', 18, 'registry.example.test/base/builder:{{ spec.version }}', 'yaml-image', 'templated'],
    ]);
    // The same values outside a distgen spec are shown templated, as any templated image is.
    const plain = templated.replace('      distros: [fedora-41-x86_64]\n', '      arch: x86_64\n');
    expect(scan({ 'specs/multispec.yml': plain }).filter((entry) => entry[4] === 'templated')).toEqual([
      ['specs/multispec.yml', 16, '{{ spec.org }}/ruby-{{ spec.short }}-{{ spec.prod }}', 'yaml-image', 'templated'],
      ['specs/multispec.yml', 17, 'base/ruby-{{ spec.short }}', 'yaml-image', 'templated'],
      ['specs/multispec.yml', 18, 'registry.example.test/base/builder:{{ spec.version }}', 'yaml-image', 'templated'],
    ]);
  });

  it('keeps bare names in YAML whose specs list no distros', () => {
    const other = SPEC.replace('      distros: [fedora-41-x86_64]\n', '      arch: x86_64\n');
    expect(scan({ 'specs/multispec.yml': other })).toEqual([
      ['specs/multispec.yml', 7, 'registry.example.test/base/el9-minimal:9.5', 'yaml-image', null],
      ['specs/multispec.yml', 11, 'registry.example.test/base/fedora-minimal:41', 'yaml-image', null],
      ['specs/multispec.yml', 15, 'registry.example.test/lang/ruby-33', 'yaml-image', 'no-tag'],
      ['specs/multispec.yml', 18, 'registry.example.test/lang/ruby-34', 'yaml-image', 'no-tag'],
    ]);
  });
});
