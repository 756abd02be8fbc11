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
});
