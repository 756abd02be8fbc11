import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

/** Values for a chart kept in another repository: a sidecar the chart adds to its pods. */
const VALUES = ['monitor:', '  sidecars:', '    - name: probe', '      image: registry.example.test/team/probe:1.4.0', ''].join('\n');

describe('values file names', () => {
  it('reads a name with the word values joined by -, _ or . as chart values, and one where values runs on as other YAML', () => {
    expect(
      scan({
        'deploy/monitoring-stack-values.yaml': VALUES,
        'deploy/edge_values.yml': VALUES,
        'deploy/prod.values.yaml': VALUES,
        'deploy/valuesets.yaml': VALUES,
      }),
    ).toEqual([
      ['deploy/edge_values.yml', 4, 'registry.example.test/team/probe:1.4.0', 'helm-values', null],
      ['deploy/monitoring-stack-values.yaml', 4, 'registry.example.test/team/probe:1.4.0', 'helm-values', null],
      ['deploy/prod.values.yaml', 4, 'registry.example.test/team/probe:1.4.0', 'helm-values', null],
      ['deploy/valuesets.yaml', 4, 'registry.example.test/team/probe:1.4.0', 'yaml-image', null],
    ]);
  });
});
