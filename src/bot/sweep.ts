import { createHash } from 'node:crypto';
import type { Forge, ForgeTargets } from '../apply/forges/forge.js';
import { imagePolicy } from '../config/image-policy.js';
import type { Config } from '../config/schema.js';
import type { Dependency } from '../core/dependency.js';
import { errorFields } from '../core/errors.js';
import type { RepositoryOutcome } from '../core/outcome.js';
import { findUpdate, type FindUpdatesDeps } from '../lookup/find-updates.js';
import type { FirstSeenStore } from '../lookup/first-seen-store.js';
import { runRepository, type LookedUp } from './run-repository.js';

export interface SweepResult {
  readonly repositories: readonly RepositoryOutcome[];
  readonly failures: ReadonlyArray<{ repository: string; code: string; message: string }>;
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
    const policyFor = (key: string) => imagePolicy(config, key, deps.platforms);
    return Promise.all(
      dependencies.map(async (dependency) => {
        const policy = policyFor(dependency.key);
        const id = createHash('sha256').update(JSON.stringify([dependency.key, dependency.tag, dependency.digest, policy])).digest('hex');
        let pending = memo.get(id);
        if (!pending) {
          const keys = new Set<string>();
          pending = findUpdate(dependency, { ...deps.lookup, firstSeen: recording(deps.lookup.firstSeen, keys), policyFor }).then((result) => ({ ...result, firstSeenKeys: [...keys] }));
          memo.set(id, pending);
        }
        return { ...(await pending), dependency };
      }),
    );
  };
}

/** One sweep over every repository of the targets. A repository that fails is reported; the others go on. */
export async function sweep(targets: ForgeTargets, config: Config, deps: SweepDeps): Promise<SweepResult> {
  const repositories = await deps.forge.listRepositories(targets);
  const lookup = sharedLookup(deps);
  const outcomes: RepositoryOutcome[] = [];
  const failures: Array<{ repository: string; code: string; message: string }> = [];
  for (const repo of repositories) {
    if (deps.shouldStop?.()) break;
    try {
      const outcome = await runRepository(repo, config, { forge: deps.forge, lookup, firstSeen: deps.lookup.firstSeen, now: deps.now, dryRun: deps.dryRun, ...(deps.shouldStop ? { shouldStop: deps.shouldStop } : {}) });
      outcomes.push(outcome);
      deps.onRepository?.(outcome);
    } catch (error) {
      failures.push({ repository: repo.path, ...errorFields(error) });
    }
  }
  return { repositories: outcomes, failures };
}
