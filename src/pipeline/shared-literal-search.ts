/**
 * The plan of a lookup, and for a literal several images share, the search for a tag all of them have. The
 * literal moves only when all of them go to the same new tag. When each goes to a tag of its own, their images
 * are looked up again, none going past the others' choices: each then goes to its newest tag no newer than any
 * other's, and again until they agree (the newest tag all of them have that passes the gate for each) or one
 * has none. What was looked for is said in the held reason.
 */
import { dependenciesOf, type Dependency, type DependencyResult, type HeldUpdate } from '../core/dependency.js';
import type { Plan, SharedLiteralMode, SharedLiteralOutcome } from '../core/planned.js';
import type { Reference } from '../core/types.js';
import { planUpdates } from '../plan/plan-updates.js';

/** Rounds of lookups below the images' own choices, for a literal several images share (each round lowers the tag). */
const SHARED_LITERAL_ROUNDS = 8;

type Lookup<R> = (dependencies: readonly Dependency[]) => Promise<readonly R[]>;

/** What the rounds found, per literal (its key). */
interface Search<R> {
  /** The literal's references. */
  readonly refsOf: ReadonlyMap<string, ReadonlySet<Reference>>;
  /** Its references' results in the last round that looked them up. */
  readonly latest: ReadonlyMap<string, readonly R[]>;
  /** What each round that did not agree found. */
  readonly tried: ReadonlyMap<string, string[]>;
  /** The literals whose images agreed on a tag. */
  readonly moved: ReadonlySet<string>;
}

const retrying = (outcomes: Plan['shared']): SharedLiteralOutcome[] => (outcomes ?? []).filter((outcome) => outcome.status === 'retry' && outcome.ceilings !== undefined);

/** The results with the references of these literals taken out (a result left with none is dropped). */
function without<R extends DependencyResult>(results: readonly R[], keys: Iterable<string>, refsOf: ReadonlyMap<string, ReadonlySet<Reference>>): R[] {
  const leave = new Set([...keys].flatMap((key) => [...(refsOf.get(key) ?? [])]));
  return results.flatMap((result) => {
    const kept = result.dependency.references.filter((reference) => !leave.has(reference));
    if (kept.length === result.dependency.references.length) return [result];
    return kept.length === 0 ? [] : [{ ...result, dependency: { ...result.dependency, references: kept } }];
  });
}

/** Plans the first lookup's results and, for each literal whose images chose different tags, searches below those choices. */
export async function searchSharedLiterals<R extends DependencyResult>(first: readonly R[], lookup: Lookup<R>, mode: SharedLiteralMode): Promise<{ results: readonly R[]; plan: Plan }> {
  const planned = planUpdates(first, { mode });
  const pending = retrying(planned.shared);
  if (pending.length === 0) return { results: first, plan: planned };
  const search = await lookBelowChoices(first, pending, lookup, mode);
  // A literal that moved takes its new results; one that did not keeps its first (each image's own newest tag, held).
  // The tags above the one all of them share were judged in the first lookups: what the gate refused there is still said.
  const sameImage = (a: Dependency, b: Dependency) => a.key === b.key && a.tag === b.tag && a.digest === b.digest && a.content === b.content;
  const withFirstHolds = (result: R): R => {
    const earlier = first.find((each) => sameImage(each.dependency, result.dependency))?.held ?? [];
    const said = new Set(result.held.map((item) => `${item.tag ?? ''}@${item.digest}`));
    return { ...result, held: [...earlier.filter((item) => !said.has(`${item.tag ?? ''}@${item.digest}`)), ...result.held] };
  };
  const results = [...without(first, search.moved, search.refsOf), ...[...search.moved].flatMap((key) => (search.latest.get(key) ?? []).map(withFirstHolds))];
  const plan = planUpdates(results, { mode, tried: search.tried });
  const passedAlone = heldPassedAlone(first, search, plan);
  return { results, plan: passedAlone.length > 0 ? { ...plan, held: [...plan.held, ...passedAlone] } : plan };
}

/** Looks each literal's images up again below the others' choices, round after round, until they agree, one has no tag left, or the rounds run out. */
async function lookBelowChoices<R extends DependencyResult>(first: readonly R[], retry: readonly SharedLiteralOutcome[], lookup: Lookup<R>, mode: SharedLiteralMode): Promise<Search<R>> {
  const latest = new Map<string, readonly R[]>();
  const tried = new Map<string, string[]>();
  const moved = new Set<string>();
  const refsOf = new Map<string, ReadonlySet<Reference>>();
  let pending = retry;
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
    const trial = planUpdates([...without(first, latest.keys(), refsOf), ...[...latest.values()].flat()], { mode });
    const next: SharedLiteralOutcome[] = [];
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
  return { refsOf, latest, tried, moved };
}

/** What an image went to on its own, when the literal moved for all of them to an older tag: held, saying why. */
function heldPassedAlone<R extends DependencyResult>(first: readonly R[], search: Search<R>, plan: Plan): HeldUpdate[] {
  const passedAlone: HeldUpdate[] = [];
  for (const key of search.moved) {
    const together = new Map((search.latest.get(key) ?? []).flatMap((result) => (result.update ? [[result.dependency.key, result.update.tag] as const] : [])));
    const outcome = plan.shared?.find((each) => each.key === key);
    for (const result of first) {
      const own = result.update;
      if (own === null || !result.dependency.references.some((reference) => search.refsOf.get(key)?.has(reference))) continue;
      const tag = together.get(result.dependency.key);
      if (tag === undefined || tag === own.tag) continue;
      const variable = outcome?.variable ?? 'the literal';
      const message = `${variable} is the tag of ${search.refsOf.get(key)?.size ?? 0} images and moves for all of them together: to ${tag}, the newest tag every one of them has that passes the gate`;
      passedAlone.push({ image: result.dependency.key, tag: own.tag, digest: own.digest, reasons: [{ code: 'shared-literal', message }] });
    }
  }
  return passedAlone;
}
