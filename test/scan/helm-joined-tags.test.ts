import { describe, expect, it } from 'vitest';
import { DEPLOYMENT_HEAD, scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) =>
  scanTexts(files)
    .references.filter((reference) => reference.file.endsWith('values.yaml'))
    .map((reference) => [reference.line, reference.value, reference.skip, reference.spans.map((span) => [span.role, span.text, span.line]), reference.detail ?? null]);

const CHART = 'apiVersion: v2\nname: monitor\nversion: 1.0.0\n';

/** Values that keep each image's name and its version apart, as separate top-level keys. */
const VALUES = [
  'proxyVersion: v2.4.1', // 1
  'searchVersion: "8.1.0"', // 2
  'cacheVersion: 7.2', // 3
  '', // 4
  'proxyImage: registry.example.test/team/proxy', // 5
  'searchImage: search', // 6
  'dashboardImage: dashboard', // 7
  'cacheImage: cache', // 8
  'spareImage: registry.example.test/team/spare', // 9
  'spareVersion: "1.0"', // 10
  '',
].join('\n');

const DEPLOYMENT = [
  ...DEPLOYMENT_HEAD,
  '        - name: proxy',
  '          image: {{ .Values.proxyImage }}:{{ .Values.proxyVersion }}',
  '        - name: search',
  '          image: {{ .Values.searchImage }}:{{ .Values.searchVersion }}',
  '        - name: dashboard',
  '          image: {{ .Values.dashboardImage }}:{{ .Values.searchVersion }}',
  '        - name: cache',
  '          image: "{{ .Values.cacheImage }}:{{ .Values.cacheVersion }}"',
  '',
].join('\n');

describe("a values name that the chart's templates join to another values field as its tag", () => {
  it('is the image, reported at the name and edited at the tag; a tag several names share moves them together', () => {
    // Before, lines 5 to 9 were each reported `no-tag` as the bare name.
    const rows = scan({ 'chart/Chart.yaml': CHART, 'chart/values.yaml': VALUES, 'chart/templates/deployment.yaml': DEPLOYMENT });
    expect(rows).toEqual([
      [
        5,
        'registry.example.test/team/proxy:v2.4.1',
        null,
        [
          ['repository', 'registry.example.test/team/proxy', 5],
          ['tag', 'v2.4.1', 1],
        ],
        "joined by the chart's templates to proxyVersion (line 1) as its tag, templates/deployment.yaml:8",
      ],
      [
        6,
        'search:8.1.0',
        null,
        [
          ['repository', 'search', 6],
          ['tag', '8.1.0', 2],
        ],
        "joined by the chart's templates to searchVersion (line 2) as its tag, templates/deployment.yaml:10; searchVersion (chart/values.yaml:2) is the tag of 2 images: it moves only when all of them have the same new tag",
      ],
      [
        7,
        'dashboard:8.1.0',
        null,
        [
          ['repository', 'dashboard', 7],
          ['tag', '8.1.0', 2],
        ],
        "joined by the chart's templates to searchVersion (line 2) as its tag, templates/deployment.yaml:12; searchVersion (chart/values.yaml:2) is the tag of 2 images: it moves only when all of them have the same new tag",
      ],
      [
        8,
        'cache:7.2',
        null,
        [
          ['repository', 'cache', 8],
          ['tag', '7.2', 3],
        ],
        "joined by the chart's templates to cacheVersion (line 3) as its tag, templates/deployment.yaml:14",
      ],
      // No template joins the spare image: its name stays as written.
      [9, 'registry.example.test/team/spare', 'no-tag', [['reference', 'registry.example.test/team/spare', 9]], null],
    ]);
  });

  it('without such a template, or outside a chart, the name stays bare', () => {
    const rows = scan({ 'chart/Chart.yaml': CHART, 'chart/values.yaml': VALUES });
    expect(rows.map((row) => [row[0], row[1], row[2]])).toEqual([
      [5, 'registry.example.test/team/proxy', 'no-tag'],
      [6, 'search', 'no-tag'],
      [7, 'dashboard', 'no-tag'],
      [8, 'cache', 'no-tag'],
      [9, 'registry.example.test/team/spare', 'no-tag'],
    ]);
  });

  it('keeps the registry that the template lines write before the name, as a mesh chart writes its global hub', () => {
    // Before, the hub was dropped: `sidecar:1.9.2` and `relay:3.0.1`.
    const values = [
      'global:', // 1
      '  hub: registry.example.test/mesh', // 2
      '  tag: 1.9.2', // 3
      '  proxy:', // 4
      '    image: sidecar', // 5
      'mirror: registry.example.test/depot', // 6
      'relayImage: relay', // 7
      'relayVersion: 3.0.1', // 8
      'loneImage: lone', // 9
      'loneVersion: "2.0"', // 10
      '',
    ].join('\n');
    const injector = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: injector',
      'data:',
      '  config: |',
      '    image: "{{ .Values.global.hub }}/{{ .Values.global.proxy.image }}:{{ .Values.global.tag }}"',
      '    relay: "{{ .Values.mirror }}/{{ .Values.relayImage }}:{{ .Values.relayVersion }}"',
      '    lone: "{{ .Values.mirror }}/{{ .Values.loneImage }}:{{ .Values.loneVersion }}"',
      '    loneAgain: "{{ .Values.loneImage }}:{{ .Values.loneVersion }}"',
      '',
    ].join('\n');
    const rows = scan({ 'chart/Chart.yaml': CHART, 'chart/values.yaml': values, 'chart/templates/injector.yaml': injector });
    expect(rows).toEqual([
      [
        5,
        'registry.example.test/mesh/sidecar:1.9.2',
        null,
        [
          ['repository', 'sidecar', 5],
          ['tag', '1.9.2', 3],
        ],
        "joined by the chart's templates to global.tag (line 3) as its tag, templates/injector.yaml:7; registry registry.example.test/mesh: templates/injector.yaml:7, not edited here",
      ],
      [
        7,
        'registry.example.test/depot/relay:3.0.1',
        null,
        [
          ['repository', 'relay', 7],
          ['tag', '3.0.1', 8],
        ],
        "joined by the chart's templates to relayVersion (line 8) as its tag, templates/injector.yaml:8; registry registry.example.test/depot: templates/injector.yaml:8, not edited here",
      ],
      // One line writes the mirror before it and one does not: which registry runs is not known, the name is kept as written.
      [
        9,
        'lone:2.0',
        null,
        [
          ['repository', 'lone', 9],
          ['tag', '2.0', 10],
        ],
        "joined by the chart's templates to loneVersion (line 10) as its tag, templates/injector.yaml:9",
      ],
    ]);
  });
});
