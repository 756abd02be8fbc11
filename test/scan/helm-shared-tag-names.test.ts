import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

describe('Helm values: full image names sharing one empty tag that the templates default to appVersion', () => {
  it('reports each name at its own line with the appVersion tag, templated', () => {
    const chart = 'apiVersion: v2\nname: relay\nversion: 1.2.0\nappVersion: 0.9.4\n';
    const values = ['replicas: 1', 'images:', '  tag: ""', '  gateway: registry.example.test/relay/gateway', '  worker: registry.example.test/relay/worker', '  pullPolicy: IfNotPresent', ''].join(
      '\n',
    );
    const deployment = [
      'spec:',
      '  containers:',
      '    - image: "{{ .Values.images.gateway }}:{{ .Values.images.tag | default .Chart.AppVersion }}"',
      '    - image: "{{ .Values.images.worker }}:{{ .Values.images.tag | default .Chart.AppVersion }}"',
      '',
    ].join('\n');
    const references = scanTexts({ 'relay/Chart.yaml': chart, 'relay/values.yaml': values, 'relay/templates/deployment.yaml': deployment }).references.filter(
      (reference) => reference.file === 'relay/values.yaml',
    );
    const detail = "no tag here: the chart's templates use appVersion 0.9.4 (relay/Chart.yaml:4); set there, not edited here";
    expect(references.map((reference) => [reference.line, reference.value, reference.kind, reference.skip, reference.detail, reference.spans.map((span) => [span.role, span.text])])).toEqual([
      [4, 'registry.example.test/relay/gateway:0.9.4', 'helm-values', 'templated', detail, [['repository', 'registry.example.test/relay/gateway']]],
      [5, 'registry.example.test/relay/worker:0.9.4', 'helm-values', 'templated', detail, [['repository', 'registry.example.test/relay/worker']]],
    ]);
  });

  it('a map of names under another key, or with a tag written, is not read this way', () => {
    const values = 'links:\n  tag: ""\n  docs: example.test/docs/start\nimages:\n  tag: "2.0"\n  web: example.test/web/site\n';
    expect(scanTexts({ 'site/values.yaml': values }).references.map((reference) => [reference.line, reference.value])).toEqual([]);
  });
});
