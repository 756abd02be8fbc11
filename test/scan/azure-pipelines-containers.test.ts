import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { applyEdits } from '../../src/core/text-edit.js';
import { editsForReference } from '../../src/plan/edits-for-reference.js';
import { scanTexts } from '../support/scan-texts.js';

const lines = (...text: string[]) => `${text.join('\n')}\n`;
const rows = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.column, reference.value, reference.kind, reference.skip]);
const digest = `sha256:${'cd'.repeat(32)}`;

describe('Azure Pipelines job containers', () => {
  it("reports the image a job's `container` string names, not a container resource's alias", () => {
    const pipeline = lines(
      'trigger:', // 1
      '- main', // 2
      'resources:', // 3
      '  containers:', // 4
      '  - container: builder', // 5
      '    image: registry.example.test/ci/builder:3.2', // 6
      'jobs:', // 7
      '- job: unit', // 8
      '  pool:', // 9
      '    vmImage: ubuntu-24.04', // 10
      '  container: registry.example.test/ci/runner:1.8.0', // 11
      '  steps:', // 12
      '  - script: make test', // 13
      '- job: lint', // 14
      '  container: builder', // 15
      '  steps:', // 16
      '  - script: make lint', // 17
      '- deployment: site', // 18
      '  environment: staging', // 19
      '  container: registry.example.test/ci/deployer', // 20
    );
    expect(rows({ 'ci/pipelines/build.yml': pipeline })).toEqual([
      ['ci/pipelines/build.yml', 6, 12, 'registry.example.test/ci/builder:3.2', 'yaml-image', null],
      ['ci/pipelines/build.yml', 11, 14, 'registry.example.test/ci/runner:1.8.0', 'yaml-image', null],
      ['ci/pipelines/build.yml', 20, 14, 'registry.example.test/ci/deployer', 'yaml-image', 'no-tag'],
    ]);
  });

  it('reads the jobs of a stage and a pipeline that is one job, and edits the image where it is written', () => {
    const staged = lines(
      'stages:', // 1
      '- stage: build', // 2
      '  jobs:', // 3
      '  - job: compile', // 4
      '    container: "registry.example.test/ci/compiler:5.1"', // 5
      '    steps:', // 6
      '    - script: make', // 7
    );
    const single = lines('pool:', '  vmImage: ubuntu-24.04', 'container: registry.example.test/ci/single:0.9', 'steps:', '- script: make');
    const references = scanTexts({ 'azure-pipelines.yml': single, 'pipelines/staged.yml': staged }).references;
    expect(references.map((reference) => [reference.file, reference.line, reference.column, reference.value, reference.skip])).toEqual([
      ['azure-pipelines.yml', 3, 12, 'registry.example.test/ci/single:0.9', null],
      ['pipelines/staged.yml', 5, 17, 'registry.example.test/ci/compiler:5.1', null],
    ]);
    const compiler = references[1];
    if (!compiler) throw new Error('no job container');
    const plan = editsForReference(compiler, { tag: '5.2', digest });
    if (!plan.ok) throw new Error(plan.reason);
    const bytes = sourceFile('pipelines/staged.yml', Buffer.from(staged)).bytes;
    expect(Buffer.from(applyEdits(bytes, plan.edits)).toString('latin1')).toBe(staged.replace('registry.example.test/ci/compiler:5.1', `registry.example.test/ci/compiler:5.2@${digest}`));
  });

  it('reads no container the caller gives, and no `container` key outside a job', () => {
    const template = lines(
      'parameters:', // 1
      "  container: ''", // 2
      'jobs:', // 3
      '- job: ${{ parameters.name }}', // 4
      '  container: ${{ parameters.container }}', // 5
      '  steps:', // 6
      '  - script: make', // 7
      '- job: macro', // 8
      '  container: $(runnerImage)', // 9
    );
    const other = lines('jobs:', '- name: publish', '  container: registry.example.test/ci/other:1.0');
    expect(rows({ 'pipelines/templates/job.yml': template, 'deploy/jobs.yml': other })).toEqual([]);
  });
});

describe('Azure Pipelines templates whose job runs a parameter as its container', () => {
  const template = lines(
    'parameters:', // 1
    '  name: check', // 2
    "  container: ''", // 3
    '  tools: registry.example.test/ci/tools:2.0', // 4
    'jobs:', // 5
    '- job: ${{ parameters.name }}', // 6
    "  ${{ if ne(parameters.container, '') }}:", // 7
    '    container: ${{ parameters.container }}', // 8
    '  steps:', // 9
    '  - script: make check', // 10
    '- job: tools', // 11
    '  container: ${{ parameters.tools }}', // 12
    '  steps:', // 13
    '  - script: make tools', // 14
  );

  it('reports what each call of the template gives the parameter, and a default that a call leaves in place', () => {
    const pipeline = lines(
      'jobs:', // 1
      '- template: templates/check.yml', // 2
      '  parameters:', // 3
      '    name: debian', // 4
      '    container: registry.example.test/ci/debian-deps:12', // 5
      '    tools: registry.example.test/ci/tools:2.1', // 6
      '- template: /ci/templates/check.yml@self', // 7
      '  parameters:', // 8
      '    name: plain', // 9
      '- template: templates/check.yml', // 10
      '  parameters:', // 11
      '    container: builder', // 12
    );
    const detail = (name: string) => `the parameter ${name} of ci/templates/check.yml, whose job runs it as its container (line ${name === 'container' ? 8 : 12})`;
    expect(
      scanTexts({ 'ci/build.yml': pipeline, 'ci/templates/check.yml': template }).references.map((reference) => [
        reference.file,
        reference.line,
        reference.value,
        reference.skip,
        reference.detail ?? null,
      ]),
    ).toEqual([
      ['ci/build.yml', 5, 'registry.example.test/ci/debian-deps:12', null, detail('container')],
      ['ci/build.yml', 6, 'registry.example.test/ci/tools:2.1', null, detail('tools')],
      ['ci/templates/check.yml', 4, 'registry.example.test/ci/tools:2.0', null, 'the default of the parameter tools, which the job runs as its container (line 12) when a caller gives none'],
    ]);
  });

  it('leaves out a default that every call replaces, and a template of another repository', () => {
    const pipeline = lines(
      'jobs:', // 1
      '- template: templates/check.yml', // 2
      '  parameters:', // 3
      '    tools: registry.example.test/ci/tools:2.1', // 4
      '- template: templates/check.yml@shared', // 5
      '  parameters:', // 6
      '    container: registry.example.test/ci/other:1.0', // 7
    );
    expect(rows({ 'ci/build.yml': pipeline, 'ci/templates/check.yml': template })).toEqual([['ci/build.yml', 4, 12, 'registry.example.test/ci/tools:2.1', 'yaml-image', null]]);
  });

  it("reads the default of a parameter declared in the template's list of parameters", () => {
    const declared = lines(
      'parameters:', // 1
      '- name: image', // 2
      '  type: string', // 3
      '  default: registry.example.test/ci/lint:0.4.1', // 4
      'jobs:', // 5
      '- job: lint', // 6
      '  container: ${{ parameters.image }}', // 7
    );
    expect(rows({ 'ci/lint.yml': declared })).toEqual([['ci/lint.yml', 4, 12, 'registry.example.test/ci/lint:0.4.1', 'yaml-image', null]]);
  });
});
