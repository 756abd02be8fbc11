/** Reads every target project's chain files through the forge, at its default branch, and builds the graph. */
import PQueue from 'p-queue';
import type { Forge, ForgeTargets, Repository } from '../apply/forges/forge.js';
import { buildGraph } from '../chain/build-graph.js';
import { isChainFile, projectFacts } from '../chain/project-facts.js';
import type { ChainGraph, ProjectFacts } from '../chain/types.js';

export interface ChainProjects {
  readonly graph: ChainGraph;
  readonly facts: readonly ProjectFacts[];
  readonly repositories: ReadonlyMap<string, Repository>;
}

export async function readProjectFacts(forge: Forge, repository: Repository, registry: string | null): Promise<ProjectFacts> {
  const tree = await forge.listTree(repository, repository.defaultBranch);
  const wanted = tree
    .map((entry) => entry.path)
    .filter(isChainFile)
    .sort();
  const files: Array<{ path: string; bytes: Uint8Array }> = [];
  for (const path of wanted) {
    const bytes = await forge.readFile(repository, path, repository.defaultBranch);
    if (bytes) files.push({ path, bytes });
  }
  return projectFacts({ path: repository.path, id: repository.id, defaultBranch: repository.defaultBranch, files }, registry);
}

export async function readChainProjects(forge: Forge, targets: ForgeTargets, registry: string | null, concurrency = 4): Promise<ChainProjects> {
  const repositories = await forge.listRepositories(targets);
  const queue = new PQueue({ concurrency });
  const facts = await Promise.all(repositories.map((repository) => queue.add(() => readProjectFacts(forge, repository, registry), { throwOnTimeout: true })));
  return { graph: buildGraph(facts), facts, repositories: new Map(repositories.map((repository) => [repository.path, repository])) };
}
