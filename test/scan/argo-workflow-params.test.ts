import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { applyEdits } from '../../src/core/text-edit.js';
import type { Reference } from '../../src/core/types.js';
import { editsForReference } from '../../src/plan/edits-for-reference.js';
import { scanTexts } from '../support/scan-texts.js';

const lines = (...text: string[]) => `${text.join('\n')}\n`;
const show = (references: readonly Reference[]) =>
  references.map((reference) => [reference.line, reference.column, reference.value, reference.skip, reference.spans.map((span) => `${span.role} ${span.text} ${span.line}`)]);
const digest = `sha256:${'ab'.repeat(32)}`;

const MATRIX = lines(
  'apiVersion: argoproj.io/v1alpha1', // 1
  'kind: Workflow', // 2
  'metadata:', // 3
  '  generateName: os-matrix-', // 4
  'spec:', // 5
  '  entrypoint: fan-out', // 6
  '  templates:', // 7
  '  - name: fan-out', // 8
  '    steps:', // 9
  '    - - name: probe', // 10
  '        template: probe-os', // 11
  '        arguments:', // 12
  '          parameters:', // 13
  '          - name: image', // 14
  '            value: "{{item.image}}"', // 15
  '          - name: tag', // 16
  '            value: "{{item.tag}}"', // 17
  '        withItems:', // 18
  "        - { image: 'registry.example.test/base/debian', tag: '12.7' }", // 19
  '        - { image: registry.example.test/base/alpine, tag: 3.20 }', // 20
  '        - { image: registry.example.test/base/fedora, tag: 41 }', // 21
  '  - name: probe-os', // 22
  '    inputs:', // 23
  '      parameters:', // 24
  '      - name: image', // 25
  '      - name: tag', // 26
  '    container:', // 27
  '      image: "{{inputs.parameters.image}}:{{inputs.parameters.tag}}"', // 28
  '      command: [uname, -a]', // 29
);

describe('Argo Workflows images made of template inputs', () => {
  it('reports each loop item a caller lists, name and tag together, and not the use', () => {
    const { references } = scanTexts({ 'flows/matrix.yaml': MATRIX });
    expect(show(references)).toEqual([
      [19, 21, 'registry.example.test/base/debian:12.7', null, ['repository registry.example.test/base/debian 19', 'tag 12.7 19']],
      // `3.20` is a number to YAML, which Argo passes on as 3.2, not the text written: this item's tag is not read, and the use stays.
      [20, 20, 'registry.example.test/base/alpine', 'no-tag', ['reference registry.example.test/base/alpine 20']],
      [21, 20, 'registry.example.test/base/fedora:41', null, ['repository registry.example.test/base/fedora 21', 'tag 41 21']],
      [28, 15, '{{inputs.parameters.image}}:{{inputs.parameters.tag}}', 'templated', ['reference {{inputs.parameters.image}}:{{inputs.parameters.tag}} 28']],
    ]);
    expect(references[0]?.detail).toBe('the image {{inputs.parameters.image}}:{{inputs.parameters.tag}} of template probe-os (line 28) runs it');
  });

  it('leaves the use out when every value is read, and edits a tag where its item writes it', () => {
    const text = MATRIX.replace('tag: 3.20 }', "tag: '3.20' }");
    const { references } = scanTexts({ 'flows/matrix.yaml': text });
    expect(references.map((reference) => [reference.line, reference.value, reference.skip])).toEqual([
      [19, 'registry.example.test/base/debian:12.7', null],
      [20, 'registry.example.test/base/alpine:3.20', null],
      [21, 'registry.example.test/base/fedora:41', null],
    ]);
    const alpine = references[1];
    if (!alpine) throw new Error('no alpine');
    const plan = editsForReference(alpine, { tag: '3.21', digest });
    if (!plan.ok) throw new Error(plan.reason);
    expect([plan.value, plan.pinned, plan.unpinned]).toEqual([
      'registry.example.test/base/alpine:3.21',
      false,
      'digests are not pinned in split image fields without a digest field: there is no field for one',
    ]);
    const bytes = sourceFile('flows/matrix.yaml', Buffer.from(text)).bytes;
    expect(Buffer.from(applyEdits(bytes, plan.edits)).toString('latin1')).toBe(text.replace("tag: '3.20' }", "tag: '3.21' }"));
  });

  it('follows a value through a DAG task, the caller’s own input and the workflow arguments, and pins a whole reference', () => {
    const text = lines(
      'apiVersion: argoproj.io/v1alpha1', // 1
      'kind: WorkflowTemplate', // 2
      'metadata:', // 3
      '  name: nightly-checks', // 4
      'spec:', // 5
      '  entrypoint: main', // 6
      '  arguments:', // 7
      '    parameters:', // 8
      '    - name: toolbox', // 9
      '      value: registry.example.test/ci/toolbox:2.3.0', // 10
      '  templates:', // 11
      '  - name: main', // 12
      '    inputs:', // 13
      '      parameters:', // 14
      '      - name: toolbox', // 15
      '    dag:', // 16
      '      tasks:', // 17
      '      - name: lint', // 18
      '        template: run', // 19
      '        arguments:', // 20
      '          parameters:', // 21
      '          - name: runner', // 22
      '            value: "{{inputs.parameters.toolbox}}"', // 23
      '      - name: distro', // 24
      '        template: run', // 25
      '        arguments:', // 26
      '          parameters:', // 27
      '          - name: runner', // 28
      '            value: "{{item.os}}:{{item.release}}"', // 29
      '        withItems:', // 30
      '        - os: registry.example.test/base/rocky', // 31
      "          release: '9.4'", // 32
      '  - name: run', // 33
      '    inputs:', // 34
      '      parameters:', // 35
      '      - name: runner', // 36
      '    script:', // 37
      '      image: "{{inputs.parameters.runner}}"', // 38
      '      source: make check', // 39
    );
    const { references } = scanTexts({ 'flows/nightly.yaml': text });
    expect(show(references)).toEqual([
      [10, 14, 'registry.example.test/ci/toolbox:2.3.0', null, ['reference registry.example.test/ci/toolbox:2.3.0 10']],
      [31, 15, 'registry.example.test/base/rocky:9.4', null, ['repository registry.example.test/base/rocky 31', 'tag 9.4 32']],
    ]);
    const toolbox = references[0];
    if (!toolbox) throw new Error('no toolbox');
    const plan = editsForReference(toolbox, { tag: '2.4.0', digest });
    if (!plan.ok) throw new Error(plan.reason);
    const bytes = sourceFile('flows/nightly.yaml', Buffer.from(text)).bytes;
    expect(Buffer.from(applyEdits(bytes, plan.edits)).toString('latin1')).toBe(
      text.replace('value: registry.example.test/ci/toolbox:2.3.0', `value: registry.example.test/ci/toolbox:2.4.0@${digest}`),
    );
  });

  it('reads a withParam list written as JSON in the file, and keeps the use of values it cannot list', () => {
    const text = lines(
      'apiVersion: argoproj.io/v1alpha1', // 1
      'kind: CronWorkflow', // 2
      'metadata:', // 3
      '  name: sweep', // 4
      'spec:', // 5
      '  schedule: "0 3 * * *"', // 6
      '  workflowSpec:', // 7
      '    entrypoint: sweep', // 8
      '    arguments:', // 9
      '      parameters:', // 10
      '      - name: targets', // 11
      '        value: |', // 12
      '          [{"ref": "registry.example.test/tools/scan:1.8.2"},', // 13
      '           {"ref": "registry.example.test/tools/lint:0.9.0"}]', // 14
      '    templates:', // 15
      '    - name: sweep', // 16
      '      steps:', // 17
      '      - - name: each', // 18
      '          template: check', // 19
      '          arguments:', // 20
      '            parameters: [{name: tool, value: "{{item.ref}}"}]', // 21
      '          withParam: "{{workflow.parameters.targets}}"', // 22
      '      - - name: later', // 23
      '          template: check', // 24
      '          arguments:', // 25
      '            parameters: [{name: tool, value: "{{item}}"}]', // 26
      '          withParam: "{{steps.each.outputs.result}}"', // 27
      '    - name: check', // 28
      '      inputs:', // 29
      '        parameters:', // 30
      '        - name: tool', // 31
      '      container:', // 32
      '        image: "{{inputs.parameters.tool}}"', // 33
      '    - name: orphan', // 34
      '      inputs:', // 35
      '        parameters:', // 36
      '        - name: base', // 37
      '          default: registry.example.test/base/ubi:9.5', // 38
      '        - name: given', // 39
      '      containers:', // 40
      '      - name: main', // 41
      '        image: "{{inputs.parameters.base}}"', // 42
      '      - name: other', // 43
      '        image: "{{inputs.parameters.given}}"', // 44
    );
    const { references } = scanTexts({ 'flows/sweep.yaml': text });
    expect(show(references)).toEqual([
      [13, 21, 'registry.example.test/tools/scan:1.8.2', null, ['reference registry.example.test/tools/scan:1.8.2 13']],
      [14, 21, 'registry.example.test/tools/lint:0.9.0', null, ['reference registry.example.test/tools/lint:0.9.0 14']],
      [33, 17, '{{inputs.parameters.tool}}', 'templated', ['reference {{inputs.parameters.tool}} 33']],
      [38, 20, 'registry.example.test/base/ubi:9.5', null, ['reference registry.example.test/base/ubi:9.5 38']],
      [44, 17, '{{inputs.parameters.given}}', 'templated', ['reference {{inputs.parameters.given}} 44']],
    ]);
  });

  it('reads nothing more in a manifest of another kind that writes the same actions', () => {
    const text = lines(
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: web',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '      - name: web',
      '        image: "{{inputs.parameters.image}}"',
      '        env:',
      '        - name: items',
      '          value: "{{item.image}}"',
    );
    expect(show(scanTexts({ 'deploy/web.yaml': text }).references)).toEqual([[10, 17, '{{inputs.parameters.image}}', 'templated', ['reference {{inputs.parameters.image}} 10']]]);
  });

  it('stops following calls past a bound, and keeps the use without the values it found', () => {
    // One caller gives a value; 1,100 more pass a step's output, which is not known here. Past 1,024 calls the use is
    // read no further: none of its values is reported, and it stays templated.
    const callers = (count: number): string[] =>
      Array.from({ length: count }, (_, index) => [
        `    - - name: probe-${index}`,
        '        template: probe',
        '        arguments:',
        '          parameters:',
        '          - name: target',
        index === 0 ? '            value: registry.example.test/base/debian:12.7' : '            value: "{{steps.pick.outputs.result}}"',
      ]).flat();
    const flow = (count: number): string =>
      lines(
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Workflow',
        'metadata:',
        '  generateName: many-',
        'spec:',
        '  entrypoint: main',
        '  templates:',
        '  - name: main',
        '    steps:',
        ...callers(count),
        '  - name: probe',
        '    inputs:',
        '      parameters:',
        '      - name: target',
        '    container:',
        '      image: "{{inputs.parameters.target}}"',
      );
    const few = scanTexts({ 'flows/few.yaml': flow(10) }).references;
    expect(few.map((reference) => [reference.line, reference.value, reference.skip])).toEqual([
      [15, 'registry.example.test/base/debian:12.7', null],
      [75, '{{inputs.parameters.target}}', 'templated'],
    ]);
    const many = scanTexts({ 'flows/many.yaml': flow(1100) }).references;
    expect(many.map((reference) => [reference.line, reference.value, reference.skip])).toEqual([[6615, '{{inputs.parameters.target}}', 'templated']]);
  });
});
