import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { applyEdits } from '../../src/core/text-edit.js';
import { editsForReference } from '../../src/plan/edits-for-reference.js';
import { scanFiles } from '../../src/scan/scan-files.js';

function scan(path: string, text: string) {
  const file = sourceFile(path, new Uint8Array(Buffer.from(text, 'latin1')));
  return { file, references: scanFiles([file]).references };
}

const rows = (path: string, text: string) =>
  scan(path, text).references.map((reference) => [reference.line, reference.value, reference.kind, reference.skip, reference.spans.map((span) => [span.role, span.text, span.line])]);

/** A HelmRelease kept as a Jinja template that a cluster generator renders (its values written as they will be). */
const release = [
  '---',
  'apiVersion: helm.toolkit.fluxcd.io/v2',
  'kind: HelmRelease',
  'metadata:',
  '  name: "{{ app_name }}"',
  'spec:',
  '  values:',
  '    controllers:',
  '      main:',
  '        containers:',
  '          app:',
  '            image:',
  '              repository: ghcr.io/example/uptime-board',
  '              # tag: 2.0.0-rc1',
  '              tag: 1.8.4@sha256:' + 'c'.repeat(64),
  '          exporter:',
  '            image:',
  '              registry: docker.io',
  '              repository: example/board-exporter',
  "              tag: '0.6'",
  '          init:',
  '            image:',
  '              repository: "{{ init_repository }}"',
  '              tag: 3.1.0',
  '          shell:',
  '            image:',
  '              repository: registry.example.test/tools/shell',
  '    persistence:',
  '      data:',
  '        repository: not-an-image-map',
  '        tag: "3"',
  '',
].join('\n');

describe('split image maps of YAML read line by line', () => {
  it('a template reads `image:` maps of registry, repository, tag and digest as the parsed reading does; one that starts with a template passes on', () => {
    expect(rows('templates/apps/board/helmrelease.yaml.j2', release)).toEqual([
      [
        13,
        'ghcr.io/example/uptime-board:1.8.4@sha256:' + 'c'.repeat(64),
        'yaml-template',
        null,
        [
          ['repository', 'ghcr.io/example/uptime-board', 13],
          ['tag', '1.8.4@sha256:' + 'c'.repeat(64), 15],
        ],
      ],
      [
        19,
        'docker.io/example/board-exporter:0.6',
        'yaml-template',
        null,
        [
          ['registry', 'docker.io', 18],
          ['repository', 'example/board-exporter', 19],
          ['tag', '0.6', 20],
        ],
      ],
      [27, 'registry.example.test/tools/shell', 'yaml-template', 'no-tag', [['repository', 'registry.example.test/tools/shell', 27]]],
    ]);
  });

  it('an update edits the tag where it is written, byte for byte', () => {
    const { file, references } = scan('templates/apps/board/helmrelease.yaml.j2', release);
    const exporter = references.find((reference) => reference.line === 19);
    const plan = editsForReference(exporter!, { tag: '0.7', digest: null });
    if (!plan.ok) throw new Error(plan.reason);
    expect(plan.edits.map((edit) => [edit.expected, edit.replacement])).toEqual([['0.6', '0.7']]);
    expect(Buffer.from(applyEdits(file.bytes, plan.edits)).toString('latin1')).toBe(release.replace("tag: '0.6'", "tag: '0.7'"));
  });

  it('a manifest that does not parse reads its container image maps the same way', () => {
    const broken = ['apiVersion: v1', 'kind: Pod', 'metadata:', '  name: {{ .name }}', 'spec:', '  sidecar:', '    image:', '      repository: quay.io/example/agent', '      tag: v2.2.0', ''].join(
      '\n',
    );
    expect(rows('deploy/agent.yaml', broken)).toEqual([
      [
        8,
        'quay.io/example/agent:v2.2.0',
        'kubernetes-image',
        null,
        [
          ['repository', 'quay.io/example/agent', 8],
          ['tag', 'v2.2.0', 9],
        ],
      ],
    ]);
  });
});

/** Chart values kept as a Jinja template, the chart's images grouped by component under one `image:` key. */
const groupedValues = [
  '---',
  'image:',
  '  storage:',
  '    controller:',
  '      repository: "example/volume-controller"',
  '      tag: "v2.4.0"',
  '    dashboard:',
  '      repository: example/volume-dashboard',
  "      tag: 'v2.4.0'",
  '    pullPolicy: IfNotPresent',
  '  sidecars:',
  '    snapshotter:',
  '      registry: registry.example.test',
  '      repository: sig-storage/snapshotter',
  '      tag: v8.1.0',
  '    probe:',
  '      repository: example/probe-without-tag',
  '    templated:',
  '      repository: example/agent',
  '      tag: {{ agent_tag }}',
  'persistence:',
  '  backup:',
  '    repository: backup-store',
  '    tag: nightly',
  'replicas: {{ replicas }}',
  '',
].join('\n');

describe('split image maps nested deeper under an image key, read line by line', () => {
  it('each map of repository + tag under a group of an image key is an image; one without a tag line, or outside an image key, is not', () => {
    expect(rows('charts/storage/values.yaml.j2', groupedValues)).toEqual([
      [
        5,
        'example/volume-controller:v2.4.0',
        'yaml-template',
        null,
        [
          ['repository', 'example/volume-controller', 5],
          ['tag', 'v2.4.0', 6],
        ],
      ],
      [
        8,
        'example/volume-dashboard:v2.4.0',
        'yaml-template',
        null,
        [
          ['repository', 'example/volume-dashboard', 8],
          ['tag', 'v2.4.0', 9],
        ],
      ],
      [
        14,
        'registry.example.test/sig-storage/snapshotter:v8.1.0',
        'yaml-template',
        null,
        [
          ['registry', 'registry.example.test', 13],
          ['repository', 'sig-storage/snapshotter', 14],
          ['tag', 'v8.1.0', 15],
        ],
      ],
      [
        19,
        'example/agent:{{ agent_tag }}',
        'yaml-template',
        'templated',
        [
          ['repository', 'example/agent', 19],
          ['tag', '{{ agent_tag }}', 20],
        ],
      ],
    ]);
  });

  it('an update edits the nested tag where it is written, byte for byte', () => {
    const { file, references } = scan('charts/storage/values.yaml.j2', groupedValues);
    const dashboard = references.find((reference) => reference.line === 8);
    const plan = editsForReference(dashboard!, { tag: 'v2.4.1', digest: null });
    if (!plan.ok) throw new Error(plan.reason);
    expect(plan.edits.map((edit) => [edit.expected, edit.replacement])).toEqual([['v2.4.0', 'v2.4.1']]);
    expect(Buffer.from(applyEdits(file.bytes, plan.edits)).toString('latin1')).toBe(groupedValues.replace("tag: 'v2.4.0'", "tag: 'v2.4.1'"));
  });
});
