import type { FileWrite } from '../apply/forges/forge.js';
import { verifyFileEdit, type Rescan } from '../apply/verify-edits.js';
import type { TextEdit } from '../core/text-edit.js';
import type { Reference } from '../core/types.js';
import type { PlannedChange } from '../plan/change-groups.js';
import { editsForReference } from '../plan/edits-for-reference.js';
import type { ExpectedReference } from '../apply/verify-edits.js';

/** The new contents of every file a change touches, each verified by a re-scan; or why it cannot be made. */
export function changeFiles(
  change: PlannedChange,
  bytesOf: (path: string) => Uint8Array | undefined,
  referencesIn: (path: string) => readonly Reference[],
  rescan: Rescan,
): { ok: true; files: FileWrite[] } | { ok: false; reason: string } {
  const byFile = new Map<string, { edits: TextEdit[]; expected: ExpectedReference[] }>();
  for (const update of change.updates) {
    const plan = editsForReference(update.reference, { tag: update.tag, digest: update.digest });
    if (!plan.ok) return { ok: false, reason: `${update.file}:${update.line}: ${plan.reason}` };
    const entry = byFile.get(update.file) ?? { edits: [], expected: [] };
    entry.edits.push(...plan.edits);
    const image = update.reference.image!;
    entry.expected.push({ kind: update.reference.kind, line: update.line, image: { ...image, tag: update.tag ?? image.tag, digest: plan.pinned ? update.digest : image.digest } });
    byFile.set(update.file, entry);
  }
  const files: FileWrite[] = [];
  for (const [path, entry] of [...byFile].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const bytes = bytesOf(path);
    if (!bytes) return { ok: false, reason: `${path}: not read` };
    const verified = verifyFileEdit(path, bytes, { file: path, edits: entry.edits, expected: entry.expected }, referencesIn(path), rescan);
    if (!verified.ok) return { ok: false, reason: `${path}: ${verified.reason}` };
    files.push({ path, content: verified.bytes });
  }
  return { ok: true, files };
}
