/** ansible-builder execution environment definitions: the images the Containerfile it writes is built from. */
import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const rows = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

const definition = (version: string, base = '"registry.example.test/automation/ee-base:2.15"') =>
  [
    `version: ${version}`,
    '',
    'build_arg_defaults:',
    `  EE_BASE_IMAGE: ${base}`,
    '  EE_BUILDER_IMAGE: registry.example.test/automation/ee-builder:1.4',
    '  ANSIBLE_GALAXY_CLI_COLLECTION_OPTS: "--pre"',
    '',
    'dependencies:',
    '  galaxy: requirements.yml',
    '  python: requirements.txt',
    '',
    'additional_build_steps:',
    '  append:',
    '    - RUN echo done',
    '',
  ].join('\n');

describe('ansible-builder execution environment, formats 1 and 2', () => {
  it('reports EE_BASE_IMAGE and EE_BUILDER_IMAGE of build_arg_defaults where they are written', () => {
    expect(rows({ 'builder/execution-environment.yml': definition('1'), 'ee/minimal-ee.yaml': definition('2') })).toEqual([
      ['builder/execution-environment.yml', 4, 'registry.example.test/automation/ee-base:2.15', 'yaml-image', null],
      ['builder/execution-environment.yml', 5, 'registry.example.test/automation/ee-builder:1.4', 'yaml-image', null],
      ['ee/minimal-ee.yaml', 4, 'registry.example.test/automation/ee-base:2.15', 'yaml-image', null],
      ['ee/minimal-ee.yaml', 5, 'registry.example.test/automation/ee-builder:1.4', 'yaml-image', null],
    ]);
  });

  it('names the build argument in the detail', () => {
    const [base] = scanTexts({ 'execution-environment.yml': definition('1') }).references;
    expect(base?.detail).toBe('the base image ansible-builder builds the execution environment from (EE_BASE_IMAGE)');
  });

  it('does not read the same keys in a file that is not a definition, nor other build arguments', () => {
    expect(
      rows({
        'vars/build.yml': ['build_arg_defaults:', '  EE_BASE_IMAGE: registry.example.test/automation/ee-base:2.15', 'deploy_hosts: [a, b]', ''].join('\n'),
        'execution-environment.yml': ['version: 1', 'build_arg_defaults:', '  ANSIBLE_GALAXY_CLI_COLLECTION_OPTS: "--pre"', ''].join('\n'),
      }),
    ).toEqual([]);
  });
});
