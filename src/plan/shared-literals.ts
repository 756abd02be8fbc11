import type { DependencyResult, HeldUpdate } from '../core/dependency.js';
import type { PlannedUpdate, SharedLiteralMode, SharedLiteralOutcome } from '../core/planned.js';
import type { TextEdit } from '../core/text-edit.js';
import type { Reference, SharedLiteral } from '../core/types.js';

/** The edits of an update that change a literal, not the reference's own text (a pin written after a template). */
function literalEdits(update: PlannedUpdate): TextEdit[] {
  const own = update.reference.spans.filter((span) => span.role === 'template' || span.role === 'reference');
  return update.edits.filter((edit) => !own.some((span) => (edit.file ?? update.file) === (span.file ?? update.file) && edit.start === span.start));
}

const signature = (edits: readonly TextEdit[]): string =>
  JSON.stringify(edits.map((edit) => [edit.file ?? '', edit.start, edit.end, edit.replacement]).sort((a, b) => String(a).localeCompare(String(b))));

const where = (reference: Reference): string => `${reference.value} (${reference.file}:${reference.line})`;

export interface SharedLiteralOptions {
  readonly mode?: SharedLiteralMode;
  /** Per literal (its key), what earlier lookups below the images' own choices found: said in the held reason. */
  readonly tried?: ReadonlyMap<string, readonly string[]>;
}

/**
 * Updates through a literal that is the tag of several images (`BUILDER_REVISION` for
 * `builder/ubuntu:${BUILDER_REVISION}` and `builder/debian:${BUILDER_REVISION}`): an edit of it moves all of
 * them. It moves only when every image written through it has an update that writes the same new literal;
 * those updates then go into one change, named after the variable, verified together. Otherwise none of
 * them moves, and each is held with a reason that names the image that blocks. Updates that do not move the
 * literal (a pin written after the template) are left as they are. Pure.
 */
export function groupSharedLiterals(
  updates: readonly PlannedUpdate[],
  results: readonly DependencyResult[],
  options: SharedLiteralOptions = {},
): { updates: PlannedUpdate[]; held: HeldUpdate[]; outcomes: SharedLiteralOutcome[] } {
  const members = new Map<string, { shared: SharedLiteral; references: Reference[] }>();
  const resultOf = new Map<Reference, DependencyResult>();
  for (const result of results) {
    for (const reference of result.dependency.references) {
      resultOf.set(reference, result);
      if (!reference.shared) continue;
      const group = members.get(reference.shared.key) ?? { shared: reference.shared, references: [] };
      group.references.push(reference);
      members.set(reference.shared.key, group);
    }
  }
  const held: HeldUpdate[] = [];
  const dropped = new Set<PlannedUpdate>();
  const grouped = new Map<PlannedUpdate, string>();
  const outcomes: SharedLiteralOutcome[] = [];
  for (const { shared, references } of members.values()) {
    const own = updates.filter((update) => update.reference.shared?.key === shared.key);
    const moving = own.filter((update) => literalEdits(update).length > 0);
    const first = moving[0];
    if (first === undefined) continue;
    const wanted = signature(literalEdits(first));
    const literals = [...new Set(moving.flatMap((update) => literalEdits(update).map((edit) => edit.replacement)))];
    if (options.mode === 'hold') {
      const message = `${shared.variable} is the tag of ${shared.uses.length} images, and sharedLiterals is "hold": a literal several images share is not edited`;
      for (const update of moving) {
        dropped.add(update);
        held.push({ image: update.image, tag: update.tag, digest: update.digest, reasons: [{ code: 'shared-literal', message }] });
      }
      outcomes.push({ key: shared.key, variable: shared.variable, status: 'held', literals, blockers: ['sharedLiterals is "hold"'] });
      continue;
    }
    const blockers: string[] = [];
    // Images written through the literal that are not looked up here (skipped, disabled by a package rule).
    const looked = new Set(references.map((reference) => `${reference.value} (${reference.file}:${reference.line})`));
    for (const use of shared.uses) if (!looked.has(use)) blockers.push(`${use} is not updated by archpin (skipped or disabled)`);
    const target = first.tag ?? 'a new tag';
    for (const reference of references) {
      const update = own.find((candidate) => candidate.reference === reference);
      if (update && literalEdits(update).length > 0 && signature(literalEdits(update)) === wanted) continue;
      if (update && literalEdits(update).length > 0) blockers.push(`${where(reference)} would go to ${update.to}`);
      else {
        const result = resultOf.get(reference);
        const heldHere = result?.held.find((item) => item.tag !== null);
        blockers.push(
          heldHere ? `${where(reference)} has its ${heldHere.tag} held (${heldHere.reasons.map((reason) => reason.code).join(', ')})` : `${where(reference)} has no new tag that passes the gate`,
        );
      }
    }
    if (blockers.length === 0) {
      const name = shared.variable.replace(/^\$/, '').replace(/ \(.*$/, '');
      for (const update of own) grouped.set(update, name);
      outcomes.push({ key: shared.key, variable: shared.variable, status: 'grouped', literals, blockers });
      continue;
    }
    const ceilings = retryCeilings(references, own, literals, shared.uses.length);
    outcomes.push({ key: shared.key, variable: shared.variable, status: ceilings ? 'retry' : 'held', literals, blockers, ...(ceilings ? { ceilings } : {}) });
    const tried = options.tried?.get(shared.key) ?? [];
    const searched = tried.length === 0 ? '' : `. Tags all of them might have, no newer than any one's own choice, were looked for: ${tried.join('; then ')}`;
    const message = `${shared.variable} is the tag of ${shared.uses.length} images and moves only when every one has the same new tag (${target}) passing the gate: ${blockers.join('; ')}${searched}`;
    for (const update of moving) {
      dropped.add(update);
      held.push({ image: update.image, tag: update.tag, digest: update.digest, reasons: [{ code: 'shared-literal', message }] });
    }
  }
  return {
    updates: updates
      .filter((update) => !dropped.has(update))
      .map((update) => {
        const group = grouped.get(update);
        return group === undefined ? update : { ...update, group };
      }),
    held,
    outcomes,
  };
}

/**
 * When every image through the literal has an update that moves it, but not to the same literal: for each
 * reference, its own new tag with each of the literals written instead of its own. Null when some image has
 * no such update (then no tag passes for it, and none can be shared), or a tag does not hold its literal.
 */
function retryCeilings(references: readonly Reference[], own: readonly PlannedUpdate[], literals: readonly string[], uses: number): ReadonlyMap<Reference, readonly string[]> | null {
  if (references.length !== uses || literals.length < 2) return null;
  const ceilings = new Map<Reference, readonly string[]>();
  for (const reference of references) {
    const update = own.find((candidate) => candidate.reference === reference);
    const written = update ? literalEdits(update).map((edit) => edit.replacement) : [];
    const mine = written[0];
    if (update === undefined || update.tag === null || mine === undefined || written.some((literal) => literal !== mine) || !update.tag.includes(mine)) return null;
    const tag = update.tag;
    ceilings.set(
      reference,
      literals.map((literal) => tag.replace(mine, literal)),
    );
  }
  return ceilings;
}
