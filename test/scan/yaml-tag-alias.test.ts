import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { applyEdits } from '../../src/core/text-edit.js';
import { mergeEdits } from '../../src/core/verify-edits.js';
import { editsForReference } from '../../src/plan/edits-for-reference.js';
import { scanTexts } from '../support/scan-texts.js';

const RELEASE = [
  'apiVersion: helm.toolkit.fluxcd.io/v2',
  'kind: HelmRelease',
  'metadata:',
  '  name: recorder',
  'spec:',
  '  values:',
  '    controllers:',
  '      main:',
  '        containers:',
  '          app:',
  '            image:',
  '              repository: registry.example.test/media/recorder',
  '              tag: &recorder-tag 3.4.1',
  '        initContainers:',
  '          migrate:',
  '            image:',
  '              repository: registry.example.test/media/recorder',
  '              tag: *recorder-tag',
  '          odd:',
  '            image:',
  '              repository: registry.example.test/media/odd',
  '              tag: *shared',
  '    shared: &shared {pinned: true}',
  '',
].join('\n');

describe('A split image whose tag is a YAML alias', () => {
  it('takes the tag its anchor names, edited where the anchor writes it', () => {
    const references = scanTexts({ 'apps/recorder.yaml': RELEASE }).references;
    expect(
      references.map((reference) => [reference.line, reference.value, reference.kind, reference.skip, reference.detail ?? null, reference.spans.map((span) => [span.role, span.text, span.line])]),
    ).toEqual([
      [
        12,
        'registry.example.test/media/recorder:3.4.1',
        'helm-values',
        null,
        null,
        [
          ['repository', 'registry.example.test/media/recorder', 12],
          ['tag', '3.4.1', 13],
        ],
      ],
      [
        17,
        'registry.example.test/media/recorder:3.4.1',
        'helm-values',
        null,
        'the tag is the anchor &recorder-tag (line 13), edited there',
        [
          ['repository', 'registry.example.test/media/recorder', 17],
          ['tag', '3.4.1', 13],
        ],
      ],
    ]);
    const plans = references.map((reference) => editsForReference(reference, { tag: '3.5.0', digest: null }));
    const edits = plans.flatMap((plan) => (plan.ok ? plan.edits : []));
    const merged = mergeEdits(edits);
    if (typeof merged === 'string') throw new Error(merged);
    expect(merged.map((edit) => [edit.expected, edit.replacement])).toEqual([['3.4.1', '3.5.0']]);
    const bytes = sourceFile('apps/recorder.yaml', Buffer.from(RELEASE)).bytes;
    expect(Buffer.from(applyEdits(bytes, merged)).toString('latin1')).toBe(RELEASE.replace('&recorder-tag 3.4.1', '&recorder-tag 3.5.0'));
  });

  it('reads an alias in a values file and for an imageTag sibling', () => {
    const values = [
      'versions:',
      '  agent: &agent "2.0.7"',
      'agent:',
      '  image:',
      '    repository: example/agent',
      '    tag: *agent',
      'probe:',
      '  image: example/probe',
      '  imageTag: *agent',
      '',
    ].join('\n');
    expect(
      scanTexts({ 'charts/agent/values.yaml': values }).references.map((reference) => [reference.line, reference.value, reference.skip, reference.spans.map((span) => [span.role, span.line])]),
    ).toEqual([
      [
        5,
        'example/agent:2.0.7',
        null,
        [
          ['repository', 5],
          ['tag', 2],
        ],
      ],
      [
        8,
        'example/probe:2.0.7',
        null,
        [
          ['repository', 8],
          ['tag', 2],
        ],
      ],
    ]);
  });
});
