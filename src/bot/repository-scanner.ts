/**
 * The CPU-bound part of one repository run (scanning its files, making each change's files and
 * confirming them by a re-scan) behind one small interface, so `serve` can run it isolated in a
 * worker thread (isolated-scanner.ts) and `run` in-process, with the same code underneath.
 */
import { changeFiles } from '../apply/change-files.js';
import type { FileWrite } from '../apply/forges/forge.js';
import type { SourceFile } from '../core/source-file.js';
import type { Reference, ScanProblem } from '../core/types.js';
import type { FileEdit } from '../core/verify-edits.js';
import { referencesByFile, scanSources, type Scanned } from '../pipeline/scan-stage.js';
import type { OutsideSources } from '../scan/extractor.js';

export type MadeFiles = { ok: true; files: FileWrite[] } | { ok: false; reason: string };

export interface RepositoryScanner {
  /** Scans the files read from the repository; `readProblems` come first among the problems. */
  /** `outside`: files other projects give the repository's CI (GitLab `include: project`/`template`), read before the scan. */
  scan(files: readonly SourceFile[], readProblems: readonly ScanProblem[], outside?: OutsideSources): Promise<{ references: readonly Reference[]; problems: readonly ScanProblem[] }>;
  /** The new contents of every file a change touches, each confirmed by a re-scan (after `scan`). */
  changeFiles(fileEdits: readonly FileEdit[]): Promise<MadeFiles>;
  /** Frees what the scanner holds (ends its worker). */
  close(): void;
}

/** Scanning and change making for one repository, kept between the two calls. */
export function scanState(): {
  scan: (files: readonly SourceFile[], readProblems: readonly ScanProblem[], outside?: OutsideSources) => Scanned;
  changeFiles: (fileEdits: readonly FileEdit[]) => MadeFiles;
} {
  let current: { scanned: Scanned; byPath: Map<string, Uint8Array>; referencesIn: (path: string) => readonly Reference[] } | null = null;
  return {
    scan(files, readProblems, outside) {
      const scanned = scanSources(files, readProblems, outside);
      current = { scanned, byPath: new Map(scanned.files.map((file) => [file.path, file.bytes])), referencesIn: referencesByFile(scanned) };
      return scanned;
    },
    changeFiles(fileEdits) {
      if (!current) return { ok: false, reason: 'not scanned' };
      const { scanned, byPath, referencesIn } = current;
      return changeFiles(fileEdits, (path) => byPath.get(path), referencesIn, scanned.rescan);
    },
  };
}

/** The scanner that runs in the calling thread (`archpin run`, and `serve` without isolation). */
export function inProcessScanner(): RepositoryScanner {
  const state = scanState();
  return {
    scan: async (files, readProblems, outside) => {
      const scanned = state.scan(files, readProblems, outside);
      return { references: scanned.references, problems: scanned.problems };
    },
    changeFiles: async (fileEdits) => state.changeFiles(fileEdits),
    close: () => undefined,
  };
}
