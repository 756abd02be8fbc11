import { DEFAULT_MAX_FILE_SIZE } from '../core/budgets.js';
import type { Reference } from '../core/types.js';
import { verifyFileEdits, type FileEdit, type Rescan, type VerifiedFile } from '../core/verify-edits.js';
import { readRegularFile } from './read-regular-file.js';
import { replaceFile } from './replace-file.js';

/**
 * Writes verified edits to the working tree. Each file is re-read, edited in memory, re-scanned and
 * only then replaced atomically (see replaceFile: exclusive temp file, mode and owner kept, fsync, rename;
 * never through a symlink, never outside `root`). A file that fails verification is left untouched
 * and reported; the others are still written. Files linked through a variable defined in another file
 * are verified together and written only when all of them pass.
 */
export async function writeVerifiedFiles(
  root: string,
  changes: readonly FileEdit[],
  referencesBefore: (file: string) => readonly Reference[],
  rescan: Rescan,
  maxFileSize: number = DEFAULT_MAX_FILE_SIZE,
): Promise<VerifiedFile[]> {
  const bytesOf = (path: string): { ok: true; bytes: Uint8Array } | { ok: false; reason: string } => {
    const read = readRegularFile(root, path, maxFileSize);
    return read.ok ? { ok: true, bytes: read.bytes } : { ok: false, reason: read.message };
  };
  const outcomes: VerifiedFile[] = [];
  for (const verified of verifyFileEdits(changes, bytesOf, referencesBefore, rescan)) {
    if (verified.ok) {
      try {
        replaceFile(root, verified.file, verified.bytes);
      } catch (error) {
        outcomes.push({ ok: false, file: verified.file, reason: (error as Error).message });
        continue;
      }
    }
    outcomes.push(verified);
  }
  return outcomes;
}
