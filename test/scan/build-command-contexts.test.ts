import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const rows = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

/** Three Dockerfiles that copy from names: two builds give some of those names as contexts, the third build none. */
const DOCKERFILES = {
  'web/Dockerfile': ['FROM registry.example.test/base/node:20', 'COPY --from=assets /dist /srv/www', 'COPY --from=protos /gen /srv/gen', ''].join('\n'),
  'api/Dockerfile': ['FROM registry.example.test/base/go:1.23', 'COPY --from=schema /schema /etc/schema', 'COPY --from=assets /dist /srv/www', ''].join('\n'),
  'cli/Dockerfile': ['FROM registry.example.test/base/go:1.23', 'COPY --from=schema /schema /etc/schema', ''].join('\n'),
};

const WORKFLOW = [
  'on: push', // 1
  'jobs:', // 2
  '  web:', // 3
  '    runs-on: ubuntu-latest', // 4
  '    steps:', // 5
  '      - run: |', // 6
  '          docker buildx build \\', // 7
  '            --build-context assets=./dist \\', // 8
  '            --build-context=protos=../protos \\', // 9
  '            -t registry.example.test/team/web:dev web', // 10
  '  api:', // 11
  '    runs-on: ubuntu-latest', // 12
  '    steps:', // 13
  '      - uses: docker/build-push-action@v6', // 14
  '        with:', // 15
  '          context: api', // 16
  '          build-contexts: |', // 17
  '            schema=./schema', // 18
  '',
].join('\n');

describe('named contexts a build command or build-push-action gives', () => {
  it('are the contexts, not images, in `COPY --from` of the Dockerfile that build reads; other Dockerfiles still report the name', () => {
    expect(rows({ ...DOCKERFILES, '.github/workflows/build.yml': WORKFLOW })).toEqual([
      ['api/Dockerfile', 1, 'registry.example.test/base/go:1.23', 'dockerfile-from', null],
      ['api/Dockerfile', 3, 'assets', 'dockerfile-from', 'no-tag'],
      ['cli/Dockerfile', 1, 'registry.example.test/base/go:1.23', 'dockerfile-from', null],
      ['cli/Dockerfile', 2, 'schema', 'dockerfile-from', 'no-tag'],
      ['web/Dockerfile', 1, 'registry.example.test/base/node:20', 'dockerfile-from', null],
    ]);
  });

  it('hold for every Dockerfile when the build names its Dockerfile with a variable', () => {
    const script = ['build:', '  script:', '    - docker buildx build --build-context schema=./schema -f "$DOCKERFILE" .', ''].join('\n');
    expect(rows({ ...DOCKERFILES, '.gitlab-ci.yml': script }).filter((row) => row[2] === 'schema')).toEqual([]);
  });
});
