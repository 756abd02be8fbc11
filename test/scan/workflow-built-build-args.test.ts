import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) =>
  scanTexts(files)
    .references.filter((reference) => reference.file === 'Dockerfile')
    .map((reference) => [reference.line, reference.value, reference.skip, reference.detail]);

const DOCKERFILE = ['ARG SHARED_BASE=none', 'ARG RUNTIME=registry.example.test/base/runtime:5.1', 'FROM ${SHARED_BASE} AS shared', 'FROM $RUNTIME', 'COPY --from=shared /opt /opt', ''].join('\n');

const workflow = (tags: string) =>
  [
    'on: push',
    'jobs:',
    '  shared:',
    '    runs-on: ubuntu-24.04',
    '    outputs:',
    '      image: ${{ steps.name.outputs.ref }}',
    '    steps:',
    '      - id: name',
    '        run: echo "ref=registry.example.test/team/shared:run-${{ github.run_id }}" >> "$GITHUB_OUTPUT"',
    '      - uses: docker/build-push-action@v6',
    '        with:',
    '          file: Dockerfile.shared',
    '          push: true',
    `          tags: ${tags}`,
    '  app:',
    '    needs: [shared]',
    '    runs-on: ubuntu-24.04',
    '    steps:',
    '      - uses: docker/build-push-action@v6',
    '        with:',
    '          build-args: |',
    '            SHARED_BASE=${{ needs.shared.outputs.image }}',
    '            RUNTIME=registry.example.test/base/runtime:5.2',
    '',
  ].join('\n');

describe('a build argument naming an image another job of the workflow builds', () => {
  it('FROM ${ARG} is the repository’s own image, shown as written, not the ARG’s default', () => {
    expect(scan({ Dockerfile: DOCKERFILE, 'Dockerfile.shared': 'FROM scratch\n', '.github/workflows/build.yml': workflow('${{ steps.name.outputs.ref }}') })).toEqual([
      [3, '${SHARED_BASE}', 'local-stage', '.github/workflows/build.yml:22 passes SHARED_BASE as a build argument, the image built at .github/workflows/build.yml:14'],
      [
        4,
        'registry.example.test/base/runtime:5.1',
        'templated',
        'default of ARG RUNTIME (line 2), but .github/workflows/build.yml:23 passes RUNTIME as a build argument, so that build may use another value: shown, not edited',
      ],
    ]);
  });

  it('a job output that no build step of that job tags is passed on as before', () => {
    expect(scan({ Dockerfile: DOCKERFILE, 'Dockerfile.shared': 'FROM scratch\n', '.github/workflows/build.yml': workflow('registry.example.test/team/shared:latest') })[0]).toEqual([
      3,
      'none',
      'templated',
      'default of ARG SHARED_BASE (line 1), but .github/workflows/build.yml:22 passes SHARED_BASE as a build argument, so that build may use another value: shown, not edited',
    ]);
  });
});
