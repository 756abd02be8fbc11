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
import type { Forge, ForgeTargets, Repository } from '../apply/forges/forge.js';
import type { PipelineApi } from '../apply/forges/gitlab-pipelines.js';
import { buildGraph, publishes as publicationMatches, resolveProjectPath } from '../chain/build-graph.js';
import { isChainFile } from '../chain/project-facts.js';
import { ChainState, type DueChild, type ParentBuild, type PipelineRef } from '../chain/chain-state.js';
import type { ChainGraph, ProjectFacts } from '../chain/types.js';
import { DEFAULTS } from '../config/defaults.js';
import type { Config } from '../config/schema.js';
import { parseDuration } from '../core/duration.js';
import { fullCheckIntervalMs } from './quiet-repository.js';
import { errorFields } from '../core/errors.js';
import { parseImageRef } from '../core/image-ref.js';
import { parseManifest, type Manifest } from '../core/manifest.js';
import { gateParentImage, type ParentVerdict } from './chain-gate.js';
import { chainPlatforms, chainPlatformsSource } from './chain-upstream.js';
import { memoryChainStore, type ChainStore } from './chain-store.js';
import { cachedProjectFacts, readChainProjects, type FactsCache, type FactsReader } from './chain-projects.js';
import type { PipelineHookEvent } from './webhooks.js';
import type { RegistryClient } from '../lookup/registry-client.js';

/** A GitLab Pipeline Hook, reduced to what the chain needs (parsed and scope-checked by the webhook endpoint). */
export type PipelineEvent = PipelineHookEvent;

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

/** A push to a project's default branch: the files it touched, or null when the hook did not list them all. */
export interface PushEvent {
  readonly path: string;
  readonly changed: readonly string[] | null;
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

/** The issue, in every root project of a chain, that shows the chain's state. */
export const CHAIN_DASHBOARD_TITLE = 'archpin image chain';

/** The CI variable that tells a pipeline archpin triggered apart (one value per trigger). */
export const TRIGGER_VARIABLE = 'ARCHPIN_CHAIN_TRIGGER';

const RUNNING = new Set(['created', 'waiting_for_resource', 'preparing', 'pending', 'running']);
const FAILED = new Set(['failed', 'canceled']);

export function createChainRunner(options: ChainRunnerOptions): ChainRunner {
  const { config, logger } = options;
  const chain = config.chain ?? {};
  const platforms = chainPlatforms(config);
  const platformsSource = chainPlatformsSource(config);
  const debounceMs = (chain.debounce ? parseDuration(chain.debounce) : null) ?? DEFAULTS.chain.debounceMs;
  const dryRun = options.dryRun || chain.dryRun === true;
  const lease = { owner: randomUUID(), ms: (chain.triggerLease ? parseDuration(chain.triggerLease) : null) ?? DEFAULTS.chain.triggerLeaseMs };
  const state = new ChainState({ nodes: [], edges: [], order: [], cycles: [], blocked: [], problems: [] }, { debounceMs, concurrency: chain.concurrency ?? DEFAULTS.chain.concurrency });
  let facts: readonly ProjectFacts[] = [];
  let byPath = new Map<string, Repository>();
  let loaded: Promise<ChainGraph> | null = null;
  let work: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const store = options.store ?? memoryChainStore();
  /** Manifests of digests that passed (content-addressed), the baseline of the next gate of that tag. */
  const manifests = new Map<string, Manifest>();
  /** Runs a change of the chain state on the stored state, under the store's lock, and stores the result. */
  const withState = <T>(change: () => Promise<T>): Promise<T> =>
    store.update(async (stored) => {
      if (stored) state.restore(stored);
      const result = await change();
      return { snapshot: state.snapshot(), result };
    });
  /** The manifest of the last digest of `ref` that passed, fetched by digest when this process has not seen it. */
  const previousManifest = async (ref: string, location: { registry: string; repository: string }): Promise<Manifest | null> => {
    const digest = state.passed.get(ref);
    if (!digest) return null;
    const known = manifests.get(digest);
    if (known) return known;
    try {
      const fetched = await options.registry.getManifest(location, digest);
      const parsed = parseManifest(fetched.bytes, fetched.mediaType);
      if (!parsed.ok) return null;
      manifests.set(digest, parsed.value);
      return parsed.value;
    } catch {
      // gone from the registry: no baseline, the required platforms still apply
      return null;
    }
  };
  const counters = { triggered: 0, dryRun: 0, triggerFailed: 0, gatePassed: 0, gateBlocked: 0 };

  const factsCache: FactsCache = new Map();
  const readOptions = { cache: factsCache, now: options.now, fullCheckMs: fullCheckIntervalMs(config), ...(options.facts ? { facts: options.facts } : {}) };
  const announce = (graph: ChainGraph, before: ChainGraph | null): void => {
    const known = new Set(before?.cycles.map((cycle) => cycle.join('\n')) ?? []);
    for (const cycle of graph.cycles) if (!known.has(cycle.join('\n'))) logger.warn({ cycle }, 'image cycle: these projects are never rebuilt by the chain');
  };
  const refresh = async (): Promise<ChainGraph> => {
    const before = facts.length > 0 ? state.currentGraph : null;
    const read = await readChainProjects(options.forge, options.targets, chain.registry ?? null, readOptions);
    facts = read.facts;
    byPath = new Map(read.repositories);
    state.setGraph(read.graph);
    announce(read.graph, before);
    logger.debug({ projects: read.facts.length, read: read.read }, 'chain: graph read');
    return read.graph;
  };
  /** Reads one known project's chain files again and rebuilds the graph around them. */
  const refreshProject = async (path: string): Promise<void> => {
    const repository = byPath.get(path);
    if (!repository) return;
    factsCache.delete(path);
    const { facts: fresh } = await cachedProjectFacts(options.forge, repository, chain.registry ?? null, readOptions);
    const before = state.currentGraph;
    facts = facts.map((project) => (project.path === path ? fresh : project));
    const graph = buildGraph(facts);
    state.setGraph(graph);
    announce(graph, before);
    logger.info({ project: path, projects: graph.nodes.length, edges: graph.edges.length }, 'chain: graph updated after a push');
  };
  const ensureGraph = () =>
    (loaded ??= refresh().catch((error: unknown) => {
      loaded = null;
      throw error;
    }));

  const enqueue = (task: () => Promise<void>): void => {
    work = work.then(task).catch((error: unknown) => logger.error(errorFields(error), 'chain: event failed'));
  };
  /** Runs a task in turn with the events (the state is changed by one task at a time) and hands back its result. */
  const inTurn = <T>(task: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      enqueue(() => task().then(resolve, reject));
    });

  /** The `image:tag` references to gate for a project: literal pushed tags, else the tags its children use, else latest. */
  const imagesToGate = (path: string): string[] => {
    const own = facts.find((project) => project.path === path);
    if (!own) return [];
    const refs = new Set<string>();
    // The images its children build on, as they name them (registry included), without their pinned digest.
    for (const edge of state.currentGraph.edges) {
      if (edge.parent !== path) continue;
      for (const reason of edge.via) {
        const parsed = reason.image ? parseImageRef(reason.image) : null;
        if (parsed) refs.add(`${parsed.name}:${parsed.tag ?? 'latest'}`);
      }
    }
    if (refs.size > 0) return [...refs].sort();
    for (const publication of own.publishes) {
      if (publication.tag !== null) {
        refs.add(publication.value);
        continue;
      }
      const used = facts.flatMap((project) => (project.path === path ? [] : project.uses.filter((use) => publicationMatches(publication, use) && use.tag !== null)));
      for (const use of used) refs.add(`${publication.image.startsWith('*/') ? publication.value : publication.value.replace(/:[^:/@]+$/, '')}:${use.tag}`);
      if (used.length === 0) refs.add(`${publication.value}:latest`);
    }
    return [...refs].sort();
  };

  const gateProject = async (path: string, pipeline: PipelineRef | null): Promise<ParentBuild | null> => {
    const refs = imagesToGate(path);
    const now = Date.now();
    if (refs.length === 0) {
      state.stop(path, { code: 'no-image', message: 'no pushed image found in its CI or chain.publishes: nothing to gate, children not rebuilt', ...(pipeline ? { pipeline } : {}), at: now });
      return null;
    }
    const images: string[] = [];
    const digests: string[] = [];
    for (const ref of refs) {
      const parsed = parseImageRef(ref.startsWith('*/') ? ref.slice(2) : ref);
      if (!parsed || ref.startsWith('*/') || parsed.tag === null) {
        state.stop(path, { code: 'registry-error', message: `${ref}: the registry is unknown; set chain.registry`, ...(pipeline ? { pipeline } : {}), at: now });
        return null;
      }
      let verdict: ParentVerdict;
      try {
        verdict = await gateParentImage(options.registry, { registry: parsed.registry, repository: parsed.repository }, parsed.tag, {
          platforms,
          platformsSource,
          previous: await previousManifest(ref, { registry: parsed.registry, repository: parsed.repository }),
          now: options.now(),
        });
      } catch (error) {
        const { code, message } = errorFields(error);
        state.stop(path, { code: 'registry-error', message: `${ref}: ${code}: ${message}`, ...(pipeline ? { pipeline } : {}), at: now });
        counters.gateBlocked++;
        return null;
      }
      if (!verdict.pass) {
        const text = verdict.reasons.map((reason) => `${reason.code}: ${reason.message}`).join('; ');
        state.stop(path, { code: 'gate-blocked', message: `${ref}@${verdict.digest}: ${text}`, ...(pipeline ? { pipeline } : {}), at: now });
        logger.warn({ project: path, image: ref, digest: verdict.digest, reasons: verdict.reasons.map((reason) => reason.code) }, 'chain stopped: the pushed image did not pass the gate');
        counters.gateBlocked++;
        return null;
      }
      if (verdict.manifest && verdict.digest) {
        manifests.set(verdict.digest, verdict.manifest);
        state.passed.set(ref, verdict.digest);
      }
      images.push(`${ref}@${verdict.digest}`);
      digests.push(verdict.digest);
    }
    counters.gatePassed++;
    return { project: path, images, digestKey: digests.join(','), pipeline };
  };

  /** What became of one trigger, recorded in the state afterwards. */
  type TriggerOutcome = { readonly pipeline: PipelineRef | null; readonly dryRun: boolean; readonly error?: string };

  /** Sends one trigger (no state change: the outcome is recorded under the store's lock by the caller). */
  const triggerOne = async (due: DueChild): Promise<TriggerOutcome> => {
    const repository = byPath.get(due.project);
    const parents = [...due.parents.values()];
    if (!repository) return { pipeline: null, dryRun, error: `${due.project} is not a target project` };
    if (dryRun) {
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
      const created = await options.pipelines.createPipeline(repository.id, repository.defaultBranch, variables);
      counters.triggered++;
      logger.info({ project: due.project, pipeline: created.id, parents: parents.map((parent) => parent.project) }, 'chain: pipeline triggered');
      return { pipeline: { id: created.id, url: created.webUrl }, dryRun: false };
    } catch (error) {
      const { code, message } = errorFields(error);
      counters.triggerFailed++;
      logger.error({ project: due.project, code }, `chain: cannot trigger a pipeline: ${message}`);
      return { pipeline: null, dryRun: false, error: `${code}: ${message}` };
    }
  };

  /**
   * Triggers taken by a replica that did not record an answer within the lease: GitLab is asked for a
   * pipeline carrying the trigger's mark. Found: it went out, and is adopted. Not found: the child is due
   * again. When GitLab cannot be asked, the mark stays for the next event or sweep.
   */
  const reclaimExpired = async (now: number): Promise<void> => {
    for (const mark of state.expiredStarts(now)) {
      const repository = byPath.get(mark.project);
      if (!repository || dryRun) {
        state.requeueStarted(mark);
        continue;
      }
      try {
        const found = await options.pipelines.findByVariable(repository.id, repository.defaultBranch, TRIGGER_VARIABLE, mark.mark);
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
  };

  const schedule = (): void => {
    if (stopped) return;
    const now = Date.now();
    const waits = [
      ...[...state.due.values()].filter((due) => state.waitingFor(due.project, now) === 'debounce').map((due) => due.updatedAt + debounceMs - now),
      // a lease this process knows of: looked at again when it runs out
      ...[...state.starting.values()].map((mark) => mark.until - now),
    ];
    if (waits.length === 0) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(
      () => {
        timer = null;
        enqueue(flush);
      },
      Math.max(Math.min(...waits), 0) + 5,
    );
  };

  /**
   * Triggers the children that are ready. They are taken (marked starting, under a lease) and saved before
   * any trigger goes out, so no other replica takes them; each answer is recorded as it comes. The triggers
   * themselves run outside the store's lock.
   */
  async function triggerReady(): Promise<number> {
    const ready = await withState(async () => {
      const now = Date.now();
      await reclaimExpired(now);
      return state.takeReady(now, lease);
    });
    for (const due of ready) {
      const mark = state.starting.get(due.project);
      if (mark !== undefined && mark.mark === due.mark && Date.now() >= mark.until) {
        // its lease ran out while earlier triggers were sent: it is now whoever reclaims it's
        logger.warn({ project: due.project }, 'chain: the lease of a trigger ran out before it was sent; left to the next event or sweep');
        continue;
      }
      const outcome = await triggerOne(due);
      await withState(async () => state.triggered(due, outcome.pipeline, Date.now(), outcome.dryRun, outcome.error));
    }
    return ready.length;
  }

  async function flush(): Promise<void> {
    const triggered = await triggerReady();
    schedule();
    if (triggered > 0) await writeDashboards();
  }

  const written = new Map<string, string>();
  /** Keeps the chain dashboard issue of every chain root current (only when its text changed). */
  const writeDashboards = async (): Promise<void> => {
    if (dryRun) return;
    const body = `${chainDashboard(state)}\n<!-- archpin chain dashboard: written by archpin serve, rewritten on every chain event -->\n`;
    for (const node of state.currentGraph.nodes) {
      if (node.level !== 0 || node.children.length === 0) continue;
      const repository = byPath.get(node.path);
      if (!repository || written.get(node.path) === body) continue;
      try {
        const found = await options.forge.findIssue(repository, CHAIN_DASHBOARD_TITLE);
        if (found === null) await options.forge.createIssue(repository, CHAIN_DASHBOARD_TITLE, body);
        else if (found.body !== body) await options.forge.updateIssue(repository, found.number, body);
        written.set(node.path, body);
      } catch (error) {
        logger.warn({ project: node.path, ...errorFields(error) }, 'chain: cannot write the dashboard issue');
      }
    }
  };

  const handle = async (event: PipelineEvent): Promise<void> => {
    await ensureGraph();
    let path = resolveProjectPath(event.path, [...byPath.keys()]);
    if (path === null || !state.currentGraph.nodes.some((node) => node.path === path)) {
      await refresh();
      path = resolveProjectPath(event.path, [...byPath.keys()]);
      if (path === null) return;
    }
    const branch = event.defaultBranch ?? byPath.get(path)?.defaultBranch ?? null;
    if (event.tag || branch === null || event.ref !== branch) return;
    const project = path;
    await withState(async () => {
      if (RUNNING.has(event.status)) state.pipelineRunning(project, event.pipeline);
      else if (FAILED.has(event.status)) {
        state.pipelineFailed(project, event.pipeline, event.status, Date.now());
        logger.warn({ project, pipeline: event.pipeline.id, status: event.status }, 'chain stopped below a failed pipeline');
      } else if (event.status === 'success') {
        state.pipelineSucceeded(project, event.pipeline);
        const build = await gateProject(project, event.pipeline);
        if (build) {
          state.recordBuilt(build, event.ref, Date.now());
          const children = state.parentPassed(build, Date.now());
          logger.info({ project, images: build.images, children }, 'chain: parent passed the gate');
        }
      }
    });
    await flush();
    await writeDashboards();
  };

  const handlePush = async (event: PushEvent): Promise<void> => {
    await ensureGraph();
    const path = resolveProjectPath(event.path, [...byPath.keys()]);
    if (path === null) {
      await refresh();
      return;
    }
    const touched = event.changed === null ? null : event.changed.filter(isChainFile);
    if (touched !== null && touched.length === 0) return;
    logger.debug({ project: path, files: touched ?? 'not listed' }, 'chain: a push changed chain files');
    await refreshProject(path);
  };

  return {
    state,
    refresh: () =>
      inTurn(async () => {
        const graph = await refresh();
        loaded = Promise.resolve(graph);
        // Children left due by a restart or by another replica are triggered once their time has come.
        await flush();
        return graph;
      }),
    pipelineEvent(event) {
      if (!stopped) enqueue(() => handle(event));
    },
    pushEvent(event) {
      if (!stopped) enqueue(() => handlePush(event));
    },
    async triggerRoot(root, reason) {
      await ensureGraph();
      const path = resolveProjectPath(root, [...byPath.keys()]);
      const repository = path === null ? undefined : byPath.get(path);
      if (!repository || path === null) throw new Error(`${root} is not one of the target projects`);
      if (dryRun) {
        logger.info({ project: path, reason }, 'chain (dry run): would start the chain with a pipeline on its root');
        return null;
      }
      const created = await options.pipelines.createPipeline(repository.id, repository.defaultBranch, { ARCHPIN_CHAIN_ROOT: path });
      const ref = { id: created.id, url: created.webUrl };
      enqueue(() =>
        withState(async () => {
          state.of(path).starting = true;
          state.pipelineRunning(path, ref);
          state.of(path).starting = false;
        }),
      );
      logger.info({ project: path, pipeline: created.id, reason }, 'chain started at its root');
      return ref;
    },
    async settled() {
      let seen: Promise<void> | null = null;
      while (seen !== work) {
        seen = work;
        await work;
      }
    },
    metricsText() {
      const lines: string[] = [];
      const counter = (name: string, help: string, samples: Array<[string, number]>) => {
        lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`, ...samples.map(([labels, value]) => `${name}${labels} ${value}`));
      };
      const gauge = (name: string, help: string, value: number) => lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${value}`);
      counter('archpin_chain_triggers_total', 'Child pipelines triggered by chain rebuilds, by result.', [
        ['{result="triggered"}', counters.triggered],
        ['{result="dry-run"}', counters.dryRun],
        ['{result="failed"}', counters.triggerFailed],
      ]);
      counter('archpin_chain_gate_total', 'Parent images gated after a successful pipeline, by result.', [
        ['{result="passed"}', counters.gatePassed],
        ['{result="blocked"}', counters.gateBlocked],
      ]);
      const statuses = [...state.status.values()];
      gauge('archpin_chain_projects', 'Projects in the image graph.', state.currentGraph.nodes.length);
      gauge('archpin_chain_due', 'Children waiting to be triggered (debounce, parents still building, budget).', state.due.size);
      gauge('archpin_chain_running', 'Default-branch pipelines known to be running.', statuses.filter((status) => status.running).length);
      gauge('archpin_chain_stopped', 'Projects whose subtree is stopped (failed pipeline or gate).', statuses.filter((status) => status.stopped).length);
      gauge('archpin_chain_cycles', 'Image cycles in the graph.', state.currentGraph.cycles.length);
      return `${lines.join('\n')}\n`;
    },
    dashboardSection() {
      return chainDashboard(state);
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      options.facts?.close();
    },
  };
}

/** The chain part of the dashboard issue: last parent digests, children triggered, stopped subtrees with reasons. */
export function chainDashboard(state: ChainState): string {
  const lines = ['## Image chain', ''];
  const built = [...state.status.entries()].flatMap(([project, status]) => (status.lastBuild ? [{ project, build: status.lastBuild }] : [])).sort((a, b) => (a.project < b.project ? -1 : 1));
  if (built.length) {
    lines.push('Last parent images that passed the gate:', '');
    for (const { project, build } of built) {
      lines.push(`- \`${project}\`: ${build.images.map((image) => `\`${image}\``).join(', ')}${build.pipeline ? ` (pipeline [#${build.pipeline.id}](${build.pipeline.url}))` : ''}`);
    }
    lines.push('');
  }
  const triggered = state.log.slice(-20);
  if (triggered.length) {
    lines.push('Children triggered (latest 20):', '');
    for (const record of triggered) {
      const what = record.pipeline ? `pipeline [#${record.pipeline.id}](${record.pipeline.url})` : record.dryRun ? 'dry run: not triggered' : `failed: ${record.error ?? 'unknown'}`;
      lines.push(`- \`${record.project}\` after ${record.parents.map((parent) => `\`${parent.project}\``).join(', ')}: ${what}`);
    }
    lines.push('');
  }
  const stopped = state.stoppedSubtrees();
  if (stopped.length) {
    lines.push('Stopped subtrees:', '');
    for (const entry of stopped) {
      lines.push(`- \`${entry.project}\` — **${entry.reason.code}**: ${entry.reason.message}${entry.below.length ? `; not rebuilt: ${entry.below.map((path) => `\`${path}\``).join(', ')}` : ''}`);
    }
    lines.push('');
  }
  if (state.currentGraph.cycles.length) {
    lines.push('Cycles (never rebuilt by the chain):', '');
    for (const cycle of state.currentGraph.cycles) lines.push(`- ${[...cycle, cycle[0]].map((path) => `\`${path}\``).join(' → ')}`);
    lines.push('');
  }
  if (lines.length === 2) lines.push('No chain activity yet.', '');
  return lines.join('\n');
}
