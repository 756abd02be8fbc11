import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const rows = (files: Record<string, string>) =>
  scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.spans.map((span) => [span.role, span.line]), reference.detail ?? null]);

const CHART = 'apiVersion: v2\nname: album\nversion: 1.0.0\nappVersion: v3.1.0\ndependencies:\n  - name: common\n    repository: https://charts.example.test/library\n    version: 4.0.0\n';

/** Shared settings at the top, and two components whose image names leave the tag to them. */
const VALUES = [
  'workloads:',
  '  main:',
  '    containers:',
  '      main:',
  '        image:',
  '          tag: v3.1.0',
  'web:',
  '  enabled: true',
  '  workloads:',
  '    main:',
  '      containers:',
  '        main:',
  '          image:',
  '            repository: registry.example.test/album/web',
  '            pullPolicy: IfNotPresent',
  'worker:',
  '  workloads:',
  '    main:',
  '      containers:',
  '        main:',
  '          image:',
  '            repository: registry.example.test/album/worker',
  '',
].join('\n');

const render = (component: string, merge: string) =>
  [`{{ if (index .Values "${component}").enabled }}`, '{{- $ctx := deepCopy . -}}', merge, '{{- include "common.loader.all" $ctx }}', '{{ end }}', ''].join('\n');

describe('Helm values of a component that the templates merge over the top-level values', () => {
  it("take the top-level map's tag at the same path, edited where it is written", () => {
    const files = {
      'charts/album/Chart.yaml': CHART,
      'charts/album/values.yaml': VALUES,
      'charts/album/templates/web.yaml': render('web', '{{- $_ := get .Values "web" | mergeOverwrite $ctx.Values -}}'),
      'charts/album/templates/worker.yaml': render('worker', '{{- $_ := mergeOverwrite $ctx.Values (index .Values "worker") -}}'),
    };
    expect(rows(files)).toEqual([
      [
        'charts/album/values.yaml',
        14,
        'registry.example.test/album/web:v3.1.0',
        null,
        [
          ['repository', 14],
          ['tag', 6],
        ],
        'the tag is the top-level workloads.main.containers.main.image.tag (line 6): charts/album/templates/web.yaml:3 merges the values of web over the top-level values; edited there, with every image that shares it',
      ],
      [
        'charts/album/values.yaml',
        22,
        'registry.example.test/album/worker:v3.1.0',
        null,
        [
          ['repository', 22],
          ['tag', 6],
        ],
        'the tag is the top-level workloads.main.containers.main.image.tag (line 6): charts/album/templates/worker.yaml:3 merges the values of worker over the top-level values; edited there, with every image that shares it',
      ],
    ]);
  });

  it('stay without a tag where no template merges them', () => {
    const files = {
      'charts/album/Chart.yaml': CHART,
      'charts/album/values.yaml': VALUES,
      'charts/album/templates/web.yaml': render('web', '{{- $_ := get .Values "web" | toYaml -}}'),
    };
    expect(rows(files).map((row) => row.slice(0, 4))).toEqual([
      ['charts/album/values.yaml', 14, 'registry.example.test/album/web', 'no-tag'],
      ['charts/album/values.yaml', 22, 'registry.example.test/album/worker', 'no-tag'],
    ]);
  });
});
