/**
 * The one pipeline behind `check`, `audit`, `run` and `serve`: scan → lookup + gate → plan → apply,
 * each stage once. The commands differ only in where files come from (a directory or a forge), in
 * the lookup they pass (one per run, or shared by the repositories of a sweep) and in how the plan
 * is applied (the working tree, or change requests); `audit` asks the pinned digests a different
 * question through the same scan and lookup.
 */
import { dependenciesOf, type Dependency, type DependencyResult } from '../core/dependency.js';
import { imageKey } from '../core/image-ref.js';
import type { Plan, SharedLiteralMode } from '../core/planned.js';
import type { Reference } from '../core/types.js';
import { verifyFileEdits, type FileEdit, type VerifiedFile } from '../core/verify-edits.js';
import type { GateQuestions } from '../core/verdict.js';
import { evaluateCandidate } from '../gate/evaluate.js';
import { findUpdate, type FindUpdatesDeps } from '../lookup/find-updates.js';
import { referencesByFile, type Scanned } from './scan-stage.js';
import { searchSharedLiterals } from './shared-literal-search.js';

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

/**
 * Lookup + gate, then plan. A literal several images share moves only when all of them go to the same new
 * tag; when each goes to a tag of its own, their images are looked up again below each other's choices
 * (`searchSharedLiterals`). `sharedLiterals: "hold"` never edits such a literal.
 */
export async function lookupAndPlan<R extends DependencyResult>(
  references: readonly Reference[],
  lookup: LookupStage<R>,
  options: { readonly sharedLiterals?: SharedLiteralMode } = {},
): Promise<{ results: readonly R[]; plan: Plan }> {
  const mode = options.sharedLiterals ?? 'group';
  const first = await lookup(dependenciesOf(references));
  return searchSharedLiterals(first, lookup, mode);
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
