import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../../src/core/source-file.js';
import { applyEdits } from '../../../src/core/text-edit.js';
import { editsForReference } from '../../../src/plan/edits-for-reference.js';
import { scanFiles } from '../../../src/scan/scan-files.js';

const D1 = `sha256:${'1'.repeat(64)}`;

const text = (relative: string, lines: readonly string[]) => sourceFile(relative, Buffer.from(lines.join('\n'), 'utf8'));

const row = (reference: {
  line: number;
  value: string;
  kind: string;
  skip: string | null;
  detail?: string;
  image: { registry: string; repository: string; tag: string | null } | null;
  spans: ReadonlyArray<{ role: string; text: string; line: number }>;
}) => [
  reference.line,
  reference.value,
  reference.kind,
  reference.skip,
  reference.image === null ? null : `${reference.image.registry}/${reference.image.repository}:${reference.image.tag ?? ''}`,
  reference.detail,
  reference.spans.map((span) => [span.role, span.text, span.line]),
];

describe('GitLab CI: a variable whose literal starts with a dependency-proxy prefix', () => {
  const ci = text('.gitlab-ci.yml', [
    '.store:', // 1
    '  services:', // 2
    '    - name: $STORE_IMAGE', // 3
    '      alias: store', // 4
    '  variables:', // 5
    '    STORE_USER: tester', // 6
    'test-store-16:', // 7
    '  extends: .store', // 8
    '  variables:', // 9
    '    STORE_IMAGE: "${CI_DEPENDENCY_PROXY_DIRECT_GROUP_IMAGE_PREFIX}/postgres:16.4-alpine"', // 10
    '  script: [make test]', // 11
    'test-store-15:', // 12
    '  extends: [.store]', // 13
    '  variables:', // 14
    '    STORE_IMAGE: $CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX/postgres:15.8-alpine', // 15
    '  script: [make test]', // 16
    '',
  ]);

  it('reports the image each job sets for a template service at the job variable, as written, and not the template line', () => {
    const { references, problems } = scanFiles([ci]);
    expect(problems).toEqual([]);
    expect(references.map(row)).toEqual([
      [
        10,
        '${CI_DEPENDENCY_PROXY_DIRECT_GROUP_IMAGE_PREFIX}/postgres:16.4-alpine',
        'gitlab-ci-service',
        null,
        'docker.io/library/postgres:16.4-alpine',
        '$STORE_IMAGE: service $STORE_IMAGE (line 3) as job test-store-16 runs it',
        [['reference', '${CI_DEPENDENCY_PROXY_DIRECT_GROUP_IMAGE_PREFIX}/postgres:16.4-alpine', 10]],
      ],
      [
        15,
        '$CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX/postgres:15.8-alpine',
        'gitlab-ci-service',
        null,
        'docker.io/library/postgres:15.8-alpine',
        '$STORE_IMAGE: service $STORE_IMAGE (line 3) as job test-store-15 runs it',
        [['reference', '$CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX/postgres:15.8-alpine', 15]],
      ],
    ]);
  });

  it('updates each job variable in place, keeping the prefix', () => {
    const [first] = scanFiles([ci]).references;
    const plan = editsForReference(first!, { tag: '16.6-alpine', digest: D1 });
    if (!plan.ok) throw new Error(plan.reason);
    const edited = Buffer.from(applyEdits(ci.bytes, plan.edits)).toString('utf8').split('\n');
    expect(edited[9]).toBe(`    STORE_IMAGE: "\${CI_DEPENDENCY_PROXY_DIRECT_GROUP_IMAGE_PREFIX}/postgres:16.6-alpine@${D1}"`);
    expect(edited[2]).toBe('    - name: $STORE_IMAGE');
  });

  it('resolves an image that one job reads through such a variable, and edits the tag in the literal', () => {
    const single = text('.gitlab-ci.yml', [
      'variables:', // 1
      '  BUILD_IMAGE: ${CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX}/golang:1.23.2-bookworm', // 2
      'build:', // 3
      '  image: $BUILD_IMAGE', // 4
      '  script: [go build ./...]', // 5
      '',
    ]);
    const references = scanFiles([single]).references;
    expect(references.map(row)).toEqual([
      [
        4,
        '${CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX}/golang:1.23.2-bookworm',
        'gitlab-ci-image',
        null,
        'docker.io/library/golang:1.23.2-bookworm',
        'job build',
        [
          ['template', '$BUILD_IMAGE', 4],
          ['variable', '${CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX}/golang:1.23.2-bookworm', 2],
        ],
      ],
    ]);
    const plan = editsForReference(references[0]!, { tag: '1.23.4-bookworm', digest: null });
    if (!plan.ok) throw new Error(plan.reason);
    expect(Buffer.from(applyEdits(single.bytes, plan.edits)).toString('utf8').split('\n').slice(1, 4)).toEqual([
      '  BUILD_IMAGE: ${CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX}/golang:1.23.4-bookworm',
      'build:',
      '  image: $BUILD_IMAGE',
    ]);
  });

  it('keeps a prefix that does not begin the image unresolved', () => {
    const inner = text('.gitlab-ci.yml', [
      'variables:', // 1
      '  MIRRORED: ${CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX}/golang', // 2
      'build:', // 3
      '  image: registry.example.test/$MIRRORED:1.23.2', // 4
      '  script: [go build ./...]', // 5
      '',
    ]);
    expect(scanFiles([inner]).references.map((reference) => [reference.line, reference.skip, reference.detail])).toEqual([
      [
        4,
        'templated',
        'job build; $MIRRORED (.gitlab-ci.yml:2) is built from other variables: $CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX is not defined in this file (a CI/CD setting or predefined variable)',
      ],
    ]);
  });
});
