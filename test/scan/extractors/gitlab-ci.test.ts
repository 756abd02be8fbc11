import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceFile, type SourceFile } from '../../../src/core/source-file.js';
import type { Reference } from '../../../src/core/types.js';
import { EMPTY_CONTEXT } from '../../../src/scan/extractor.js';
import { EXTRACTORS } from '../../../src/scan/extractors/index.js';
import { extractorFor } from '../../../src/scan/scan-files.js';
import { gitlabCiExtractor, gitlabLocalIncludes, type GitlabFacts } from '../../../src/scan/extractors/gitlab-ci/gitlab-ci.js';
import { projectReference as project } from '../../support/fixture-projection.js';

const file = (name: string, text: string): SourceFile => sourceFile(name, Buffer.from(text, 'utf8'));
const extract = (text: string, name = '.gitlab-ci.yml'): Reference[] => [...gitlabCiExtractor.extract(file(name, text), EMPTY_CONTEXT).references];
/** Does a scan give this file to the GitLab CI extractor? */
const claims = (name: string, text: string, facts?: GitlabFacts): boolean => extractorFor(file(name, text), new Map(facts ? [[gitlabCiExtractor, facts]] : []), EXTRACTORS) === gitlabCiExtractor;

describe('gitlab-ci claims', () => {
  it('claims .gitlab-ci.yml anywhere, whatever the case of the extension, even when empty', () => {
    expect(claims('.gitlab-ci.yml', '')).toBe(true);
    expect(claims('services/api/.gitlab-ci.yaml', 'x: 1\n')).toBe(true);
    expect(claims('legacy/.gitlab-ci.YML', 'x: 1\n')).toBe(true);
    expect(claims('gitlab-ci.yml.bak', 'stages: [build]\n')).toBe(false);
  });

  it('claims files pulled in by include: local, whatever their content', () => {
    const text = '.kaniko:\n  image: gcr.io/kaniko-project/executor:v1.23.2-debug\n';
    expect(claims('ci/build.yml', text)).toBe(false);
    expect(claims('ci/build.yml', text, { includes: new Set(['ci/build.yml']) })).toBe(true);
  });

  it('recognises CI configuration by its GitLab keys', () => {
    expect(claims('ci/a.yml', 'stages:\n  - build\n  - test\n')).toBe(true);
    expect(claims('ci/b.yml', 'workflow:\n  rules:\n    - if: $CI_COMMIT_TAG\n')).toBe(true);
    expect(claims('ci/c.yml', 'include:\n  - local: /ci/jobs.yml\n')).toBe(true);
    expect(claims('ci/d.yml', 'include: ci/jobs.yml\n')).toBe(true);
    expect(claims('ci/e.yml', 'default:\n  image: ruby:3.3.4\n  before_script: [bundle install]\n')).toBe(true);
    expect(claims('ci/f.yml', 'test:\n  image: node:20.15.1\n  script: [npm test]\n')).toBe(true);
    expect(claims('ci/g.yml', 'deploy:\n  stage: deploy\n  trigger: ops/deploy\n')).toBe(true);
    expect(claims('ci/h.yml', 'spec:\n  inputs:\n    stage: {default: test}\n---\nlint:\n  stage: $[[ inputs.stage ]]\n  script: [make lint]\n')).toBe(true);
  });

  it("claims templates with no script by GitLab's own image and service forms, and <name>.gitlab-ci.yml by name", () => {
    expect(claims('ci/db.yml', '.with-db:\n  services:\n    - name: postgres:16.4\n      alias: db\n')).toBe(true);
    expect(claims('ci/kaniko.yml', '.kaniko:\n  image:\n    name: gcr.io/kaniko-project/executor:v1.23.2-debug\n    entrypoint: [""]\n  variables: {DOCKER_CONFIG: /kaniko/.docker}\n')).toBe(true);
    expect(claims('templates/docker-build.gitlab-ci.yml', 'x: 1\n')).toBe(true);
    expect(claims('templates/Deploy.gitlab-ci.yaml', '')).toBe(true);
    // A name alone, or keys no GitLab job has, are not enough.
    expect(claims('ci/plain.yml', '.db:\n  services:\n    - name: postgres:16.4\n')).toBe(false);
    expect(claims('chart/values.yaml', 'worker:\n  image: {name: app, entrypoint: [run]}\n  replicas: 2\n')).toBe(false);
    expect(claims('chart/values.yaml', 'sidecars:\n  services:\n    - name: envoy:1.31.0\n      alias: proxy\n  resources: {}\n')).toBe(false);
    expect(claims('ansible/vars.yml', 'web:\n  image: {name: nginx:1.27.0, pull_policy: always, ports: [80]}\n')).toBe(false);
  });

  it('leaves Helm values, Kubernetes objects, compose files and other YAML alone', () => {
    expect(claims('chart/values.yaml', 'image: nginx:1.25.3\nreplicaCount: 2\n')).toBe(false);
    expect(claims('chart/values.yaml', 'image:\n  repository: nginx\n  tag: 1.25.3\nservices:\n  - web\n')).toBe(false);
    expect(claims('chart/values.yaml', 'migrations:\n  image: {repository: app, tag: "1.0"}\n  script: migrate.sh\n  stage: pre\n')).toBe(false);
    expect(claims('chart/values.yaml', 'default:\n  image:\n    repository: nginx\n    tag: 1.25.3\n')).toBe(false);
    expect(claims('k8s/job.yaml', 'apiVersion: batch/v1\nkind: Job\nspec:\n  template:\n    spec:\n      containers:\n        - image: busybox:1.36\n')).toBe(false);
    expect(claims('k8s/two.yaml', 'stages: [build]\n---\napiVersion: v1\nkind: Pod\n')).toBe(false);
    expect(claims('deploy/stack.yml', 'services:\n  web:\n    image: nginx:1.25.3\n    stage: x\n    script: y\n')).toBe(false);
    expect(claims('compose.yaml', 'include:\n  - db.yaml\n')).toBe(false);
    expect(claims('README.md', 'stages:\n  - build\n')).toBe(false);
    expect(claims('ci/broken.yml', 'stages: [build\n')).toBe(false);
  });
});

describe('gitlabLocalIncludes', () => {
  it('reads every local form, root-relative, globs as written', () => {
    const text = [
      'include:',
      "  - '/ci/build.yml'",
      '  - local: ci/templates/*.yml',
      '  - local: ./ci/deploy.yml',
      '    rules:',
      '      - if: $CI_COMMIT_BRANCH == "main"',
      '  - ci/build.yml',
      '  - https://gitlab.example.com/shared/ci.yml',
      '  - remote: https://gitlab.example.com/shared/other.yml',
      '  - project: platform/ci-templates',
      '    file: /templates/sast.yml',
      '  - template: Security/SAST.gitlab-ci.yml',
      '  - component: $CI_SERVER_FQDN/components/docker-build@1.2.0',
      '  - local: ci/$ENVIRONMENT.yml',
      '',
    ].join('\n');
    expect(gitlabLocalIncludes(file('.gitlab-ci.yml', text))).toEqual(['ci/build.yml', 'ci/templates/*.yml', 'ci/deploy.yml']);
  });

  it('reads a single string and a single map', () => {
    expect(gitlabLocalIncludes(file('.gitlab-ci.yml', "include: '/.gitlab/ci/main.yml'\n"))).toEqual(['.gitlab/ci/main.yml']);
    expect(gitlabLocalIncludes(file('.gitlab-ci.yml', 'include:\n  local: jobs/**/*.yml\n'))).toEqual(['jobs/**/*.yml']);
    expect(gitlabLocalIncludes(file('.gitlab-ci.yml', 'include:\n  remote: https://example.com/ci.yml\n'))).toEqual([]);
    expect(gitlabLocalIncludes(file('.gitlab-ci.yml', 'stages: [build]\n'))).toEqual([]);
  });

  it('reads the local files of child pipelines, but not artifacts or other projects', () => {
    const text = [
      'deploy-apps:',
      '  trigger:',
      '    include:',
      '      - local: /ci/child-deploy.yml',
      '      - artifact: generated.yml',
      '        job: generate',
      'downstream:',
      '  trigger:',
      '    project: ops/infra',
      'lint-child:',
      '  trigger:',
      '    include: ci/child-lint.yml',
      '',
    ].join('\n');
    expect(gitlabLocalIncludes(file('.gitlab-ci.yml', text))).toEqual(['ci/child-deploy.yml', 'ci/child-lint.yml']);
  });
});

describe('gitlab-ci references', () => {
  it('reports image and services in default, jobs and the deprecated globals, with exact spans', () => {
    const text = [
      "image: 'ruby:3.3.4'", // 1
      'services:', // 2
      '  - postgres:16.3', // 3
      'default:', // 4
      '  image: {name: "alpine:3.20.1", entrypoint: [""]}', // 5
      'build:', // 6
      '  services:', // 7
      '    - name: docker:27.0.3-dind', // 8
      '      alias: docker', // 9
      '  image: docker:27.0.3', // 10
      '  script: [docker build .]', // 11
      '',
    ].join('\n');
    expect(extract(text).map(project)).toEqual([
      { line: 1, column: 9, value: 'ruby:3.3.4', kind: 'gitlab-ci-image', skip: null, image: 'docker.io/library/ruby:3.3.4', spans: [['reference', 'ruby:3.3.4', 1, 9]] },
      { line: 3, column: 5, value: 'postgres:16.3', kind: 'gitlab-ci-service', skip: null, image: 'docker.io/library/postgres:16.3', spans: [['reference', 'postgres:16.3', 3, 5]] },
      { line: 5, column: 18, value: 'alpine:3.20.1', kind: 'gitlab-ci-image', skip: null, image: 'docker.io/library/alpine:3.20.1', spans: [['reference', 'alpine:3.20.1', 5, 18]] },
      { line: 10, column: 10, value: 'docker:27.0.3', kind: 'gitlab-ci-image', skip: null, image: 'docker.io/library/docker:27.0.3', spans: [['reference', 'docker:27.0.3', 10, 10]] },
      { line: 8, column: 13, value: 'docker:27.0.3-dind', kind: 'gitlab-ci-service', skip: null, image: 'docker.io/library/docker:27.0.3-dind', spans: [['reference', 'docker:27.0.3-dind', 8, 13]] },
    ]);
  });

  it('records byte offsets that hold the span text, after a BOM and with CRLF', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('# \u00e9t\u00e9\r\ntest:\r\n  image: node:20.15.1\r\n  script: [npm test]\r\n', 'utf8')]);
    const [reference] = gitlabCiExtractor.extract(sourceFile('.gitlab-ci.yml', bytes), EMPTY_CONTEXT).references;
    const span = reference!.spans[0]!;
    expect([reference!.line, reference!.column, span.start, span.end]).toEqual([3, 10, 28, 40]);
    expect(bytes.subarray(span.start, span.end).toString('latin1')).toBe('node:20.15.1');
  });

  it('resolves images through variables: the job wins over the global block, image and service share the variable span', () => {
    const text = [
      'variables:', // 1
      '  DOCKER_VERSION: "27.0.3"', // 2
      'build:', // 3
      '  image: docker:${DOCKER_VERSION}', // 4
      '  services: ["docker:${DOCKER_VERSION}-dind"]', // 5
      '  script: [docker build .]', // 6
      'legacy:', // 7
      '  variables:', // 8
      '    DOCKER_VERSION:', // 9
      '      value: 26.1.4', // 10
      '      description: the last version our runners allow', // 11
      '  image: docker:$DOCKER_VERSION', // 12
      '  script: [docker build .]', // 13
      '',
    ].join('\n');
    const references = extract(text);
    expect(references.map(project)).toEqual([
      {
        line: 4,
        column: 10,
        value: 'docker:27.0.3',
        kind: 'gitlab-ci-image',
        skip: null,
        image: 'docker.io/library/docker:27.0.3',
        spans: [
          ['template', 'docker:${DOCKER_VERSION}', 4, 10],
          ['variable', '27.0.3', 2, 20],
        ],
      },
      {
        line: 5,
        column: 15,
        value: 'docker:27.0.3-dind',
        kind: 'gitlab-ci-service',
        skip: null,
        image: 'docker.io/library/docker:27.0.3-dind',
        spans: [
          ['template', 'docker:${DOCKER_VERSION}-dind', 5, 15],
          ['variable', '27.0.3', 2, 20],
        ],
      },
      {
        line: 12,
        column: 10,
        value: 'docker:26.1.4',
        kind: 'gitlab-ci-image',
        skip: null,
        image: 'docker.io/library/docker:26.1.4',
        spans: [
          ['template', 'docker:$DOCKER_VERSION', 12, 10],
          ['variable', '26.1.4', 10, 14],
        ],
      },
    ]);
    expect(references[0]!.spans[1]).toMatchObject({ variable: 'DOCKER_VERSION', start: 30, end: 36 });
    expect(references[1]!.spans[1]).toEqual(references[0]!.spans[1]);
    expect(references[0]!.name).toBe('docker');
  });

  it('skips as templated what it cannot resolve to one literal', () => {
    const text = [
      'variables:', // 1
      '  BASE: $CI_REGISTRY/base', // 2
      '  PYTHON_VERSION: "3.12"', // 3
      '  FLAG: true', // 4
      'a:', // 5
      '  image: $CI_REGISTRY_IMAGE/app:$CI_COMMIT_SHA', // 6
      '  script: [x]', // 7
      'b:', // 8
      '  image: ${BASE}:1.0', // 9
      '  script: [x]', // 10
      'c:', // 11
      '  image: python:${PYTHON_VERSION}-slim', // 12
      '  parallel:', // 13
      '    matrix:', // 14
      '      - PYTHON_VERSION: ["3.11", "3.12"]', // 15
      '  script: [x]', // 16
      'd:', // 17
      '  image: app:$$FLAG', // 18
      '  script: [x]', // 19
      'e:', // 20
      '  image: app:${FLAG}', // 21
      '  script: [x]', // 22
      '',
    ].join('\n');
    expect(extract(text).map((reference) => [reference.line, reference.value, reference.skip, reference.image, reference.spans.map((span) => span.role)])).toEqual([
      [6, '$CI_REGISTRY_IMAGE/app:$CI_COMMIT_SHA', 'templated', null, ['reference']],
      [9, '${BASE}:1.0', 'templated', null, ['reference']],
      [12, 'python:${PYTHON_VERSION}-slim', 'templated', null, ['reference']],
      [18, 'app:$$FLAG', 'templated', null, ['reference']],
      [21, 'app:${FLAG}', 'templated', null, ['reference']],
    ]);
  });

  it('keeps GitLab dependency-proxy prefixes: Docker Hub, not templated, the whole string is the span', () => {
    const text = [
      'a:', // 1
      '  image: ${CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX}/docker:27.0.3', // 2
      '  services:', // 3
      '    - $CI_DEPENDENCY_PROXY_DIRECT_GROUP_IMAGE_PREFIX/library/docker:27.0.3-dind', // 4
      '  script: [x]', // 5
      '',
    ].join('\n');
    const references = extract(text);
    expect(references.map(project)).toEqual([
      {
        line: 2,
        column: 10,
        value: '${CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX}/docker:27.0.3',
        kind: 'gitlab-ci-image',
        skip: null,
        image: 'docker.io/library/docker:27.0.3',
        spans: [['reference', '${CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX}/docker:27.0.3', 2, 10]],
      },
      {
        line: 4,
        column: 7,
        value: '$CI_DEPENDENCY_PROXY_DIRECT_GROUP_IMAGE_PREFIX/library/docker:27.0.3-dind',
        kind: 'gitlab-ci-service',
        skip: null,
        image: 'docker.io/library/docker:27.0.3-dind',
        spans: [['reference', '$CI_DEPENDENCY_PROXY_DIRECT_GROUP_IMAGE_PREFIX/library/docker:27.0.3-dind', 4, 7]],
      },
    ]);
    expect(references.map((reference) => reference.name)).toEqual(['${CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX}/docker', '$CI_DEPENDENCY_PROXY_DIRECT_GROUP_IMAGE_PREFIX/library/docker']);
  });

  it('reports an anchored node once, where it is written, whether jobs reach it by alias, merge key, !reference or extends', () => {
    const text = [
      '.images:', // 1
      '  node: &node node:20.15.1-alpine', // 2
      '.dind: &dind', // 3
      '  image: docker:27.0.3', // 4
      '  services: &services', // 5
      '    - docker:27.0.3-dind', // 6
      'a:', // 7
      '  image: *node', // 8
      '  script: [x]', // 9
      'b:', // 10
      '  image: *node', // 11
      '  services: *services', // 12
      '  script: [x]', // 13
      'c:', // 14
      '  <<: *dind', // 15
      '  script: [x]', // 16
      'd:', // 17
      '  image: !reference [.dind, image]', // 18
      '  extends: .dind', // 19
      '  script: [x]', // 20
      '',
    ].join('\n');
    expect(extract(text).map((reference) => [reference.line, reference.column, reference.kind, reference.value])).toEqual([
      [4, 10, 'gitlab-ci-image', 'docker:27.0.3'],
      [6, 7, 'gitlab-ci-service', 'docker:27.0.3-dind'],
      [2, 15, 'gitlab-ci-image', 'node:20.15.1-alpine'],
    ]);
  });

  it('follows merge keys for variables, and reads plain integers as written', () => {
    const text = [
      '.versions: &versions', // 1
      '  NODE_MAJOR: 20', // 2
      'test:', // 3
      '  variables:', // 4
      '    <<: *versions', // 5
      '    CI_DEBUG: "false"', // 6
      '  image: node:${NODE_MAJOR}-alpine', // 7
      '  script: [npm test]', // 8
      '',
    ].join('\n');
    expect(extract(text).map(project)).toEqual([
      {
        line: 7,
        column: 10,
        value: 'node:20-alpine',
        kind: 'gitlab-ci-image',
        skip: null,
        image: 'docker.io/library/node:20-alpine',
        spans: [
          ['template', 'node:${NODE_MAJOR}-alpine', 7, 10],
          ['variable', '20', 2, 15],
        ],
      },
    ]);
  });

  it('does not edit what it cannot edit literally, and skips CI/CD component inputs', () => {
    const text = [
      'a:', // 1
      '  image: "alpine:3.20\\u002e1"', // 2
      '  script: [x]', // 3
      'b:', // 4
      '  image: alpine:$[[ inputs.alpine_version ]]', // 5
      '  script: [x]', // 6
      'c:', // 7
      '  image: alpine', // 8
      '  script: [x]', // 9
      '',
    ].join('\n');
    expect(extract(text).map((reference) => [reference.line, reference.value, reference.skip])).toEqual([
      [2, 'alpine:3.20.1', 'unsupported-quoting'],
      [5, 'alpine:$[[ inputs.alpine_version ]]', 'templated'],
      [8, 'alpine', 'no-tag'],
    ]);
  });

  it('ignores non-job keys and reports parse errors with their line, scanning the other documents', () => {
    const text = [
      'cache:', // 1
      '  image: not-a-job:1.0', // 2
      'variables:', // 3
      '  image: not-a-job-either:1.0', // 4
      '---', // 5
      'a: [unclosed', // 6
      '---', // 7
      'b:', // 8
      '  image: alpine:3.20.1', // 9
      '  script: [x]', // 10
      '',
    ].join('\n');
    const result = gitlabCiExtractor.extract(file('.gitlab-ci.yml', text), EMPTY_CONTEXT);
    expect(result.references.map((reference) => [reference.line, reference.value])).toEqual([[9, 'alpine:3.20.1']]);
    expect(result.problems.map((problem) => [problem.file, problem.line, problem.code])).toEqual([['.gitlab-ci.yml', 7, 'parse-error']]);
  });
});

describe('gitlab-ci fixtures', () => {
  const root = path.resolve(import.meta.dirname, '../../../fixtures/gitlab-ci');
  const expected = JSON.parse(readFileSync(path.join(root, 'expected.json'), 'utf8')) as {
    references: Record<string, unknown[]>;
    problems: Array<{ file: string; line: number | null; code: string }>;
  };
  const files = (readdirSync(root, { recursive: true, withFileTypes: true }) as Array<{ isFile(): boolean; name: string; parentPath: string }>)
    .filter((entry) => entry.isFile() && entry.name !== 'expected.json')
    .map((entry) => {
      const relative = path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/');
      return sourceFile(relative, readFileSync(path.join(root, relative)));
    });

  it('the root pipeline includes ci/build.yml and the ci/templates glob', () => {
    const rootFile = files.find((candidate) => candidate.path === '.gitlab-ci.yml')!;
    expect(gitlabLocalIncludes(rootFile)).toEqual(['ci/build.yml', 'ci/templates/*.yml']);
  });

  it('extracts exactly what expected.json lists', () => {
    const context: GitlabFacts = { includes: new Set(['ci/build.yml', 'ci/templates/lint.yml', 'ci/templates/notify.yml']) };
    const references: Record<string, unknown[]> = {};
    const problems: Array<{ file: string; line: number | null; code: string }> = [];
    for (const source of [...files].sort((a, b) => (a.path < b.path ? -1 : 1))) {
      if (!gitlabCiExtractor.claims(source, context)) continue;
      const result = gitlabCiExtractor.extract(source, context);
      const found = [...result.references].sort((a, b) => a.line - b.line || a.column - b.column).map(project);
      if (found.length > 0) references[source.path] = found;
      problems.push(...result.problems.map((problem) => ({ file: problem.file, line: problem.line, code: problem.code })));
    }
    expect(references).toEqual(expected.references);
    expect(problems).toEqual(expected.problems);
  });

  it('ci/build.yml is claimed on its own by its GitLab image form (name with entrypoint), not only as an include', () => {
    const build = files.find((candidate) => candidate.path === 'ci/build.yml')!;
    expect(gitlabCiExtractor.claims(build, EMPTY_CONTEXT)).toBe(true);
    const sniffed = files.find((candidate) => candidate.path === '.gitlab/pipeline.yml')!;
    expect(gitlabCiExtractor.claims(sniffed, EMPTY_CONTEXT)).toBe(true);
  });
});
