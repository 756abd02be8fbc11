/**
 * Chain rebuilds in `archpin serve`: Pipeline Hook events feed the chain state; a successful
 * default-branch pipeline has its pushed images gated, then the projects built on it are triggered
 * through the pipeline API (after the debounce window and after all their parents, within the group's
 * budget). Work runs one event at a time; the state is kept in a ChainStore (memory, file or Redis,
 * chain-store.ts), changed under its lock, and shown on /metrics and in the dashboard text. A child
 * taken for triggering carries a lease: when the replica that took it dies before the answer is
 * recorded, the next event or sweep past the lease asks GitLab whether the trigger went out (its
 * ARCHPIN_CHAIN_TRIGGER variable) and adopts that pipeline or triggers the child again.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Forge, ForgeTargets } from '../apply/forges/forge.js';
import type { PipelineApi } from '../apply/forges/gitlab-pipelines.js';
import { ChainState, type PipelineRef } from '../chain/chain-state.js';
import type { ChainGraph } from '../chain/types.js';
import { DEFAULTS } from '../config/defaults.js';
import type { Config } from '../config/schema.js';
import { parseDuration } from '../core/duration.js';
import { errorFields } from '../core/errors.js';
import type { RegistryClient } from '../lookup/registry-client.js';
import { chainDashboard, chainDashboardWriter } from './chain-dashboard.js';
import { handlePipelineEvent, handlePushEvent, type ChainEventDeps, type PipelineEvent, type PushEvent } from './chain-events.js';
import { createChainGraphReader } from './chain-graph-reader.js';
import { chainMetricsText, newChainCounters } from './chain-metrics.js';
import { createParentGate } from './chain-parent-gate.js';
import type { FactsReader } from './chain-projects.js';
import { memoryChainStore, type ChainStore } from './chain-store.js';
import { createTriggerLoop } from './chain-trigger-loop.js';
import { triggerRoot } from './chain-triggers.js';
import { chainPlatforms, chainPlatformsSource } from './chain-upstream.js';
import { fullCheckIntervalMs } from './quiet-repository.js';

export interface ChainRunnerOptions {
  readonly config: Config;
  readonly forge: Forge;
  readonly pipelines: PipelineApi;
  readonly targets: ForgeTargets;
  readonly registry: Pick<RegistryClient, 'getManifest' | 'getBlob'>;
  readonly logger: Logger;
  /** The clock of gate decisions. */
  readonly now: () => number;
  readonly dryRun: boolean;
  /** Where each project's chain files become facts (serve: a worker thread with limits, isolated-scanner.ts); closed on stop. */
  readonly facts?: FactsReader & { close(): void };
  /** Where the chain state is kept (default: in memory). */
  readonly store?: ChainStore;
}

export interface ChainRunner {
  readonly state: ChainState;
  /** Reads the graph through the forge again (each sweep): projects whose default branch has not moved come from the cache. */
  refresh(): Promise<ChainGraph>;
  pipelineEvent(event: PipelineEvent): void;
  /** A push hook: a changed Dockerfile/Containerfile, `.gitlab-deps`, CI file or archpin.json re-reads that project. */
  pushEvent(event: PushEvent): void;
  /** Starts the chain below `root` by creating a pipeline on the root project. */
  triggerRoot(root: string, reason: string): Promise<PipelineRef | null>;
  /** Resolves when no event is being handled. */
  settled(): Promise<void>;
  metricsText(): string;
  dashboardSection(): string;
  stop(): void;
}

export { CHAIN_DASHBOARD_TITLE, chainDashboard } from './chain-dashboard.js';
export type { PipelineEvent, PushEvent } from './chain-events.js';
export { TRIGGER_VARIABLE } from './chain-triggers.js';

/**
 * Wires the parts around one chain state kept in the store: the graph reader, the event handlers, the
 * parent gate, the trigger loop and the dashboard writer. Events and timers run one at a time; each
 * change of the state runs under the store's lock on the stored state.
 */
export function createChainRunner(options: ChainRunnerOptions): ChainRunner {
  const { config, logger } = options;
  const chain = config.chain ?? {};
  const debounceMs = (chain.debounce ? parseDuration(chain.debounce) : null) ?? DEFAULTS.chain.debounceMs;
  const dryRun = options.dryRun || chain.dryRun === true;
  const lease = { owner: randomUUID(), ms: (chain.triggerLease ? parseDuration(chain.triggerLease) : null) ?? DEFAULTS.chain.triggerLeaseMs };
  const state = new ChainState({ nodes: [], edges: [], order: [], cycles: [], blocked: [], problems: [] }, { debounceMs, concurrency: chain.concurrency ?? DEFAULTS.chain.concurrency });
  const store = options.store ?? memoryChainStore();
  const counters = newChainCounters();
  const graph = createChainGraphReader(state, {
    forge: options.forge,
    targets: options.targets,
    registry: chain.registry ?? null,
    now: options.now,
    fullCheckMs: fullCheckIntervalMs(config),
    ...(options.facts ? { facts: options.facts } : {}),
    logger,
  });
  const writeDashboard = chainDashboardWriter(options.forge, logger);
  const writeDashboards = async (): Promise<void> => {
    if (!dryRun) await writeDashboard(state, graph.byPath());
  };
  let work: Promise<void> = Promise.resolve();
  let stopped = false;

  /** Runs a change of the chain state on the stored state, under the store's lock, and stores the result. */
  const withState = <T>(change: () => Promise<T>): Promise<T> =>
    store.update(async (stored) => {
      if (stored) state.restore(stored);
      const result = await change();
      return { snapshot: state.snapshot(), result };
    });
  const enqueue = (task: () => Promise<void>): void => {
    work = work.then(task).catch((error: unknown) => logger.error(errorFields(error), 'chain: event failed'));
  };
  /** Runs a task in turn with the events (the state is changed by one task at a time) and hands back its result. */
  const inTurn = <T>(task: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      enqueue(() => task().then(resolve, reject));
    });
  const triggers = { pipelines: options.pipelines, logger, counters, dryRun };
  const loop = createTriggerLoop({ state, withState, byPath: () => graph.byPath(), triggers, lease, debounceMs, logger, enqueue, writeDashboards });
  const events: ChainEventDeps = {
    state,
    graph,
    withState,
    gateParent: createParentGate({ registry: options.registry, platforms: chainPlatforms(config), platformsSource: chainPlatformsSource(config), logger, counters, now: options.now }),
    logger,
    flush: loop.flush,
    writeDashboards,
  };

  return {
    state,
    refresh: () =>
      inTurn(async () => {
        const read = await graph.reload();
        // Children left due by a restart or by another replica are triggered once their time has come.
        await loop.flush();
        return read;
      }),
    pipelineEvent(event) {
      if (!stopped) enqueue(() => handlePipelineEvent(events, event));
    },
    pushEvent(event) {
      if (!stopped) enqueue(() => handlePushEvent(events, event));
    },
    async triggerRoot(root, reason) {
      const started = await triggerRoot(triggers, graph, root, reason);
      if (started === null) return null;
      const { path, pipeline } = started;
      enqueue(() =>
        withState(async () => {
          state.of(path).starting = true;
          state.pipelineRunning(path, pipeline);
          state.of(path).starting = false;
        }),
      );
      return pipeline;
    },
    async settled() {
      let seen: Promise<void> | null = null;
      while (seen !== work) {
        seen = work;
        await work;
      }
    },
    metricsText: () => chainMetricsText(counters, state),
    dashboardSection: () => chainDashboard(state),
    stop() {
      stopped = true;
      loop.stop();
      options.facts?.close();
    },
  };
}
