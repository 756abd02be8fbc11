import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../../src/core/source-file.js';
import { scanFiles } from '../../../src/scan/scan-files.js';

const root = path.resolve(import.meta.dirname, '../../../fixtures/gitlab-ci-pipeline');
const read = (relative: string) => sourceFile(relative, readFileSync(path.join(root, relative)));
const text = (relative: string, value: string) => sourceFile(relative, Buffer.from(value, 'utf8'));

const row = (reference: {
  file: string;
  line: number;
  column: number;
  value: string;
  kind: string;
  skip: string | null;
  detail?: string;
  spans: ReadonlyArray<{ role: string; text: string; line: number; column: number; file?: string }>;
}) => [
  reference.file,
  reference.line,
  reference.column,
  reference.value,
  reference.kind,
  reference.skip,
  reference.detail,
  reference.spans.map((span) => [span.file ?? reference.file, span.role, span.text, span.line, span.column]),
];

describe('GitLab CI extends and !reference across include: local', () => {
  const files = ['.gitlab-ci.yml', 'ci/templates.yml', 'ci/versions.yml'].map(read);

  it('resolves each template image as the jobs that extend or reference it see it, where the literal is written', () => {
    const { references, problems } = scanFiles(files);
    expect(problems).toEqual([]);
    expect(references.map(row)).toEqual([
      [
        '.gitlab-ci.yml',
        17,
        10,
        'node:20.18.0-alpine',
        'gitlab-ci-image',
        null,
        'template .node',
        [
          ['.gitlab-ci.yml', 'template', 'node:${NODE_VERSION}-alpine', 17, 10],
          ['.gitlab-ci.yml', 'variable', '20.18.0', 19, 20],
        ],
      ],
      [
        '.gitlab-ci.yml',
        43,
        13,
        'registry.example.test/mirror/redis:7.4.1',
        'gitlab-ci-service',
        null,
        'job package',
        [
          ['.gitlab-ci.yml', 'template', '${REGISTRY}/redis:${REDIS_TAG}', 43, 13],
          ['.gitlab-ci.yml', 'variable', 'registry.example.test/mirror', 11, 13],
          ['.gitlab-ci.yml', 'variable', '7.4.1', 12, 15],
        ],
      ],
      [
        '.gitlab-ci.yml',
        49,
        10,
        '$SCANNER_IMAGE',
        'gitlab-ci-image',
        'templated',
        "job licence; $SCANNER_IMAGE is not defined in this pipeline's files; it may come from a CI/CD setting or from an include outside the repository, which a scan does not read: project platform/pipelines@v4 (/jobs/licence-scan.yml), template Jobs/Secret-Detection.gitlab-ci.yml",
        [['.gitlab-ci.yml', 'reference', '$SCANNER_IMAGE', 49, 10]],
      ],
      [
        'ci/templates.yml',
        2,
        10,
        'registry.example.test/mirror/ruby:3.3.6-slim',
        'gitlab-ci-image',
        'templated',
        'template .ruby; not edited: $RUBY_VERSION is set per job (ci/versions.yml:3 for jobs unit, integration; .gitlab-ci.yml:36 for job legacy); jobs unit, integration see registry.example.test/mirror/ruby:3.3.6-slim; job legacy sees registry.example.test/mirror/ruby:3.2.5-slim',
        [['ci/templates.yml', 'reference', '${REGISTRY}/ruby:${RUBY_VERSION}-slim', 2, 10]],
      ],
      [
        'ci/templates.yml',
        7,
        13,
        'postgres:16.4',
        'gitlab-ci-service',
        null,
        'template .with-db; resolved through $POSTGRES_TAG (ci/versions.yml:4)',
        [
          ['ci/templates.yml', 'template', 'postgres:${POSTGRES_TAG}', 7, 13],
          ['ci/versions.yml', 'variable', '16.4', 4, 18],
        ],
      ],
      ['ci/templates.yml', 11, 13, 'alpine:3.20.3', 'gitlab-ci-image', null, 'template .images', [['ci/templates.yml', 'reference', 'alpine:3.20.3', 11, 13]]],
    ]);
  });

  it('follows a chain of extends and a !reference to one variable, in one file', () => {
    const ci = text(
      '.gitlab-ci.yml',
      [
        '.versions:', // 1
        '  variables:', // 2
        '    GO_VERSION: "1.23.4"', // 3
        '.go:', // 4
        '  image: golang:${GO_VERSION}-bookworm', // 5
        '.go-cached:', // 6
        '  extends: .go', // 7
        '  cache: {paths: [.cache]}', // 8
        'test:', // 9
        '  extends: .go-cached', // 10
        '  variables:', // 11
        '    GO_VERSION: !reference [.versions, variables, GO_VERSION]', // 12
        '  script: go test ./...', // 13
        '',
      ].join('\n'),
    );
    const { references } = scanFiles([ci]);
    expect(references.map(row)).toEqual([
      [
        '.gitlab-ci.yml',
        5,
        10,
        'golang:1.23.4-bookworm',
        'gitlab-ci-image',
        null,
        'template .go',
        [
          ['.gitlab-ci.yml', 'template', 'golang:${GO_VERSION}-bookworm', 5, 10],
          ['.gitlab-ci.yml', 'variable', '1.23.4', 3, 18],
        ],
      ],
    ]);
  });

  it("a job that overrides a list replaces it: services of the parent are not the job's", () => {
    const ci = text(
      '.gitlab-ci.yml',
      [
        'variables:', // 1
        '  PG: "16.4"', // 2
        '.db:', // 3
        '  services: ["postgres:${PG}"]', // 4
        'a:', // 5
        '  extends: .db', // 6
        '  services: ["redis:7.4.1"]', // 7
        '  script: [x]', // 8
        'b:', // 9
        '  extends: .db', // 10
        '  variables: {PG: "15.8"}', // 11
        '  script: [x]', // 12
        '',
      ].join('\n'),
    );
    expect(scanFiles([ci]).references.map((reference) => [reference.line, reference.value, reference.skip, reference.detail])).toEqual([
      [4, 'postgres:15.8', null, 'template .db'],
      [7, 'redis:7.4.1', null, 'job a'],
    ]);
  });

  it('names the jobs when they see one template image differently, and cuts an extends cycle', () => {
    const ci = text(
      '.gitlab-ci.yml',
      [
        '.loop-a:', // 1
        '  extends: .loop-b', // 2
        '.loop-b:', // 3
        '  extends: .loop-a', // 4
        '  image: python:${PY}', // 5
        'old:', // 6
        '  extends: .loop-b', // 7
        '  variables: {PY: "3.11.11"}', // 8
        '  script: [x]', // 9
        'new:', // 10
        '  extends: .loop-b', // 11
        '  variables: {PY: "3.13.1"}', // 12
        '  script: [x]', // 13
        '',
      ].join('\n'),
    );
    expect(scanFiles([ci]).references.map((reference) => [reference.line, reference.value, reference.detail, reference.spans.map((span) => `${span.role}@${span.line}`)])).toEqual([
      // A pin written after the template would hold for one of them only: neither is edited.
      // One place, one reference: the value most jobs see (the first on a tie), and each job's reading in the detail.
      [5, 'python:3.11.11', 'template .loop-b; not edited: $PY is set per job (line 8 for job old; line 12 for job new); job old sees python:3.11.11; job new sees python:3.13.1', ['reference@5']],
    ]);
  });
});
