import type { ProjectFacts } from '../../src/chain/types.js';

/** A chain project whose upstream list names its parents (the explicit list is what the graph follows). */
export const chainProject = (path: string, parents: readonly string[] = []): ProjectFacts => ({
  path,
  id: null,
  defaultBranch: 'main',
  uses: [],
  publishes: [],
  upstream: parents.map((parent, index) => ({ path: parent, source: 'gitlab-deps', file: '.gitlab-deps', line: index + 1 })),
  problems: [],
});
