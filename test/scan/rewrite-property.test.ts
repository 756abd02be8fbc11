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

/** A tag of one, two or three numbers: `7` and `1.2` are numbers to YAML and must be written as strings, `1.2.3` is not. */
const tagArbitrary = (parts: number) => fc.array(fc.integer({ min: 0, max: 999 }), { minLength: parts, maxLength: parts }).map((numbers) => numbers.join('.'));
const digestArbitrary = fc.stringMatching(/^[a-f0-9]{64}$/).map((hex) => `sha256:${hex}`);
const TAG_PARTS = [1, 2, 3] as const;

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
        // Every reference with every shape of tag, each with generated numbers and digest: each check re-scans
        // the whole fixture tree (cross-file formats need it), so no reference is drawn twice for one shape.
        for (const [index, reference] of updatable.entries()) {
          for (const parts of TAG_PARTS) {
            const [generated] = fc.sample(fc.tuple(tagArbitrary(parts), digestArbitrary), { numRuns: 1, seed: 20261122 + index * TAG_PARTS.length + parts });
            const [tag, digest] = generated!;
            const plan = rewrite(reference, tag, digest);
            if (!plan) continue;
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
            const where = `${reference.file}:${reference.line}:${reference.column} after rewrite to ${tag}`;
            const found = rescanned.find((other) => other.line === reference.line && other.column === reference.column && other.kind === reference.kind);
            expect(found, where).toBeDefined();
            expect(found!.image?.tag, where).toBe(plan.tag);
            expect(found!.image?.digest, where).toBe(plan.digest);
            expect(found!.image?.repository, where).toBe(reference.image!.repository);
            expect(rescanned.length, where).toBe(references.filter((other) => other.file === reference.file).length);
          }
        }
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
