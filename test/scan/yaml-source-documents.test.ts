import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { yamlSource } from '../../src/scan/yaml-source.js';

const file = (path: string, text: string) => sourceFile(path, new Uint8Array(Buffer.from(text)));

/** A stream over 64 KiB: documents that name files, and one that names an image. */
const LARGE = [
  ...Array.from({ length: 1000 }, (_, index) => `kind: Check\nname: check-${index}\nfiles: [input-${index}.yaml, output-${index}.yaml]\n`),
  'kind: Pod\nspec:\n  containers:\n    - image: registry.example.test/team/web:1.0.0\n',
].join('---\n');

describe('the shared YAML source', () => {
  it('parses a large stream in the documents that mention an image, or in every document when asked', () => {
    expect(LARGE.length).toBeGreaterThan(64 * 1024);
    const large = file('checks.yaml', LARGE);
    expect(yamlSource(large).documents.map((document) => (document.toJS() as { kind: string }).kind)).toEqual(['Pod']);
    const every = yamlSource(large, { allDocuments: true }).documents;
    expect(every.length).toBe(1001);
    expect(every[0]?.toJS()).toEqual({ kind: 'Check', name: 'check-0', files: ['input-0.yaml', 'output-0.yaml'] });
    // Each reading is kept for the file: asking again gives the same documents.
    expect(yamlSource(large, { allDocuments: true }).documents).toBe(every);
    expect(yamlSource(large).documents).toHaveLength(1);
  });

  it('parses a small text whole either way', () => {
    const small = file('checks.yaml', 'kind: Check\nname: one\n---\nkind: Check\nname: two\n');
    expect(yamlSource(small, { allDocuments: true }).documents).toBe(yamlSource(small).documents);
    expect(yamlSource(small).documents).toHaveLength(2);
  });
});
