import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => {
  const result = scanTexts(files);
  return { references: result.references.map((reference) => [reference.file, reference.line, reference.value, reference.skip]), problems: result.problems };
};

/** A chart repository's index, as `helm repo index` writes it: each chart version's metadata, annotations included. */
const INDEX = [
  'apiVersion: v1',
  'entries:',
  '  ledger:',
  '  - annotations:',
  '      artifacthub.io/images: |',
  '        - name: ledger',
  '          image: registry.example.test/team/ledger:3.1.0',
  '        - name: migrate',
  '          image: registry.example.test/team/ledger-migrate:3.1.0',
  '    apiVersion: v2',
  '    appVersion: 3.1.0',
  '    created: "2025-05-02T08:00:00.000000000Z"',
  '    digest: 0000000000000000000000000000000000000000000000000000000000000000',
  '    name: ledger',
  '    type: application',
  '    urls:',
  '    - https://charts.example.test/ledger-0.9.0.tgz',
  '    version: 0.9.0',
  'generated: "2025-05-02T08:00:01.000000000Z"',
  '',
].join('\n');

describe("a chart repository's index", () => {
  it('is not read: the images its charts list are for an index to show; the charts run what their values and templates say', () => {
    expect(scan({ 'docs/index.yaml': INDEX, 'index.yaml': INDEX })).toEqual({ references: [], problems: [] });
  });

  it('is told by its three top-level keys: the same list in a file without `entries` and `generated` is read as before', () => {
    const list = INDEX.replace('entries:', 'charts:').replace(/^generated: .*$/m, 'updated: "2025-05-02"');
    expect(scan({ 'docs/index.yaml': list }).references).toEqual([
      ['docs/index.yaml', 7, 'registry.example.test/team/ledger:3.1.0', null],
      ['docs/index.yaml', 9, 'registry.example.test/team/ledger-migrate:3.1.0', null],
    ]);
  });
});
