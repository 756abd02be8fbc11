import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

describe('placeholders that a release script fills in', () => {
  it('a values tag written as [[ .Version ]] is templated, not an invalid reference', () => {
    const values = ['image:', '  registry: registry.example.test', '  name: probes/agent', '  tag: "[[ .Version ]]"', 'helper:', '  image: example.test/helper:[[ .Tag ]]', ''].join('\n');
    const result = scanTexts({ 'values.yaml': values });
    expect(result.references.map((reference) => [reference.line, reference.value, reference.skip])).toEqual([
      [3, 'registry.example.test/probes/agent:[[ .Version ]]', 'templated'],
      [6, 'example.test/helper:[[ .Tag ]]', 'templated'],
    ]);
  });
});
