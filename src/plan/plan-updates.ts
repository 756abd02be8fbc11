import { imageKey } from '../core/image-ref.js';
import type { Reference } from '../core/types.js';
import type { ExpectedReference, FileEdit } from '../apply/verify-edits.js';
import type { DependencyResult, Held, LookupFailure, UpdateType } from '../lookup/find-updates.js';
import { editsForReference } from './edits-for-reference.js';

/** One reference's update, as reported and as applied. */
export interface PlannedUpdate {
  readonly reference: Reference;
  readonly file: string;
  readonly line: number;
  readonly from: string;
  readonly to: string;
  readonly image: string;
  readonly tag: string | null;
  readonly updateType: UpdateType;
  readonly digest: string;
  readonly platforms: readonly string[];
  readonly fromPlatforms: readonly string[];
  readonly pinned: boolean;
}

export interface PlanFailure {
  readonly file: string;
  readonly line: number;
  readonly image: string;
  readonly code: 'plan-failed';
  readonly message: string;
}

export interface Plan {
  readonly updates: readonly PlannedUpdate[];
  readonly fileEdits: readonly FileEdit[];
  readonly held: readonly Held[];
  readonly errors: readonly LookupFailure[];
  readonly failures: readonly PlanFailure[];
}

/** Turns lookup results into per-reference updates and per-file edits. Pure. */
export function planUpdates(results: readonly DependencyResult[]): Plan {
  const updates: PlannedUpdate[] = [];
  const failures: PlanFailure[] = [];
  const byFile = new Map<string, { edits: FileEdit['edits'][number][]; expected: ExpectedReference[] }>();
  const held = new Map<string, Held>();
  const errors: LookupFailure[] = [];

  for (const result of results) {
    for (const item of result.held) held.set(`${item.image}:${item.tag ?? ''}@${item.digest}`, item);
    if (result.error) errors.push(result.error);
    const update = result.update;
    if (!update) continue;
    for (const reference of result.dependency.references) {
      const plan = editsForReference(reference, { tag: update.tag, digest: update.digest });
      const image = imageKey(reference.image!);
      if (!plan.ok) {
        failures.push({ file: reference.file, line: reference.line, image, code: 'plan-failed', message: plan.reason });
        continue;
      }
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
        fromPlatforms: update.fromPlatforms,
        pinned: plan.pinned,
      });
      const entry = byFile.get(reference.file) ?? { edits: [], expected: [] };
      entry.edits.push(...plan.edits);
      entry.expected.push({
        kind: reference.kind,
        line: reference.line,
        image: { ...reference.image!, tag: update.tag ?? reference.image!.tag, digest: plan.pinned ? update.digest : reference.image!.digest },
      });
      byFile.set(reference.file, entry);
    }
  }
  updates.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  const fileEdits = [...byFile].sort(([a], [b]) => (a < b ? -1 : 1)).map(([file, entry]) => ({ file, edits: entry.edits, expected: entry.expected }));
  return { updates, fileEdits, held: [...held.values()], errors, failures };
}
