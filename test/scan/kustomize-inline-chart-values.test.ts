/** A kustomization's `helmCharts[].valuesInline`: the values kustomize gives a chart it inflates. */
import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const kustomization = [
  'helmCharts:', // 1
  '  - name: sandbox', // 2
  '    releaseName: sandbox', // 3
  '    valuesInline:', // 4
  '      database:', // 5
  '        enabled: false', // 6
  '      server:', // 7
  '        waitForDb:', // 8
  '          image:', // 9
  '            repository: registry.example.test/team/probe', // 10
  '            tag: "1.4"', // 11
  '        sidecar_image: registry.example.test/team/sidecar:0.9.2', // 12
  '        release: v1.0', // 13
  'images:', // 14
  '  - name: registry.example.test/team/api', // 15
  '    newTag: 2.0.1', // 16
  '',
].join('\n');

describe('a kustomization that inflates a chart with inline values', () => {
  it('reads the inline values with the Helm values rules, beside its image overrides', () => {
    const scanned = scanTexts({ 'deploy/kustomization.yaml': kustomization });
    expect(scanned.references.map((reference) => [reference.line, reference.value, reference.kind, reference.skip, reference.spans.map((span) => [span.role, span.text])])).toEqual([
      [
        10,
        'registry.example.test/team/probe:1.4',
        'helm-values',
        null,
        [
          ['repository', 'registry.example.test/team/probe'],
          ['tag', '1.4'],
        ],
      ],
      [12, 'registry.example.test/team/sidecar:0.9.2', 'helm-values', null, [['reference', 'registry.example.test/team/sidecar:0.9.2']]],
      [
        15,
        'registry.example.test/team/api:2.0.1',
        'kustomize-image',
        null,
        [
          ['repository', 'registry.example.test/team/api'],
          ['tag', '2.0.1'],
          ['digest', ''],
        ],
      ],
    ]);
  });
});
