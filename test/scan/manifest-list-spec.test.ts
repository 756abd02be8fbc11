/** A manifest-tool push spec: the list it writes is where it pushes; the entries it reads are images. */
import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip]);

describe('manifest-tool push specs', () => {
  it("the top-level image is the manifest list being pushed and is not reported; each entry's image is", () => {
    const spec = [
      'image: registry.example.test/tools/relay:3.2', // 1
      'tags: ["3", "latest"]', // 2
      'manifests:', // 3
      '  - image: registry.example.test/tools/relay:3.2-amd64', // 4
      '    platform:', // 5
      '      architecture: amd64', // 6
      '      os: linux', // 7
      '  - image: registry.example.test/tools/relay:3.2-arm64', // 8
      '    platform: {architecture: arm64, os: linux, variant: v8}', // 9
      '  - image: registry.example.test/tools/relay:3.2-win', // 10
      '',
    ].join('\n');
    expect(scan({ 'release/relay-list.yml': spec })).toEqual([
      ['release/relay-list.yml', 4, 'registry.example.test/tools/relay:3.2-amd64', null],
      ['release/relay-list.yml', 8, 'registry.example.test/tools/relay:3.2-arm64', null],
      ['release/relay-list.yml', 10, 'registry.example.test/tools/relay:3.2-win', null],
    ]);
  });

  it('a file with other keys beside image and manifests, or entries with other keys, is not such a spec', () => {
    const settings = [
      'image: registry.example.test/tools/probe:1.0', // 1
      'replicas: 2', // 2
      'manifests:', // 3
      '  - image: registry.example.test/tools/probe-sidecar:1.0', // 4
      '',
    ].join('\n');
    const entries = [
      'image: registry.example.test/tools/gate:4.1', // 1
      'manifests:', // 2
      '  - image: registry.example.test/tools/gate-base:4.1', // 3
      '    path: deploy/gate.yaml', // 4
      '',
    ].join('\n');
    expect(scan({ 'probe.yml': settings, 'gate.yml': entries })).toEqual([
      ['gate.yml', 1, 'registry.example.test/tools/gate:4.1', null],
      ['gate.yml', 3, 'registry.example.test/tools/gate-base:4.1', null],
      ['probe.yml', 1, 'registry.example.test/tools/probe:1.0', null],
      ['probe.yml', 4, 'registry.example.test/tools/probe-sidecar:1.0', null],
    ]);
  });
});
