/**
 * The one per-repository job, whichever queue runs it (serve's in-process queue or BullMQ workers):
 * a repository with nothing new since it was left settled is done without a forge call, unless the
 * job is forced (a webhook said something changed); otherwise it runs in full and the memo records
 * whether the next sweep may skip it.
 */
import type { Repository } from '../apply/forges/forge.js';
import type { Config } from '../config/schema.js';
import type { RepositoryOutcome } from '../core/outcome.js';
import { quietOutcome, runAndRemember } from './quiet-repository.js';
import { runRepository, type RunRepositoryDeps } from './run-repository.js';
import type { SweepMemo } from './sweep-memo.js';

export interface RepositoryJobResult {
  readonly outcome: RepositoryOutcome;
  /** True when it was skipped: nothing moved, no forge call made. */
  readonly quiet: boolean;
}

export async function repositoryJob(
  repo: Repository,
  config: Config,
  deps: RunRepositoryDeps & { readonly memo?: SweepMemo | undefined },
  options: { readonly force: boolean },
): Promise<RepositoryJobResult> {
  const memo = deps.memo;
  if (!memo) return { outcome: await runRepository(repo, config, deps), quiet: false };
  const quiet = options.force ? null : await quietOutcome(repo, config, { forge: deps.forge, lookup: deps.lookup, memo, now: deps.now });
  if (quiet) return { outcome: quiet, quiet: true };
  return { outcome: await runAndRemember(repo, config, { ...deps, memo }), quiet: false };
}
