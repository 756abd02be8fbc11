import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip]);

describe('expressions in Kargo objects', () => {
  it('an image made only of ${{ … }} expressions passes on a value set elsewhere and is not reported; one with a literal name is', () => {
    const stage = [
      'apiVersion: kargo.akuity.io/v1alpha1',
      'kind: Stage',
      'metadata:',
      '  name: staging',
      'spec:',
      '  vars:',
      '  - name: imageRepo',
      '    value: registry.example.test/shop/web',
      '  promotionTemplate:',
      '    spec:',
      '      steps:',
      '      - uses: kustomize-set-image',
      '        config:',
      '          path: ./base',
      '          images:',
      '          - image: ${{ vars.imageRepo }}',
      '            tag: ${{ imageFrom(vars.imageRepo).Tag }}',
      '          - image: "${{ vars.imageRepo }}:${{ imageFrom(vars.imageRepo).Tag }}"',
      '          - image: registry.example.test/shop/api:${{ vars.apiTag }}',
      '',
    ].join('\n');
    expect(scan({ 'kargo/stages.yaml': stage })).toEqual([['kargo/stages.yaml', 19, 'registry.example.test/shop/api:${{ vars.apiTag }}', 'templated']]);
  });
});
