import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value]);

const lines = (...text: string[]) => `${text.join('\n')}\n`;

describe('the values files of helm-unittest suites', () => {
  it("are inputs of a test run, not read; the chart's own values that a suite names from above are", () => {
    const files = {
      'chart/Chart.yaml': lines('apiVersion: v2', 'name: shop', 'version: 1.0.0'),
      'chart/values.yaml': lines('image:', '  repository: registry.example.test/shop/web', '  tag: 2.4.0'),
      'chart/tests/sidecars_test.yaml': lines(
        'suite: sidecars',
        'templates:',
        '  - deployment.yaml',
        'values:',
        '  - values/base.yaml',
        'tests:',
        '  - it: adds a sidecar',
        '    values:',
        '      - ../values.yaml',
        '      - ./values/sidecar.yaml',
        '    asserts:',
        '      - isKind:',
        '          of: Deployment',
      ),
      'chart/tests/values/base.yaml': lines('extraContainers:', '  - name: probe', '    image: registry.example.test/tools/probe:1.0.0'),
      'chart/tests/values/sidecar.yaml': lines('sidecar:', '  image: registry.example.test/tools/sidecar:0.3.1'),
      'chart/tests/values/unused.yaml': lines('sidecar:', '  image: registry.example.test/tools/sidecar:0.3.2'),
    };
    expect(scan(files)).toEqual([
      ['chart/tests/values/unused.yaml', 2, 'registry.example.test/tools/sidecar:0.3.2'],
      ['chart/values.yaml', 2, 'registry.example.test/shop/web:2.4.0'],
    ]);
  });
});
