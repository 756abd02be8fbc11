/**
 * The image graph of the target projects as chain rebuilds see it: read through the forge (each sweep,
 * projects whose default branch has not moved come from the cache), one project read again after a push
 * that changed its chain files, new cycles logged once.
 */
import type { Logger } from 'pino';
import type { Forge, ForgeTargets, Repository } from '../apply/forges/forge.js';
import { buildGraph } from '../chain/build-graph.js';
import type { ChainState } from '../chain/chain-state.js';
import type { ChainGraph, ProjectFacts } from '../chain/types.js';
import { cachedProjectFacts, readChainProjects, type FactsCache, type FactsReader } from './chain-projects.js';

export interface ChainGraphReaderOptions {
  readonly forge: Forge;
  readonly targets: ForgeTargets;
  /** chain.registry: the host $CI_REGISTRY_IMAGE stands for. */
  readonly registry: string | null;
  readonly now: () => number;
  /** Every project is read in full at least this often (config fullCheckInterval). */
  readonly fullCheckMs: number;
  readonly facts?: FactsReader;
  readonly logger: Logger;
}

export interface ChainGraphReader {
  /** Each target project's chain facts, as last read. */
  facts(): readonly ProjectFacts[];
  /** The target projects by path, as last listed. */
  byPath(): ReadonlyMap<string, Repository>;
  /** Reads the graph through the forge again and sets it on `state`. */
  refresh(): Promise<ChainGraph>;
  /** The graph read once: refreshed on first use (again after a failed read). */
  ensure(): Promise<ChainGraph>;
  /** refresh(), and what ensure() answers from then on. */
  reload(): Promise<ChainGraph>;
  /** Reads one known project's chain files again and rebuilds the graph around them. */
  refreshProject(path: string): Promise<void>;
}

export function createChainGraphReader(state: ChainState, options: ChainGraphReaderOptions): ChainGraphReader {
  const { logger } = options;
  let facts: readonly ProjectFacts[] = [];
  let byPath = new Map<string, Repository>();
  let loaded: Promise<ChainGraph> | null = null;
  const factsCache: FactsCache = new Map();
  const readOptions = { cache: factsCache, now: options.now, fullCheckMs: options.fullCheckMs, ...(options.facts ? { facts: options.facts } : {}) };
  const announce = (graph: ChainGraph, before: ChainGraph | null): void => {
    const known = new Set(before?.cycles.map((cycle) => cycle.join('\n')) ?? []);
    for (const cycle of graph.cycles) if (!known.has(cycle.join('\n'))) logger.warn({ cycle }, 'image cycle: these projects are never rebuilt by the chain');
  };
  const refresh = async (): Promise<ChainGraph> => {
    const before = facts.length > 0 ? state.currentGraph : null;
    const read = await readChainProjects(options.forge, options.targets, options.registry, readOptions);
    facts = read.facts;
    byPath = new Map(read.repositories);
    state.setGraph(read.graph);
    announce(read.graph, before);
    logger.debug({ projects: read.facts.length, read: read.read }, 'chain: graph read');
    return read.graph;
  };
  return {
    facts: () => facts,
    byPath: () => byPath,
    refresh,
    ensure: () =>
      (loaded ??= refresh().catch((error: unknown) => {
        loaded = null;
        throw error;
      })),
    async reload() {
      const graph = await refresh();
      loaded = Promise.resolve(graph);
      return graph;
    },
    async refreshProject(path) {
      const repository = byPath.get(path);
      if (!repository) return;
      factsCache.delete(path);
      const { facts: fresh } = await cachedProjectFacts(options.forge, repository, options.registry, readOptions);
      const before = state.currentGraph;
      facts = facts.map((project) => (project.path === path ? fresh : project));
      const graph = buildGraph(facts);
      state.setGraph(graph);
      announce(graph, before);
      logger.info({ project: path, projects: graph.nodes.length, edges: graph.edges.length }, 'chain: graph updated after a push');
    },
  };
}
