import type { FileWrite } from './forges/forge.js';
import { verifyFileEdits, type FileEdit, type Rescan } from '../core/verify-edits.js';
import type { Reference } from '../core/types.js';

/**
 * The new contents of every file a change edits, each verified by a re-scan (files linked through a
 * variable defined in another file are verified together); or why it cannot be made. A file the change
 * only checks (it holds the reference, the literal is elsewhere) is not written.
 */
export function changeFiles(
  fileEdits: readonly FileEdit[],
  bytesOf: (path: string) => Uint8Array | undefined,
  referencesIn: (path: string) => readonly Reference[],
  rescan: Rescan,
): { ok: true; files: FileWrite[] } | { ok: false; reason: string } {
  const read = (path: string): { ok: true; bytes: Uint8Array } | { ok: false; reason: string } => {
    const bytes = bytesOf(path);
    return bytes ? { ok: true, bytes } : { ok: false, reason: 'not read' };
  };
  const files: FileWrite[] = [];
  for (const verified of verifyFileEdits(fileEdits, read, referencesIn, rescan)) {
    if (!verified.ok) return { ok: false, reason: `${verified.file}: ${verified.reason}` };
    files.push({ path: verified.file, content: verified.bytes });
  }
  return { ok: true, files };
}
