/** A values file's `image: {name: …}` with no `repository`: the name is the image's repository, written with its registry. */
import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const rows = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

const values = [
  'build:', // 1
  '  enabled: false', // 2
  'image:', // 3
  '  name: registry.example.test/team/api', // 4
  '  pullPolicy: IfNotPresent', // 5
  'worker:', // 6
  '  image:', // 7
  '    name: registry.example.test:5000/team/worker', // 8
  '    tag: 2.3.1', // 9
  'job:', // 10
  '  image:', // 11
  '    name: api', // 12
  'stream:', // 13
  '  image:', // 14
  '    namespace: team', // 15
  '    name: registry.example.test/team/stream', // 16
  '',
].join('\n');

const plain = ['image:', '  name: registry.example.test/team/api', ''].join('\n');

describe('a values image map written with `name` alone', () => {
  it('reads a name that starts with a registry host as the repository, with or without a tag; a bare name, an image stream and other YAML are not read', () => {
    expect(rows({ 'deploy/app/values.yaml': values, 'config/settings.yaml': plain })).toEqual([
      ['deploy/app/values.yaml', 4, 'registry.example.test/team/api', 'helm-values', 'no-tag'],
      ['deploy/app/values.yaml', 8, 'registry.example.test:5000/team/worker:2.3.1', 'helm-values', null],
    ]);
  });
});
