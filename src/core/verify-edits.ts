import { applyEdits, type TextEdit } from './text-edit.js';
import type { ImageName, Reference, ReferenceKind } from './types.js';

/** What a re-scan of the edited file must find. */
export interface ExpectedReference {
  readonly kind: ReferenceKind;
  readonly line: number;
  readonly image: ImageName;
}

export interface FileEdit {
  readonly file: string;
  readonly edits: readonly TextEdit[];
  readonly expected: readonly ExpectedReference[];
}

export type VerifiedFile = { readonly ok: true; readonly file: string; readonly bytes: Uint8Array } | { readonly ok: false; readonly file: string; readonly reason: string };

export type Rescan = (path: string, bytes: Uint8Array) => readonly Reference[];

/** Identical edits from several references (a shared variable) collapse into one; differing ones on the same span conflict. */
export function mergeEdits(edits: readonly TextEdit[]): TextEdit[] | string {
  const bySpan = new Map<string, TextEdit>();
  for (const edit of edits) {
    const key = `${edit.start}:${edit.end}`;
    const seen = bySpan.get(key);
    if (seen && seen.replacement !== edit.replacement) {
      return `two updates want bytes ${edit.start}-${edit.end} to read ${JSON.stringify(seen.replacement)} and ${JSON.stringify(edit.replacement)}`;
    }
    bySpan.set(key, edit);
  }
  return [...bySpan.values()];
}

const sameImage = (a: ImageName, b: ImageName | null): boolean => b !== null && a.registry === b.registry && a.repository === b.repository && a.tag === b.tag && a.digest === b.digest;

/**
 * Applies a file's edits in memory and re-scans the result: every expected reference must be found
 * on its line with its new image, and the file must hold as many references as before. Pure.
 */
export function verifyFileEdit(path: string, bytes: Uint8Array, change: FileEdit, before: readonly Reference[], rescan: Rescan): VerifiedFile {
  const merged = mergeEdits(change.edits);
  if (typeof merged === 'string') return { ok: false, file: path, reason: merged };
  let edited: Uint8Array;
  try {
    edited = applyEdits(bytes, merged);
  } catch (error) {
    return { ok: false, file: path, reason: (error as Error).message };
  }
  const after = rescan(path, edited);
  if (after.length !== before.length) {
    return { ok: false, file: path, reason: `re-scan found ${after.length} references where there were ${before.length}` };
  }
  for (const expected of change.expected) {
    const found = after.some((reference) => reference.kind === expected.kind && reference.line === expected.line && sameImage(expected.image, reference.image));
    if (!found) {
      const { registry, repository, tag, digest } = expected.image;
      return { ok: false, file: path, reason: `re-scan did not find ${registry}/${repository}:${tag ?? ''}${digest ? `@${digest}` : ''} on line ${expected.line}` };
    }
  }
  return { ok: true, file: path, bytes: edited };
}
