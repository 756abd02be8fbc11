import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

describe('a pipeline of named steps with top-level stages is not GitLab CI', () => {
  it('reads the image of each step (Codefresh: version, stages, steps as a map of step maps)', () => {
    const pipeline = [
      "version: '1.0'",
      'stages:',
      '  - Fetch',
      '  - Check',
      'steps:',
      '  fetch:',
      '    stage: Fetch',
      '    type: git-clone',
      '    repo: example/app',
      '  vet: &tools',
      '    stage: Check',
      '    image: registry.example.test/ci/go-tools:1.24',
      '    commands: [go vet ./...]',
      '  unit:',
      '    <<: *tools',
      '    commands: [go test ./...]',
      '  audit:',
      '    stage: Check',
      '    image: example/audit-cli:latest',
      '    commands: [audit]',
      '',
    ].join('\n');
    expect(scan({ 'build/checks.yml': pipeline })).toEqual([
      ['build/checks.yml', 12, 'registry.example.test/ci/go-tools:1.24', 'yaml-image', null],
      ['build/checks.yml', 19, 'example/audit-cli:latest', 'yaml-image', null],
    ]);
  });

  it('a GitLab file with stages and a job named steps is still GitLab CI', () => {
    const ci = 'stages: [test]\nsteps:\n  stage: test\n  image: registry.example.test/ci/runner:3.1\n  script: [make]\n';
    expect(scan({ 'ci/pipeline.yml': ci })).toEqual([['ci/pipeline.yml', 4, 'registry.example.test/ci/runner:3.1', 'gitlab-ci-image', null]]);
  });
});

describe('a pipeline with service containers beside its steps is not a compose file', () => {
  /** Steps in a map that run their images through aliases and share a condition list, and services beside them. */
  const PIPELINE = [
    'variables:',
    "  - &builder 'registry.example.test/tools/builder:2.1'",
    '  - &changes',
    '    - path: &sources',
    "        - 'src/**'",
    '        - Makefile',
    '      event: pull_request',
    '',
    'steps:',
    '  deps:',
    '    image: *builder',
    '    commands: [make deps]',
    '    when:',
    '      path:',
    '        - <<: *sources',
    "        - 'extra/**'",
    '  lint:',
    '    image: registry.example.test/tools/linter:3.0.1',
    '    commands: [make lint]',
    '    when: *changes',
    '',
    'services:',
    '  cache:',
    '    image: registry.example.test/data/cache:7.2',
    '    when: *changes',
    '',
  ].join('\n');

  it('reports the images of its steps as well as of its services (Woodpecker: steps and services as maps)', () => {
    expect(scan({ '.woodpecker/test.yaml': PIPELINE })).toEqual([
      ['.woodpecker/test.yaml', 2, 'registry.example.test/tools/builder:2.1', 'yaml-image', null],
      ['.woodpecker/test.yaml', 18, 'registry.example.test/tools/linter:3.0.1', 'yaml-image', null],
      ['.woodpecker/test.yaml', 24, 'registry.example.test/data/cache:7.2', 'yaml-image', null],
    ]);
  });

  it('reports them from steps written as a list too, and a file with services alone stays compose', () => {
    const listed = 'steps:\n  - name: test\n    image: registry.example.test/tools/node:22.1\n    commands: [npm test]\nservices:\n  - name: db\n    image: registry.example.test/data/db:16.4\n';
    expect(scan({ '.woodpecker.yml': listed })).toEqual([
      ['.woodpecker.yml', 3, 'registry.example.test/tools/node:22.1', 'yaml-image', null],
      ['.woodpecker.yml', 7, 'registry.example.test/data/db:16.4', 'yaml-image', null],
    ]);
    const compose = 'services:\n  db:\n    image: registry.example.test/data/db:16.4\n';
    expect(scan({ 'deploy/stack.yml': compose })).toEqual([['deploy/stack.yml', 3, 'registry.example.test/data/db:16.4', 'compose-service', null]]);
  });
});
