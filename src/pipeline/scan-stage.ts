/**
 * The pipeline's scan stage, in a module of its own so that `archpin scan` and the scan workers load the
 * scanner without the lookup and the gate.
 */
import { sourceFile, type SourceFile } from '../core/source-file.js';
import type { Reference, ScanProblem } from '../core/types.js';
import type { Rescan } from '../core/verify-edits.js';
import type { OutsideSources, ScanContext } from '../scan/extractor.js';
import { EXTRACTORS } from '../scan/extractors/index.js';
import { prepareScan, scanFiles } from '../scan/scan-files.js';

/** What the scan stage hands on: the files read, the references found in them, and the problems met. */
export interface Scanned {
  readonly files: readonly SourceFile[];
  readonly references: readonly Reference[];
  readonly problems: readonly ScanProblem[];
  /** Re-scans one file's new bytes in the context of the whole tree (to confirm an edit). */
  readonly rescan: Rescan;
}

/**
 * Scan: every file to the extractor that claims it; `readProblems` (files too large, binary, unreadable) come first.
 * `outside`: files read from other projects that CI files include, for the facts only; an include that could not
 * be read is a problem at the line that asks for it.
 */
export function scanSources(files: readonly SourceFile[], readProblems: readonly ScanProblem[] = [], outside?: OutsideSources): Scanned {
  const context = prepareScan(files, EXTRACTORS, outside);
  const result = scanFiles(files, EXTRACTORS, context);
  // Facts worked out again with a group's new bytes, once per group (the same `others` map).
  const overlays = new WeakMap<ReadonlyMap<string, Uint8Array>, { files: Map<string, SourceFile>; context: ScanContext }>();
  const rescan: Rescan = (path, bytes, others) => {
    if (others === undefined || others.size === 0) return scanFiles([sourceFile(path, bytes)], EXTRACTORS, context).references;
    let overlay = overlays.get(others);
    if (!overlay) {
      const edited = new Map([...others].map(([name, content]) => [name, sourceFile(name, content)]));
      const all = files.map((file) => edited.get(file.path) ?? file);
      overlay = { files: edited, context: prepareScan(all, EXTRACTORS, outside) };
      overlays.set(others, overlay);
    }
    const file = overlay.files.get(path);
    return scanFiles([file && file.bytes === bytes ? file : sourceFile(path, bytes)], EXTRACTORS, overlay.context).references;
  };
  const unread = (outside?.unread ?? []).map((include): ScanProblem => ({ file: include.file, line: include.line, code: 'include-unread', message: include.reason }));
  return { files, references: result.references, problems: [...readProblems, ...unread, ...result.problems], rescan };
}

/** The references each file held when it was scanned: indexed by file once, so each question is a map lookup. */
export function referencesByFile(scanned: Pick<Scanned, 'references'>): (file: string) => readonly Reference[] {
  const byFile = new Map<string, Reference[]>();
  for (const reference of scanned.references) {
    const list = byFile.get(reference.file);
    if (list) list.push(reference);
    else byFile.set(reference.file, [reference]);
  }
  return (file) => byFile.get(file) ?? [];
}
