import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { scanSources } from '../../src/pipeline/pipeline.js';

function rows(files: Record<string, string>) {
  return scanSources(Object.entries(files).map(([path, text]) => sourceFile(path, new Uint8Array(Buffer.from(text)))))
    .references.filter((reference) => reference.kind === 'dockerfile-from')
    .map((reference) => [reference.file, reference.line, reference.value, reference.skip]);
}

const DOCKERFILE = ['ARG BASE_LOCATION', 'FROM ${BASE_LOCATION} AS base', 'RUN true', ''].join('\n');
const TOOLS = ['ARG TOOLS_TAG', 'FROM registry.example.test/team/tools:${TOOLS_TAG}', ''].join('\n');

/** A bake file whose variables give the base image a target passes to its Dockerfile's `FROM ${BASE_LOCATION}`. */
const BAKE = [
  'variable "BASE_LOCATION" {', // 1
  '  default = "registry.example.test/os/base:9"', // 2
  '}', // 3
  'variable "TOOLS_TAG" {', // 4
  '  default = "2.1"', // 5
  '}', // 6
  'target "java" {', // 7
  '  context = "./java"', // 8
  '  args = {', // 9
  '    BASE_LOCATION = "${BASE_LOCATION}"', // 10
  '  }', // 11
  '}', // 12
  'target "tools" {', // 13
  '  context = "./tools"', // 14
  '  args = {', // 15
  '    TOOLS_TAG = "${TOOLS_TAG}"', // 16
  '  }', // 17
  '}', // 18
  '',
].join('\n');

describe('a bake variable default that a target passes as the whole FROM image of its Dockerfile', () => {
  it('is reported at the default, where the image is written; the FROM stays templated', () => {
    expect(rows({ 'docker-bake.hcl': BAKE, 'java/Dockerfile': DOCKERFILE, 'tools/Dockerfile': TOOLS })).toEqual([
      ['docker-bake.hcl', 2, 'registry.example.test/os/base:9', null],
      ['java/Dockerfile', 2, '${BASE_LOCATION}', 'templated'],
      ['tools/Dockerfile', 2, 'registry.example.test/team/tools:${TOOLS_TAG}', 'templated'],
    ]);
  });

  it('is not an image when the Dockerfile uses the argument as a part of a name, or is not one of the scan', () => {
    expect(rows({ 'docker-bake.hcl': BAKE, 'java/Dockerfile': TOOLS.replace(/TOOLS_TAG/g, 'BASE_LOCATION') })).toEqual([
      ['java/Dockerfile', 2, 'registry.example.test/team/tools:${BASE_LOCATION}', 'templated'],
    ]);
  });
});
