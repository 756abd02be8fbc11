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
