import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

describe('placeholders that a release script fills in', () => {
  it('a values tag written as [[ .Version ]] is templated, not an invalid reference', () => {
    const values = ['image:', '  registry: registry.example.test', '  name: probes/agent', '  tag: "[[ .Version ]]"', 'helper:', '  image: example.test/helper:[[ .Tag ]]', ''].join('\n');
    const result = scanTexts({ 'values.yaml': values });
    expect(result.references.map((reference) => [reference.line, reference.value, reference.skip])).toEqual([
      [3, 'registry.example.test/probes/agent:[[ .Version ]]', 'templated'],
      [6, 'example.test/helper:[[ .Tag ]]', 'templated'],
    ]);
  });
});

describe('%%NAME%% placeholders that a build step fills in', () => {
  it('inside a tag or a name it is templated, in any file kind; a value that is only one names no image', () => {
    const values = ['image:', '  registry: registry.example.test', '  repository: team/db', '  tag: 11-debian-11-r%%IMAGE_REVISION%%', ''].join('\n');
    const pod = [
      'apiVersion: v1',
      'kind: Pod',
      'metadata:',
      '  name: app',
      'spec:',
      '  containers:',
      '    - name: app',
      '      image: registry.example.test/team/app:1.4-r%%REVISION%%',
      '    - name: sidecar',
      '      image: "%%SIDECAR_IMAGE%%"',
      '    - name: odd',
      '      image: registry.example.test/team/odd:1.4%',
      '',
    ].join('\n');
    const dockerfile = ['FROM registry.example.test/%%BASE_NAME%%:12', 'FROM %%BUILDER%%', ''].join('\n');
    const result = scanTexts({ 'chart/values.yaml': values, 'deploy/pod.yaml': pod, Dockerfile: dockerfile });
    expect(result.references.map((reference) => [reference.file, reference.line, reference.value, reference.skip])).toEqual([
      ['Dockerfile', 1, 'registry.example.test/%%BASE_NAME%%:12', 'templated'],
      ['chart/values.yaml', 3, 'registry.example.test/team/db:11-debian-11-r%%IMAGE_REVISION%%', 'templated'],
      ['deploy/pod.yaml', 8, 'registry.example.test/team/app:1.4-r%%REVISION%%', 'templated'],
      ['deploy/pod.yaml', 12, 'registry.example.test/team/odd:1.4%', 'invalid-reference'],
    ]);
  });
});
