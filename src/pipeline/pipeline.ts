/**
 * The one pipeline behind `check`, `audit`, `run` and `serve`: scan → lookup + gate → plan → apply,
 * each stage once. The commands differ only in where files come from (a directory or a forge), in
 * the lookup they pass (one per run, or shared by the repositories of a sweep) and in how the plan
 * is applied (the working tree, or change requests); `audit` asks the pinned digests a different
 * question through the same scan and lookup.
 */
import { dependenciesOf, type Dependency, type DependencyResult, type HeldUpdate } from '../core/dependency.js';
import { imageKey } from '../core/image-ref.js';
import type { Plan, SharedLiteralMode } from '../core/planned.js';
import type { Reference } from '../core/types.js';
import { verifyFileEdits, type FileEdit, type VerifiedFile } from '../core/verify-edits.js';
import type { GateQuestions } from '../core/verdict.js';
import { evaluateCandidate } from '../gate/evaluate.js';
import { findUpdate, type FindUpdatesDeps } from '../lookup/find-updates.js';
import { planUpdates } from '../plan/plan-updates.js';
import { referencesByFile, type Scanned } from './scan-stage.js';

export { referencesByFile, scanSources, type Scanned } from './scan-stage.js';

/** References of images a package rule disables are reported as skipped (`ignored`). */
export function markDisabled(references: readonly Reference[], enabled: (image: string) => boolean): Reference[] {
  return references.map((reference) => (reference.skip === null && reference.image && !enabled(imageKey(reference.image)) ? { ...reference, skip: 'ignored' } : reference));
}

/**
 * Lookup, then gate, for each candidate in turn: the lookup yields a candidate's facts, the gate judges them,
 * and the verdict goes back to the lookup, which stops at the first candidate that passes.
 */
export async function judged<T>(questions: GateQuestions<T>): Promise<T> {
  let step = await questions.next();
  while (step.done !== true) step = await questions.next(evaluateCandidate(step.value));
  return step.value;
}

/** Lookup + gate for one dependency. */
export function lookupAndGate(dependency: Dependency, deps: FindUpdatesDeps): Promise<DependencyResult> {
  return judged(findUpdate(dependency, deps));
}

/**
 * Lookup + gate over all dependencies, a few at a time (the registry client queues per host). When
 * `deps.signal` aborts, no further dependency starts and those cut short (ending in an error after the abort)
 * are left out: the result then holds only the dependencies whose lookup finished, in order.
 */
export async function lookupAndGateAll(dependencies: readonly Dependency[], deps: FindUpdatesDeps, concurrency = 8): Promise<DependencyResult[]> {
  const results = new Array<DependencyResult | undefined>(dependencies.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < dependencies.length && !deps.signal?.aborted) {
      const index = next++;
      const dependency = dependencies[index];
      if (dependency === undefined) continue;
      const result = await lookupAndGate(dependency, deps);
      if (deps.signal?.aborted && result.error !== null) continue;
      results[index] = result;
      deps.onProgress?.(++done, dependencies.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, dependencies.length) }, worker));
  return results.filter((result): result is DependencyResult => result !== undefined);
}

/** The lookup stage (with the gate): one result per dependency, in the same order. */
export type LookupStage<R extends DependencyResult = DependencyResult> = (dependencies: readonly Dependency[]) => Promise<readonly R[]>;

/** Rounds of lookups below the images' own choices, for a literal several images share (each round lowers the tag). */
const SHARED_LITERAL_ROUNDS = 8;

/**
 * Lookup + gate, then plan. A literal several images share moves only when all of them go to the same new
 * tag. When each goes to a tag of its own, their images are looked up again, none going past the others'
 * choices: each then goes to its newest tag no newer than any other's, and again until they agree (the newest
 * tag all of them have that passes the gate for each) or one has none. What was looked for is said in the held
 * reason; `sharedLiterals: "hold"` never edits such a literal.
 */
export async function lookupAndPlan<R extends DependencyResult>(
  references: readonly Reference[],
  lookup: LookupStage<R>,
  options: { readonly sharedLiterals?: SharedLiteralMode } = {},
): Promise<{ results: readonly R[]; plan: Plan }> {
  const mode = options.sharedLiterals ?? 'group';
  const first = await lookup(dependenciesOf(references));
  let plan = planUpdates(first, { mode });
  const retry = (outcomes: Plan['shared']) => (outcomes ?? []).filter((outcome) => outcome.status === 'retry' && outcome.ceilings !== undefined);
  let pending = retry(plan.shared);
  if (pending.length === 0) return { results: first, plan };
  /** Per literal: its references' latest results, and what each round found. */
  const latest = new Map<string, readonly R[]>();
  const tried = new Map<string, string[]>();
  const moved = new Set<string>();
  const refsOf = new Map<string, ReadonlySet<Reference>>();
  const without = (results: readonly R[], keys: Iterable<string>): R[] => {
    const leave = new Set([...keys].flatMap((key) => [...(refsOf.get(key) ?? [])]));
    return results.flatMap((result) => {
      const kept = result.dependency.references.filter((reference) => !leave.has(reference));
      if (kept.length === result.dependency.references.length) return [result];
      return kept.length === 0 ? [] : [{ ...result, dependency: { ...result.dependency, references: kept } }];
    });
  };
  for (let round = 0; pending.length > 0 && round < SHARED_LITERAL_ROUNDS; round++) {
    const asked: Dependency[] = [];
    for (const outcome of pending) {
      const ceilings = outcome.ceilings ?? new Map<Reference, readonly string[]>();
      refsOf.set(outcome.key, new Set(ceilings.keys()));
      for (const dependency of dependenciesOf([...ceilings.keys()])) {
        const reference = dependency.references[0];
        asked.push({ ...dependency, ceilings: reference === undefined ? [] : (ceilings.get(reference) ?? []) });
      }
    }
    const again = await lookup(asked);
    for (const outcome of pending) {
      const mine = refsOf.get(outcome.key) ?? new Set();
      latest.set(
        outcome.key,
        again.filter((result) => result.dependency.references.some((reference) => mine.has(reference))),
      );
    }
    // Each literal looked for again, planned with its new results (the others' as they were).
    const trial = planUpdates([...without(first, latest.keys()), ...[...latest.values()].flat()], { mode });
    const next: typeof pending = [];
    for (const outcome of pending) {
      const now = trial.shared?.find((each) => each.key === outcome.key);
      if (now === undefined) continue;
      if (now.status === 'grouped') moved.add(outcome.key);
      else {
        const found = now.literals.length === 0 ? 'none of them has a newer tag that passes the gate' : `${now.literals.join(' or ')}: ${now.blockers.join('; ')}`;
        tried.set(outcome.key, [...(tried.get(outcome.key) ?? []), found]);
        if (now.status === 'retry' && now.ceilings !== undefined) next.push(now);
      }
    }
    pending = next;
  }
  // A literal that moved takes its new results; one that did not keeps its first (each image's own newest tag, held).
  // The tags above the one all of them share were judged in the first lookups: what the gate refused there is still said.
  const sameImage = (a: Dependency, b: Dependency) => a.key === b.key && a.tag === b.tag && a.digest === b.digest;
  const withFirstHolds = (result: R): R => {
    const earlier = first.find((each) => sameImage(each.dependency, result.dependency))?.held ?? [];
    const said = new Set(result.held.map((item) => `${item.tag ?? ''}@${item.digest}`));
    return { ...result, held: [...earlier.filter((item) => !said.has(`${item.tag ?? ''}@${item.digest}`)), ...result.held] };
  };
  const results = [...without(first, moved), ...[...moved].flatMap((key) => (latest.get(key) ?? []).map(withFirstHolds))];
  plan = planUpdates(results, { mode, tried });
  // What an image went to on its own, when the literal moved for all of them to an older tag: held, saying why.
  const passedAlone: HeldUpdate[] = [];
  for (const key of moved) {
    const together = new Map((latest.get(key) ?? []).flatMap((result) => (result.update ? [[result.dependency.key, result.update.tag] as const] : [])));
    const outcome = plan.shared?.find((each) => each.key === key);
    for (const result of first) {
      const own = result.update;
      if (own === null || !result.dependency.references.some((reference) => refsOf.get(key)?.has(reference))) continue;
      const tag = together.get(result.dependency.key);
      if (tag === undefined || tag === own.tag) continue;
      const variable = outcome?.variable ?? 'the literal';
      const message = `${variable} is the tag of ${refsOf.get(key)?.size ?? 0} images and moves for all of them together: to ${tag}, the newest tag every one of them has that passes the gate`;
      passedAlone.push({ image: result.dependency.key, tag: own.tag, digest: own.digest, reasons: [{ code: 'shared-literal', message }] });
    }
  }
  if (passedAlone.length > 0) plan = { ...plan, held: [...plan.held, ...passedAlone] };
  return { results, plan };
}

/** Applies each file's edits in memory and confirms them by a re-scan, without writing anything. */
export function verifyEdits(fileEdits: readonly FileEdit[], scanned: Scanned): VerifiedFile[] {
  // Only the edited files' contents are needed (read again if the scan let them go).
  const fileOf = new Map(scanned.files.map((file) => [file.path, file]));
  const bytesOf = (path: string): { ok: true; bytes: Uint8Array } | { ok: false; reason: string } => {
    const file = fileOf.get(path);
    if (file === undefined) return { ok: false, reason: 'not read' };
    try {
      return { ok: true, bytes: file.bytes };
    } catch (error) {
      return { ok: false, reason: (error as Error).message };
    }
  };
  return verifyFileEdits(fileEdits, bytesOf, referencesByFile(scanned), scanned.rescan);
}
