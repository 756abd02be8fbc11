/** Helm values {registry, <key>, name, tag} whose templates write the key as a path part between the registry and the name. */
import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { applyEdits } from '../../src/core/text-edit.js';
import { editsForReference } from '../../src/plan/edits-for-reference.js';
import { scanFiles } from '../../src/scan/scan-files.js';

const lines = (...text: string[]) => `${text.join('\n')}\n`;

const chart = (template: string) => ({
  'relay/Chart.yaml': lines('apiVersion: v2', 'name: relay', 'version: 0.3.0'),
  'relay/templates/deployment.yaml': lines('spec:', '  containers:', '    - name: relay', `      image: ${template}`),
});

const values = lines(
  'image:', // 1
  '  registry: registry.example.test', // 2
  '  org: team', // 3
  '  name: relay', // 4
  '  tag: "1.2"', // 5
  '  pullPolicy: IfNotPresent', // 6
);

const scan = (files: Record<string, string>) =>
  scanFiles(Object.entries(files).map(([path, text]) => sourceFile(path, Buffer.from(text, 'utf8')))).references.filter((reference) => reference.file === 'relay/values.yaml');

describe('a chart that writes registry/<key>/name from one values map', () => {
  it('joins the values as the template does, reported at the name, each part edited where it is written', () => {
    const files = { ...chart('"{{ .Values.image.registry }}/{{ .Values.image.org }}/{{ .Values.image.name }}:{{ .Values.image.tag }}"'), 'relay/values.yaml': values };
    const found = scan(files);
    expect(found.map((reference) => [reference.line, reference.value, reference.kind, reference.skip, reference.spans.map((span) => [span.role, span.text])])).toEqual([
      [
        4,
        'registry.example.test/team/relay:1.2',
        'helm-values',
        null,
        [
          ['registry', 'registry.example.test'],
          ['registry', 'team'],
          ['repository', 'relay'],
          ['tag', '1.2'],
        ],
      ],
    ]);
    const [relay] = found;
    if (!relay) throw new Error('no reference at line 4');
    const plan = editsForReference(relay, { tag: '1.3', digest: null });
    if (!plan.ok) throw new Error(plan.reason);
    const edited = Buffer.from(applyEdits(Buffer.from(values, 'utf8'), plan.edits)).toString('utf8');
    expect(edited).toBe(values.replace('tag: "1.2"', 'tag: "1.3"'));
    expect(scan({ ...files, 'relay/values.yaml': edited }).map((reference) => reference.value)).toEqual(['registry.example.test/team/relay:1.3']);
  });

  it('leaves the map as before when no template writes the key between the registry and the name', () => {
    const files = { ...chart('"{{ .Values.image.registry }}/{{ .Values.image.name }}:{{ .Values.image.tag }}"'), 'relay/values.yaml': values };
    expect(scan(files).map((reference) => [reference.line, reference.value])).toEqual([[4, 'registry.example.test/relay:1.2']]);
  });
});
