/**
 * Reads every target project's chain files through the forge, at its default branch, and builds the
 * graph. With a facts cache, a project is read again only when its default branch moved: an unchanged
 * activity stamp (within `forge.fullCheckInterval` of the last check) costs no call, a moved one one
 * branch-head call, and only a new head re-reads the chain files.
 */
import PQueue from 'p-queue';
import type { Forge, ForgeTargets, Repository } from '../apply/forges/forge.js';
import { buildGraph } from '../chain/build-graph.js';
import { isChainFile, projectFacts, type ProjectInput } from '../chain/project-facts.js';
import { DEFAULT_MAX_FILE_SIZE } from '../core/budgets.js';
import type { ChainGraph, ProjectFacts } from '../chain/types.js';

export interface ChainProjects {
  readonly graph: ChainGraph;
  readonly facts: readonly ProjectFacts[];
  readonly repositories: ReadonlyMap<string, Repository>;
  /** Projects whose chain files were read (the others came from the cache). */
  readonly read: number;
}

/** What a project's chain files said at a default-branch head. */
export interface CachedFacts {
  readonly facts: ProjectFacts;
  /** The default-branch head they were read at (null when the forge did not say). */
  readonly sha: string | null;
  readonly activity: string | undefined;
  /** When the head was last compared (epoch ms). */
  readonly checkedAt: number;
}

/** Facts per project path, kept between reads by the long-running bot. */
export type FactsCache = Map<string, CachedFacts>;

export interface ReadChainOptions {
  readonly concurrency?: number;
  readonly cache?: FactsCache;
  readonly now?: () => number;
  /** How long an unchanged activity stamp is trusted without comparing the head (`forge.fullCheckInterval`). */
  readonly fullCheckMs?: number;
  /** Where a project's files become facts (default: in-process). */
  readonly facts?: FactsReader;
}

/** Turns a project's chain files into its facts: in-process by default, in a worker with limits in `serve` (isolated-scanner.ts). */
export type FactsReader = (input: ProjectInput, registry: string | null) => Promise<ProjectFacts>;

export async function readProjectFacts(forge: Forge, repository: Repository, registry: string | null, reader?: FactsReader): Promise<ProjectFacts> {
  const tree = await forge.listTree(repository, repository.defaultBranch);
  const files: Array<{ path: string; bytes: Uint8Array }> = [];
  const unread: Array<NonNullable<ProjectInput['unread']>[number]> = [];
  const tooLarge = (path: string, size: number) => unread.push({ path, code: 'file-too-large', message: `${size} bytes is over the ${DEFAULT_MAX_FILE_SIZE}-byte limit (chain files); not read` });
  const wanted = tree.filter((entry) => isChainFile(entry.path)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const entry of wanted) {
    // the tree's size first, so an oversized file is not even downloaded
    if (entry.size !== null && entry.size > DEFAULT_MAX_FILE_SIZE) {
      tooLarge(entry.path, entry.size);
      continue;
    }
    const bytes = await forge.readFile(repository, entry.path, repository.defaultBranch);
    if (bytes && bytes.length > DEFAULT_MAX_FILE_SIZE) tooLarge(entry.path, bytes.length);
    else if (bytes) files.push({ path: entry.path, bytes });
  }
  const input: ProjectInput = { path: repository.path, id: repository.id, defaultBranch: repository.defaultBranch, files, unread };
  return reader ? reader(input, registry) : projectFacts(input, registry);
}

/** One project's facts, from the cache when its default branch has not moved since. */
export async function cachedProjectFacts(forge: Forge, repository: Repository, registry: string | null, options: ReadChainOptions = {}): Promise<{ facts: ProjectFacts; read: boolean }> {
  const now = options.now?.() ?? Date.now();
  const cache = options.cache;
  const known = cache?.get(repository.path);
  if (cache && known && known.facts.id === repository.id && known.facts.defaultBranch === repository.defaultBranch) {
    const fresh = now - known.checkedAt < (options.fullCheckMs ?? 0);
    if (repository.activity !== undefined && known.activity === repository.activity && fresh) return { facts: known.facts, read: false };
    const head = known.sha === null ? null : await forge.branchHead(repository, repository.defaultBranch);
    if (head && head.sha === known.sha) {
      cache.set(repository.path, { ...known, activity: repository.activity, checkedAt: now });
      return { facts: known.facts, read: false };
    }
  }
  const head = cache ? await forge.branchHead(repository, repository.defaultBranch) : null;
  const facts = await readProjectFacts(forge, repository, registry, options.facts);
  cache?.set(repository.path, { facts, sha: head?.sha ?? null, activity: repository.activity, checkedAt: now });
  return { facts, read: true };
}

export async function readChainProjects(forge: Forge, targets: ForgeTargets, registry: string | null, options: ReadChainOptions = {}): Promise<ChainProjects> {
  const repositories = await forge.listRepositories(targets);
  const queue = new PQueue({ concurrency: options.concurrency ?? 4 });
  const results = await Promise.all(repositories.map((repository) => queue.add(() => cachedProjectFacts(forge, repository, registry, options), { throwOnTimeout: true })));
  if (options.cache) {
    const listed = new Set(repositories.map((repository) => repository.path));
    for (const path of options.cache.keys()) if (!listed.has(path)) options.cache.delete(path);
  }
  const facts = results.map((result) => result.facts);
  return {
    graph: buildGraph(facts),
    facts,
    repositories: new Map(repositories.map((repository) => [repository.path, repository])),
    read: results.filter((result) => result.read).length,
  };
}
