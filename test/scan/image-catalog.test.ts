import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { applyEdits } from '../../src/core/text-edit.js';
import { editsForReference } from '../../src/plan/edits-for-reference.js';
import { scanTexts } from '../support/scan-texts.js';

const rows = (files: Record<string, string>) =>
  scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip, reference.spans.map((span) => [span.role, span.line, span.text])]);

const catalog = [
  '---',
  '# The images the operator deploys; "base" is put before each name.',
  'base: registry.example.test/storage',
  'components:',
  '  controller:',
  '    tag: v2.4.0',
  '    image: store-server',
  '  kernel-loader:',
  '    tag: v9.1.3',
  '    image: kmod-generic # when no entry below matches the node',
  '    match:',
  '      - osImage: Distro Linux 8',
  '        image: kmod-distro8',
  '      - osImage: Distro Linux 9',
  '        image: kmod-distro9',
  '---',
  'base: registry.example.test/sidecars',
  'components:',
  '  attacher:',
  '    tag: v4.7.0',
  '    image: attacher',
  '',
].join('\n');

const detail = (line: number) => `an image catalog: the registry path is its base (line ${line}), not edited here`;

describe("an operator's image catalog: base + components of image and tag", () => {
  it('puts each name under the base with its tag; the entries of a match list take the tag of their component', () => {
    const scanned = scanTexts({ 'config/manager/images.yaml': catalog, 'config/manager/kustomization.yaml': 'configMapGenerator:\n- name: image-config\n  files: [images.yaml]\n' });
    expect(scanned.references.map((reference) => reference.detail)).toEqual([detail(3), detail(3), detail(3), detail(3), detail(17)]);
    expect(rows({ 'config/manager/images.yaml': catalog })).toEqual([
      [
        'config/manager/images.yaml',
        7,
        'registry.example.test/storage/store-server:v2.4.0',
        'yaml-image',
        null,
        [
          ['repository', 7, 'store-server'],
          ['tag', 6, 'v2.4.0'],
        ],
      ],
      [
        'config/manager/images.yaml',
        10,
        'registry.example.test/storage/kmod-generic:v9.1.3',
        'yaml-image',
        null,
        [
          ['repository', 10, 'kmod-generic'],
          ['tag', 9, 'v9.1.3'],
        ],
      ],
      [
        'config/manager/images.yaml',
        13,
        'registry.example.test/storage/kmod-distro8:v9.1.3',
        'yaml-image',
        null,
        [
          ['repository', 13, 'kmod-distro8'],
          ['tag', 9, 'v9.1.3'],
        ],
      ],
      [
        'config/manager/images.yaml',
        15,
        'registry.example.test/storage/kmod-distro9:v9.1.3',
        'yaml-image',
        null,
        [
          ['repository', 15, 'kmod-distro9'],
          ['tag', 9, 'v9.1.3'],
        ],
      ],
      [
        'config/manager/images.yaml',
        21,
        'registry.example.test/sidecars/attacher:v4.7.0',
        'yaml-image',
        null,
        [
          ['repository', 21, 'attacher'],
          ['tag', 20, 'v4.7.0'],
        ],
      ],
    ]);
  });

  it("is updated at its component's tag, the base left as it is", () => {
    const file = sourceFile('config/manager/images.yaml', new Uint8Array(Buffer.from(catalog)));
    const reference = scanTexts({ 'config/manager/images.yaml': catalog }).references.find((found) => found.line === 13);
    const plan = editsForReference(reference!, { tag: 'v9.1.4', digest: `sha256:${'c'.repeat(64)}` });
    expect(plan.ok).toBe(true);
    const updated = Buffer.from(applyEdits(file.bytes, plan.ok ? plan.edits : [])).toString();
    expect(updated).toBe(catalog.replace('v9.1.3', 'v9.1.4'));
    expect(rows({ 'config/manager/images.yaml': updated })[2]?.[2]).toBe('registry.example.test/storage/kmod-distro8:v9.1.4');
  });

  it("reads the same catalog carried as text in a chart template's ConfigMap, under a data key that starts with a digit", () => {
    const body = catalog
      .split('\n')
      .slice(0, 15)
      .map((line) => (line === '' ? line : `    ${line}`));
    const template = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: {{ include "store.fullname" . }}-image-config',
      '  labels:',
      '  {{- include "store.labels" . | nindent 4 }}',
      'data:',
      '  0_default_images.yaml: |',
      ...body,
      '',
    ].join('\n');
    expect(rows({ 'charts/store/Chart.yaml': 'apiVersion: v2\nname: store\nversion: 1.0.0\n', 'charts/store/templates/config.yaml': template })).toEqual([
      [
        'charts/store/templates/config.yaml',
        15,
        'registry.example.test/storage/store-server:v2.4.0',
        'kubernetes-image',
        null,
        [
          ['repository', 15, 'store-server'],
          ['tag', 14, 'v2.4.0'],
        ],
      ],
      [
        'charts/store/templates/config.yaml',
        18,
        'registry.example.test/storage/kmod-generic:v9.1.3',
        'kubernetes-image',
        null,
        [
          ['repository', 18, 'kmod-generic'],
          ['tag', 17, 'v9.1.3'],
        ],
      ],
      [
        'charts/store/templates/config.yaml',
        21,
        'registry.example.test/storage/kmod-distro8:v9.1.3',
        'kubernetes-image',
        null,
        [
          ['repository', 21, 'kmod-distro8'],
          ['tag', 17, 'v9.1.3'],
        ],
      ],
      [
        'charts/store/templates/config.yaml',
        23,
        'registry.example.test/storage/kmod-distro9:v9.1.3',
        'kubernetes-image',
        null,
        [
          ['repository', 23, 'kmod-distro9'],
          ['tag', 17, 'v9.1.3'],
        ],
      ],
    ]);
  });

  it('reads it in a plain ConfigMap too, and composes image + tag lines of one map carried as text', () => {
    const manifest = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: store-config',
      'data:',
      '  images.yaml: |',
      '    base: registry.example.test/storage',
      '    components:',
      '      controller:',
      '        tag: v2.4.0',
      '        image: store-server',
      '  agent.yaml: |',
      '    agent:',
      '      image: registry.example.test/team/agent',
      '      tag: "3.1"',
      '',
    ].join('\n');
    expect(rows({ 'deploy/config.yaml': manifest })).toEqual([
      [
        'deploy/config.yaml',
        11,
        'registry.example.test/storage/store-server:v2.4.0',
        'kubernetes-image',
        null,
        [
          ['repository', 11, 'store-server'],
          ['tag', 10, 'v2.4.0'],
        ],
      ],
      [
        'deploy/config.yaml',
        14,
        'registry.example.test/team/agent:3.1',
        'kubernetes-image',
        null,
        [
          ['repository', 14, 'registry.example.test/team/agent'],
          ['tag', 15, '3.1'],
        ],
      ],
    ]);
  });

  it('leaves other shapes as they were: a base that is no registry path, a name with a registry of its own, a component without a tag', () => {
    const other = [
      'base: storage',
      'components:',
      '  controller:',
      '    tag: v2.4.0',
      '    image: store-server',
      '---',
      'base: registry.example.test/storage',
      'components:',
      '  mirror:',
      '    tag: v1.0.0',
      '    image: registry.example.test/other/mirror',
      '  helper:',
      '    image: store-helper',
      '',
    ].join('\n');
    expect(rows({ 'config/images.yaml': other })).toEqual([
      [
        'config/images.yaml',
        5,
        'store-server:v2.4.0',
        'yaml-image',
        null,
        [
          ['repository', 5, 'store-server'],
          ['tag', 4, 'v2.4.0'],
        ],
      ],
      [
        'config/images.yaml',
        11,
        'registry.example.test/other/mirror:v1.0.0',
        'yaml-image',
        null,
        [
          ['repository', 11, 'registry.example.test/other/mirror'],
          ['tag', 10, 'v1.0.0'],
        ],
      ],
      ['config/images.yaml', 13, 'store-helper', 'yaml-image', 'no-tag', [['reference', 13, 'store-helper']]],
    ]);
  });
});
