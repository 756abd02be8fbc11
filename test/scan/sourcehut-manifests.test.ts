/** sourcehut build manifests: the `image` at the top is the build VM's operating system, not a container image. */
import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const manifest = [
  'image: alpine/edge', // 1
  'packages:', // 2
  '  - go', // 3
  'sources:', // 4
  '  - https://git.example.test/~team/relay', // 5
  'tasks:', // 6
  '  - build: |', // 7
  '      cd relay', // 8
  '      make', // 9
  '  - test: cd relay && make check', // 10
  '',
].join('\n');
const containerJob = [
  'image: registry.example.test/team/relay-ci:2.4.0', // 1
  'tasks:', // 2
  '  - name: build', // 3
  '    run: make', // 4
  '',
].join('\n');

describe('sourcehut build manifests', () => {
  it('a .build.yml or .builds/*.yml with image and a tasks list of scripts names a VM image; other files and other shapes are read as before', () => {
    const scanned = scanTexts({
      '.build.yml': manifest,
      'services/relay/.builds/debian.yaml': manifest.replace('alpine/edge', 'debian/stable'),
      '.builds/ci.yml': containerJob,
      'ci/build.yml': manifest,
    });
    expect(scanned.references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip])).toEqual([
      ['.builds/ci.yml', 1, 'registry.example.test/team/relay-ci:2.4.0', 'yaml-image', null],
      ['ci/build.yml', 1, 'alpine/edge', 'yaml-image', 'no-tag'],
    ]);
  });
});
