/** A werf configuration (`werf.yaml`) names the images werf builds. */
import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip]);

const WERF = [
  'project: ledger', // 1
  'configVersion: 1', // 2
  '---', // 3
  'image: ledger-api', // 4
  'dockerfile: docker/Dockerfile.api', // 5
  'context: .', // 6
  'contextAddFiles:', // 7
  '  - build', // 8
  '---', // 9
  'image: ledger-worker', // 10
  'fromImage: ledger-api', // 11
  'import:', // 12
  '  - image: ledger-api', // 13
  '    add: /srv/bin', // 14
  '    to: /usr/local/bin', // 15
  '',
].join('\n');

describe('werf configurations', () => {
  it('the images a werf.yaml builds, and the sections they build on, are werf’s own names: not reported', () => {
    expect(scan({ 'deploy/werf/ledger/werf.yaml': WERF })).toEqual([]);
  });

  it('the same documents under another file name are read as any YAML', () => {
    expect(scan({ 'deploy/werf/ledger/images.yaml': WERF }).map((row) => [row[1], row[2]])).toEqual([
      [4, 'ledger-api'],
      [10, 'ledger-worker'],
      [11, 'ledger-api'],
      [13, 'ledger-api'],
    ]);
  });
});
