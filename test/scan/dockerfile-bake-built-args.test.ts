import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { scanSources } from '../../src/pipeline/pipeline.js';

const rows = (files: Record<string, string>) =>
  scanSources(Object.entries(files).map(([path, text]) => sourceFile(path, new Uint8Array(Buffer.from(text)))))
    .references.filter((reference) => reference.kind === 'dockerfile-from')
    .map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.detail ?? null]);

/** A Dockerfile whose base is a whole build argument with a default built from other ARGs. */
const LAYERED = ['ARG RUNTIME_VERSION', 'ARG REPO="registry.example.test/team/runtime"', 'ARG SUFFIX=""', 'ARG BASE="${REPO}:${SUFFIX}${RUNTIME_VERSION}-slim"', 'FROM $BASE', ''].join('\n');

describe('a `FROM ${ARG}` whose argument a docker-bake target passes', () => {
  it('is `local-stage` when every target passes one of its own contexts that is another target, shown with the ARG default as far as it goes', () => {
    const bake = [
      'target "runtime-slim" {', // 1
      '  dockerfile = "Dockerfile.slim"', // 2
      '}', // 3
      'target "runtime" {', // 4
      '  dockerfile = "Dockerfile.full"', // 5
      '  args = {', // 6
      '    RUNTIME_VERSION = "4.2"', // 7
      '    BASE = "slim" # the context below', // 8
      '  }', // 9
      '  contexts = {', // 10
      '    slim = "target:runtime-slim"', // 11
      '  }', // 12
      '}', // 13
      '',
    ].join('\n');
    expect(rows({ 'Dockerfile.slim': 'FROM registry.example.test/os/base:24.04\n', 'Dockerfile.full': LAYERED, 'docker-bake.hcl': bake })).toEqual([
      [
        'Dockerfile.full',
        5,
        'registry.example.test/team/runtime:${SUFFIX}${RUNTIME_VERSION}-slim',
        'local-stage',
        'docker-bake.hcl:8 passes BASE = "slim", the build context that the target at docker-bake.hcl:1 builds; shown with the default of ARG BASE',
      ],
      ['Dockerfile.slim', 1, 'registry.example.test/os/base:24.04', null, null],
    ]);
    // A second target that passes a value of its own leaves the base unknown, as before; that value is the image its build pulls.
    const mixed = `${bake}target "runtime-edge" {\n  dockerfile = "Dockerfile.full"\n  args = { BASE = "registry.example.test/team/edge:1" }\n}\n`;
    expect(rows({ 'Dockerfile.full': LAYERED, 'docker-bake.hcl': mixed })).toEqual([
      ['Dockerfile.full', 5, '$BASE', 'templated', null],
      ['docker-bake.hcl', 16, 'registry.example.test/team/edge:1', null, 'passed as build argument BASE by target "runtime-edge" to FROM ${BASE} of Dockerfile.full'],
    ]);
  });

  it('is `local-stage`, with that name, when the target passes a name that a target of the file tags', () => {
    const bake = [
      'target "base" {', // 1
      '  dockerfile = "base/Dockerfile"', // 2
      '  tags = ["registry.example.test/team/base:edge"]', // 3
      '}', // 4
      'target "app" {', // 5
      '  dockerfile = "app/Dockerfile"', // 6
      '  args = { BASE_IMAGE = "registry.example.test/team/base:edge" }', // 7
      '}', // 8
      'target "tool" {', // 9
      '  dockerfile = "tool/Dockerfile"', // 10
      '  args = { BASE_IMAGE = "${BASE}" }', // 11
      '}', // 12
      '',
    ].join('\n');
    const dockerfile = 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n';
    expect(rows({ 'app/Dockerfile': dockerfile, 'tool/Dockerfile': dockerfile, 'docker-bake.hcl': bake })).toEqual([
      [
        'app/Dockerfile',
        2,
        'registry.example.test/team/base:edge',
        'local-stage',
        'docker-bake.hcl:7 passes BASE_IMAGE = registry.example.test/team/base:edge, the image a bake target tags at docker-bake.hcl:3',
      ],
      ['tool/Dockerfile', 2, '${BASE_IMAGE}', 'templated', null],
    ]);
  });
});

describe('quotes around a variable that no default gives', () => {
  it('leave the image `templated`, shown without them, naming the build that passes it; a default makes it `unsupported-quoting` as before', () => {
    const dockerfile = ['ARG OS_TAG', 'ARG TOOLS_TAG=1.8', 'FROM registry.example.test/os/core:"${OS_TAG}" AS core', 'FROM registry.example.test/team/tools:"${TOOLS_TAG}"', ''].join('\n');
    const bake = ['variable "OS" { default = "ltsc2022" }', 'target "core" {', '  args = {', '    OS_TAG = OS', '  }', '}', ''].join('\n');
    expect(rows({ Dockerfile: dockerfile, 'docker-bake.hcl': bake })).toEqual([
      ['Dockerfile', 3, 'registry.example.test/os/core:${OS_TAG}', 'templated', 'docker-bake.hcl:4 passes OS_TAG as a build argument; quotes inside the word: not edited'],
      ['Dockerfile', 4, 'registry.example.test/team/tools:1.8', 'unsupported-quoting', 'quotes inside the word: not edited'],
    ]);
    expect(rows({ Dockerfile: dockerfile })[0]).toEqual(['Dockerfile', 3, 'registry.example.test/os/core:${OS_TAG}', 'templated', 'no default for ${OS_TAG}; quotes inside the word: not edited']);
  });
});
