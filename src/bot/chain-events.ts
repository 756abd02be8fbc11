/**
 * What chain rebuilds do with a hook: a default-branch pipeline's status moves the project's state (a
 * success gates what it pushed and makes its children due); a push that changed chain files re-reads
 * that project. Each runs in turn with the other events (chain-runner.ts).
 */
import type { Logger } from 'pino';
import { resolveProjectPath } from '../chain/build-graph.js';
import type { ChainState } from '../chain/chain-state.js';
import { imagesToGate } from '../chain/images-to-gate.js';
import { isChainFile } from '../chain/project-facts.js';
import type { ChainGraphReader } from './chain-graph-reader.js';
import type { ParentGate } from './chain-parent-gate.js';
import type { PipelineHookEvent } from './webhooks.js';

/** A GitLab Pipeline Hook, reduced to what the chain needs (parsed and scope-checked by the webhook endpoint). */
export type PipelineEvent = PipelineHookEvent;

/** A push to a project's default branch: the files it touched, or null when the hook did not list them all. */
export interface PushEvent {
  readonly path: string;
  readonly changed: readonly string[] | null;
}

export interface ChainEventDeps {
  readonly state: ChainState;
  readonly graph: ChainGraphReader;
  /** Runs a change of the state on the stored state, under the store's lock. */
  readonly withState: <T>(change: () => Promise<T>) => Promise<T>;
  readonly gateParent: ParentGate;
  readonly logger: Logger;
  /** Triggers the children that are ready and schedules the next look. */
  readonly flush: () => Promise<void>;
  readonly writeDashboards: () => Promise<void>;
}

const RUNNING = new Set(['created', 'waiting_for_resource', 'preparing', 'pending', 'running']);
const FAILED = new Set(['failed', 'canceled']);

export async function handlePipelineEvent(deps: ChainEventDeps, event: PipelineEvent): Promise<void> {
  const { state, graph, logger } = deps;
  await graph.ensure();
  let path = resolveProjectPath(event.path, [...graph.byPath().keys()]);
  if (path === null || !state.currentGraph.nodes.some((node) => node.path === path)) {
    await graph.refresh();
    path = resolveProjectPath(event.path, [...graph.byPath().keys()]);
    if (path === null) return;
  }
  const branch = event.defaultBranch ?? graph.byPath().get(path)?.defaultBranch ?? null;
  if (event.tag || branch === null || event.ref !== branch) return;
  const project = path;
  await deps.withState(async () => {
    if (RUNNING.has(event.status)) state.pipelineRunning(project, event.pipeline);
    else if (FAILED.has(event.status)) {
      state.pipelineFailed(project, event.pipeline, event.status, Date.now());
      logger.warn({ project, pipeline: event.pipeline.id, status: event.status }, 'chain stopped below a failed pipeline');
    } else if (event.status === 'success') {
      state.pipelineSucceeded(project, event.pipeline);
      const build = await deps.gateParent(state, project, event.pipeline, imagesToGate(graph.facts(), state.currentGraph, project));
      if (build) {
        state.recordBuilt(build, event.ref, Date.now());
        const children = state.parentPassed(build, Date.now());
        logger.info({ project, images: build.images, children }, 'chain: parent passed the gate');
      }
    }
  });
  await deps.flush();
  await deps.writeDashboards();
}

export async function handlePushEvent(deps: Pick<ChainEventDeps, 'graph' | 'logger'>, event: PushEvent): Promise<void> {
  const { graph } = deps;
  await graph.ensure();
  const path = resolveProjectPath(event.path, [...graph.byPath().keys()]);
  if (path === null) {
    await graph.refresh();
    return;
  }
  const touched = event.changed === null ? null : event.changed.filter(isChainFile);
  if (touched !== null && touched.length === 0) return;
  deps.logger.debug({ project: path, files: touched ?? 'not listed' }, 'chain: a push changed chain files');
  await graph.refreshProject(path);
}
