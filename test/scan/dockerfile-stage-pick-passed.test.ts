import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { scanSources } from '../../src/pipeline/pipeline.js';

function rows(files: Record<string, string>) {
  return scanSources(Object.entries(files).map(([path, text]) => sourceFile(path, new Uint8Array(Buffer.from(text)))))
    .references.filter((reference) => reference.kind === 'dockerfile-from')
    .map((reference) => [reference.file, reference.line, reference.value, reference.skip]);
}

/** A Dockerfile whose last stage starts from a stage that a build argument picks; its default names none of them. */
const DOCKERFILE = [
  'ARG FLAVOUR=none', // 1
  'FROM registry.example.test/os/debian:12 AS runtime-debian', // 2
  'FROM registry.example.test/os/alpine:3.21 AS runtime-alpine', // 3
  'FROM runtime-${FLAVOUR}', // 4
  'FROM registry.example.test/team/${FLAVOUR}', // 5
  '',
].join('\n');

const BAKE = ['target "app" {', '  context = "app"', '  args = {', '    FLAVOUR = "alpine"', '  }', '}', ''].join('\n');

describe('a FROM that a build argument points at one of the earlier stages', () => {
  it('is a stage, not an image, when a build passes the argument, though its default names no stage', () => {
    expect(rows({ 'app/Dockerfile': DOCKERFILE, 'docker-bake.hcl': BAKE })).toEqual([
      ['app/Dockerfile', 2, 'registry.example.test/os/debian:12', null],
      ['app/Dockerfile', 3, 'registry.example.test/os/alpine:3.21', null],
      ['app/Dockerfile', 5, 'registry.example.test/team/none', 'templated'],
    ]);
  });

  it('is read through the default as before when no build passes it', () => {
    expect(rows({ 'app/Dockerfile': DOCKERFILE })).toEqual([
      ['app/Dockerfile', 2, 'registry.example.test/os/debian:12', null],
      ['app/Dockerfile', 3, 'registry.example.test/os/alpine:3.21', null],
      ['app/Dockerfile', 4, 'runtime-none', 'no-tag'],
      ['app/Dockerfile', 5, 'registry.example.test/team/none', 'no-tag'],
    ]);
  });
});
