import type { FileWrite } from './forges/forge.js';
import { verifyFileEdit, type FileEdit, type Rescan } from '../core/verify-edits.js';
import type { Reference } from '../core/types.js';

/** The new contents of every file a change touches, each verified by a re-scan; or why it cannot be made. */
export function changeFiles(
  fileEdits: readonly FileEdit[],
  bytesOf: (path: string) => Uint8Array | undefined,
  referencesIn: (path: string) => readonly Reference[],
  rescan: Rescan,
): { ok: true; files: FileWrite[] } | { ok: false; reason: string } {
  const files: FileWrite[] = [];
  for (const fileEdit of fileEdits) {
    const path = fileEdit.file;
    const bytes = bytesOf(path);
    if (!bytes) return { ok: false, reason: `${path}: not read` };
    const verified = verifyFileEdit(path, bytes, fileEdit, referencesIn(path), rescan);
    if (!verified.ok) return { ok: false, reason: `${path}: ${verified.reason}` };
    files.push({ path, content: verified.bytes });
  }
  return { ok: true, files };
}
