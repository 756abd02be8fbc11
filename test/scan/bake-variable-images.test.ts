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

/** Targets that write the base image itself in their `args`, for one Dockerfile that runs `FROM ${RUNNER_BASE}`. */
const LITERAL_BAKE = [
  'target "runner-src" {', // 1
  '  context = "runner"', // 2
  '}', // 3
  'target "runner-debian" {', // 4
  '  inherits = ["runner-src"]', // 5
  '  args = {', // 6
  '    RUNNER_FLAVOUR = "debian"', // 7
  '    RUNNER_BASE = "registry.example.test/os/debian:12.8-slim"', // 8
  '  }', // 9
  '}', // 10
  'target "runner-fedora" {', // 11
  '  inherits = ["runner-src"]', // 12
  '  args = { RUNNER_BASE = "registry.example.test/os/fedora:41" }', // 13
  '}', // 14
  'target "runner-next" {', // 15
  '  inherits = ["runner-fedora"]', // 16
  '}', // 17
  'target "runner-local" {', // 18
  '  inherits = ["runner-src"]', // 19
  '  contexts = { "registry.example.test/os/local:dev" = "target:os-local" }', // 20
  '  args = { RUNNER_BASE = "registry.example.test/os/local:dev" }', // 21
  '}', // 22
  'target "os-local" {', // 23
  '  context = "os"', // 24
  '}', // 25
  '',
].join('\n');
const RUNNER = ['ARG RUNNER_FLAVOUR=alpine', 'ARG RUNNER_BASE=registry.example.test/os/alpine:3.20', 'FROM ${RUNNER_BASE} AS base', 'RUN true', ''].join('\n');

describe("a literal a bake target's args pass as the whole FROM image of its Dockerfile", () => {
  it('is reported where the target writes it, once however many targets inherit it; not a value that names a context', () => {
    expect(rows({ 'docker-bake.hcl': LITERAL_BAKE, 'runner/Dockerfile': RUNNER, 'os/Dockerfile': 'FROM scratch\n' })).toEqual([
      ['docker-bake.hcl', 8, 'registry.example.test/os/debian:12.8-slim', null],
      ['docker-bake.hcl', 13, 'registry.example.test/os/fedora:41', null],
      ['runner/Dockerfile', 3, 'registry.example.test/os/alpine:3.20', 'templated'],
    ]);
  });

  it('is not an image when the Dockerfile uses the argument as a part of a name', () => {
    const partial = ['ARG RUNNER_BASE', 'FROM ${RUNNER_BASE}-tools:1.0', ''].join('\n');
    expect(rows({ 'docker-bake.hcl': LITERAL_BAKE, 'runner/Dockerfile': partial })).toEqual([['runner/Dockerfile', 2, '${RUNNER_BASE}-tools:1.0', 'templated']]);
  });
});
