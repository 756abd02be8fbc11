import { describe, expect, it } from 'vitest';
import { applyEdits } from '../../src/core/text-edit.js';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

const workflow = (buildArgs: string[], extra: string[] = []) =>
  [
    'on: push',
    'jobs:',
    '  build:',
    '    runs-on: ubuntu-24.04',
    '    strategy:',
    '      matrix:',
    '        flavour:',
    `          - '{ "suffix": "lite",  "base": "registry.example.test/base/os:3.20-r1", "arches": "linux/amd64" }'`,
    `          - '{ "suffix": "full",  "base": "registry.example.test/base/os:12.8-r1", "arches": "linux/amd64,linux/arm64" }'`,
    ...extra,
    '    steps:',
    '      - uses: docker/build-push-action@v6',
    '        with:',
    '          platforms: ${{ fromJSON(matrix.flavour).arches }}',
    '          build-args: |',
    ...buildArgs.map((line) => `            ${line}`),
    '',
  ].join('\n');

describe('matrix values written as JSON object strings', () => {
  it('a member a build passes as an image build argument is reported inside each string, where it is written', () => {
    const text = workflow(['SUFFIX=${{ fromJSON(matrix.flavour).suffix }}', 'BASE_IMAGE=${{ fromJSON(matrix.flavour).base }}']);
    expect(scan({ '.github/workflows/build.yml': text })).toEqual([
      ['.github/workflows/build.yml', 8, 'registry.example.test/base/os:3.20-r1', 'yaml-image', null],
      ['.github/workflows/build.yml', 9, 'registry.example.test/base/os:12.8-r1', 'yaml-image', null],
    ]);
  });

  it('the edit replaces the value alone and leaves the JSON valid', () => {
    const text = workflow(['BASE_IMAGE=${{ fromJson(matrix.flavour).base }}']);
    const [reference] = scanTexts({ '.github/workflows/build.yml': text }).references;
    const span = reference?.spans[0];
    expect(span?.text).toBe('registry.example.test/base/os:3.20-r1');
    const pinned = `registry.example.test/base/os:3.20-r1@sha256:${'a'.repeat(64)}`;
    const edited = Buffer.from(
      applyEdits(Buffer.from(text, 'latin1'), [{ start: span?.start ?? 0, end: span?.end ?? 0, expected: 'registry.example.test/base/os:3.20-r1', replacement: pinned }]),
    ).toString('latin1');
    const line = edited.split('\n')[7] ?? '';
    expect(JSON.parse(line.trim().slice(3, -1))).toEqual({ suffix: 'lite', base: pinned, arches: 'linux/amd64' });
    expect(edited.replace(pinned, 'registry.example.test/base/os:3.20-r1')).toBe(text);
  });

  it('a member passed under names without the word image, or not passed, is not read', () => {
    expect(scan({ '.github/workflows/build.yml': workflow(['BASE=${{ fromJSON(matrix.flavour).base }}']) })).toEqual([]);
    expect(scan({ '.github/workflows/build.yml': workflow(['SUFFIX=${{ fromJSON(matrix.flavour).suffix }}']) })).toEqual([]);
  });

  it('a member a service runs is an image whatever it looks like', () => {
    const text = [
      'on: push',
      'jobs:',
      '  test:',
      '    runs-on: ubuntu-24.04',
      '    strategy:',
      '      matrix:',
      `        db: ['{ "image": "postgres", "port": 5432 }', '{ "image": "mariadb:11.4", "port": 3306 }']`,
      '    services:',
      '      db:',
      '        image: ${{ fromJSON(matrix.db).image }}',
      '    steps:',
      '      - run: make test',
      '',
    ].join('\n');
    expect(scan({ '.github/workflows/test.yml': text })).toEqual([
      ['.github/workflows/test.yml', 7, 'postgres', 'yaml-image', 'no-tag'],
      ['.github/workflows/test.yml', 7, 'mariadb:11.4', 'yaml-image', null],
    ]);
  });
});
