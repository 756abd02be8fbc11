import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { scanSources } from '../../src/pipeline/pipeline.js';

const rows = (files: Record<string, string>) =>
  scanSources(Object.entries(files).map(([path, text]) => sourceFile(path, new Uint8Array(Buffer.from(text))))).references.map((reference) => [
    reference.file,
    reference.line,
    reference.kind,
    reference.value,
    reference.skip,
  ]);

const DOCKERFILE = 'ARG BASE_IMAGE\nARG BASE\nFROM ${BASE_IMAGE} AS build\nFROM ${BASE}\n';

describe('compose build arguments that pass an image', () => {
  it('an argument named IMAGE or *_IMAGE is reported where it is written; one of another name is not read as an image', () => {
    const map = [
      'services:',
      '  app:',
      '    build:',
      '      context: app',
      '      args:',
      '        BASE_IMAGE: registry.example.test/team/base:2.1',
      '        BASE: registry.example.test/team/run:1.0',
      '',
    ].join('\n');
    const list = [
      'services:',
      '  app:',
      '    build:',
      '      context: app',
      '      args:',
      '        - BASE_IMAGE=registry.example.test/team/base:${BASE_TAG}',
      '        - BASE=registry.example.test/team/run:1.0',
      '',
    ].join('\n');
    expect(rows({ 'app/Dockerfile': DOCKERFILE, 'compose.yaml': map })).toEqual([
      ['app/Dockerfile', 3, 'dockerfile-from', '${BASE_IMAGE}', 'templated'],
      ['app/Dockerfile', 4, 'dockerfile-from', '${BASE}', 'templated'],
      ['compose.yaml', 6, 'compose-service', 'registry.example.test/team/base:2.1', null],
    ]);
    expect(rows({ 'app/Dockerfile': DOCKERFILE, 'compose.yaml': list })).toEqual([
      ['app/Dockerfile', 3, 'dockerfile-from', '${BASE_IMAGE}', 'templated'],
      ['app/Dockerfile', 4, 'dockerfile-from', '${BASE}', 'templated'],
      ['compose.yaml', 6, 'compose-service', 'registry.example.test/team/base:${BASE_TAG}', 'templated'],
    ]);
  });
});
