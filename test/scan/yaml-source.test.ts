import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { scanFiles } from '../../src/scan/scan-files.js';
import { CHUNK_THRESHOLD, relevantDocumentRanges, yamlSource } from '../../src/scan/yaml-source.js';

const crd = (i: number) =>
  `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: w${i}.example.com\nspec:\n  versions:\n${Array.from({ length: 40 }, (_, k) => `    - description: container image for part ${k}\n      name: v${k}`).join('\n')}\n`;

describe('large YAML streams are parsed one relevant document at a time', () => {
  const documents = [
    ...Array.from({ length: 60 }, (_, i) => crd(i)),
    'apiVersion: v1\nkind: ConfigMap\ndata: {a: b}\n',
    'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: "nginx:1.25.3"\n',
  ];
  const text = `\uFEFF${documents.join('---\n')}`;
  const bytes = Buffer.from(text, 'utf8');

  it('skips CustomResourceDefinitions and documents that mention no image', () => {
    expect(bytes.length).toBeGreaterThan(CHUNK_THRESHOLD);
    const file = sourceFile('bundle.yaml', new Uint8Array(bytes));
    const ranges = relevantDocumentRanges(file.text);
    expect(ranges.length).toBe(1);
    expect(file.text.slice(ranges[0]![0], ranges[0]![0] + 20)).toBe('\napiVersion: v1\nkind');
    expect(yamlSource(file).documents.length).toBe(1);
  });

  it('keeps exact lines, columns and byte spans for what it parses', () => {
    const { references } = scanFiles([sourceFile('bundle.yaml', new Uint8Array(bytes))]);
    const line = text.split('\n').findIndex((row) => row.includes('nginx:1.25.3')) + 1;
    expect(references.map((ref) => [ref.line, ref.column, ref.value, ref.kind])).toEqual([[line, 15, 'nginx:1.25.3', 'kubernetes-container']]);
    const span = references[0]!.spans[0]!;
    expect(bytes.subarray(span.start, span.end).toString('latin1')).toBe('nginx:1.25.3');
  });

  it('reports a parse error in a relevant document with its file line', () => {
    const broken = `${'# filler\n'.repeat(8000)}---\nimage: [unclosed\n---\nimage: nginx:1.0\n`;
    const file = sourceFile('values.yaml', new Uint8Array(Buffer.from(broken)));
    const source = yamlSource(file);
    expect(source.problems.map((problem) => [problem.line, problem.code])).toEqual([[8003, 'parse-error']]);
    expect(source.documents.length).toBe(1);
  });
});
