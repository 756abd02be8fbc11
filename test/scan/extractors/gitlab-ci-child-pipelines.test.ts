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

  it('passes down the trigger job’s own variables over the globals, nothing with forward: yaml_variables: false, and a value the triggers of one child disagree on as neither', () => {
    const triggers = [
      file('.gitlab-ci.yml', [
        'variables:', // 1
        '  AGENT_TAG: "5.1"', // 2
        '.quiet:', // 3
        '  trigger:', // 4
        '    forward:', // 5
        '      yaml_variables: false', // 6
        'deploy:', // 7
        '  variables:', // 8
        '    AGENT_TAG: "5.2"', // 9
        '    SIDECAR_IMAGE: registry.example.test/ops/sidecar:1.4.0', // 10
        '  trigger:', // 11
        '    include: ci/deploy.yml', // 12
        'audit:', // 13
        '  extends: .quiet', // 14
        '  trigger:', // 15
        '    include: ci/audit.yml', // 16
        'east:', // 17
        '  variables:', // 18
        '    REGION_TAG: "east-3"', // 19
        '  trigger:', // 20
        '    include: ci/region.yml', // 21
        'west:', // 22
        '  variables:', // 23
        '    REGION_TAG: "west-1"', // 24
        '  trigger:', // 25
        '    include: ci/region.yml', // 26
        '',
      ]),
      file('ci/deploy.yml', [
        'variables:', // 1
        '  AGENT_TAG: "4.0"', // 2
        'roll:', // 3
        '  image: registry.example.test/ops/agent:$AGENT_TAG', // 4
        '  services: [$SIDECAR_IMAGE]', // 5
        '  script: make roll', // 6
        '',
      ]),
      // The trigger forwards nothing (its template says so): the child's own value is the one its job runs.
      file('ci/audit.yml', ['variables:', '  AGENT_TAG: "4.0"', 'scan:', '  image: registry.example.test/ops/agent:$AGENT_TAG', '  script: make scan', '']),
      file('ci/region.yml', ['probe:', '  image: registry.example.test/ops/probe:$REGION_TAG', '  script: make probe', '']),
    ];
    const { references, problems } = scanFiles(triggers);
    expect(problems).toEqual([]);
    expect(references.map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.detail])).toEqual([
      ['ci/audit.yml', 4, 'registry.example.test/ops/agent:4.0', null, 'job scan'],
      ['ci/deploy.yml', 4, 'registry.example.test/ops/agent:5.2', null, 'job roll; resolved through $AGENT_TAG (.gitlab-ci.yml:9)'],
      ['ci/deploy.yml', 5, 'registry.example.test/ops/sidecar:1.4.0', null, 'job roll; resolved through $SIDECAR_IMAGE (.gitlab-ci.yml:10)'],
      [
        'ci/region.yml',
        2,
        'registry.example.test/ops/probe:$REGION_TAG',
        'templated',
        'job probe; $REGION_TAG is passed down to this pipeline with more than one value (by several trigger jobs, by the rules or matrix of a trigger job, or as both a YAML and a pipeline variable of one)',
      ],
    ]);
  });

  it('passes what a child was given on to a grandchild only with forward: pipeline_variables; its own YAML variables go on by default', () => {
    const nested = [
      file('.gitlab-ci.yml', ['variables:', '  BASE_TAG: "1.0"', '  AGENT_TAG: "5.1"', 'child:', '  trigger:', '    include: ci/child.yml', '']),
      file('ci/child.yml', [
        'variables:', // 1
        '  AGENT_TAG: "6.0"', // 2
        'plain:', // 3
        '  trigger:', // 4
        '    include: ci/plain.yml', // 5
        'relay:', // 6
        '  trigger:', // 7
        '    include: ci/relay.yml', // 8
        '    forward:', // 9
        '      pipeline_variables: true', // 10
        '',
      ]),
      // Started with the defaults: the child's own YAML variables reach it, what the root passed to the child does not.
      file('ci/plain.yml', [
        'base:', // 1
        '  image: registry.example.test/ops/base:$BASE_TAG', // 2
        '  script: make', // 3
        'agent:', // 4
        '  image: registry.example.test/ops/agent:$AGENT_TAG', // 5
        '  script: make', // 6
        '',
      ]),
      // Started with pipeline_variables: what the root passed to the child goes on, and a name both ways is left as written.
      file('ci/relay.yml', [
        'base:', // 1
        '  image: registry.example.test/ops/base:$BASE_TAG', // 2
        '  script: make', // 3
        'agent:', // 4
        '  image: registry.example.test/ops/agent:$AGENT_TAG', // 5
        '  script: make', // 6
        '',
      ]),
    ];
    const { references, problems } = scanFiles(nested);
    expect(problems).toEqual([]);
    expect(references.map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.detail])).toEqual([
      ['ci/plain.yml', 2, 'registry.example.test/ops/base:$BASE_TAG', 'templated', 'job base; $BASE_TAG is not defined in this file (a CI/CD setting or predefined variable)'],
      ['ci/plain.yml', 5, 'registry.example.test/ops/agent:6.0', null, 'job agent; resolved through $AGENT_TAG (ci/child.yml:2)'],
      ['ci/relay.yml', 2, 'registry.example.test/ops/base:1.0', null, 'job base; resolved through $BASE_TAG (.gitlab-ci.yml:2)'],
      [
        'ci/relay.yml',
        5,
        'registry.example.test/ops/agent:$AGENT_TAG',
        'templated',
        'job agent; $AGENT_TAG is passed down to this pipeline with more than one value (by several trigger jobs, by the rules or matrix of a trigger job, or as both a YAML and a pipeline variable of one)',
      ],
    ]);
  });

  it("leaves a child's image templated when the trigger job's rules set the variable it uses, even where the child sets it too", () => {
    const ruled = [
      file('.gitlab-ci.yml', [
        'release:', // 1
        '  rules:', // 2
        '    - if: $CI_COMMIT_TAG', // 3
        '      variables:', // 4
        '        CHANNEL_TAG: "stable"', // 5
        '    - when: always', // 6
        '  trigger:', // 7
        '    include: ci/release.yml', // 8
        '',
      ]),
      file('ci/release.yml', ['variables:', '  CHANNEL_TAG: "edge"', 'publish:', '  image: registry.example.test/ops/publisher:$CHANNEL_TAG', '  script: make', '']),
    ];
    expect(scanFiles(ruled).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.detail])).toEqual([
      [
        'ci/release.yml',
        4,
        'registry.example.test/ops/publisher:$CHANNEL_TAG',
        'templated',
        'job publish; $CHANNEL_TAG is passed down to this pipeline with more than one value (by several trigger jobs, by the rules or matrix of a trigger job, or as both a YAML and a pipeline variable of one)',
      ],
    ]);
  });
});
