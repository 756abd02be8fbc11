/** GitHub Actions job containers and services written as a context value with a literal image to fall back on. */
import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const workflow = [
  'on:', // 1
  '  workflow_call:', // 2
  '    inputs:', // 3
  '      tools-image: {type: string, required: false}', // 4
  'jobs:', // 5
  '  lint:', // 6
  '    runs-on: ubuntu-24.04', // 7
  '    container:', // 8
  "      image: ${{ inputs.tools-image || 'registry.example.test/ci/tools:1.4' }}", // 9
  '    services:', // 10
  '      db:', // 11
  "        image: ${{ vars.DB_IMAGE || 'postgres:16.4' }}", // 12
  '      cache:', // 13
  '        image: ${{ inputs.cache-image || inputs.tools-image }}', // 14
  '      queue:', // 15
  "        image: ${{ inputs.queue && 'registry.example.test/ci/queue:2' || '' }}", // 16
  '    steps: [{run: make lint}]', // 17
  '  build:', // 18
  '    runs-on: ubuntu-24.04', // 19
  "    container: ${{ inputs.container || 'none' }}", // 20
  '    steps: [{run: make}]', // 21
  '',
].join('\n');

describe('a workflow image that falls back to a literal', () => {
  it('is shown templated, as written, like a plain context value; an expression with no literal image (or a word that is no image written as one), or one that computes a choice, is not reported', () => {
    const scanned = scanTexts({ '.github/workflows/lint.yml': workflow });
    expect(scanned.references.map((reference) => [reference.line, reference.value, reference.kind, reference.skip])).toEqual([
      [9, "${{ inputs.tools-image || 'registry.example.test/ci/tools:1.4' }}", 'yaml-image', 'templated'],
      [12, "${{ vars.DB_IMAGE || 'postgres:16.4' }}", 'yaml-image', 'templated'],
    ]);
  });
});
