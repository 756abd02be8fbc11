/**
 * Chain pins in `archpin run`: for an updated image that a project of the same forge publishes, the
 * project's newest successful default-branch pipeline is named in the merge request (as the newest
 * one: nothing in the registry proves which pipeline pushed the digest); the chain's required platforms become a package rule for those images.
 */
import type { Repository } from '../apply/forges/forge.js';
import type { PipelineApi } from '../apply/forges/gitlab-pipelines.js';
import { publishes } from '../chain/build-graph.js';
import type { ChainGraph } from '../chain/types.js';
import type { Config } from '../config/schema.js';
import type { PlannedChange, UpstreamNote } from '../core/planned.js';

export function chainUpstream(graph: ChainGraph, repositories: ReadonlyMap<string, Repository>, pipelines: PipelineApi): (change: PlannedChange) => Promise<UpstreamNote[]> {
  const latest = new Map<string, Promise<UpstreamNote['pipeline']>>();
  const pipelineOf = (repository: Repository) => {
    let found = latest.get(repository.path);
    if (!found) {
      found = pipelines.latestPipeline(repository.id, repository.defaultBranch, 'success').then(
        (pipeline) => (pipeline ? { id: pipeline.id, url: pipeline.webUrl } : null),
        () => null,
      );
      latest.set(repository.path, found);
    }
    return found;
  };
  return async (change) => {
    const notes: UpstreamNote[] = [];
    const seen = new Set<string>();
    for (const update of change.updates) {
      const image = `${update.image}${update.tag === null ? '' : `:${update.tag}`}@${update.digest}`;
      if (seen.has(image)) continue;
      seen.add(image);
      for (const node of graph.nodes) {
        const repository = repositories.get(node.path);
        if (!repository || !node.publishes.some((publication) => publishes(publication, { image: update.image }))) continue;
        notes.push({ image, project: node.path, pipeline: await pipelineOf(repository) });
      }
    }
    return notes;
  };
}

/** The chain's required platforms as a package rule over every image the graph's projects publish (a child moves only to a complete parent). */
export function withChainRule(config: Config, graph: ChainGraph): Config {
  const images = [...new Set(graph.nodes.flatMap((node) => node.publishes.map((publication) => publication.image)).filter((image) => !image.startsWith('*/')))].sort();
  if (images.length === 0) return config;
  const platforms = config.chain?.platforms ?? config.platforms ?? ['linux/amd64'];
  return { ...config, packageRules: [...(config.packageRules ?? []), { matchImages: images, platforms }] };
}
