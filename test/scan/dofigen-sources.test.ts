import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => {
  const result = scanTexts(files);
  return { references: result.references.map((reference) => [reference.file, reference.line, reference.value, reference.skip]), problems: result.problems };
};

/** What Dofigen generates a Dockerfile from: a builder stage and the runtime's base, each as `fromImage`. */
const SOURCE = [
  'builders:',
  '  compile:',
  '    fromImage: registry.example.test/base/toolchain:1.80',
  '    run: make release',
  'from:',
  '  fromImage: registry.example.test/base/runtime:12',
  'copy:',
  '  - fromBuilder: compile',
  '    paths: /out/ledger',
  '',
].join('\n');

/** The Dockerfile it generates, which a build reads. */
const GENERATED = ['FROM registry.example.test/base/toolchain:1.80 AS compile', 'FROM registry.example.test/base/runtime:12', ''].join('\n');

describe('Dofigen sources', () => {
  it('are not read, under either spelling; the Dockerfile generated from them is', () => {
    expect(
      scan({
        'dofigen.yml': SOURCE,
        'services/ledger/dofigen.yaml': SOURCE,
        Dockerfile: GENERATED,
      }),
    ).toEqual({
      references: [
        ['Dockerfile', 1, 'registry.example.test/base/toolchain:1.80', null],
        ['Dockerfile', 2, 'registry.example.test/base/runtime:12', null],
      ],
      problems: [],
    });
  });

  it('are told by their name: the same keys in another YAML file are read as before', () => {
    expect(scan({ 'build/ledger.yml': SOURCE }).references).toEqual([
      ['build/ledger.yml', 3, 'registry.example.test/base/toolchain:1.80', null],
      ['build/ledger.yml', 6, 'registry.example.test/base/runtime:12', null],
    ]);
  });
});
