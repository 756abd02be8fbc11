import { describe, expect, it } from 'vitest';
import { parseImageRef } from '../../src/core/image-ref.js';
import { scanTexts } from '../support/scan-texts.js';

const rows = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.line, reference.value, reference.skip]);

describe('A digest that no registry can serve', () => {
  it('parses only a registered algorithm with its full lowercase hex', () => {
    const hex = (n: number, c = 'a') => c.repeat(n);
    expect(
      [
        `registry.example.test/ops/agent@sha256:${hex(64)}`,
        `registry.example.test/ops/agent:2.1@sha512:${hex(128, 'f')}`,
        `registry.example.test/ops/agent@sha384:${hex(96, '0')}`,
        `registry.example.test/ops/agent@sha256:${hex(63)}`,
        `registry.example.test/ops/agent@sha256:${hex(65)}`,
        `registry.example.test/ops/agent@sha256:${hex(64, 'A')}`,
        `registry.example.test/ops/agent@md5:${hex(32)}`,
        'registry.example.test/ops/agent@sha256:pass-a-real-digest-here-or-the-build-will-fail',
      ].map((text) => parseImageRef(text) !== null),
    ).toEqual([true, true, true, false, false, false, false, false]);
  });

  it('is not a pin to keep when an ARG default fills it in: the build passes the value, so the reference is templated', () => {
    const dockerfile = [
      'ARG BASE_DIGEST="pass-a-real-digest-here-or-the-build-will-fail"',
      'FROM registry.example.test/base/os@sha256:${BASE_DIGEST}',
      `FROM registry.example.test/base/os:1.4@sha256:${'b'.repeat(64)}`,
      'FROM registry.example.test/base/tools@sha256:0123456789abcdef0123456789abcdef',
      '',
    ].join('\n');
    expect(rows({ Dockerfile: dockerfile })).toEqual([
      [2, 'registry.example.test/base/os@sha256:${BASE_DIGEST}', 'templated'],
      [3, `registry.example.test/base/os:1.4@sha256:${'b'.repeat(64)}`, null],
      [4, 'registry.example.test/base/tools@sha256:0123456789abcdef0123456789abcdef', 'invalid-reference'],
    ]);
  });

  it('names the value that does not make a reference, wherever a default or a variable fills it in', () => {
    const placeholder = 'put-the-digest-here';
    const files = {
      Dockerfile: [
        'ARG BASE_DIGEST="put-the-digest-here"',
        'FROM registry.example.test/base/os@sha256:${BASE_DIGEST}',
        'FROM registry.example.test/base/tools:1.2',
        'ARG BASE_DIGEST',
        'COPY --from=registry.example.test/base/os@sha256:${BASE_DIGEST} /etc/os-release /etc/',
        '',
      ].join('\n'),
      'compose.yaml': ['services:', '  web:', '    image: registry.example.test/base/os@sha256:${BASE_DIGEST:-put-the-digest-here}', ''].join('\n'),
      '.gitlab-ci.yml': ['variables:', '  BASE_DIGEST: put-the-digest-here', 'build:', '  image: registry.example.test/base/os@sha256:$BASE_DIGEST', '  script: [make]', ''].join('\n'),
      'deploy/template.yaml': [
        'apiVersion: template.openshift.io/v1',
        'kind: Template',
        'objects:',
        '  - apiVersion: v1',
        '    kind: Pod',
        '    metadata: {name: web}',
        '    spec:',
        '      containers:',
        '        - name: web',
        '          image: registry.example.test/base/os@sha256:${BASE_DIGEST}',
        'parameters:',
        '  - name: BASE_DIGEST',
        '    value: put-the-digest-here',
        '',
      ].join('\n'),
    };
    const made = `registry.example.test/base/os@sha256:${placeholder}`;
    expect(scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.detail ?? null])).toEqual([
      [
        '.gitlab-ci.yml',
        4,
        'registry.example.test/base/os@sha256:$BASE_DIGEST',
        'templated',
        `job build; $BASE_DIGEST (line 2) gives ${made}, not a valid reference: the pipeline must set another value`,
      ],
      [
        'Dockerfile',
        2,
        'registry.example.test/base/os@sha256:${BASE_DIGEST}',
        'templated',
        `the default of ARG BASE_DIGEST (line 1) gives ${made}, not a valid reference: the build must pass the value`,
      ],
      ['Dockerfile', 3, 'registry.example.test/base/tools:1.2', null, null],
      [
        'Dockerfile',
        5,
        'registry.example.test/base/os@sha256:${BASE_DIGEST}',
        'templated',
        `COPY --from; the default of ARG BASE_DIGEST (line 1) gives ${made}, not a valid reference: the build must pass the value`,
      ],
      [
        'compose.yaml',
        3,
        'registry.example.test/base/os@sha256:${BASE_DIGEST:-put-the-digest-here}',
        'templated',
        `the default of \${BASE_DIGEST} gives ${made}, not a valid reference: the environment must set another value`,
      ],
      [
        'deploy/template.yaml',
        10,
        'registry.example.test/base/os@sha256:${BASE_DIGEST}',
        'templated',
        `the value of parameter BASE_DIGEST (line 12) gives ${made}, not a valid reference: it must be given when the template is processed`,
      ],
    ]);
  });
});
