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
});
