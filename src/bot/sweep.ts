import { createHash } from 'node:crypto';
import type { Forge, ForgeTargets, Repository } from '../apply/forges/forge.js';
import { createRunPolicy } from '../config/run-policy.js';
import type { Config } from '../config/schema.js';
import type { Dependency } from '../core/dependency.js';
import { errorFields } from '../core/errors.js';
import type { RepositoryOutcome } from '../core/outcome.js';
import type { FindUpdatesDeps } from '../lookup/find-updates.js';
import { lookupAndGate } from '../pipeline/pipeline.js';
import type { FirstSeenStore } from '../lookup/first-seen-store.js';
import { memoKey } from './quiet-repository.js';
import { repositoryJob } from './repository-job.js';
import type { LookedUp, RunRepositoryDeps } from './run-repository.js';
import { inShard, type Shard } from './shard.js';
import type { SweepMemo } from './sweep-memo.js';

export interface SweepResult {
  readonly repositories: readonly RepositoryOutcome[];
  readonly failures: ReadonlyArray<{ repository: string; code: string; message: string }>;
  /** Repositories of the targets never started because the sweep was stopped (`shouldStop`), in order. */
  readonly notRun: readonly string[];
}

export interface SweepDeps {
  readonly forge: Forge;
  /** Lookup dependencies (registry client, gate, first-seen store); the policy comes from each repository's config. */
  readonly lookup: Omit<FindUpdatesDeps, 'policyFor'>;
  readonly now: () => number;
  readonly dryRun: boolean;
  readonly platforms?: readonly string[] | undefined;
  readonly shouldStop?: () => boolean;
  readonly onRepository?: (outcome: RepositoryOutcome) => void;
  /** Repositories finished (or failed) of the total, once the targets are listed and after each. */
  readonly onProgress?: (done: number, total: number) => void;
  /** This process's share of the repositories (`run --shard I/N`); all of them when absent. */
  readonly shard?: Shard | undefined;
  /** What earlier sweeps left settled: a repository with nothing new is skipped without a forge call. */
  readonly memo?: SweepMemo | undefined;
  /** Image chains: the upstream pipelines behind a change's images. */
  readonly upstream?: RunRepositoryDeps['upstream'];
  /** Repositories run at once (default 1). */
  readonly concurrency?: number | undefined;
}

/** The store, recording which first-seen keys one lookup consulted. */
function recording(store: FirstSeenStore, keys: Set<string>): FirstSeenStore {
  return {
    observe: (image, digest, now) => {
      keys.add(`${image}@${digest}`);
      return store.observe(image, digest, now);
    },
    entries: () => store.entries(),
    remember: (key, firstSeen) => store.remember(key, firstSeen),
    save: () => store.save(),
  };
}

/**
 * A lookup shared by every repository of a run: the same image at the same tag and digest under
 * the same policy is looked up once, whichever repositories use it. Each result names the
 * first-seen keys its lookup consulted, so a repository remembers exactly those (and not whatever
 * other repositories of the run happened to add before it).
 */
export function sharedLookup(deps: SweepDeps): (dependencies: readonly Dependency[], config: Config) => Promise<LookedUp[]> {
  const memo = new Map<string, Promise<Omit<LookedUp, 'dependency'>>>();
  return (dependencies, config) => {
    const policy = createRunPolicy(config, deps.platforms);
    const policyFor = (key: string, tag?: string | null) => policy.forImage(key, tag);
    // Every image of the repository is named before the first lookup: one token covers the new ones together.
    deps.lookup.expectRepositories?.(dependencies.map((dependency) => dependency.location));
    return Promise.all(
      dependencies.map(async (dependency) => {
        const id = createHash('sha256')
          .update(
            JSON.stringify([
              dependency.key,
              dependency.tag,
              dependency.digest,
              policyFor(dependency.key, dependency.tag),
              dependency.ceilings ?? [],
              ...(dependency.content ? [dependency.content] : []),
            ]),
          )
          .digest('hex');
        let pending = memo.get(id);
        if (!pending) {
          const keys = new Set<string>();
          pending = lookupAndGate(dependency, { ...deps.lookup, firstSeen: recording(deps.lookup.firstSeen, keys), policyFor }).then((result) => ({ ...result, firstSeenKeys: [...keys] }));
          memo.set(id, pending);
        }
        return { ...(await pending), dependency };
      }),
    );
  };
}

/**
 * Names to the registry client the images that earlier sweeps saw in these repositories, before any lookup: a
 * registry's bearer token then covers the sweep's repositories at once (up to the client's limit per token)
 * instead of one token per repository of each project. Images new since then are named with their project's scan.
 */
export async function expectRemembered(repositories: readonly Repository[], forge: Forge, memo: SweepMemo, lookup: Pick<FindUpdatesDeps, 'expectRepositories'>): Promise<void> {
  if (!lookup.expectRepositories || repositories.length === 0) return;
  const entries = await memo.getMany(repositories.map((repo) => memoKey(forge, repo))).catch(() => []);
  lookup.expectRepositories(entries.flatMap((entry) => entry?.dependencies.map((dependency) => dependency.location) ?? []));
}

/** One sweep over every repository of the targets. A repository that fails is reported; the others go on. */
export async function sweep(targets: ForgeTargets, config: Config, deps: SweepDeps): Promise<SweepResult> {
  const listed = await deps.forge.listRepositories(targets);
  const shard = deps.shard;
  const repositories = shard ? listed.filter((repo) => inShard(repo.id, shard)) : listed;
  if (deps.memo) await expectRemembered(repositories, deps.forge, deps.memo, deps.lookup);
  const lookup = sharedLookup(deps);
  const results: Array<{ outcome: RepositoryOutcome } | { failure: { repository: string; code: string; message: string } } | undefined> = [];
  const runDeps = {
    forge: deps.forge,
    lookup,
    firstSeen: deps.lookup.firstSeen,
    now: deps.now,
    dryRun: deps.dryRun,
    ...(deps.shouldStop ? { shouldStop: deps.shouldStop } : {}),
    ...(deps.upstream ? { upstream: deps.upstream } : {}),
  };
  const one = async (repo: (typeof repositories)[number]) => (await repositoryJob(repo, config, { ...runDeps, memo: deps.memo }, { force: false })).outcome;
  const pending = repositories.entries();
  let done = 0;
  deps.onProgress?.(0, repositories.length);
  const worker = async (): Promise<void> => {
    while (!deps.shouldStop?.()) {
      const step = pending.next();
      if (step.done) return;
      const [index, repo] = step.value;
      try {
        const outcome = await one(repo);
        results[index] = { outcome };
        deps.onRepository?.(outcome);
      } catch (error) {
        results[index] = { failure: { repository: repo.path, ...errorFields(error) } };
      }
      deps.onProgress?.(++done, repositories.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(deps.concurrency ?? 1, repositories.length)) }, worker));
  const outcomes: RepositoryOutcome[] = [];
  const failures: Array<{ repository: string; code: string; message: string }> = [];
  const notRun: string[] = [];
  for (const [index, repo] of repositories.entries()) {
    const result = results[index];
    if (result && 'outcome' in result) outcomes.push(result.outcome);
    else if (result) failures.push(result.failure);
    else notRun.push(repo.path);
  }
  return { repositories: outcomes, failures, notRun };
}
