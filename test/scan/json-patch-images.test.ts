import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

describe('JSON patches written as YAML', () => {
  it('reads the value an add or replace operation writes to an image field, and nothing else of the patch', () => {
    const patch = [
      '# Run the scan step with the licensed scanner image.', // 1
      '- op: replace', // 2
      '  path: /spec/steps/0/image', // 3
      '  value: registry.example.test/scan/licensed:2025.3', // 4
      '- op: replace', // 5
      '  path: /metadata/name', // 6
      '  value: scan-licensed', // 7
      '- op: add', // 8
      '  path: /spec/template/spec/containers/1/image', // 9
      "  value: 'busybox:1.36.1'", // 10
      '- op: replace', // 11
      '  path: /spec/template/spec/containers/0/imagePullPolicy', // 12
      '  value: Always', // 13
      '- op: test', // 14
      '  path: /spec/steps/1/image', // 15
      '  value: registry.example.test/scan/free:1.0', // 16
      '',
    ].join('\n');
    const kustomization = ['resources:', '  - ../base', 'patches:', '  - path: patch.yaml', '    target:', '      kind: Task', ''].join('\n');
    expect(
      scanTexts({ 'overlays/licensed/patch.yaml': patch, 'overlays/licensed/kustomization.yaml': kustomization }).references.map((reference) => [
        reference.file,
        reference.line,
        reference.column,
        reference.value,
        reference.kind,
        reference.skip,
      ]),
    ).toEqual([
      ['overlays/licensed/patch.yaml', 4, 10, 'registry.example.test/scan/licensed:2025.3', 'yaml-image', null],
      ['overlays/licensed/patch.yaml', 10, 11, 'busybox:1.36.1', 'yaml-image', null],
    ]);
  });
});
