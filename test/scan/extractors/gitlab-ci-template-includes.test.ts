/** A repository of CI templates with no `.gitlab-ci.yml`: files its CI files include are GitLab CI too. */
import { describe, expect, it } from 'vitest';
import { rawUrlPath } from '../../../src/scan/extractors/gitlab-ci/gitlab-ci-includes.js';
import { scanTexts } from '../../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip, reference.detail]);

const lines = (...text: string[]) => `${text.join('\n')}\n`;

/** A hidden template of job keywords with a string service and no script: GitLab CI only through the file that includes it. */
const scanTemplate = lines(
  '---', // 1
  '.scan:', // 2
  '  stage: scan', // 3
  '  services:', // 4
  '    - docker:27.3.1-dind', // 5
  '  allow_failure: true', // 6
);

describe('GitLab CI files recognised through the include of a CI file that is no pipeline root', () => {
  it('reads a file that a template includes by a raw URL naming a path of this tree (GitHub and GitLab raw forms)', () => {
    const files = {
      'scan.yml': lines(
        'include:', // 1
        '  - remote: "https://raw.githubusercontent.com/example-org/ci-library/v2.1.0/templates/scan.yml"', // 2
        '  - remote: https://gitlab.example.test/platform/ci-library/-/raw/release/2.x/templates/tools.yml', // 3
        'scan:', // 4
        '  extends: .scan', // 5
        '  image: registry.example.test/tools/scanner:1.4.0', // 6
        '  script: [scan .]', // 7
      ),
      'templates/scan.yml': scanTemplate,
      'templates/tools.yml': lines(
        '.tools:', // 1
        '  image:', // 2
        '    name: registry.example.test/tools/base:3.0.2', // 3
        '  variables:', // 4
        '    GIT_DEPTH: 1', // 5
      ),
    };
    expect(scan(files)).toEqual([
      ['scan.yml', 6, 'registry.example.test/tools/scanner:1.4.0', 'gitlab-ci-image', null, 'job scan'],
      ['templates/scan.yml', 5, 'docker:27.3.1-dind', 'gitlab-ci-service', null, 'template .scan'],
      ['templates/tools.yml', 3, 'registry.example.test/tools/base:3.0.2', 'gitlab-ci-image', null, 'template .tools'],
    ]);
  });

  it('reads what such a file pulls in with include: local, transitively', () => {
    const files = {
      'lint.yml': lines(
        'include:', // 1
        '  - local: /templates/lint-base.yml', // 2
        'lint:', // 3
        '  extends: .lint-base', // 4
        '  script: [ruff check .]', // 5
      ),
      'templates/lint-base.yml': lines(
        'include: templates/python.yml', // 1
        '.lint-base:', // 2
        '  extends: .python', // 3
        '  stage: lint', // 4
      ),
      'templates/python.yml': lines(
        '.python:', // 1
        '  image: python:3.12.7-slim', // 2
      ),
    };
    expect(scan(files)).toEqual([['templates/python.yml', 2, 'python:3.12.7-slim', 'gitlab-ci-image', null, 'template .python']]);
  });

  it('leaves alone a file that nothing includes, one a URL of another shape names, and one whose content is another format', () => {
    const files = {
      'scan.yml': lines(
        'include:', // 1
        '  - remote: https://ci.example.test/library/templates/scan.yml', // 2
        '  - remote: https://raw.githubusercontent.com/example-org/ci-library/main/deploy/pod.yaml', // 3
        'scan:', // 4
        '  extends: .scan', // 5
        '  script: [scan .]', // 6
      ),
      'templates/scan.yml': scanTemplate,
      'deploy/pod.yaml': lines(
        'apiVersion: v1', // 1
        'kind: Pod', // 2
        'metadata: {name: probe}', // 3
        'spec:', // 4
        '  containers:', // 5
        '    - name: probe', // 6
        '      image: registry.example.test/tools/probe:0.9.1', // 7
      ),
    };
    expect(scan(files)).toEqual([['deploy/pod.yaml', 7, 'registry.example.test/tools/probe:0.9.1', 'kubernetes-container', null, undefined]]);
  });
});

describe('rawUrlPath', () => {
  const tree = new Set(['templates/scan.yml', 'ci/jobs/build.yml']);
  const has = (path: string) => tree.has(path);

  it('reads the path after the ref, trying refs that hold a slash', () => {
    expect(rawUrlPath('https://raw.githubusercontent.com/example-org/ci-library/v2.1.0/templates/scan.yml', has)).toBe('templates/scan.yml');
    expect(rawUrlPath('https://raw.githubusercontent.com/example-org/ci-library/refs/heads/main/templates/scan.yml', has)).toBe('templates/scan.yml');
    expect(rawUrlPath('https://gitlab.example.test/group/sub/ci-library/-/raw/feature/next/ci/jobs/build.yml?inline=false', has)).toBe('ci/jobs/build.yml');
  });

  it('gives nothing for other URLs, or a path the tree does not have', () => {
    expect(rawUrlPath('https://ci.example.test/library/templates/scan.yml', has)).toBeNull();
    expect(rawUrlPath('https://github.com/example-org/ci-library/blob/main/templates/scan.yml', has)).toBeNull();
    expect(rawUrlPath('https://raw.githubusercontent.com/example-org/ci-library/v2.1.0/templates/other.yml', has)).toBeNull();
    expect(rawUrlPath('not a url', has)).toBeNull();
  });
});

describe('compose files that list other compose files under their own top-level include', () => {
  it('keeps the listed files what they were, whatever form the list takes and whatever the listing file is named', () => {
    const files = {
      'compose.yaml': lines(
        'name: storefront', // 1
        'include:', // 2
        '  - infra/compose.yaml', // 3
        '  - app/compose.app.yml', // 4
        '  - shared/defaults.yml', // 5
      ),
      'shared/defaults.yml': lines(
        'x-tools:', // 1
        '  image: registry.example.test/shop/tools:1.0.0', // 2
        '  pull_policy: always', // 3
      ),
      'stack.yml': lines(
        'include:', // 1
        '  - shared/logging.yml', // 2
      ),
      'infra/compose.yaml': lines(
        'include:', // 1
        '  - path: ../shared/logging.yml', // 2
        '  - ../shared/metrics.yml', // 3
        'services:', // 4
        '  db:', // 5
        '    image: registry.example.test/data/postgres:16.4', // 6
      ),
      'shared/logging.yml': lines(
        'services:', // 1
        '  collector:', // 2
        '    image: registry.example.test/obs/collector:0.111.0', // 3
      ),
      'shared/metrics.yml': lines(
        'services:', // 1
        '  exporter:', // 2
        '    image: registry.example.test/obs/exporter:1.8.2', // 3
        '    depends_on: [collector]', // 4
      ),
      'app/compose.app.yml': lines(
        'include:', // 1
        '  - ../shared/metrics.yml', // 2
        'services:', // 3
        '  web:', // 4
        '    image: registry.example.test/shop/web:2.3.0', // 5
      ),
    };
    expect(scan(files)).toEqual([
      ['app/compose.app.yml', 5, 'registry.example.test/shop/web:2.3.0', 'compose-service', null, undefined],
      ['infra/compose.yaml', 6, 'registry.example.test/data/postgres:16.4', 'compose-service', null, undefined],
      ['shared/defaults.yml', 2, 'registry.example.test/shop/tools:1.0.0', 'yaml-image', null, undefined],
      ['shared/logging.yml', 3, 'registry.example.test/obs/collector:0.111.0', 'compose-service', null, undefined],
      ['shared/metrics.yml', 3, 'registry.example.test/obs/exporter:1.8.2', 'compose-service', null, undefined],
    ]);
  });
});
