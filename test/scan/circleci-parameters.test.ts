import { describe, expect, it } from 'vitest';
import type { Reference } from '../../src/core/types.js';
import { scanTexts } from '../support/scan-texts.js';

const DIGEST = `sha256:${'e'.repeat(64)}`;

const rows = (references: readonly Reference[]) => references.map((reference) => [reference.line, reference.value, reference.skip, reference.detail ?? null]);

/** A config whose jobs run their images through pipeline parameters and through a job parameter with a default. */
const CONFIG = [
  'version: 2.1',
  'parameters:',
  '  builder-image:',
  '    type: string',
  '    # registry.example.test/ci/builder:jammy-4',
  `    default: "registry.example.test/ci/builder@${DIGEST}"`,
  '  lint-image:',
  '    type: string',
  '    default: registry.example.test/ci/lint:2.3',
  '  target:',
  '    type: string',
  '    default: release',
  '',
  'defaults:',
  '  - base_builder: &base_builder',
  '      docker:',
  '        - image: << pipeline.parameters.builder-image >>',
  '',
  'jobs:',
  '  build:',
  '    <<: *base_builder',
  '    steps: [checkout]',
  '  lint:',
  '    docker:',
  '      - image: << pipeline.parameters.lint-image >>',
  '    steps: [checkout]',
  '  external:',
  '    parameters:',
  '      project:',
  '        type: string',
  '      image:',
  '        type: string',
  '        default: registry.example.test/ci/node:22.1',
  '    docker:',
  '      - image: << parameters.image >>',
  '    steps: [checkout]',
  '',
  'workflows:',
  '  main:',
  '    jobs:',
  '      - build',
  '      - lint',
  '      - external:',
  '          name: ext-one',
  '          project: one',
  '          image: registry.example.test/ci/node:18.16',
  '      - external:',
  '          name: ext-two',
  '          project: two',
  '',
].join('\n');

describe('CircleCI parameters that an image field runs', () => {
  it("reports a pipeline parameter's default, a job parameter's default and the values a workflow gives, not the uses", () => {
    expect(rows(scanTexts({ '.circleci/config.yml': CONFIG }).references)).toEqual([
      [
        6,
        `registry.example.test/ci/builder@${DIGEST}`,
        null,
        'the default of the pipeline parameter builder-image: image << pipeline.parameters.builder-image >> (line 17) runs it unless the pipeline is triggered with another value',
      ],
      [
        9,
        'registry.example.test/ci/lint:2.3',
        null,
        'the default of the pipeline parameter lint-image: image << pipeline.parameters.lint-image >> (line 25) runs it unless the pipeline is triggered with another value',
      ],
      [
        33,
        'registry.example.test/ci/node:22.1',
        null,
        'the default of the parameter image of the job external: image << parameters.image >> (line 35) runs it where the workflow gives no other value',
      ],
      [46, 'registry.example.test/ci/node:18.16', null, 'the parameter image given to the job external, whose image << parameters.image >> (line 35) runs it'],
    ]);
  });

  it('leaves out a default that every workflow entry replaces, and keeps the use of a parameter without default or value templated', () => {
    const config = [
      'version: 2.1',
      'parameters:',
      '  runner-image:',
      '    type: string',
      'jobs:',
      '  test:',
      '    parameters:',
      '      image:',
      '        type: string',
      '        default: registry.example.test/ci/node:20.0',
      '    docker:',
      '      - image: << parameters.image >>',
      '      - image: << pipeline.parameters.runner-image >>',
      '    steps: [checkout]',
      'workflows:',
      '  main:',
      '    jobs:',
      '      - test:',
      '          matrix:',
      '            parameters:',
      '              image: [registry.example.test/ci/node:20.18, registry.example.test/ci/node:22.11]',
      '',
    ].join('\n');
    expect(rows(scanTexts({ '.circleci/config.yml': config }).references)).toEqual([
      [13, '<< pipeline.parameters.runner-image >>', 'templated', 'the pipeline parameter runner-image has no default written in this file: each pipeline gives it'],
      [21, 'registry.example.test/ci/node:20.18', null, 'the parameter image given to the job test, whose image << parameters.image >> (line 12) runs it'],
      [21, 'registry.example.test/ci/node:22.11', null, 'the parameter image given to the job test, whose image << parameters.image >> (line 12) runs it'],
    ]);
  });

  it('reads the parameters a workflow entry gives through an anchor written elsewhere', () => {
    const config = [
      'version: 2.1',
      'defaults:',
      '  - node-old: &node_old',
      '      name: test-old',
      '      image: registry.example.test/ci/node:18.16',
      'jobs:',
      '  test:',
      '    parameters:',
      '      image:',
      '        type: string',
      '        default: registry.example.test/ci/node:22.1',
      '    docker:',
      '      - image: << parameters.image >>',
      '    steps: [checkout]',
      'workflows:',
      '  main:',
      '    jobs:',
      '      - test: *node_old',
      '',
    ].join('\n');
    expect(rows(scanTexts({ '.circleci/config.yml': config }).references)).toEqual([
      [5, 'registry.example.test/ci/node:18.16', null, 'the parameter image given to the job test, whose image << parameters.image >> (line 13) runs it'],
    ]);
  });

  it('reads the image fields and parameters a job takes through a merge key, for each job that merges them', () => {
    const config = [
      'version: 2.1',
      'service_job: &service_job',
      '  parameters:',
      '    app_image:',
      '      type: string',
      '    cache_image:',
      '      type: string',
      '      default: registry.example.test/ci/cache:7.2',
      '  docker:',
      '    - image: << parameters.app_image >>',
      '    - image: <<parameters.cache_image>>',
      '      name: cache',
      '  steps: [checkout]',
      'jobs:',
      '  unit:',
      '    <<: *service_job',
      '  smoke:',
      '    <<: [*service_job]',
      '    parameters:',
      '      app_image:',
      '        type: string',
      '        default: registry.example.test/team/app:0.9',
      '      cache_image:',
      '        type: string',
      '  docs:',
      '    <<: *service_job',
      'workflows:',
      '  checks:',
      '    jobs:',
      '      - unit:',
      '          app_image: registry.example.test/team/app:1.4.2',
      '      - smoke',
      '      - docs',
      '',
    ].join('\n');
    expect(rows(scanTexts({ '.circleci/config.yml': config }).references)).toEqual([
      [
        8,
        'registry.example.test/ci/cache:7.2',
        null,
        'the default of the parameter cache_image of the job unit: image << parameters.cache_image >> (line 11) runs it where the workflow gives no other value',
      ],
      [10, '<< parameters.app_image >>', 'templated', 'the parameter app_image of the job docs has no default or value written in this file'],
      [11, '<<parameters.cache_image>>', 'templated', 'the parameter cache_image of the job smoke has no default or value written in this file'],
      [
        22,
        'registry.example.test/team/app:0.9',
        null,
        'the default of the parameter app_image of the job smoke: image << parameters.app_image >> (line 10) runs it where the workflow gives no other value',
      ],
      [31, 'registry.example.test/team/app:1.4.2', null, 'the parameter app_image given to the job unit, whose image << parameters.app_image >> (line 10) runs it'],
    ]);
  });

  it('reads the parameters a workflow entry takes through a merge key', () => {
    const config = [
      'version: 2.1',
      'unit_settings: &unit_settings',
      '  app_image: registry.example.test/team/app:1.5.0',
      'jobs:',
      '  unit:',
      '    parameters:',
      '      app_image:',
      '        type: string',
      '    docker:',
      '      - image: << parameters.app_image >>',
      '    steps: [checkout]',
      'workflows:',
      '  checks:',
      '    jobs:',
      '      - unit:',
      '          <<: *unit_settings',
      '          name: unit-next',
      '',
    ].join('\n');
    expect(rows(scanTexts({ '.circleci/config.yml': config }).references)).toEqual([
      [3, 'registry.example.test/team/app:1.5.0', null, 'the parameter app_image given to the job unit, whose image << parameters.app_image >> (line 10) runs it'],
    ]);
  });

  it("reads a step's and a workflow entry's parameters only where an image field runs them", () => {
    const config = [
      'version: 2.1',
      'commands:',
      '  package:',
      '    parameters:',
      '      registry: {type: string}',
      '      image: {type: string}',
      '      tag: {type: string}',
      '    steps:',
      '      - run: docker build -t << parameters.registry >>/<< parameters.image >>:<< parameters.tag >> .',
      'jobs:',
      '  build:',
      '    docker:',
      '      - image: registry.example.test/ci/builder:3.2',
      '    steps:',
      '      - checkout',
      '      - package:',
      '          registry: registry.example.test',
      '          image: team/app',
      '          tag: ${CIRCLE_TAG:-latest}',
      '      - when:',
      '          condition: << pipeline.git.tag >>',
      '          steps:',
      '            - publish/push:',
      '                image: registry.example.test/team/app:2.0.0',
      '  check:',
      '    parameters:',
      '      image: {type: string, default: registry.example.test/ci/node:22.1}',
      '    docker:',
      '      - image: << parameters.image >>',
      '    steps: [checkout]',
      'workflows:',
      '  main:',
      '    jobs:',
      '      - build:',
      '          pre-steps:',
      '            - scan/image: {image: registry.example.test/team/base:1.4}',
      '      - publish/release:',
      '          image: registry.example.test/team/app:2.0.0',
      '      - check:',
      '          image: registry.example.test/ci/node:20.4',
      '',
    ].join('\n');
    expect(rows(scanTexts({ '.circleci/config.yml': config }).references)).toEqual([
      [13, 'registry.example.test/ci/builder:3.2', null, null],
      [40, 'registry.example.test/ci/node:20.4', null, 'the parameter image given to the job check, whose image << parameters.image >> (line 29) runs it'],
    ]);
  });
});
