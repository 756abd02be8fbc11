import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readTree } from '../../src/cli/read-tree.js';
import { formatImageRef } from '../../src/core/image-ref.js';
import { sourceFile, type SourceFile } from '../../src/core/source-file.js';
import { applyEdits, type TextEdit } from '../../src/core/text-edit.js';
import type { Reference } from '../../src/core/types.js';
import { scanFiles } from '../../src/scan/scan-files.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures');
const formats = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(path.join(FIXTURES, entry.name, 'expected.json')))
  .map((entry) => entry.name);

const tagArbitrary = fc.array(fc.integer({ min: 0, max: 999 }), { minLength: 1, maxLength: 3 }).map((parts) => parts.join('.'));
const digestArbitrary = fc.stringMatching(/^[a-f0-9]{64}$/).map((hex) => `sha256:${hex}`);

/** Edits that give `reference` the new tag (and digest where it has a place for one); null when it has no literal tag. */
function rewrite(reference: Reference, tag: string, digest: string): { edits: TextEdit[]; tag: string; digest: string | null } | null {
  const image = reference.image!;
  const oldTag = image.tag;
  if (oldTag === null) return null;
  const edits: TextEdit[] = [];
  let newDigest: string | null = image.digest;
  for (const span of reference.spans) {
    // A span in another file (a variable's literal where the variable is declared) is edited there.
    const at = span.file === undefined ? {} : { file: span.file };
    if (span.role === 'reference') {
      newDigest = image.digest === null ? null : digest;
      const replacement = formatImageRef(reference.name!, tag, newDigest);
      edits.push({ ...at, start: span.start, end: span.end, expected: span.text, replacement });
    } else if (span.role === 'tag') {
      edits.push({ ...at, start: span.start, end: span.end, expected: span.text, replacement: tag });
    } else if (span.role === 'digest') {
      newDigest = digest;
      const value = span.form === 'hex' ? digest.slice(7) : digest;
      edits.push({ ...at, start: span.start, end: span.end, expected: span.text, replacement: span.prefix === undefined ? value : `${span.prefix}${value}` });
    } else if (span.role === 'variable') {
      // The variable holds the tag (or part of it), or a whole reference that contains the tag.
      if (span.text.includes(oldTag)) {
        edits.push({ ...at, start: span.start, end: span.end, expected: span.text, replacement: span.text.replace(oldTag, tag) });
      } else if (oldTag.includes(span.text) && oldTag.split(span.text).length === 2) {
        edits.push({ ...at, start: span.start, end: span.end, expected: span.text, replacement: tag });
        return { edits, tag: oldTag.replace(span.text, tag), digest: image.digest };
      } else if (image.repository.endsWith(span.text) || span.text.endsWith(image.repository)) {
        // A variable that holds the name, not the tag, stays as it is.
        continue;
      } else {
        return null;
      }
    }
  }
  return edits.length ? { edits, tag, digest: newDigest } : null;
}

describe('property: rewriting a reference changes only its spans, and a re-scan finds it at the same place', () => {
  for (const format of formats) {
    it(
      format,
      async () => {
        const tree = await readTree(path.join(FIXTURES, format));
        const byPath = new Map(tree.files.map((file) => [file.path, file]));
        const { references } = scanFiles(tree.files);
        const updatable = references.filter((reference) => reference.skip === null && reference.image?.tag);
        if (updatable.length === 0) return;
        fc.assert(
          fc.property(fc.constantFrom(...updatable), tagArbitrary, digestArbitrary, (reference, tag, digest) => {
            const plan = rewrite(reference, tag, digest);
            if (!plan) return;
            const editedFiles = new Map<string, Uint8Array>();
            for (const name of new Set(plan.edits.map((edit) => edit.file ?? reference.file))) {
              const original = byPath.get(name)!;
              const own = plan.edits.filter((edit) => (edit.file ?? reference.file) === name);
              const edited = applyEdits(original.bytes, own);
              assertOnlySpansChanged(original, edited, own);
              editedFiles.set(name, edited);
            }
            const files: SourceFile[] = tree.files.map((file) => {
              const edited = editedFiles.get(file.path);
              return edited ? sourceFile(file.path, edited) : file;
            });
            const rescanned = scanFiles(files).references.filter((other) => other.file === reference.file);
            const found = rescanned.find((other) => other.line === reference.line && other.column === reference.column && other.kind === reference.kind);
            expect(found, `${reference.file}:${reference.line}:${reference.column} after rewrite`).toBeDefined();
            expect(found!.image?.tag).toBe(plan.tag);
            expect(found!.image?.digest).toBe(plan.digest);
            expect(found!.image?.repository).toBe(reference.image!.repository);
            expect(rescanned.length).toBe(references.filter((other) => other.file === reference.file).length);
          }),
          { numRuns: Math.min(200, updatable.length * 10), seed: 20261122 },
        );
        // Each run re-scans the whole fixture tree (cross-file formats need it): CPU-bound, so the bound is generous.
      },
      180_000,
    );
  }
});

function assertOnlySpansChanged(original: SourceFile, edited: Uint8Array, edits: readonly TextEdit[]): void {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  let originalCursor = 0;
  let editedCursor = 0;
  const before = Buffer.from(original.bytes);
  const after = Buffer.from(edited);
  for (const edit of sorted) {
    const unchanged = edit.start - originalCursor;
    expect(after.subarray(editedCursor, editedCursor + unchanged).equals(before.subarray(originalCursor, edit.start))).toBe(true);
    editedCursor += unchanged + edit.replacement.length;
    originalCursor = edit.end;
  }
  expect(after.subarray(editedCursor).equals(before.subarray(originalCursor))).toBe(true);
}
