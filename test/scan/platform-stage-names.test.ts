import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

describe("a stage name written with BuildKit's platform arguments", () => {
  it('is not an image in the settings a Dockerfile template is rendered from; other variables and images stay as they were', () => {
    const settings = [
      'build_stages:', // 1
      '  glibc:', // 2
      '    image: "registry.example.test/lang/rust:{{ rust_version }}-slim"', // 3
      '  musl:', // 4
      '    image: "compile_${TARGETARCH}${TARGETVARIANT}"', // 5
      '  cross:', // 6
      '    image: "compile-${BUILDOS}-${BUILDARCH}"', // 7
      '  custom:', // 8
      '    image: "compile_${ARCH}"', // 9
      '  pinned:', // 10
      '    image: "registry.example.test/lang/compile-${TARGETARCH}:1.0"', // 11
      'runtime:', // 12
      '  image: registry.example.test/os/base:3.24', // 13
      '',
    ].join('\n');
    expect(scan({ 'docker/settings.yaml': settings })).toEqual([
      ['docker/settings.yaml', 3, 'registry.example.test/lang/rust:{{ rust_version }}-slim', 'yaml-image', 'templated'],
      ['docker/settings.yaml', 9, 'compile_${ARCH}', 'yaml-image', 'templated'],
      ['docker/settings.yaml', 11, 'registry.example.test/lang/compile-${TARGETARCH}:1.0', 'yaml-image', 'templated'],
      ['docker/settings.yaml', 13, 'registry.example.test/os/base:3.24', 'yaml-image', null],
    ]);
  });

  it('is not an image in a Dockerfile whose stages it picks are written elsewhere', () => {
    const dockerfile = [
      'FROM registry.example.test/os/base:3.24 AS runtime', // 1
      'FROM --platform=$BUILDPLATFORM compile_${TARGETARCH}${TARGETVARIANT} AS compile', // 2
      'FROM tools-$TARGETOS AS tools', // 3
      'FROM tools-$TARGETOS_EXTRA', // 4
      '',
    ].join('\n');
    expect(scan({ 'docker/Dockerfile': dockerfile })).toEqual([
      ['docker/Dockerfile', 1, 'registry.example.test/os/base:3.24', 'dockerfile-from', null],
      ['docker/Dockerfile', 4, 'tools-$TARGETOS_EXTRA', 'dockerfile-from', 'templated'],
    ]);
  });
});
