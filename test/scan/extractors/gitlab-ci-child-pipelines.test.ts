import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../../src/core/source-file.js';
import { scanFiles } from '../../../src/scan/scan-files.js';

const file = (path: string, lines: readonly string[]) => sourceFile(path, Buffer.from(lines.join('\n'), 'utf8'));

describe('GitLab CI child pipelines', () => {
  const tree = [
    file('.gitlab-ci.yml', [
      'include: ci/jobs.yml', // 1
      'variables:', // 2
      '  TOOLS_IMAGE: registry.example.test/ci/tools:2.4.0', // 3
      'build:', // 4
      '  image: registry.example.test/ci/builder:1.8.0', // 5
      '  script: make', // 6
      'nightly:', // 7
      '  trigger:', // 8
      '    include: ci/nightly.yml', // 9
      'quiet:', // 10
      '  inherit:', // 11
      '    variables: false', // 12
      '  trigger:', // 13
      '    include: /ci/quiet.yml', // 14
      '',
    ]),
    file('ci/jobs.yml', ['unit:', '  image: registry.example.test/ci/runner:3.1.0', '  script: make unit', '']),
    file('ci/nightly.yml', [
      'stages: [build, test]', // 1
      'build:', // 2
      '  image: registry.example.test/ci/builder:2.0.0-rc.1', // 3
      '  script: make nightly', // 4
      'check:', // 5
      '  image: $TOOLS_IMAGE', // 6
      '  script: make check', // 7
      'unit:', // 8
      '  image: registry.example.test/ci/runner:3.2.0-beta', // 9
      '  script: make unit', // 10
      '',
    ]),
    file('ci/quiet.yml', ['lint:', '  image: $TOOLS_IMAGE', '  script: make lint', '']),
  ];

  it("reads a trigger job's child pipeline on its own: its jobs are not the parent's, and it gets the variables the trigger job passes down", () => {
    const { references, problems } = scanFiles(tree);
    expect(problems).toEqual([]);
    expect(references.map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.detail])).toEqual([
      ['.gitlab-ci.yml', 5, 'registry.example.test/ci/builder:1.8.0', null, 'job build'],
      ['ci/jobs.yml', 2, 'registry.example.test/ci/runner:3.1.0', null, 'job unit'],
      ['ci/nightly.yml', 3, 'registry.example.test/ci/builder:2.0.0-rc.1', null, 'job build'],
      ['ci/nightly.yml', 6, 'registry.example.test/ci/tools:2.4.0', null, 'job check; resolved through $TOOLS_IMAGE (.gitlab-ci.yml:3)'],
      ['ci/nightly.yml', 9, 'registry.example.test/ci/runner:3.2.0-beta', null, 'job unit'],
      // The trigger job passes no variables down (`inherit: variables: false`).
      ['ci/quiet.yml', 2, '$TOOLS_IMAGE', 'templated', 'job lint; $TOOLS_IMAGE is not defined in this file (a CI/CD setting or predefined variable)'],
    ]);
  });
});
