/** A folder's build description (`build.yaml` beside its Dockerfile) names what the build makes and pushes. */
import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip]);

const DOCKERFILE = 'FROM registry.example.test/base/go:1.23\nCOPY . /src\n';
const DESCRIPTION = ['image: ledger-sync', 'tag: v7', 'buildArgs:', '  CHANNEL: stable', ''].join('\n');

describe('build descriptions', () => {
  it('the image and tag of a build description beside a Dockerfile are what it builds: not reported', () => {
    expect(scan({ 'tools/ledger-sync/Dockerfile': DOCKERFILE, 'tools/ledger-sync/build.yaml': DESCRIPTION })).toEqual([
      ['tools/ledger-sync/Dockerfile', 1, 'registry.example.test/base/go:1.23', null],
    ]);
    // One that names its Dockerfile needs none beside it.
    const named = ['image: ledger-sync', 'tag: v7', 'dockerfile: build/Containerfile', ''].join('\n');
    expect(scan({ 'tools/ledger-sync/build.yaml': named })).toEqual([]);
  });

  it('the same map without a Dockerfile, or with other settings beside it, is read as any YAML', () => {
    expect(scan({ 'tools/ledger-sync/build.yaml': DESCRIPTION })).toEqual([['tools/ledger-sync/build.yaml', 1, 'ledger-sync:v7', null]]);
    const other = `${DESCRIPTION}replicas: 2\n`;
    expect(scan({ 'tools/ledger-sync/Dockerfile': DOCKERFILE, 'tools/ledger-sync/build.yaml': other }).map((row) => row[0])).toEqual(['tools/ledger-sync/Dockerfile', 'tools/ledger-sync/build.yaml']);
  });

  it("a package's build.yml beside its Dockerfile names what the package build makes, with no tag: not reported", () => {
    // Before, `image: disk-tools` (and the other file's `image: mkimage`) were reported `no-tag` at line 1.
    const pkg = ['image: disk-tools', 'org: example', 'network: true', 'arches:', '  - amd64', '  - arm64', ''].join('\n');
    expect(scan({ 'tools/disk-tools/Dockerfile': DOCKERFILE, 'tools/disk-tools/build.yml': pkg, 'tools/mkimage/Dockerfile': DOCKERFILE, 'tools/mkimage/build.yml': 'image: mkimage\n' })).toEqual([
      ['tools/disk-tools/Dockerfile', 1, 'registry.example.test/base/go:1.23', null],
      ['tools/mkimage/Dockerfile', 1, 'registry.example.test/base/go:1.23', null],
    ]);
    // Without a Dockerfile beside it, under another file name, or naming a whole image, it is read as any YAML.
    expect(scan({ 'tools/disk-tools/build.yml': pkg })).toEqual([['tools/disk-tools/build.yml', 1, 'disk-tools', 'no-tag']]);
    expect(scan({ 'tools/disk-tools/Dockerfile': DOCKERFILE, 'tools/disk-tools/settings.yml': pkg }).map((row) => row[0])).toEqual(['tools/disk-tools/Dockerfile', 'tools/disk-tools/settings.yml']);
    const pulled = ['image: registry.example.test/tools/disk-tools:1.4', 'arches:', '  - amd64', ''].join('\n');
    expect(scan({ 'tools/disk-tools/Dockerfile': DOCKERFILE, 'tools/disk-tools/build.yml': pulled }).map((row) => row[0])).toEqual(['tools/disk-tools/Dockerfile', 'tools/disk-tools/build.yml']);
  });
});
