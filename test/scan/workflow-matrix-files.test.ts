import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip]);

const WORKFLOW = [
  'on: push',
  'jobs:',
  '  plan:',
  '    runs-on: ubuntu-latest',
  '    outputs:',
  '      matrix: ${{ steps.read.outputs.matrix }}',
  '    steps:',
  '      - id: read',
  '        run: |',
  '          matrix_file=".github/build-matrix.yml"',
  '          echo "matrix=$(yq -o=json -I=0 $matrix_file)" >> $GITHUB_OUTPUT',
  '  image:',
  '    needs: plan',
  '    runs-on: ubuntu-latest',
  '    strategy:',
  '      matrix:',
  "        include: ${{ fromJSON(needs.plan.outputs.matrix)['packages'] }}",
  '    steps:',
  '      - uses: docker/build-push-action@v6',
  '        with:',
  '          file: build/Dockerfile',
  '          build-args: |',
  '            APP_BASE=${{ matrix.runtime-image }}',
  '',
].join('\n');

const MATRIX = [
  'packages:',
  '  - label: slim',
  '    runtime-image: debian:12.8-slim',
  '    package: deb',
  '  - label: ubi',
  '    runtime-image: registry.example.test/base/ubi',
  '    package: rpm',
  '  - label: plain',
  '    runtime-image: alpine',
  '    cache-image: registry.example.test/cache/app:1.0',
  '',
].join('\n');

describe('matrix data files that a workflow loads', () => {
  it('reports the values of an image axis the workflow uses, each where the file writes it, when written as images', () => {
    expect(scan({ '.github/workflows/release.yml': WORKFLOW, '.github/build-matrix.yml': MATRIX })).toEqual([
      ['.github/build-matrix.yml', 3, 'debian:12.8-slim', null],
      ['.github/build-matrix.yml', 6, 'registry.example.test/base/ubi', 'no-tag'],
    ]);
  });

  it('reads nothing from a file no workflow names, nor from one whose workflow takes no matrix from an expression, nor an axis no workflow uses', () => {
    expect(scan({ '.github/workflows/release.yml': WORKFLOW, 'ci/other-matrix.yml': MATRIX })).toEqual([]);
    const listed = WORKFLOW.replace("${{ fromJSON(needs.plan.outputs.matrix)['packages'] }}", '[{runtime-image: "debian:12.8-slim"}]');
    // The matrix written in the workflow is read there, as any matrix is.
    expect(scan({ '.github/workflows/release.yml': listed, '.github/build-matrix.yml': MATRIX })).toEqual([['.github/workflows/release.yml', 17, 'debian:12.8-slim', null]]);
  });
});
