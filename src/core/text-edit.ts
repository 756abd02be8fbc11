import { ArchpinError } from './errors.js';

/** Replace bytes `[start, end)` — which must still hold `expected` — by `replacement`. */
export interface TextEdit {
  /** The file the edit applies to, when it is not the file of the reference it updates. */
  readonly file?: string;
  readonly start: number;
  readonly end: number;
  readonly expected: string;
  readonly replacement: string;
}

/**
 * Applies edits to a file's bytes. Every edit's span must still hold its expected text and no two
 * edits may overlap; otherwise nothing is changed and an `edit-conflict` error says which span.
 * Everything outside the spans stays byte-identical. Texts are ASCII/latin1 (one byte per char).
 */
export function applyEdits(bytes: Uint8Array, edits: readonly TextEdit[]): Uint8Array {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let previousEnd = -1;
  for (const edit of sorted) {
    if (edit.start < 0 || edit.end > buffer.length || edit.start > edit.end) {
      throw new ArchpinError('edit-conflict', `span ${edit.start}-${edit.end} lies outside the file (${buffer.length} bytes)`);
    }
    if (edit.start < previousEnd) {
      throw new ArchpinError('edit-conflict', `edits overlap at byte ${edit.start}`);
    }
    const actual = buffer.toString('latin1', edit.start, edit.end);
    if (actual !== edit.expected) {
      throw new ArchpinError('edit-conflict', `bytes ${edit.start}-${edit.end} hold ${JSON.stringify(actual)}, expected ${JSON.stringify(edit.expected)}: the file changed since it was scanned`);
    }
    previousEnd = edit.end;
  }
  const parts: Buffer[] = [];
  let cursor = 0;
  for (const edit of sorted) {
    parts.push(buffer.subarray(cursor, edit.start), Buffer.from(edit.replacement, 'latin1'));
    cursor = edit.end;
  }
  parts.push(buffer.subarray(cursor));
  return new Uint8Array(Buffer.concat(parts));
}
