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
  /** May be empty: a reference whose literal lives in another file is checked here, and edited there. */
  readonly edits: readonly TextEdit[];
  readonly expected: readonly ExpectedReference[];
  /**
   * Files of the same change whose edits this file's references depend on (a variable defined in an
   * included file): they are verified together, with each other's new bytes, and fail together.
   */
  readonly linked?: readonly string[];
}

export type VerifiedFile = { readonly ok: true; readonly file: string; readonly bytes: Uint8Array } | { readonly ok: false; readonly file: string; readonly reason: string };

/**
 * Re-scans one file's new bytes. `others` holds the new bytes of files edited with it: the scan's
 * cross-file facts (GitLab CI variables from included files) are worked out again with them. The
 * same map object is passed for every file of one group, so those facts can be worked out once.
 */
export type Rescan = (path: string, bytes: Uint8Array, others?: ReadonlyMap<string, Uint8Array>) => readonly Reference[];

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

function editedBytes(path: string, bytes: Uint8Array, change: FileEdit): VerifiedFile {
  const merged = mergeEdits(change.edits);
  if (typeof merged === 'string') return { ok: false, file: path, reason: merged };
  try {
    return { ok: true, file: path, bytes: applyEdits(bytes, merged) };
  } catch (error) {
    return { ok: false, file: path, reason: (error as Error).message };
  }
}

/**
 * Where a line of the file is after its edits: an edit that adds or removes line breaks (a new kustomize `digest:`
 * line) moves every line after the one it starts on.
 */
function lineShift(bytes: Uint8Array, edits: readonly TextEdit[]): (line: number) => number {
  const breaks = (text: string): number => text.split('\n').length - 1;
  const moves: Array<{ line: number; by: number }> = [];
  for (const made of edits) {
    const by = breaks(made.replacement) - breaks(made.expected);
    if (by === 0) continue;
    let line = 1;
    for (let index = 0; index < made.start && index < bytes.length; index++) if (bytes[index] === 0x0a) line++;
    moves.push({ line, by });
  }
  return (line) => moves.reduce((moved, move) => (move.line < line ? moved + move.by : moved), line);
}

function checkRescan(path: string, edited: Uint8Array, change: FileEdit, before: readonly Reference[], after: readonly Reference[], shift: (line: number) => number): VerifiedFile {
  if (after.length !== before.length) {
    return { ok: false, file: path, reason: `re-scan found ${after.length} references where there were ${before.length}` };
  }
  for (const expected of change.expected) {
    const found = after.some((reference) => reference.kind === expected.kind && reference.line === shift(expected.line) && sameImage(expected.image, reference.image));
    if (!found) {
      const { registry, repository, tag, digest } = expected.image;
      return { ok: false, file: path, reason: `re-scan did not find ${registry}/${repository}:${tag ?? ''}${digest ? `@${digest}` : ''} on line ${expected.line}` };
    }
  }
  // Every reference the change does not update must read as before (a shared variable moves them all).
  const updatedLines = new Set(change.expected.map((expected) => shift(expected.line)));
  const others = (references: readonly Reference[], at: (line: number) => number): string[] =>
    references
      .filter((reference) => !updatedLines.has(at(reference.line)))
      .map((reference) => `${at(reference.line)}: ${reference.value}`)
      .sort();
  const was = others(before, shift);
  const now = others(after, (line) => line);
  const moved = now.length === was.length ? now.find((entry, index) => entry !== was[index]) : now[0];
  if (moved !== undefined) return { ok: false, file: path, reason: `the edit also changes a reference it does not update (line ${moved})` };
  return { ok: true, file: path, bytes: edited };
}

/** The current bytes of a file to verify, or why they cannot be had. */
export type BytesOf = (path: string) => { readonly ok: true; readonly bytes: Uint8Array } | { readonly ok: false; readonly reason: string };

/** The files joined by `linked`, each group in the order the files come. */
function linkedGroups(fileEdits: readonly FileEdit[]): FileEdit[][] {
  const group = new Map<string, Set<string>>();
  for (const change of fileEdits) {
    const joined = new Set([change.file, ...(change.linked ?? [])]);
    for (const file of [...joined]) for (const known of group.get(file) ?? []) joined.add(known);
    for (const file of joined) group.set(file, joined);
  }
  const groups = new Map<Set<string>, FileEdit[]>();
  for (const change of fileEdits) {
    const key = group.get(change.file) ?? new Set([change.file]);
    const list = groups.get(key);
    if (list) list.push(change);
    else groups.set(key, [change]);
  }
  return [...groups.values()];
}

/**
 * Verifies every file's edits. Files that are `linked` (a reference in one, the variable literal it is
 * built from in another) are edited together: each is re-scanned with the others' new bytes, and when
 * one fails, all of them fail, each saying why. A file with no edits of its own is only checked: it is
 * in the answer only when its group fails. Pure.
 */
export function verifyFileEdits(fileEdits: readonly FileEdit[], bytesOf: BytesOf, referencesIn: (path: string) => readonly Reference[], rescan: Rescan): VerifiedFile[] {
  const outcomes = new Map<string, VerifiedFile>();
  for (const group of linkedGroups(fileEdits)) {
    const edited = new Map<string, Uint8Array>();
    const shifts = new Map<string, (line: number) => number>();
    let failure: { file: string; reason: string } | null = null;
    for (const change of group) {
      const read = bytesOf(change.file);
      const merged = mergeEdits(change.edits);
      if (read.ok && typeof merged !== 'string') shifts.set(change.file, lineShift(read.bytes, merged));
      const made = read.ok ? editedBytes(change.file, read.bytes, change) : { ok: false as const, file: change.file, reason: read.reason };
      if (!made.ok) {
        failure = { file: change.file, reason: made.reason };
        break;
      }
      edited.set(change.file, made.bytes);
    }
    const others = group.length > 1 ? edited : undefined;
    for (const change of failure ? [] : group) {
      const bytes = edited.get(change.file) ?? new Uint8Array();
      const checked = checkRescan(change.file, bytes, change, referencesIn(change.file), rescan(change.file, bytes, others), shifts.get(change.file) ?? ((line) => line));
      if (!checked.ok) {
        failure = { file: change.file, reason: checked.reason };
        break;
      }
    }
    for (const change of group) {
      if (failure) {
        const reason = failure.file === change.file ? failure.reason : `not changed: it goes with ${failure.file}, where ${failure.reason}`;
        outcomes.set(change.file, { ok: false, file: change.file, reason });
      } else if (change.edits.length > 0) {
        outcomes.set(change.file, { ok: true, file: change.file, bytes: edited.get(change.file) ?? new Uint8Array() });
      }
    }
  }
  return fileEdits.flatMap((change) => outcomes.get(change.file) ?? []);
}
