import { readFile, rename, stat, writeFile, chmod } from 'node:fs/promises';
import path from 'node:path';
import type { Reference } from '../core/types.js';
import { verifyFileEdit, type FileEdit, type Rescan, type VerifiedFile } from '../core/verify-edits.js';

/**
 * Writes verified edits to the working tree. Each file is re-read, edited in memory, re-scanned and
 * only then replaced atomically (temp file + rename, mode kept). A file that fails verification is
 * left untouched and reported; the others are still written.
 */
export async function writeVerifiedFiles(
  root: string,
  changes: readonly FileEdit[],
  referencesBefore: (file: string) => readonly Reference[],
  rescan: Rescan,
): Promise<VerifiedFile[]> {
  const outcomes: VerifiedFile[] = [];
  for (const change of changes) {
    const full = path.join(root, change.file);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(full));
    } catch (error) {
      outcomes.push({ ok: false, file: change.file, reason: (error as Error).message });
      continue;
    }
    const verified = verifyFileEdit(change.file, bytes, change, referencesBefore(change.file), rescan);
    if (verified.ok) {
      try {
        const { mode } = await stat(full);
        const temporary = `${full}.archpin-${process.pid}.tmp`;
        await writeFile(temporary, verified.bytes);
        await chmod(temporary, mode);
        await rename(temporary, full);
      } catch (error) {
        outcomes.push({ ok: false, file: change.file, reason: (error as Error).message });
        continue;
      }
    }
    outcomes.push(verified);
  }
  return outcomes;
}
