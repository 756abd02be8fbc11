/** A double-quoted YAML image continued on the next line with a backslash, which YAML joins without the break and the indentation. */
import { describe, expect, it } from 'vitest';
import { applyEdits } from '../../src/core/text-edit.js';
import { editsForReference } from '../../src/plan/edits-for-reference.js';
import { scanTexts } from '../support/scan-texts.js';

const hex = (digit: string) => digit.repeat(64);

const pipeline = [
  'apiVersion: tekton.dev/v1', // 1
  'kind: Pipeline', // 2
  'metadata:', // 3
  '  name: release', // 4
  'spec:', // 5
  '  tasks:', // 6
  '    - name: find-author', // 7
  '      taskRef:', // 8
  '        name: run-kubectl', // 9
  '      params:', // 10
  '        - name: image', // 11
  '          value: "registry.example.test/tools/kubectl\\', // 12
  `            @sha256:${hex('a')}"`, // 13
  '        - name: helper-image', // 14
  '          value: "registry.example.test/tools/helper:2.4\\', // 15
  `            @sha256:${hex('b')}"`, // 16
  '',
].join('\n');

const pod = [
  'apiVersion: v1', // 1
  'kind: Pod', // 2
  'metadata: {name: tools}', // 3
  'spec:', // 4
  '  containers:', // 5
  '    - name: split-tag', // 6
  '      image: "registry.example.test/tools/split\\', // 7
  '        :1.0"', // 8
  '    - name: escaped', // 9
  '      image: "registry.example.test/tools/esc\\', // 10
  '        \\x3a1.0"', // 11
  '',
].join('\n');

const rows = (files: Record<string, string>) =>
  scanTexts(files).references.map((reference) => [reference.line, reference.value, reference.kind, reference.skip, reference.spans.map((span) => [span.role, span.line, span.text])]);

describe('a double-quoted image continued with a backslash at the end of a line', () => {
  it('is the joined value, reported at its first line, its name with the tag and its digest each where written', () => {
    expect(rows({ 'pipelines/release.yaml': pipeline })).toEqual([
      [
        12,
        `registry.example.test/tools/kubectl@sha256:${hex('a')}`,
        'kubernetes-image',
        null,
        [
          ['repository', 12, 'registry.example.test/tools/kubectl'],
          ['digest', 13, `sha256:${hex('a')}`],
        ],
      ],
      [
        15,
        `registry.example.test/tools/helper:2.4@sha256:${hex('b')}`,
        'kubernetes-image',
        null,
        [
          ['repository', 15, 'registry.example.test/tools/helper'],
          ['tag', 15, '2.4'],
          ['digest', 16, `sha256:${hex('b')}`],
        ],
      ],
    ]);
  });

  it('is updated byte for byte inside the string, and reads back as the new image', () => {
    const [, helper] = scanTexts({ 'pipelines/release.yaml': pipeline }).references;
    if (!helper) throw new Error('no reference at line 15');
    const plan = editsForReference(helper, { tag: '2.5', digest: `sha256:${hex('c')}` });
    if (!plan.ok) throw new Error(plan.reason);
    const edited = Buffer.from(applyEdits(Buffer.from(pipeline, 'utf8'), plan.edits)).toString('utf8');
    expect(edited).toBe(pipeline.replace('helper:2.4\\', 'helper:2.5\\').replace(`@sha256:${hex('b')}`, `@sha256:${hex('c')}`));
    expect(rows({ 'pipelines/release.yaml': edited })[1]?.[1]).toBe(`registry.example.test/tools/helper:2.5@sha256:${hex('c')}`);
  });

  it('is shown, not edited, when a line breaks the name from its tag or the string holds another escape', () => {
    expect(rows({ 'deploy/pod.yaml': pod }).map(([line, value, , skip]) => [line, value, skip])).toEqual([
      [7, 'registry.example.test/tools/split:1.0', 'unsupported-quoting'],
      [10, 'registry.example.test/tools/esc:1.0', 'unsupported-quoting'],
    ]);
  });
});
