import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

/** What the scan reports: file, line, value, skip. */
const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip]);

const lines = (...text: string[]) => `${text.join('\n')}\n`;

describe('values made only of Helm actions that read the chart', () => {
  it('passes on the images the chart sets, as a template line does; a literal part keeps it listed', () => {
    const files = {
      'deploy/gateway/values.yaml': lines(
        'server:',
        '  image:',
        '    repository: registry.example.test/edge/gateway',
        '    tag: 3.2.0',
        '  extraContainers:',
        '    - name: renderer',
        '      image:',
        "        '{{ default .Values.global.image.repository .Values.server.image.repository }}:{{ default (include",
        '        "gateway.defaultTag" .) .Values.server.image.tag }}\'',
        '    - name: mirror',
        '      image: "{{ .Values.global.registry }}/{{ .Values.server.image.repository }}@{{ .Values.server.image.digest }}"',
        '    - name: sync',
        '      image: "{{ .Values.global.registry }}/tools/sync:{{ .Values.server.image.tag }}"',
        '    - name: notify',
        '      image: \'{{ .Values.notify.image | default "registry.example.test/edge/notify" }}:{{ .Values.server.image.tag }}\'',
        '    - name: jinja',
        '      image: "{{ relay.image }}:{{ relay.tag | default(\'1.0\') }}"',
      ),
    };
    expect(scan(files)).toEqual([
      ['deploy/gateway/values.yaml', 3, 'registry.example.test/edge/gateway:3.2.0', null],
      ['deploy/gateway/values.yaml', 13, '{{ .Values.global.registry }}/tools/sync:{{ .Values.server.image.tag }}', 'templated'],
      ['deploy/gateway/values.yaml', 15, '{{ .Values.notify.image | default "registry.example.test/edge/notify" }}:{{ .Values.server.image.tag }}', 'templated'],
      ['deploy/gateway/values.yaml', 17, "{{ relay.image }}:{{ relay.tag | default('1.0') }}", 'templated'],
    ]);
  });

  it('composes an image map whose own registry is a Helm action (rendered with tpl) with its literal name and tag, templated', () => {
    const files = {
      'charts/stack/Chart.yaml': lines('apiVersion: v2', 'name: stack', 'version: 1.0.0', 'appVersion: 2.0.0'),
      'charts/stack/values.yaml': lines(
        'global:',
        '  imageRegistry: registry.example.test',
        'upgradeHook:',
        '  image:',
        '    registry: "{{ .Values.global.imageRegistry }}"',
        '    repository: team/kubectl',
        '    tag: 1.31.2',
        'cleanup:',
        '  image:',
        '    registry: registry with words',
        '    repository: team/cleaner',
        '    tag: 1.0.0',
      ),
      'charts/stack/templates/hook.yaml': lines(
        'apiVersion: batch/v1',
        'kind: Job',
        'metadata:',
        '  name: upgrade',
        'spec:',
        '  template:',
        '    spec:',
        '      containers:',
        '        - name: upgrade',
        '          image: "{{ tpl .Values.upgradeHook.image.registry . }}/{{ .Values.upgradeHook.image.repository }}:{{ .Values.upgradeHook.image.tag }}"',
      ),
    };
    expect(scan(files)).toEqual([['charts/stack/values.yaml', 6, '{{ .Values.global.imageRegistry }}/team/kubectl:1.31.2', 'templated']]);
  });

  it("with if, else and end between the parts, or a dict of the chart's values given to a helper, still names no image", () => {
    // Before, lines 8 and 10 were listed `templated` and line 12, a folded block over two lines, `unsupported-quoting`.
    const files = {
      'deploy/portal/values.yaml': lines(
        'auth:',
        '  image:',
        '    repository: registry.example.test/team/auth',
        '    tag: 4.1.0',
        '  initContainers:',
        '    - name: theme',
        '      image: >-',
        '        {{ .Values.auth.image.repository }}{{ if .Values.auth.image.digest }}@{{ .Values.auth.image.digest }}{{ else }}:{{ .Values.auth.image.tag }}{{ end }}',
        '    - name: copy',
        '      image: "{{ .Values.global.registry }}/{{ .Values.auth.image.repository }}{{- if .Values.auth.image.digest }}@{{ .Values.auth.image.digest }}{{- else }}:{{ .Values.auth.image.tag }}{{- end }}"',
        '    - name: seed',
        '      image: >-',
        '        {{- $params := (dict "base" .Values.global "overlay" .Values.auth) -}}',
        '        {{- include "portal.image" $params }}',
        '    - name: fallback',
        "      image: '{{ if .Values.auth.image.tag }}{{ .Values.auth.image.repository }}{{ else }}registry.example.test/team/auth-lite{{ end }}'",
        '    - name: named',
        '      image: \'{{- $params := (dict "base" "registry.example.test/team/seed" "overlay" .Values.auth) -}} {{- include "portal.image" $params }}\'',
      ),
    };
    expect(scan(files)).toEqual([
      ['deploy/portal/values.yaml', 3, 'registry.example.test/team/auth:4.1.0', null],
      // Text of its own between the actions (a name in the else branch), or a name given as a dict's value, keeps it listed.
      ['deploy/portal/values.yaml', 16, '{{ if .Values.auth.image.tag }}{{ .Values.auth.image.repository }}{{ else }}registry.example.test/team/auth-lite{{ end }}', 'templated'],
      ['deploy/portal/values.yaml', 18, '{{- $params := (dict "base" "registry.example.test/team/seed" "overlay" .Values.auth) -}} {{- include "portal.image" $params }}', 'templated'],
    ]);
  });
});
