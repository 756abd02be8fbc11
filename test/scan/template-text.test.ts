import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { isTemplateText } from '../../src/scan/helm-template-lines.js';
import { scanFiles } from '../../src/scan/scan-files.js';
import { projectReference } from '../support/fixture-projection.js';
import { DEPLOYMENT_HEAD } from '../support/scan-texts.js';

describe('templates decided by lines, without parsing', () => {
  it('a template action where a node, key or whole value starts makes a template', () => {
    expect(isTemplateText('{{- if .Values.enabled }}\nkind: Service\n{{- end }}\n')).toBe(true);
    expect(isTemplateText('spec:\n  replicas: {{ .Values.replicas }}\n')).toBe(true);
    expect(isTemplateText('labels:\n  - {{ include "app.labels" . }}\n')).toBe(true);
    expect(isTemplateText('data:\n  {{ $key }}: value\n')).toBe(true);
  });

  it('an action inside quotes, inside a plain value, in a comment or in a block scalar is text to YAML', () => {
    expect(isTemplateText('image: "{{ .Values.image }}"\n')).toBe(false);
    expect(isTemplateText("- '{{ .Release.Name }}'\n")).toBe(false);
    expect(isTemplateText('secretTemplate: vault/{{.Team}}/{{.Secret}}\n')).toBe(false);
    expect(isTemplateText('## name: `{{- printf "%s-tls" .Values.host }}`\n')).toBe(false);
    expect(isTemplateText('config: |\n  {{- if .Values.metrics }}\n  port: {{ .Values.port }}\n  {{- end }}\nimage: nginx:1.27.2\n')).toBe(false);
    expect(isTemplateText('runs-on: ${{ matrix.os }}\n')).toBe(false);
  });

  it('a chart template goes to the Kubernetes line reader; values carrying templates as text are parsed', () => {
    const template = [
      ...DEPLOYMENT_HEAD,
      '        - name: app',
      '          image: {{ include "app.image" . }}',
      '        - name: proxy',
      '          image: envoyproxy/envoy:v1.31.2',
      '{{- with .Values.extra }}',
      '{{ toYaml . }}',
      '{{- end }}',
      '',
    ].join('\n');
    const values = 'config: |\n  {{- if .Values.tls }}\n  tls: on\n  {{- end }}\nimage:\n  repository: acme/app\n  tag: 2.1.0\n';
    const result = scanFiles([sourceFile('charts/app/templates/deployment.yaml', Buffer.from(template)), sourceFile('charts/app/values.yaml', Buffer.from(values))]);
    expect(result.problems).toEqual([]);
    expect(result.references.map((reference) => [reference.file, projectReference(reference)])).toEqual([
      [
        'charts/app/templates/deployment.yaml',
        {
          line: 10,
          column: 18,
          value: 'envoyproxy/envoy:v1.31.2',
          kind: 'kubernetes-container',
          skip: null,
          image: 'docker.io/envoyproxy/envoy:v1.31.2',
          spans: [['reference', 'envoyproxy/envoy:v1.31.2', 10, 18]],
        },
      ],
      [
        'charts/app/values.yaml',
        {
          line: 6,
          column: 15,
          value: 'acme/app:2.1.0',
          kind: 'helm-values',
          skip: null,
          image: 'docker.io/acme/app:2.1.0',
          spans: [
            ['repository', 'acme/app', 6, 15],
            ['tag', '2.1.0', 7, 8],
          ],
        },
      ],
    ]);
  });
});
