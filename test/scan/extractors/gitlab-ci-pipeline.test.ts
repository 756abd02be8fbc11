import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../../src/core/source-file.js';
import { scanFiles } from '../../../src/scan/scan-files.js';

const file = (path: string, text: string) => sourceFile(path, Buffer.from(text, 'utf8'));

describe('GitLab CI variables across a pipeline', () => {
  const pipeline = [
    file(
      '.gitlab-ci.yml',
      [
        'include:',
        '  - local: ci/versions.yml',
        '  - local: /ci/jobs/*.yml',
        'variables:',
        '  MIRROR: registry.example.com/mirror',
        'lint:',
        '  image: ruby:${RUBY_VERSION}-alpine',
        '  script: rubocop',
        '',
      ].join('\n'),
    ),
    file(
      'ci/versions.yml',
      ['variables:', '  RUBY_VERSION: "3.3.6"', '  BASE: "${MIRROR}/debian"', '  BUILDER: "${BASE}:bookworm-20241111"', '  TOKEN_IMAGE: $CI_REGISTRY_IMAGE/tools', ''].join('\n'),
    ),
    file('ci/jobs/build.yml', ['build:', '  image: $BUILDER', '  services:', '    - name: ${TOKEN_IMAGE}:1.0', '  script: make', ''].join('\n')),
  ];

  it('resolves variables defined in included files and variables built from variables, and says where each was found', () => {
    const { references, problems } = scanFiles(pipeline);
    expect(problems).toEqual([]);
    expect(references.map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.detail])).toEqual([
      ['.gitlab-ci.yml', 7, 'ruby:3.3.6-alpine', null, 'job lint; resolved through $RUBY_VERSION (ci/versions.yml:2)'],
      [
        'ci/jobs/build.yml',
        2,
        'registry.example.com/mirror/debian:bookworm-20241111',
        null,
        'job build; resolved through $BUILDER (ci/versions.yml:4), $BASE (ci/versions.yml:3), $MIRROR (.gitlab-ci.yml:5)',
      ],
      [
        'ci/jobs/build.yml',
        4,
        '${TOKEN_IMAGE}:1.0',
        'templated',
        "job build; $TOKEN_IMAGE (ci/versions.yml:5) is built from other variables: $CI_REGISTRY_IMAGE is not defined in this pipeline's files (a CI/CD setting or predefined variable)",
      ],
    ]);
    expect(references[0]!.image).toEqual({ registry: 'docker.io', repository: 'library/ruby', tag: '3.3.6-alpine', digest: null });
    // The literal is edited where it is written: its span names the included file, with that file's byte offsets.
    expect(references[0]!.spans).toEqual([
      { role: 'template', start: 126, end: 153, text: 'ruby:${RUBY_VERSION}-alpine', line: 7, column: 10 },
      { role: 'variable', file: 'ci/versions.yml', start: 28, end: 33, text: '3.3.6', line: 2, column: 18, variable: 'RUBY_VERSION', quote: '"' },
    ]);
    expect(Buffer.from(pipeline[1]!.bytes).toString('latin1', 28, 33)).toBe('3.3.6');
  });

  it('a file scanned on its own names the variable it could not find', () => {
    const { references } = scanFiles([pipeline[2]!]);
    expect(references.map((reference) => reference.detail)).toEqual([
      'job build; $BUILDER is not defined in this file (a CI/CD setting or predefined variable)',
      'job build; $TOKEN_IMAGE is not defined in this file (a CI/CD setting or predefined variable)',
    ]);
  });
});
