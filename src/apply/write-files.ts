import { DEFAULT_MAX_FILE_SIZE } from '../core/budgets.js';
import type { Reference } from '../core/types.js';
import { verifyFileEdit, type FileEdit, type Rescan, type VerifiedFile } from '../core/verify-edits.js';
import { readRegularFile } from './read-regular-file.js';
import { replaceFile } from './replace-file.js';

/**
 * Writes verified edits to the working tree. Each file is re-read, edited in memory, re-scanned and
 * only then replaced atomically (see replaceFile: exclusive temp file, mode and owner kept, fsync, rename;
 * never through a symlink, never outside `root`). A file that fails verification is left untouched
 * and reported; the others are still written.
 */
export async function writeVerifiedFiles(
  root: string,
  changes: readonly FileEdit[],
  referencesBefore: (file: string) => readonly Reference[],
  rescan: Rescan,
  maxFileSize: number = DEFAULT_MAX_FILE_SIZE,
): Promise<VerifiedFile[]> {
  const outcomes: VerifiedFile[] = [];
  for (const change of changes) {
    const read = readRegularFile(root, change.file, maxFileSize);
    if (!read.ok) {
      outcomes.push({ ok: false, file: change.file, reason: read.message });
      continue;
    }
    const bytes = read.bytes;
    const verified = verifyFileEdit(change.file, bytes, change, referencesBefore(change.file), rescan);
    if (verified.ok) {
      try {
        replaceFile(root, change.file, verified.bytes);
      } catch (error) {
        outcomes.push({ ok: false, file: change.file, reason: (error as Error).message });
        continue;
      }
    }
    outcomes.push(verified);
  }
  return outcomes;
}
