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

describe('a tag written as a placeholder in angle brackets that the reader fills in', () => {
  it('names its image, templated, in any file kind and inside a patch carried as text; other angle brackets are not such a tag', () => {
    const pod = [
      'apiVersion: v1', // 1
      'kind: Pod', // 2
      'metadata:', // 3
      '  name: plugins', // 4
      'spec:', // 5
      '  initContainers:', // 6
      '    - name: plugin', // 7
      '      image: registry.example.test/team/plugin:<plugin_version>', // 8
      '  containers:', // 9
      '    - name: app', // 10
      '      image: <registry>/team/app:<version>', // 11
      '    - name: prefixed', // 12
      '      image: registry.example.test/team/app:v<version>', // 13
      '    - name: parameter', // 14
      '      image: registry.example.test/team/app:<< parameters.tag >>', // 15
      '',
    ].join('\n');
    const service = [
      'apiVersion: deploy.example.test/v1', // 1
      'kind: Platform', // 2
      'metadata:', // 3
      '  name: platform', // 4
      'spec:', // 5
      '  patches:', // 6
      '    - |', // 7
      '      spec:', // 8
      '        template:', // 9
      '          spec:', // 10
      '            initContainers:', // 11
      '            - name: plugin', // 12
      '              image: registry.example.test/team/plugin:<plugin_version>', // 13
      '',
    ].join('\n');
    const dockerfile = 'FROM registry.example.test/os/base:<base_tag>\n';
    const result = scanTexts({ 'deploy/pod.yaml': pod, 'deploy/platform.yaml': service, 'build/Dockerfile': dockerfile });
    expect(result.references.map((reference) => [reference.file, reference.line, reference.value, reference.skip])).toEqual([
      ['build/Dockerfile', 1, 'registry.example.test/os/base:<base_tag>', 'templated'],
      ['deploy/platform.yaml', 13, 'registry.example.test/team/plugin:<plugin_version>', 'templated'],
      ['deploy/pod.yaml', 8, 'registry.example.test/team/plugin:<plugin_version>', 'templated'],
    ]);
  });
});
