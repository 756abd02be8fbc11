/** Helm values maps of a one-string `image` and its `version` that the chart's templates write after a registry value. */
import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { applyEdits } from '../../src/core/text-edit.js';
import { editsForReference } from '../../src/plan/edits-for-reference.js';
import { scanFiles } from '../../src/scan/scan-files.js';
import { scanTexts } from '../support/scan-texts.js';

/** What the values files report (the templates' own image lines are read by the template rules). */
const scan = (files: Record<string, string>) =>
  scanTexts(files)
    .references.filter((reference) => !reference.file.includes('/templates/'))
    .map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.detail ?? null, reference.spans.map((span) => [span.role, span.text, span.line])]);

const lines = (...text: string[]) => `${text.join('\n')}\n`;

const chart = {
  'ledger/Chart.yaml': lines('apiVersion: v2', 'name: ledger', 'version: 0.3.0'),
  'ledger/templates/deployment.yaml': lines(
    'spec:',
    '  containers:',
    '    - name: api',
    '      image: "{{ .Values.docker.registry }}/{{ .Values.app.image }}:{{ .Values.app.version }}"',
    '    - name: proxy',
    '      image: {{ $.Values.docker.registry }}/{{ $.Values.proxy.image }}:{{ $.Values.proxy.version }}',
    '    - name: metrics',
    '      image: {{ .Values.metrics.image }}:{{ .Values.metrics.version }}',
  ),
};

const values = lines(
  'docker:', // 1
  '  registry: registry.example.test', // 2
  'app:', // 3
  '  image: team/ledger-api', // 4
  '  version: 2.4.1', // 5
  '  port: 8080', // 6
  '  command: ["/srv/start"]', // 7
  'proxy:', // 8
  '  image: edge/proxy', // 9
  '  version: "1.9.0"', // 10
  'metrics:', // 11
  '  image: team/metrics', // 12
  '  version: 0.7.0', // 13
  'reports:', // 14
  '  image: team/reports', // 15
  '  version: 3.0.0', // 16
);

describe('Helm values {image, version} that the templates join to a registry value', () => {
  it('reports the image as the templates write it, at the image line and edited at the version; a map no template joins so stays as it was', () => {
    const registry = (line: number) => `registry registry.example.test: templates/deployment.yaml:${line}, not edited here`;
    // Before, lines 4 and 9 were the Docker Hub names team/ledger-api and edge/proxy, without a tag (`no-tag`).
    expect(scan({ ...chart, 'ledger/values.yaml': values })).toEqual([
      [
        'ledger/values.yaml',
        4,
        'registry.example.test/team/ledger-api:2.4.1',
        null,
        registry(4),
        [
          ['repository', 'team/ledger-api', 4],
          ['tag', '2.4.1', 5],
        ],
      ],
      [
        'ledger/values.yaml',
        9,
        'registry.example.test/edge/proxy:1.9.0',
        null,
        registry(6),
        [
          ['repository', 'edge/proxy', 9],
          ['tag', '1.9.0', 10],
        ],
      ],
      // No registry before it: the template's own `image:{{ version }}` join gives the tag (see helm-joined-tags).
      [
        'ledger/values.yaml',
        12,
        'team/metrics:0.7.0',
        null,
        "joined by the chart's templates to metrics.version (line 13) as its tag, templates/deployment.yaml:8",
        [
          ['repository', 'team/metrics', 12],
          ['tag', '0.7.0', 13],
        ],
      ],
      ['ledger/values.yaml', 15, 'team/reports', 'no-tag', null, [['reference', 'team/reports', 15]]],
    ]);
  });

  it('a registry value the templates cannot render leaves the image `templated`, the detail saying why', () => {
    const helper = {
      ...chart,
      'ledger/templates/deployment.yaml': lines(
        'spec:',
        '  containers:',
        '    - image: "{{ .Values.docker.registry | required "set a registry" | lookupMirror }}/{{ .Values.app.image }}:{{ .Values.app.version }}"',
      ),
    };
    const found = scan({ ...helper, 'ledger/values.yaml': values }).find(([, line]) => line === 4);
    expect(found?.slice(0, 4)).toEqual(['ledger/values.yaml', 4, 'team/ledger-api:2.4.1', 'templated']);
    expect(String(found?.[4])).toMatch(/^the registry comes from templates\/deployment\.yaml:3, not worked out: /);
  });

  it('an update writes only the version and its pin, byte for byte, and a re-scan reads the new image with the registry', () => {
    const files = { ...chart, 'ledger/values.yaml': values };
    const found = scanFiles(Object.entries(files).map(([path, text]) => sourceFile(path, Buffer.from(text, 'utf8')))).references.find(
      (reference) => reference.file === 'ledger/values.yaml' && reference.line === 4,
    );
    if (!found) throw new Error('no reference at line 4');
    const digest = `sha256:${'c'.repeat(64)}`;
    const plan = editsForReference(found, { tag: '2.5.0', digest });
    if (!plan.ok) throw new Error(plan.reason);
    const edited = Buffer.from(applyEdits(Buffer.from(values, 'utf8'), plan.edits)).toString('utf8');
    expect(edited).toBe(values.replace('  version: 2.4.1', `  version: 2.5.0@${digest}`));
    expect(scan({ ...chart, 'ledger/values.yaml': edited })[0]?.[2]).toBe(`registry.example.test/team/ledger-api:2.5.0@${digest}`);
  });
});
