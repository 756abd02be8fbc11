import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../../src/core/source-file.js';
import { scanSources } from '../../../src/pipeline/scan-stage.js';
import { editsForReference } from '../../../src/plan/edits-for-reference.js';
import { includeEntries, outsideKey } from '../../../src/scan/extractors/gitlab-ci/gitlab-ci-outside.js';

const file = (path: string, lines: readonly string[]) => sourceFile(path, Buffer.from(lines.join('\n'), 'utf8'));
const rows = (scanned: ReturnType<typeof scanSources>) =>
  scanned.references.map((reference) => [
    reference.file,
    reference.line,
    reference.value,
    reference.skip,
    reference.detail ?? null,
    reference.spans.map((span) => `${span.file ?? reference.file}:${span.line}:${span.role}`),
  ]);

const root = file('.gitlab-ci.yml', [
  'include:', // 1
  '  - project: platform/ci-library', // 2
  '    ref: v4', // 3
  '    file: [/jobs/node.yml, /jobs/absent.yml]', // 4
  '  - template: Workflows/Branch-Pipelines.gitlab-ci.yml', // 5
  '  - local: ci/local.yml', // 6
  'variables:', // 7
  '  NODE: "22.12.0"', // 8
  'unit:', // 9
  '  extends: .node-base', // 10
  '  image: ${MIRROR}/node:22.12.0-alpine', // 11
  'lint:', // 12
  '  image: node:${NODE}-slim', // 13
  'docs:', // 14
  '  image: registry.example.test/docs:${DOCS_TAG}', // 15
  '',
]);
const local = file('ci/local.yml', ['.local-only:', '  script: [true]', '']);
const library = file('platform/ci-library@v4:jobs/node.yml', [
  'variables:', // 1
  '  MIRROR: registry.example.test/hub', // 2
  '.node-base:', // 3
  '  variables: {NPM_CONFIG_CACHE: .npm}', // 4
  '  script: [npm ci]', // 5
  '',
]);

describe('GitLab CI include: project and include: template', () => {
  it('lists include entries in order, with where each is written', () => {
    expect(includeEntries(root, null)).toEqual([
      { kind: 'project', project: 'platform/ci-library', ref: 'v4', path: 'jobs/node.yml', written: '/jobs/node.yml', line: 2 },
      { kind: 'project', project: 'platform/ci-library', ref: 'v4', path: 'jobs/absent.yml', written: '/jobs/absent.yml', line: 2 },
      { kind: 'template', name: 'Workflows/Branch-Pipelines.gitlab-ci.yml', line: 5 },
      { kind: 'local', path: 'ci/local.yml', line: 6 },
    ]);
    // In a file of another project, a local include is a file of that project at the same ref.
    expect(includeEntries(file('platform/ci-library@v4:jobs/node.yml', ['include: {local: /jobs/base.yml}', '']), { project: 'platform/ci-library', ref: 'v4' })).toEqual([
      { kind: 'project', project: 'platform/ci-library', ref: 'v4', path: 'jobs/base.yml', written: '/jobs/base.yml', line: 1 },
    ]);
    expect(outsideKey({ kind: 'project', project: 'platform/ci-library', ref: null, path: 'jobs/node.yml', written: 'jobs/node.yml', line: 1 })).toBe('platform/ci-library:jobs/node.yml');
    expect(outsideKey({ kind: 'template', name: 'Jobs/Build.gitlab-ci.yml', line: 1 })).toBe('template:Jobs/Build.gitlab-ci.yml');
  });

  it('without a forge: such includes are named as not read by a scan, as before', () => {
    expect(rows(scanSources([root, local]))).toEqual([
      [
        '.gitlab-ci.yml',
        11,
        '${MIRROR}/node:22.12.0-alpine',
        'templated',
        "job unit; $MIRROR is not defined in this pipeline's files; it may come from a CI/CD setting or from an include outside the repository, which a scan does not read: project platform/ci-library@v4 (/jobs/node.yml), project platform/ci-library@v4 (/jobs/absent.yml), template Workflows/Branch-Pipelines.gitlab-ci.yml",
        ['.gitlab-ci.yml:11:reference'],
      ],
      ['.gitlab-ci.yml', 13, 'node:22.12.0-slim', null, 'job lint', ['.gitlab-ci.yml:13:template', '.gitlab-ci.yml:8:variable']],
      [
        '.gitlab-ci.yml',
        15,
        'registry.example.test/docs:${DOCS_TAG}',
        'templated',
        "job docs; $DOCS_TAG is not defined in this pipeline's files; it may come from a CI/CD setting or from an include outside the repository, which a scan does not read: project platform/ci-library@v4 (/jobs/node.yml), project platform/ci-library@v4 (/jobs/absent.yml), template Workflows/Branch-Pipelines.gitlab-ci.yml",
        ['.gitlab-ci.yml:15:reference'],
      ],
    ]);
  });

  it('with the files read: variables resolve through them, a literal of another project is marked as one an update holds on, an include not read is a problem at its line', () => {
    const scanned = scanSources([root, local], [], {
      files: [library],
      unread: [
        { key: 'platform/ci-library@v4:jobs/absent.yml', file: '.gitlab-ci.yml', line: 2, reason: 'GitLab could not read jobs/absent.yml of platform/ci-library at v4: 404 File Not Found' },
        { key: 'template:Workflows/Branch-Pipelines.gitlab-ci.yml', file: '.gitlab-ci.yml', line: 5, reason: "GitLab's templates API does not serve Workflows/Branch-Pipelines.gitlab-ci.yml" },
      ],
    });
    expect(rows(scanned)).toEqual([
      [
        '.gitlab-ci.yml',
        11,
        'registry.example.test/hub/node:22.12.0-alpine',
        null,
        'job unit; resolved through $MIRROR (platform/ci-library@v4:jobs/node.yml:2); held if an update changes it: $MIRROR is defined in jobs/node.yml:2 of the project platform/ci-library at v4, which a change to this project never edits: define MIRROR under variables: in .gitlab-ci.yml (it takes the place of the included one) and archpin updates it there, or update it in platform/ci-library',
        ['.gitlab-ci.yml:11:template', 'platform/ci-library@v4:jobs/node.yml:2:variable'],
      ],
      ['.gitlab-ci.yml', 13, 'node:22.12.0-slim', null, 'job lint', ['.gitlab-ci.yml:13:template', '.gitlab-ci.yml:8:variable']],
      [
        '.gitlab-ci.yml',
        15,
        'registry.example.test/docs:${DOCS_TAG}',
        'templated',
        "job docs; $DOCS_TAG is not defined in this pipeline's files nor in the includes read through the forge; it may come from a CI/CD setting or from an include that was not read: project platform/ci-library@v4 (/jobs/absent.yml), not read: GitLab could not read jobs/absent.yml of platform/ci-library at v4: 404 File Not Found; template Workflows/Branch-Pipelines.gitlab-ci.yml, not read: GitLab's templates API does not serve Workflows/Branch-Pipelines.gitlab-ci.yml",
        ['.gitlab-ci.yml:15:reference'],
      ],
    ]);
    // Nothing in the other project's file is reported; each include not read is a problem at its own line.
    expect(scanned.problems).toEqual([
      { file: '.gitlab-ci.yml', line: 2, code: 'include-unread', message: 'GitLab could not read jobs/absent.yml of platform/ci-library at v4: 404 File Not Found' },
      { file: '.gitlab-ci.yml', line: 5, code: 'include-unread', message: "GitLab's templates API does not serve Workflows/Branch-Pipelines.gitlab-ci.yml" },
    ]);
  });

  it('names the variable defined outside, its project or template, file and line, and what to do; an update that would change it is held, one that changes this file goes on', () => {
    const ci = file('.gitlab-ci.yml', [
      'include:', // 1
      '  - project: platform/ci-library', // 2
      '    file: /jobs/build.yml', // 3
      '  - template: Code-Quality.gitlab-ci.yml', // 4
      'build:', // 5
      '  extends: .build', // 6
      '  image: registry.example.test/builder:${BUILDER_TAG}', // 7
      'quality:', // 8
      '  image: ${CQ_REGISTRY}/cq:0.96.0', // 9
      '',
    ]);
    const build = file('platform/ci-library:jobs/build.yml', ['.build:', '  variables:', '    BUILDER_TAG: "5.65.0"', '  script: [make]', '']);
    const template = file('template:Code-Quality.gitlab-ci.yml', ['variables:', '  CQ_REGISTRY: registry.example.test/cq', '']);
    const scanned = scanSources([ci], [], { files: [build, template], unread: [] });
    const builderNote =
      '$BUILDER_TAG is defined in jobs/build.yml:3 of the project platform/ci-library (its default branch), which a change to this project never edits: define BUILDER_TAG under the variables: of the job in this repository (they take the place of the included one) and archpin updates it there, or update it in platform/ci-library';
    expect(rows(scanned).map((row) => [row[1], row[3], row[4]])).toEqual([
      [7, null, `job build; resolved through $BUILDER_TAG (platform/ci-library:jobs/build.yml:3); held if an update changes it: ${builderNote}`],
      [
        9,
        null,
        "job quality; resolved through $CQ_REGISTRY (template:Code-Quality.gitlab-ci.yml:2); held if an update changes it: $CQ_REGISTRY is defined in GitLab's CI template Code-Quality.gitlab-ci.yml (line 2), which a change to this project never edits: define CQ_REGISTRY under variables: in .gitlab-ci.yml (it takes the place of the included one) and archpin updates it there",
      ],
    ]);
    const [builder, quality] = scanned.references;
    // The tag is the other project's literal: held, with the note.
    expect(editsForReference(builder!, { tag: '5.66.0', digest: null })).toEqual({ ok: false, reason: builderNote, hold: 'outside-variable' });
    // The tag is written here: the template's own characters change, the template's registry variable stays.
    const digest = `sha256:${'c'.repeat(64)}`;
    expect(editsForReference(quality!, { tag: '0.97.0', digest })).toEqual({
      ok: true,
      edits: [{ start: ci.text.indexOf('${CQ_REGISTRY}'), end: ci.text.indexOf('${CQ_REGISTRY}') + 24, expected: '${CQ_REGISTRY}/cq:0.96.0', replacement: `\${CQ_REGISTRY}/cq:0.97.0@${digest}` }],
      value: `registry.example.test/cq/cq:0.97.0@${digest}`,
      pinned: true,
    });
  });
});
