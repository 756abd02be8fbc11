import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

describe('steps written inside a step of a workflow job', () => {
  it('a docker:// step and a known action input inside a `parallel:` list are read as any step is', () => {
    const workflow = [
      'on: pull_request',
      'jobs:',
      '  check:',
      '    runs-on: ubuntu-24.04',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '      - parallel:',
      '          - name: Render docs',
      '            uses: docker://registry.example.test/tools/docs-gen:1.4.2',
      '          - name: Emulators',
      '            uses: docker/setup-qemu-action@v3',
      '            with:',
      '              image: registry.example.test/tools/binfmt:9.1',
      '          - run: make lint',
      '      - uses: docker://registry.example.test/tools/linter:2.0',
      '',
    ].join('\n');
    expect(scan({ '.github/workflows/check.yml': workflow })).toEqual([
      ['.github/workflows/check.yml', 9, 'registry.example.test/tools/docs-gen:1.4.2', 'yaml-image', null],
      ['.github/workflows/check.yml', 13, 'registry.example.test/tools/binfmt:9.1', 'yaml-image', null],
      ['.github/workflows/check.yml', 15, 'registry.example.test/tools/linter:2.0', 'yaml-image', null],
    ]);
  });

  it('a `uses:` value inside a step input is not a step', () => {
    const workflow = [
      'on: push',
      'jobs:',
      '  check:',
      '    runs-on: ubuntu-24.04',
      '    steps:',
      '      - uses: example-org/run-steps@v1',
      '        with:',
      '          steps:',
      '            - uses: docker://registry.example.test/tools/inner:1.0',
      '',
    ].join('\n');
    expect(scan({ '.github/workflows/check.yml': workflow })).toEqual([]);
  });
});
