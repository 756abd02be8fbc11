import { parseImageRef } from '../core/image-ref.js';
import { publishes as publicationMatches } from './build-graph.js';
import type { ChainGraph, ProjectFacts } from './types.js';

/**
 * The `image:tag` references to gate for a project after its pipeline succeeded: the images its children
 * build on, as they name them (registry included, without their pinned digest); else its literal pushed
 * tags, with the tags its users name for a pushed image without one, else latest. Sorted.
 */
export function imagesToGate(facts: readonly ProjectFacts[], graph: ChainGraph, path: string): string[] {
  const own = facts.find((project) => project.path === path);
  if (!own) return [];
  const refs = new Set<string>();
  for (const edge of graph.edges) {
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
}
