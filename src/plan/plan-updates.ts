import type { DependencyResult, HeldUpdate, LookupFailure } from '../core/dependency.js';
import { imageKey } from '../core/image-ref.js';
import type { Plan, PlanFailure, PlannedUpdate, UnpinnedNote } from '../core/planned.js';
import type { FileEdit } from '../core/verify-edits.js';
import { editsForReference } from './edits-for-reference.js';
import { groupSharedLiterals, type SharedLiteralOptions } from './shared-literals.js';

/** Turns lookup results into per-reference updates (each with its edits) and per-file edits. Pure. */
export function planUpdates(results: readonly DependencyResult[], options: SharedLiteralOptions = {}): Plan {
  const updates: PlannedUpdate[] = [];
  const failures: PlanFailure[] = [];
  const unpinned: UnpinnedNote[] = [];
  const held = new Map<string, HeldUpdate>();
  const errors: LookupFailure[] = [];

  for (const result of results) {
    for (const item of result.held) held.set(`${item.image}:${item.tag ?? ''}@${item.digest}`, item);
    if (result.error) errors.push(result.error);
    const update = result.update;
    if (!update) continue;
    for (const reference of result.dependency.references) {
      const current = reference.image;
      const plan = editsForReference(reference, { tag: update.tag, digest: update.tagOnly ? null : update.digest });
      const image = imageKey(current);
      if (!plan.ok && plan.hold !== undefined) {
        // Not a failure: the update needs a change archpin never makes here (a variable of another project's file).
        held.set(`${image}:${update.tag ?? ''}@${update.digest}`, {
          image,
          tag: update.tag,
          digest: update.digest,
          reasons: [{ code: plan.hold, message: `${reference.file}:${reference.line}: ${plan.reason}` }],
        });
        continue;
      }
      if (!plan.ok) {
        failures.push({ file: reference.file, line: reference.line, image, code: 'plan-failed', message: plan.reason });
        continue;
      }
      if (plan.unpinned) unpinned.push({ file: reference.file, line: reference.line, image, message: plan.unpinned });
      // Nothing to write (the reference already says it, or its format cannot hold the pin): no update.
      if (plan.edits.length === 0) continue;
      updates.push({
        reference,
        file: reference.file,
        line: reference.line,
        from: reference.value,
        to: plan.value,
        image,
        tag: update.tag,
        updateType: update.updateType,
        digest: update.digest,
        platforms: update.platforms,
        ...(update.unverifiedPlatforms && update.unverifiedPlatforms.length > 0 ? { unverifiedPlatforms: update.unverifiedPlatforms } : {}),
        fromPlatforms: update.fromPlatforms,
        ...(reference.content ? { content: reference.content } : {}),
        pinned: plan.pinned,
        edits: plan.edits,
        expected: {
          kind: reference.kind,
          line: reference.line,
          image: { ...current, tag: update.tag ?? current.tag, digest: plan.pinned ? update.digest : current.digest },
        },
      });
    }
  }
  updates.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  unpinned.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  // A literal that is the tag of several images moves for all of them in one change, or for none.
  const shared = groupSharedLiterals(updates, results, options);
  for (const item of shared.held) held.set(`${item.image}:${item.tag ?? ''}@${item.digest}`, item);
  return {
    updates: shared.updates,
    unpinned,
    fileEdits: fileEditsOf(shared.updates),
    held: [...held.values()],
    errors,
    failures,
    ...(shared.outcomes.length > 0 ? { shared: shared.outcomes } : {}),
  };
}

/**
 * The updates' edits gathered per file, files in path order (edits in the order of the updates). An edit
 * of a variable defined in another file goes to that file; what the re-scan must find stays with the
 * reference's file, which is then checked even when it has no edits of its own, and the files one update
 * touches are `linked`.
 */
export function fileEditsOf(updates: readonly PlannedUpdate[]): FileEdit[] {
  const byFile = new Map<string, { edits: FileEdit['edits'][number][]; expected: FileEdit['expected'][number][]; linked: Set<string> }>();
  const entry = (file: string) => {
    const known = byFile.get(file);
    if (known) return known;
    const made = { edits: [], expected: [], linked: new Set<string>() };
    byFile.set(file, made);
    return made;
  };
  for (const update of updates) {
    const own = entry(update.file);
    own.expected.push(update.expected);
    const touched = new Set([update.file]);
    for (const edit of update.edits) {
      const file = edit.file ?? update.file;
      touched.add(file);
      entry(file).edits.push(edit);
    }
    for (const file of touched) for (const other of touched) if (other !== file) entry(file).linked.add(other);
  }
  return [...byFile].sort(([a], [b]) => (a < b ? -1 : 1)).map(([file, { edits, expected, linked }]) => ({ file, edits, expected, ...(linked.size > 0 ? { linked: [...linked].sort() } : {}) }));
}
