import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { namedByChartValues } from '../../src/scan/helm-template-lines.js';
import { scanFiles } from '../../src/scan/scan-files.js';
import { DEPLOYMENT_HEAD } from '../support/scan-texts.js';

function scan(files: Record<string, string>): Array<[string, number, string, string | null]> {
  const result = scanFiles(Object.entries(files).map(([path, text]) => sourceFile(path, Buffer.from(text))));
  return result.references.map((reference) => [reference.file, reference.line, reference.value, reference.skip]);
}

describe('chart template images named wholly by template actions', () => {
  it('tells a name written by actions from a name with text of its own', () => {
    const path = 'shop/templates/pod.yaml';
    expect(namedByChartValues(path, '{{ .Values.image.repository }}:{{ .Values.image.tag }}')).toBe(true);
    expect(namedByChartValues(path, '{{ include "shop.image" . }}')).toBe(true);
    expect(namedByChartValues(path, '{{ .Values.registry }}/{{ .Values.image.name }}:v{{ .Chart.AppVersion }}')).toBe(true);
    expect(namedByChartValues(path, '{{ .Values.image.repository }}@{{ .Values.image.digest }}')).toBe(true);
    // An action cut by the line's end or by a quote of its own: what stands before it decides.
    expect(namedByChartValues(path, '{{ .Values.image.repository }}:{{ .Values.image.tag')).toBe(true);
    expect(namedByChartValues(path, 'busybox:{{ .Values.tag }}')).toBe(false);
    expect(namedByChartValues(path, '{{ .Values.registry }}/cache:7.2')).toBe(false);
    expect(namedByChartValues(path, '{{ .Values.registry }}/{{ .Values.team }}-worker:1.0')).toBe(false);
    // Outside a templates/ folder (an Argo CD ApplicationSet, a values file) the rule does not apply.
    expect(namedByChartValues('apps/set.yaml', '{{ .Values.image.repository }}:{{ .Values.image.tag }}')).toBe(false);
  });

  it('leaves out template lines that pass on the values image, and keeps literal names and images', () => {
    const chart = 'apiVersion: v2\nname: shop\nversion: 0.3.0\nappVersion: "4.2.0"\n';
    const values = 'image:\n  repository: example/shop\n  tag: ""\nsidecar:\n  image: example/sidecar:1.4.0\n';
    const deployment = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'spec:',
      '  template:',
      '    spec:',
      '      {{- with .Values.podSecurity }}',
      '      securityContext: {{ toYaml . | nindent 8 }}',
      '      {{- end }}',
      '      containers:',
      '        - name: shop',
      '          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"',
      '        - name: sidecar',
      '          image: {{ .Values.sidecar.image | quote }}',
      '        - name: helper',
      '          image: {{ include "shop.helperImage" . }}',
      '        - name: cache',
      '          image: example/cache:{{ .Values.cacheTag }}',
      '        - name: shell',
      '          image: busybox:1.36.1',
      '',
    ].join('\n');
    // A template that parses as YAML (every action quoted) is read the same way.
    const job =
      'apiVersion: batch/v1\nkind: Job\nspec:\n  template:\n    spec:\n      containers:\n        - name: migrate\n          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"\n';
    expect(scan({ 'shop/Chart.yaml': chart, 'shop/values.yaml': values, 'shop/templates/deployment.yaml': deployment, 'shop/templates/job.yaml': job })).toEqual([
      ['shop/templates/deployment.yaml', 17, 'example/cache:{{ .Values.cacheTag }}', 'templated'],
      ['shop/templates/deployment.yaml', 19, 'busybox:1.36.1', null],
      ['shop/values.yaml', 2, 'example/shop:4.2.0', 'templated'],
      ['shop/values.yaml', 5, 'example/sidecar:1.4.0', null],
    ]);
  });

  it('renders a template line whose name no values entry holds whole, and does not report a registry prefix as an image', () => {
    const chart = 'apiVersion: v2\nname: shop\nversion: 1.0.0\nappVersion: "v2.0.1"\n';
    const values = ['images:', '  repository: registry.example.test/shop', '  tag: ""', 'cart:', '  name: cart', '  replicas: 2', 'gateway:', '  tag: "1.5.0"', ''].join('\n');
    const deployment = [
      ...DEPLOYMENT_HEAD,
      '        - name: cart',
      '          image: {{ .Values.images.repository }}/{{ .Values.cart.name }}:{{ .Values.images.tag | default .Chart.AppVersion }}',
      '        - name: cache',
      '          image: {{ .Values.images.repository }}/cache:7.2',
      '        - name: gateway',
      '          image: example/gateway:{{ .Values.gateway.tag | default .Chart.AppVersion }}',
      '        {{- with .Values.extra }}',
      '        - name: extra',
      '          image: example/extra:{{ .tag }}',
      '        {{- end }}',
      '        - name: missing',
      '          image: example/missing:{{ .Values.missing.tag }}',
      '',
    ].join('\n');
    const defaults = "rendered from the chart's defaults: shop/values.yaml";
    const result = scanFiles([
      sourceFile('shop/Chart.yaml', Buffer.from(chart)),
      sourceFile('shop/values.yaml', Buffer.from(values)),
      sourceFile('shop/templates/deployment.yaml', Buffer.from(deployment)),
    ]);
    expect(result.references.map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.detail])).toEqual([
      ['shop/templates/deployment.yaml', 8, 'registry.example.test/shop/cart:v2.0.1', 'templated', `${defaults} and appVersion v2.0.1 (shop/Chart.yaml); set there, not edited here`],
      ['shop/templates/deployment.yaml', 10, 'registry.example.test/shop/cache:7.2', 'templated', `${defaults}; set there, not edited here`],
      ['shop/templates/deployment.yaml', 12, 'example/gateway:1.5.0', 'templated', `${defaults} and appVersion v2.0.1 (shop/Chart.yaml); set there, not edited here`],
      ['shop/templates/deployment.yaml', 15, 'example/extra:{{ .tag }}', 'templated', undefined],
      ['shop/templates/deployment.yaml', 18, 'example/missing:{{ .Values.missing.tag }}', 'templated', undefined],
    ]);
  });
});
