import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

/** What the scan reports: file, line, value, skip, detail. */
const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.detail ?? null]);

const lines = (...text: string[]) => `${text.join('\n')}\n`;

const deployment = (...images: string[]) =>
  lines('spec:', '  template:', '    spec:', '      containers:', ...images.flatMap((image, index) => [`        - name: c${index}`, `          image: ${image}`]));

describe('Helm template lines that name the image after the chart (.Chart.Name)', () => {
  it('are the reference when the values before the name hold no image, rendered with the chart name from Chart.yaml', () => {
    const files = {
      'charts/relay/Chart.yaml': lines('apiVersion: v1', 'name: relay', 'version: 0.1.0', 'appVersion: "1.0"'),
      'charts/relay/values.yaml': lines('registry: registry.example.test', 'org: team', 'tag: 2.1.0', 'pullPolicy: IfNotPresent'),
      'charts/relay/templates/deployment.tpl': deployment(
        '{{ .Values.registry }}/{{ .Values.org }}/{{ .Chart.Name }}:{{ .Values.tag }}',
        'registry.example.test/tools/{{ .Chart.Name }}-probe:{{ .Values.tag }}',
      ),
    };
    const detail = "rendered from the chart's defaults: charts/relay/values.yaml and name relay (charts/relay/Chart.yaml); set there, not edited here";
    expect(scan(files)).toEqual([
      ['charts/relay/templates/deployment.tpl', 6, 'registry.example.test/team/relay:2.1.0', 'templated', detail],
      ['charts/relay/templates/deployment.tpl', 8, 'registry.example.test/tools/relay-probe:2.1.0', 'templated', detail],
    ]);
  });

  it('are left to the values when a field before the name is under or named for an image key', () => {
    const files = {
      'gate/Chart.yaml': lines('apiVersion: v2', 'name: gate', 'version: 0.1.0'),
      'gate/values.yaml': lines('image:', '  repository: registry.example.test/team', '  tag: 3.4.0', 'imageRegistry: registry.example.test', 'release: 3.4.0'),
      'gate/templates/deployment.yaml': deployment(
        '"{{ .Values.image.repository }}/{{ .Chart.Name }}:{{ .Values.image.tag }}"',
        '"{{ .Values.imageRegistry }}/{{ .Chart.Name }}:{{ .Values.release }}"',
      ),
    };
    // Those lines are the values rules' to read (a repository written before a name, an image key's value): not reported here.
    expect(scan(files).filter(([file]) => file === 'gate/templates/deployment.yaml')).toEqual([]);
  });
});
