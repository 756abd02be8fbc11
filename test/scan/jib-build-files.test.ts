import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

/** A Jib CLI build file whose base image is given when Jib runs (`--parameter runtimeImage=…`). */
const PARAMETER = [
  'apiVersion: jib/v1alpha1', // 1
  'kind: BuildFile', // 2
  'from:', // 3
  '  image: ${runtimeImage}', // 4
  '  platforms:', // 5
  '    - architecture: ${arch}', // 6
  '      os: linux', // 7
  'user: ${runUser}', // 8
  '',
].join('\n');

const written = (image: string) => ['apiVersion: jib/v1alpha1', 'kind: BuildFile', 'from:', `  image: ${image}`, 'format: Docker', ''].join('\n');

describe('Jib build files', () => {
  it('a base image that is one template parameter names none in the file; a base image written there is reported, with a parameter tag templated', () => {
    expect(
      scan({
        'jib.yaml': PARAMETER,
        'tools/jib.yaml': written('registry.example.test/base/jre:21.0.4'),
        'server/jib.yaml': written('registry.example.test/base/jre:${jreVersion}'),
      }),
    ).toEqual([
      ['server/jib.yaml', 4, 'registry.example.test/base/jre:${jreVersion}', 'kubernetes-image', 'templated'],
      ['tools/jib.yaml', 4, 'registry.example.test/base/jre:21.0.4', 'kubernetes-image', null],
    ]);
  });

  it('another object with an image that is one variable keeps it templated', () => {
    const pod = ['apiVersion: v1', 'kind: Pod', 'metadata: {name: web}', 'spec:', '  containers:', '    - name: web', '      image: ${runtimeImage}', ''].join('\n');
    expect(scan({ 'deploy/pod.yaml': pod })).toEqual([['deploy/pod.yaml', 7, '${runtimeImage}', 'kubernetes-container', 'templated']]);
  });
});
