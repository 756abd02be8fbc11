/**
 * The cheap no-op: a repository whose activity stamp (read in bulk with the listing) has not moved
 * since a sweep left it settled, and whose images' lookups say exactly what they said then, is done
 * without a single forge call (but one per file its CI includes from other projects, asked again: a push
 * there moves no stamp of this one). Any doubt runs it in full: a missing stamp, another configuration, a
 * lookup error, a new tag or digest, a change request still waiting (limits, auto-merge), a failure.
 */
import { createHash } from 'node:crypto';
import type { Forge, Repository } from '../apply/forges/forge.js';
import { DEFAULTS } from '../config/defaults.js';
import type { Config } from '../config/schema.js';
import { parseDuration } from '../core/duration.js';
import type { Dependency } from '../core/dependency.js';
import type { ChangeAction, RepositoryOutcome } from '../core/outcome.js';
import { changedInclude } from '../pipeline/outside-includes.js';
import { runRepository, type LookedUp, type RunRepositoryDeps } from './run-repository.js';
import type { SweepMemo, SweepMemoEntry } from './sweep-memo.js';

const SETTLED: ReadonlySet<ChangeAction> = new Set(['opened', 'updated', 'unchanged', 'skipped-closed']);
const WRITES = ['commitFiles', 'deleteBranch', 'openChangeRequest', 'updateChangeRequest', 'closeChangeRequest', 'enableAutomerge', 'createIssue', 'updateIssue'] as const;

export function memoKey(forge: Forge, repo: Repository): string {
  return `${forge.type}:${forge.type === 'github' ? repo.id.toLowerCase() : repo.id}`;
}

export function globalConfigHash(config: Config): string {
  return createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 16);
}

/** What the lookups said, without the references (the same images in other files say the same). */
export function resultsFingerprint(results: readonly LookedUp[]): string {
  const said = results.map(({ dependency, update, held, error }) => [dependency.key, dependency.tag, dependency.digest, ...(dependency.content ? [dependency.content] : []), update, held, error]);
  return createHash('sha256').update(JSON.stringify(said)).digest('hex');
}

type Lookup = RunRepositoryDeps['lookup'];

/** How long a repository may go without a full run (`forge.fullCheckInterval`), whatever its stamp says. */
export function fullCheckIntervalMs(global: Config): number {
  const text = global.forge?.fullCheckInterval;
  return (text ? parseDuration(text) : null) ?? DEFAULTS.fullCheckIntervalMs;
}

export interface QuietDeps {
  readonly forge: Forge;
  readonly lookup: Lookup;
  readonly memo: SweepMemo;
  readonly now: () => number;
}

/**
 * The outcome of a repository that needs nothing (no forge call made), or null when it must run.
 * `known` is its memo entry when the caller read it already (in bulk).
 */
export async function quietOutcome(repo: Repository, global: Config, deps: QuietDeps, known?: SweepMemoEntry | null): Promise<RepositoryOutcome | null> {
  if (repo.activity === undefined) return null;
  const entry = known === undefined ? await deps.memo.get(memoKey(deps.forge, repo)) : known;
  if (!entry || entry.activity !== repo.activity || entry.configHash !== globalConfigHash(global)) return null;
  // A stamp can lag behind a change (GitLab refreshes last_activity_at lazily): every repository runs in full now and then.
  if (!(deps.now() - entry.settledAt < fullCheckIntervalMs(global))) return null;
  // Its stamp does not move when a file its CI includes from another project changes: those are asked again.
  if (entry.includes !== undefined && entry.includes.length > 0 && (!deps.forge.ciIncludes || (await changedInclude(deps.forge.ciIncludes, entry.includes)) !== null)) return null;
  const dependencies: Dependency[] = entry.dependencies.map((dependency) => ({ ...dependency, references: [] }));
  const results = await deps.lookup(dependencies, (entry.config as Config | null) ?? global);
  if (results.some((result) => result.error !== null) || resultsFingerprint(results) !== entry.results) return null;
  return {
    repository: repo.path,
    ...(entry.includes ? { includes: entry.includes } : {}),
    changes: entry.changes.map((change) => ({ ...change, action: 'unchanged', number: null, url: null })),
    closed: [],
    held: results.flatMap((result) => result.held),
    errors: [],
    problems: [],
    reusedScan: true,
  };
}

/** The forge, telling which writes were made and which default-branch head the run planned against. */
function watched(forge: Forge, repo: Repository, seen: { wrote: boolean; head: string | null }): Forge {
  const wrapped: Forge = {
    ...forge,
    branchHead: async (target, branch) => {
      const head = await forge.branchHead(target, branch);
      if (branch === repo.defaultBranch && seen.head === null && head) seen.head = head.sha;
      return head;
    },
  };
  for (const name of WRITES) {
    // eslint-disable-next-line @typescript-eslint/unbound-method -- applied with `forge` as `this` below
    const original = forge[name] as (...args: unknown[]) => Promise<unknown>;
    (wrapped as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
      seen.wrote = true;
      return original.apply(forge, args);
    };
  }
  return wrapped;
}

/**
 * Runs the repository in full and records whether the next sweep may skip it. When the run wrote,
 * its own writes moved the activity stamp: the stamp is read again, and kept only if the default
 * branch is still where the run found it (else a push came in between, and the next sweep looks).
 */
export async function runAndRemember(repo: Repository, global: Config, deps: RunRepositoryDeps & { memo: SweepMemo }): Promise<RepositoryOutcome> {
  const seen = { wrote: false, head: null as string | null };
  let looked: { dependencies: readonly Dependency[]; results: readonly LookedUp[]; config: Config } | null = null;
  const lookup: Lookup = async (dependencies, config) => {
    const results = await deps.lookup(dependencies, config);
    // A shared literal's images may be looked up again, below their own choices: every lookup is remembered.
    const before = looked;
    looked = { dependencies: [...(before?.dependencies ?? []), ...dependencies], results: [...(before?.results ?? []), ...results], config };
    return results;
  };
  const key = memoKey(deps.forge, repo);
  const outcome = await runRepository(repo, global, { ...deps, forge: watched(deps.forge, repo, seen), lookup });
  const settled =
    !deps.dryRun &&
    !deps.shouldStop?.() &&
    repo.activity !== undefined &&
    outcome.errors.length === 0 &&
    outcome.changes.every((change) => SETTLED.has(change.action) && change.automerge === undefined);
  const done = looked as { dependencies: readonly Dependency[]; results: readonly LookedUp[]; config: Config } | null;
  if (!settled || done === null || done.results.some((result) => result.error !== null)) {
    await deps.memo.set(key, null);
    return outcome;
  }
  let activity: string | null = repo.activity;
  if (seen.wrote) {
    const fresh = await deps.forge.getRepository(repo.id);
    const head = await deps.forge.branchHead(repo, repo.defaultBranch);
    activity = fresh.activity !== undefined && head !== null && head.sha === seen.head ? fresh.activity : null;
  }
  const entry: SweepMemoEntry | null =
    activity === null
      ? null
      : {
          activity,
          settledAt: deps.now(),
          configHash: globalConfigHash(global),
          config: JSON.stringify(done.config) === JSON.stringify(global) ? null : done.config,
          dependencies: done.dependencies.map(({ key: image, location, tag, digest, ceilings, content }) => ({
            key: image,
            location,
            tag,
            digest,
            ...(ceilings ? { ceilings } : {}),
            ...(content ? { content } : {}),
          })),
          results: resultsFingerprint(done.results),
          changes: outcome.changes.map(({ branch, title }) => ({ branch, title })),
          ...(outcome.includes ? { includes: outcome.includes } : {}),
        };
  await deps.memo.set(key, entry);
  return outcome;
}
