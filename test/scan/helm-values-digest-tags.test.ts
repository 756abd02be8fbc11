import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const HEX = 'e'.repeat(64);

const scan = (files: Record<string, string>) =>
  scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip, reference.spans.map((span) => [span.role, span.line, span.text])]);

describe('a values map whose tag holds a whole digest', () => {
  it('is the name with that digest, the digest edited in the tag field', () => {
    expect(
      scan({
        'charts/cleaner/values.yaml': [
          'pruner:',
          '  image:',
          '    repository: registry.example.test/tools/pruner',
          `    tag: "sha256:${HEX}"`,
          'agent:',
          '  image:',
          '    registry: registry.example.test',
          '    repository: tools/agent',
          `    tag: sha256:${HEX}`,
          '',
        ].join('\n'),
      }),
    ).toEqual([
      [
        'charts/cleaner/values.yaml',
        3,
        `registry.example.test/tools/pruner@sha256:${HEX}`,
        'helm-values',
        null,
        [
          ['repository', 3, 'registry.example.test/tools/pruner'],
          ['digest', 4, `sha256:${HEX}`],
        ],
      ],
      [
        'charts/cleaner/values.yaml',
        8,
        `registry.example.test/tools/agent@sha256:${HEX}`,
        'helm-values',
        null,
        [
          ['registry', 7, 'registry.example.test'],
          ['repository', 8, 'tools/agent'],
          ['digest', 9, `sha256:${HEX}`],
        ],
      ],
    ]);
  });

  it('keeps a tag that is not a whole digest, and a digest field beside the tag, as before', () => {
    expect(
      scan({
        'charts/cleaner/values.yaml': [
          'short:',
          '  image:',
          '    repository: registry.example.test/tools/short',
          '    tag: "sha256:0123abcd"',
          'both:',
          '  image:',
          '    repository: registry.example.test/tools/both',
          '    tag: "1.4.0"',
          `    digest: sha256:${HEX}`,
          '',
        ].join('\n'),
      }).map(([file, line, value, kind, skip]) => [file, line, value, kind, skip]),
    ).toEqual([
      ['charts/cleaner/values.yaml', 3, 'registry.example.test/tools/short:sha256:0123abcd', 'helm-values', 'invalid-reference'],
      ['charts/cleaner/values.yaml', 7, `registry.example.test/tools/both:1.4.0@sha256:${HEX}`, 'helm-values', null],
    ]);
  });
});
