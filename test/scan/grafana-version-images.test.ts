import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const DIGEST = `sha256:${'d'.repeat(64)}`;

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

const grafana = (name: string, version: string, apiVersion = 'grafana.integreatly.org/v1beta1') =>
  [`apiVersion: ${apiVersion}`, 'kind: Grafana', 'metadata:', `  name: ${name}`, 'spec:', `  version: ${version}`, '  config:', '    log:', '      mode: console', ''].join('\n');

describe("a Grafana operator instance's spec.version", () => {
  it('is the image the operator runs when it names a whole image, with a tag or a digest', () => {
    expect(
      scan({
        'monitoring/enterprise.yaml': grafana('enterprise', 'registry.example.test/dashboards/grafana-enterprise:12.2.0'),
        'monitoring/locked.yaml': grafana('locked', `registry.example.test/dashboards/grafana@${DIGEST}`),
      }),
    ).toEqual([
      ['monitoring/enterprise.yaml', 6, 'registry.example.test/dashboards/grafana-enterprise:12.2.0', 'kubernetes-image', null],
      ['monitoring/locked.yaml', 6, `registry.example.test/dashboards/grafana@${DIGEST}`, 'kubernetes-image', null],
    ]);
  });

  it("is not reported when it is a version alone (a tag of the operator's default image), nor in another group's Grafana kind", () => {
    expect(
      scan({
        'monitoring/versioned.yaml': grafana('versioned', '12.2.0'),
        'monitoring/quoted.yaml': grafana('quoted', '"11.6.1"'),
        'monitoring/other.yaml': grafana('other', 'registry.example.test/dashboards/grafana:12.2.0', 'dashboards.example.test/v1'),
      }),
    ).toEqual([]);
  });
});
