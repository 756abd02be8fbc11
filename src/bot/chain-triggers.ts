/** Sending the triggers of chain children, and settling triggers whose answer was never recorded. */
import type { Logger } from 'pino';
import type { Repository } from '../apply/forges/forge.js';
import type { PipelineApi } from '../apply/forges/gitlab-pipelines.js';
import { resolveProjectPath } from '../chain/build-graph.js';
import type { ChainState, DueChild, PipelineRef } from '../chain/chain-state.js';
import { errorFields } from '../core/errors.js';
import type { ChainGraphReader } from './chain-graph-reader.js';
import type { ChainCounters } from './chain-metrics.js';

/** The CI variable that tells a pipeline archpin triggered apart (one value per trigger). */
export const TRIGGER_VARIABLE = 'ARCHPIN_CHAIN_TRIGGER';

/** What became of one trigger, recorded in the state afterwards. */
export interface TriggerOutcome {
  readonly pipeline: PipelineRef | null;
  readonly dryRun: boolean;
  readonly error?: string;
}

export interface ChainTriggerDeps {
  readonly pipelines: Pick<PipelineApi, 'createPipeline' | 'findByVariable'>;
  readonly logger: Logger;
  readonly counters: ChainCounters;
  readonly dryRun: boolean;
}

/** Sends one trigger (no state change: the outcome is recorded under the store's lock by the caller). */
export async function triggerChild(deps: ChainTriggerDeps, repository: Repository | undefined, due: DueChild): Promise<TriggerOutcome> {
  const { logger, counters } = deps;
  const parents = [...due.parents.values()];
  if (!repository) return { pipeline: null, dryRun: deps.dryRun, error: `${due.project} is not a target project` };
  if (deps.dryRun) {
    logger.info({ project: due.project, parents: parents.map((parent) => parent.images).flat() }, 'chain (dry run): would trigger a pipeline');
    counters.dryRun++;
    return { pipeline: null, dryRun: true };
  }
  const variables = {
    ARCHPIN_CHAIN_PARENTS: parents.map((parent) => parent.project).join(','),
    ARCHPIN_UPSTREAM_IMAGES: parents.flatMap((parent) => parent.images).join(' '),
    ARCHPIN_UPSTREAM_PIPELINES: parents
      .map((parent) => parent.pipeline?.url ?? '')
      .filter(Boolean)
      .join(' '),
    ...(due.mark ? { [TRIGGER_VARIABLE]: due.mark } : {}),
  };
  try {
    const created = await deps.pipelines.createPipeline(repository.id, repository.defaultBranch, variables);
    counters.triggered++;
    logger.info({ project: due.project, pipeline: created.id, parents: parents.map((parent) => parent.project) }, 'chain: pipeline triggered');
    return { pipeline: { id: created.id, url: created.webUrl }, dryRun: false };
  } catch (error) {
    const { code, message } = errorFields(error);
    counters.triggerFailed++;
    logger.error({ project: due.project, code }, `chain: cannot trigger a pipeline: ${message}`);
    return { pipeline: null, dryRun: false, error: `${code}: ${message}` };
  }
}

/**
 * Triggers taken by a replica that did not record an answer within the lease: GitLab is asked for a
 * pipeline carrying the trigger's mark. Found: it went out, and is adopted. Not found: the child is due
 * again. When GitLab cannot be asked, the mark stays for the next event or sweep. Changes `state`: run it
 * under the store's lock.
 */
export async function reclaimExpiredTriggers(deps: ChainTriggerDeps, state: ChainState, byPath: ReadonlyMap<string, Repository>, now: number): Promise<void> {
  const { logger } = deps;
  for (const mark of state.expiredStarts(now)) {
    const repository = byPath.get(mark.project);
    if (!repository || deps.dryRun) {
      state.requeueStarted(mark);
      continue;
    }
    try {
      const found = await deps.pipelines.findByVariable(repository.id, repository.defaultBranch, TRIGGER_VARIABLE, mark.mark);
      if (found) {
        state.adoptStarted(mark, { id: found.id, url: found.webUrl }, now);
        logger.warn({ project: mark.project, pipeline: found.id, owner: mark.owner }, 'chain: a trigger whose answer was never recorded did go out; its pipeline is adopted');
      } else {
        state.requeueStarted(mark);
        logger.warn({ project: mark.project, owner: mark.owner }, 'chain: a trigger taken by a replica that stopped never reached GitLab; the child is triggered again');
      }
    } catch (error) {
      logger.warn({ project: mark.project, ...errorFields(error) }, 'chain: cannot tell whether an unanswered trigger went out; asked again at the next event');
    }
  }
}

/** Starts the chain below `root` with a pipeline on that project (nothing in dry-run); the caller records it as running. */
export async function triggerRoot(
  deps: ChainTriggerDeps,
  graph: Pick<ChainGraphReader, 'ensure' | 'byPath'>,
  root: string,
  reason: string,
): Promise<{ readonly path: string; readonly pipeline: PipelineRef } | null> {
  const { logger } = deps;
  await graph.ensure();
  const path = resolveProjectPath(root, [...graph.byPath().keys()]);
  const repository = path === null ? undefined : graph.byPath().get(path);
  if (!repository || path === null) throw new Error(`${root} is not one of the target projects`);
  if (deps.dryRun) {
    logger.info({ project: path, reason }, 'chain (dry run): would start the chain with a pipeline on its root');
    return null;
  }
  const created = await deps.pipelines.createPipeline(repository.id, repository.defaultBranch, { ARCHPIN_CHAIN_ROOT: path });
  logger.info({ project: path, pipeline: created.id, reason }, 'chain started at its root');
  return { path, pipeline: { id: created.id, url: created.webUrl } };
}
