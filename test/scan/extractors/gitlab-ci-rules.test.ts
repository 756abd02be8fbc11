import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../../src/core/source-file.js';
import { scanFiles } from '../../../src/scan/scan-files.js';

const text = (relative: string, lines: readonly string[]) => sourceFile(relative, Buffer.from(lines.join('\n'), 'utf8'));

const row = (reference: {
  file: string;
  line: number;
  column: number;
  value: string;
  kind: string;
  skip: string | null;
  detail?: string;
  spans: ReadonlyArray<{ role: string; text: string; line: number; file?: string }>;
}) => [
  reference.file,
  reference.line,
  reference.column,
  reference.value,
  reference.kind,
  reference.skip,
  reference.detail,
  reference.spans.map((span) => [span.file ?? reference.file, span.role, span.text, span.line]),
];

describe('GitLab CI rules: variables', () => {
  it('reports the image each job runs under a rule where its literal is written; the template stays templated for the pipelines whose image is not known', () => {
    const root = text('.gitlab-ci.yml', [
      'include:', // 1
      '  - local: ci/jobs.yml', // 2
      '.unit:', // 3
      '  image: $RUNNER_IMAGE', // 4
      '  variables:', // 5
      '    RUNNER_IMAGE: $CI_REGISTRY_IMAGE/unit-env:latest', // 6
      '  rules:', // 7
      '    - if: $CI_COMMIT_BRANCH == "main"', // 8
      '    - if: $CI_PIPELINE_SOURCE == "merge_request_event"', // 9
      '      variables:', // 10
      '        RUNNER_IMAGE: $DISTRO_IMAGE', // 11
      '    - when: never', // 12
      '',
    ]);
    const jobs = text('ci/jobs.yml', [
      '# Each platform job names the distribution it starts from.', // 1
      'unit-alma:', // 2
      '  extends: .unit', // 3
      '  variables:', // 4
      '    DISTRO_IMAGE: registry.example.test/alma/alma:9.4', // 5
      '  script: [make check]', // 6
      'unit-deb:', // 7
      '  extends: .unit', // 8
      '  variables:', // 9
      '    DISTRO_IMAGE: "debian:12.7-slim"', // 10
      '  script: [make check]', // 11
      '',
    ]);
    const { references, problems } = scanFiles([root, jobs]);
    expect(problems).toEqual([]);
    expect(references.map(row)).toEqual([
      [
        '.gitlab-ci.yml',
        4,
        10,
        '$RUNNER_IMAGE',
        'gitlab-ci-image',
        'templated',
        "template .unit; not edited: for jobs unit-alma, unit-deb, $RUNNER_IMAGE (.gitlab-ci.yml:6) is built from other variables: $CI_REGISTRY_IMAGE is not defined in this pipeline's files (a CI/CD setting or predefined variable); job unit-alma (rules: .gitlab-ci.yml:9) sees registry.example.test/alma/alma:9.4, reported where it is written (ci/jobs.yml:5); job unit-deb (rules: .gitlab-ci.yml:9) sees debian:12.7-slim, reported where it is written (ci/jobs.yml:10)",
        [['.gitlab-ci.yml', 'reference', '$RUNNER_IMAGE', 4]],
      ],
      [
        'ci/jobs.yml',
        5,
        19,
        'registry.example.test/alma/alma:9.4',
        'gitlab-ci-image',
        null,
        '$DISTRO_IMAGE: image $RUNNER_IMAGE (.gitlab-ci.yml:4) as job unit-alma (rules: .gitlab-ci.yml:9) runs it',
        [['ci/jobs.yml', 'reference', 'registry.example.test/alma/alma:9.4', 5]],
      ],
      [
        'ci/jobs.yml',
        10,
        20,
        'debian:12.7-slim',
        'gitlab-ci-image',
        null,
        '$DISTRO_IMAGE: image $RUNNER_IMAGE (.gitlab-ci.yml:4) as job unit-deb (rules: .gitlab-ci.yml:9) runs it',
        [['ci/jobs.yml', 'reference', 'debian:12.7-slim', 10]],
      ],
    ]);
  });

  it('reports each literal that rules give when every pipeline resolves, and none from a rule with when: never', () => {
    const ci = text('.gitlab-ci.yml', [
      'variables:', // 1
      '  LINT_IMAGE: "python:3.12.7-slim"', // 2
      'lint:', // 3
      '  image: $TOOL_IMAGE', // 4
      '  rules:', // 5
      '    - if: $CI_COMMIT_TAG', // 6
      '      when: never', // 7
      '      variables:', // 8
      '        TOOL_IMAGE: never-run:1.0', // 9
      '    - if: $CI_COMMIT_BRANCH == "stable"', // 10
      '      variables:', // 11
      '        TOOL_IMAGE: python:3.11.10-slim', // 12
      '    - if: $CI_COMMIT_BRANCH', // 13
      '      variables:', // 14
      '        TOOL_IMAGE: $LINT_IMAGE', // 15
      '  script: [ruff check .]', // 16
      '',
    ]);
    expect(scanFiles([ci]).references.map(row)).toEqual([
      [
        '.gitlab-ci.yml',
        2,
        16,
        'python:3.12.7-slim',
        'gitlab-ci-image',
        null,
        '$LINT_IMAGE: image $TOOL_IMAGE (line 4) as job lint (rules: .gitlab-ci.yml:13) runs it',
        [['.gitlab-ci.yml', 'reference', 'python:3.12.7-slim', 2]],
      ],
      [
        '.gitlab-ci.yml',
        12,
        21,
        'python:3.11.10-slim',
        'gitlab-ci-image',
        null,
        '$TOOL_IMAGE: image $TOOL_IMAGE (line 4) as job lint (rules: .gitlab-ci.yml:10) runs it',
        [['.gitlab-ci.yml', 'reference', 'python:3.11.10-slim', 12]],
      ],
    ]);
  });

  it("reports each job's own literal when jobs set the variable of a template image differently", () => {
    const ci = text('.gitlab-ci.yml', [
      '.docs:', // 1
      '  image: $DOCS_IMAGE', // 2
      'docs-en:', // 3
      '  extends: .docs', // 4
      '  variables: {DOCS_IMAGE: "node:22.11.0"}', // 5
      '  script: [npm run docs]', // 6
      'docs-fr:', // 7
      '  extends: .docs', // 8
      '  variables: {DOCS_IMAGE: "node:20.18.1"}', // 9
      '  script: [npm run docs]', // 10
      '',
    ]);
    expect(scanFiles([ci]).references.map(row)).toEqual([
      ['.gitlab-ci.yml', 5, 28, 'node:22.11.0', 'gitlab-ci-image', null, '$DOCS_IMAGE: image $DOCS_IMAGE (line 2) as job docs-en runs it', [['.gitlab-ci.yml', 'reference', 'node:22.11.0', 5]]],
      ['.gitlab-ci.yml', 9, 28, 'node:20.18.1', 'gitlab-ci-image', null, '$DOCS_IMAGE: image $DOCS_IMAGE (line 2) as job docs-fr runs it', [['.gitlab-ci.yml', 'reference', 'node:20.18.1', 9]]],
    ]);
  });

  it('keeps a literal that another image is also written through at that image; the node the rules vary stays templated', () => {
    const ci = text('.gitlab-ci.yml', [
      'variables:', // 1
      '  LINT_IMAGE: "python:3.12.7-slim"', // 2
      'lint:', // 3
      '  image: $TOOL_IMAGE', // 4
      '  rules:', // 5
      '    - if: $CI_COMMIT_BRANCH == "stable"', // 6
      '      variables: {TOOL_IMAGE: python:3.11.10-slim}', // 7
      '    - variables: {TOOL_IMAGE: $LINT_IMAGE}', // 8
      '  script: [ruff check .]', // 9
      'fmt:', // 10
      '  image: $LINT_IMAGE', // 11
      '  script: [ruff format --check .]', // 12
      '',
    ]);
    expect(scanFiles([ci]).references.map(row)).toEqual([
      [
        '.gitlab-ci.yml',
        4,
        10,
        'python:3.12.7-slim',
        'gitlab-ci-image',
        'templated',
        'job lint; not edited: job lint (rules: .gitlab-ci.yml:8) sees python:3.12.7-slim through $LINT_IMAGE (line 2), which another image is also written through: updated with that one; job lint (rules: .gitlab-ci.yml:6) sees python:3.11.10-slim, reported where it is written (line 7)',
        [['.gitlab-ci.yml', 'reference', '$TOOL_IMAGE', 4]],
      ],
      [
        '.gitlab-ci.yml',
        7,
        31,
        'python:3.11.10-slim',
        'gitlab-ci-image',
        null,
        '$TOOL_IMAGE: image $TOOL_IMAGE (line 4) as job lint (rules: .gitlab-ci.yml:6) runs it',
        [['.gitlab-ci.yml', 'reference', 'python:3.11.10-slim', 7]],
      ],
      [
        '.gitlab-ci.yml',
        11,
        10,
        'python:3.12.7-slim',
        'gitlab-ci-image',
        null,
        'job fmt',
        [
          ['.gitlab-ci.yml', 'template', '$LINT_IMAGE', 11],
          ['.gitlab-ci.yml', 'variable', 'python:3.12.7-slim', 2],
        ],
      ],
    ]);
  });

  it('reads a job under its only rule as that rule sets it, and rules inherited through extends', () => {
    const ci = text('.gitlab-ci.yml', [
      'variables:', // 1
      '  BASE: alpine:3.20.3', // 2
      '.pinned:', // 3
      '  rules:', // 4
      '    - variables: {TOOL: $BASE}', // 5
      'check:', // 6
      '  extends: .pinned', // 7
      '  image: ${TOOL}', // 8
      '  script: [true]', // 9
      '',
    ]);
    expect(scanFiles([ci]).references.map(row)).toEqual([
      [
        '.gitlab-ci.yml',
        8,
        10,
        'alpine:3.20.3',
        'gitlab-ci-image',
        null,
        'job check',
        [
          ['.gitlab-ci.yml', 'template', '${TOOL}', 8],
          ['.gitlab-ci.yml', 'variable', '$BASE', 5],
          ['.gitlab-ci.yml', 'variable', 'alpine:3.20.3', 2],
        ],
      ],
    ]);
  });
});
