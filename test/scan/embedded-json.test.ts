import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { applyEdits } from '../../src/core/text-edit.js';
import type { Reference } from '../../src/core/types.js';
import { editsForReference } from '../../src/plan/edits-for-reference.js';
import { scanTexts } from '../support/scan-texts.js';

const rows = (references: readonly Reference[]) => references.map((reference) => [reference.file, reference.line, reference.column, reference.value, reference.kind, reference.skip]);
const scan = (files: Record<string, string>) => rows(scanTexts(files).references);

/** A controller's config map: serving runtimes in JSON, each an image with its default version beside it. */
const RUNTIMES = [
  'apiVersion: v1',
  'kind: ConfigMap',
  'metadata:',
  '  name: runtime-settings',
  'data:',
  '  runtimes: |',
  '    {',
  '      "tabular": {',
  '        "image": "acme/tabular-server",',
  '        "defaultImageVersion": "2.3.1",',
  '        "defaultGpuImageVersion": "2.3.1-cuda",',
  '        "imagePullPolicy": "IfNotPresent"',
  '      },',
  '      "vision": {',
  '        "image": "registry.example.test/ml/vision:0.9.4",',
  '        "labelsImage": "registry.example.test/ml/labels@sha256:' + 'c'.repeat(64) + '"',
  '      },',
  '      "speech": [',
  '        { "image": "acme/speech", "imageTag": "v7" },',
  '        { "image": { "registry": "mirror.example.test:5000", "repository": "acme/asr", "tag": "11.2" } }',
  '      ]',
  '    }',
  '  sidecar: |-',
  '    {"image": "acme/relay:1.0.0", "cpu": "100m"}',
  '  notes: |',
  '    Runtimes are listed above.',
  '',
].join('\n');

describe('JSON written as text in a literal block scalar', () => {
  it('reads the images of a config map, with an image and its version written apart', () => {
    expect(scan({ 'deploy/runtimes.yaml': RUNTIMES })).toEqual([
      ['deploy/runtimes.yaml', 9, 19, 'acme/tabular-server:2.3.1', 'kubernetes-image', null],
      ['deploy/runtimes.yaml', 15, 19, 'registry.example.test/ml/vision:0.9.4', 'kubernetes-image', null],
      ['deploy/runtimes.yaml', 16, 25, `registry.example.test/ml/labels@sha256:${'c'.repeat(64)}`, 'kubernetes-image', null],
      ['deploy/runtimes.yaml', 19, 21, 'acme/speech:v7', 'kubernetes-image', null],
      ['deploy/runtimes.yaml', 20, 77, 'mirror.example.test:5000/acme/asr:11.2', 'kubernetes-image', null],
      ['deploy/runtimes.yaml', 24, 16, 'acme/relay:1.0.0', 'kubernetes-image', null],
    ]);
  });

  it('edits each part where it is written, inside its quotes', () => {
    const file = sourceFile('deploy/runtimes.yaml', Buffer.from(RUNTIMES.replace(/\n/g, '\r\n')));
    const references = scanTexts({ 'deploy/runtimes.yaml': RUNTIMES.replace(/\n/g, '\r\n') }).references;
    expect(references.map((reference) => reference.spans.map((span) => [span.role, span.text, span.line, span.quote]))).toEqual([
      [
        ['repository', 'acme/tabular-server', 9, '"'],
        ['tag', '2.3.1', 10, '"'],
      ],
      [['reference', 'registry.example.test/ml/vision:0.9.4', 15, '"']],
      [['reference', `registry.example.test/ml/labels@sha256:${'c'.repeat(64)}`, 16, '"']],
      [
        ['repository', 'acme/speech', 19, '"'],
        ['tag', 'v7', 19, '"'],
      ],
      [
        ['registry', 'mirror.example.test:5000', 20, '"'],
        ['repository', 'acme/asr', 20, '"'],
        ['tag', '11.2', 20, '"'],
      ],
      [['reference', 'acme/relay:1.0.0', 24, '"']],
    ]);
    const tabular = editsForReference(references[0]!, { tag: '2.4', digest: null });
    const relay = editsForReference(references[5]!, { tag: '1.1.0', digest: `sha256:${'d'.repeat(64)}` });
    if (!tabular.ok || !relay.ok) throw new Error('no edit');
    expect(Buffer.from(applyEdits(file.bytes, [...tabular.edits, ...relay.edits])).toString('latin1')).toBe(
      RUNTIMES.replace('"defaultImageVersion": "2.3.1"', '"defaultImageVersion": "2.4"')
        .replace('"acme/relay:1.0.0"', `"acme/relay:1.1.0@sha256:${'d'.repeat(64)}"`)
        .replace(/\n/g, '\r\n'),
    );
  });

  it('reads the JSON of a chart template around its template actions', () => {
    const template = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: {{ include "tuner.fullname" . }}',
      '  labels:',
      '    {{- include "tuner.labels" . | nindent 4 }}',
      'data:',
      '  collectors: |',
      '    {',
      '      "stdout": {',
      '        "image": "acme/collector-stdout:v0.5.0",',
      '        "limits": {{ toJson .Values.collector.limits }}',
      '      },',
      '      {{- if .Values.events.enabled }}',
      '      "events": {',
      '        "image": "acme/collector-events",',
      '        "imageVersion": "v0.5.0"',
      '      },',
      '      {{- end }}',
      '      "custom": {',
      '        "image": "{{ .Values.custom.image }}"',
      '      }',
      '    }',
      '  gateway: "{{ .Values.gateway }}"',
      '',
    ].join('\n');
    expect(scan({ 'tuner/Chart.yaml': 'apiVersion: v2\nname: tuner\nversion: 1.0.0\n', 'tuner/templates/collectors.yaml': template })).toEqual([
      ['tuner/templates/collectors.yaml', 11, 19, 'acme/collector-stdout:v0.5.0', 'kubernetes-image', null],
      ['tuner/templates/collectors.yaml', 16, 19, 'acme/collector-events:v0.5.0', 'kubernetes-image', null],
    ]);
  });

  it('reads a chart value holding JSON in the values kind', () => {
    const values = ['proxy:', '  config: |', '    {"upstreams": [{"name": "cache", "image": "registry.example.test/cache:7.2"}]}', 'replicas: 2', ''].join('\n');
    expect(scan({ 'charts/edge/values.yaml': values })).toEqual([['charts/edge/values.yaml', 3, 48, 'registry.example.test/cache:7.2', 'helm-values', null]]);
  });

  it('takes a bare name only as a container image, and leaves out what is not an image', () => {
    const text = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: odds',
      'data:',
      '  pod.json: |',
      '    {"spec": {"containers": [{"name": "main", "image": "busybox"}]}}',
      '  settings: |',
      '    {',
      '      "proxy": {"hub": "registry.example.test/mesh", "image": "proxyv2", "tag": "1.22.3"},',
      '      "worker": {"image": "acme/worker", "tag": "{{ .Values.tag }}"},',
      '      "banner": {"image": "assets/logo.png", "vmImage": "ubuntu-24.04", "imagePullSecrets": []},',
      '      "docs": {"image": "https://example.test/pictures/a", "image_tag": "v1"},',
      '      "escaped": {"image": "acme\\/escaped:1.0"},',
      '      "version": {"image": "acme/numbered", "imageTag": 3}',
      '    }',
      '  folded: >',
      '    {"image": "acme/folded:1.0"}',
      '',
    ].join('\n');
    expect(scan({ 'deploy/odds.yaml': text })).toEqual([['deploy/odds.yaml', 7, 57, 'busybox', 'kubernetes-container', 'no-tag']]);
  });
});

describe('JSON in a literal block that is hostile', () => {
  it('gives nothing for a body that is not JSON, and does not crash', () => {
    const block = (body: string) => ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: broken', 'data:', '  config: |', ...body.split('\n').map((line) => `    ${line}`), ''].join('\n');
    for (const body of [
      '{"image": "acme/a:1.0",}',
      '{"image": "acme/a:1.0"} trailing',
      '{"image": "acme/a:1.0"',
      '{"image": "acme/a:\u0001"}',
      `${'['.repeat(100)}{"image": "acme/deep:1.0"}${']'.repeat(100)}`,
      '['.repeat(50_000),
      `{"image": "acme/big:1.0", "pad": "${'x'.repeat(1_100_000)}"}`,
    ]) {
      expect(scan({ 'deploy/broken.yaml': block(body) })).toEqual([]);
    }
  });

  it('reads what nesting allows, and a body just under the size bound', () => {
    const text = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: nested',
      'data:',
      '  config: |',
      `    ${'['.repeat(60)}{"image": "acme/deep:1.0", "pad": "${'x'.repeat(1_000_000)}"}${']'.repeat(60)}`,
      '',
    ].join('\n');
    expect(scan({ 'deploy/nested.yaml': text })).toEqual([['deploy/nested.yaml', 7, 76, 'acme/deep:1.0', 'kubernetes-image', null]]);
  });
});
