/**
 * The image graph of a set of projects: an edge parent → child for every image the child builds on
 * that the parent publishes, or for every project the child's explicit upstream list names (which then
 * replaces the image edges). Build order is by depth batch, then path; cycles are reported, never walked.
 */
import type { ChainGraph, ChainProblem, EdgeReason, GraphEdge, GraphNode, ImageUse, ProjectFacts, Publication } from './types.js';

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Whether a publication is the image a use names (a publication on an unknown registry, `*` as host, matches its path on any registry). */
export function publishes(publication: Publication, use: Pick<ImageUse, 'image'>): boolean {
  if (publication.image === use.image) return true;
  return publication.image.startsWith('*/') && use.image.slice(use.image.indexOf('/') + 1) === publication.image.slice(2);
}

/** Resolves an upstream path: exact (case-insensitive), else the one project whose path ends with it or that it ends with. */
export function resolveProjectPath(entry: string, paths: readonly string[]): string | null {
  return projectPathResolver(paths)(entry);
}

/** `resolveProjectPath` over a fixed list, with the exact matches indexed (for resolving many entries). */
export function projectPathResolver(paths: readonly string[]): (entry: string) => string | null {
  const exact = new Map<string, string>();
  for (const path of paths) if (!exact.has(path.toLowerCase())) exact.set(path.toLowerCase(), path);
  return (entry) => {
    const lower = entry.toLowerCase();
    const found = exact.get(lower);
    if (found !== undefined) return found;
    const suffix = paths.filter((path) => path.toLowerCase().endsWith(`/${lower}`) || lower.endsWith(`/${path.toLowerCase()}`));
    return suffix.length === 1 ? suffix[0]! : null;
  };
}

/** The project whose path the image's repository is, or starts with (`acme/base` builds `host/acme/base` and `host/acme/base/slim`); the longest wins. */
function registryOwner(image: string, byLowerPath: ReadonlyMap<string, ProjectFacts>): ProjectFacts | null {
  const parts = image
    .slice(image.indexOf('/') + 1)
    .toLowerCase()
    .split('/');
  // A project path has a group: at least two components.
  for (let length = parts.length; length >= 2; length--) {
    const found = byLowerPath.get(parts.slice(0, length).join('/'));
    if (found) return found;
  }
  return null;
}

/** Strongly connected components with more than one member (Tarjan). */
function cyclesOf(paths: readonly string[], parentsOf: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const lowlink = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    indices.set(node, index);
    lowlink.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of [...(parentsOf.get(node) ?? [])].sort(byText)) {
      if (!indices.has(next)) {
        visit(next);
        lowlink.set(node, Math.min(lowlink.get(node)!, lowlink.get(next)!));
      } else if (onStack.has(next)) lowlink.set(node, Math.min(lowlink.get(node)!, indices.get(next)!));
    }
    if (lowlink.get(node) === indices.get(node)) {
      const members: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        members.push(member);
      } while (member !== node);
      if (members.length > 1) found.push(members.sort(byText));
    }
  };
  for (const path of paths) if (!indices.has(path)) visit(path);
  return found.sort((a, b) => byText(a[0]!, b[0]!));
}

export function buildGraph(projects: readonly ProjectFacts[]): ChainGraph {
  const sorted = [...projects].sort((a, b) => byText(a.path, b.path));
  const paths = sorted.map((project) => project.path);
  const problems: ChainProblem[] = sorted.flatMap((project) => project.problems);
  const reasons = new Map<string, EdgeReason[]>();
  const addEdge = (parent: string, child: string, reason: EdgeReason) => {
    if (parent === child) return;
    const key = `${parent}\n${child}`;
    const list = reasons.get(key) ?? [];
    if (!list.some((known) => known.kind === reason.kind && known.file === reason.file && known.line === reason.line)) list.push(reason);
    reasons.set(key, list);
  };

  // Publishers by the image they push, and by repository path for publications on an unknown registry (`*/path`).
  const byImage = new Map<string, ProjectFacts[]>();
  const byAnyRegistry = new Map<string, ProjectFacts[]>();
  for (const project of sorted) {
    for (const publication of project.publishes) {
      const [index, key] = publication.image.startsWith('*/') ? [byAnyRegistry, publication.image.slice(2)] : [byImage, publication.image];
      const list = index.get(key) ?? [];
      if (list.at(-1) !== project) list.push(project);
      index.set(key, list);
    }
  }
  const byLowerPath = new Map<string, ProjectFacts>();
  for (const project of sorted) if (project.path.includes('/') && !byLowerPath.has(project.path.toLowerCase())) byLowerPath.set(project.path.toLowerCase(), project);
  const resolve = projectPathResolver(paths);

  for (const child of sorted) {
    if (child.upstream !== null) {
      for (const entry of child.upstream) {
        const parent = resolve(entry.path);
        if (parent === null) {
          problems.push({
            project: child.path,
            file: entry.file,
            line: entry.line,
            code: 'unknown-upstream',
            message: `${entry.file}:${entry.line}: upstream project ${entry.path} is not among the projects; no edge`,
          });
          continue;
        }
        addEdge(parent, child.path, { kind: entry.source, file: entry.file, line: entry.line });
      }
      continue;
    }
    for (const use of child.uses) {
      const reason: EdgeReason = { kind: use.kind, file: use.file, line: use.line, image: use.value, ...(use.platform === null ? {} : { platform: use.platform }) };
      const publishers = new Set([...(byImage.get(use.image) ?? []), ...(byAnyRegistry.get(use.image.slice(use.image.indexOf('/') + 1)) ?? [])]);
      const parents = publishers.size > 0 ? [...publishers].filter((parent) => parent.path !== child.path).sort((a, b) => byText(a.path, b.path)) : [];
      // No project says it pushes the image: GitLab's registry names images after their project
      // (`registry/group/project[/name]`), so the project with the longest matching path builds it.
      const byName = parents.length > 0 ? null : registryOwner(use.image, byLowerPath);
      for (const parent of byName && byName.path !== child.path ? [byName] : parents) addEdge(parent.path, child.path, reason);
    }
  }

  const edges: GraphEdge[] = [...reasons.entries()]
    .map(([key, via]) => {
      const [parent, child] = key.split('\n') as [string, string];
      return { parent, child, via };
    })
    .sort((a, b) => byText(a.parent, b.parent) || byText(a.child, b.child));
  const parentsOf = new Map<string, Set<string>>(paths.map((path) => [path, new Set()]));
  const childrenOf = new Map<string, Set<string>>(paths.map((path) => [path, new Set()]));
  for (const edge of edges) {
    parentsOf.get(edge.child)!.add(edge.parent);
    childrenOf.get(edge.parent)!.add(edge.child);
  }

  const cycles = cyclesOf(paths, parentsOf);
  for (const cycle of cycles) {
    problems.push({ project: cycle[0]!, file: null, line: null, code: 'cycle', message: `cycle: ${[...cycle, cycle[0]].join(' → ')}; these projects and those built on them get no build order` });
  }
  // Levels by Kahn's walk: whatever it never reaches is in a cycle or below one.
  const level = new Map<string, number>();
  const waiting = new Map(paths.map((path) => [path, parentsOf.get(path)!.size]));
  let ready = paths.filter((path) => waiting.get(path) === 0);
  for (const path of ready) level.set(path, 0);
  while (ready.length > 0) {
    const next: string[] = [];
    for (const path of ready) {
      for (const child of childrenOf.get(path)!) {
        level.set(child, Math.max(level.get(child) ?? 0, level.get(path)! + 1));
        const left = waiting.get(child)! - 1;
        waiting.set(child, left);
        if (left === 0) next.push(child);
      }
    }
    ready = next;
  }
  const order = paths.filter((path) => waiting.get(path) === 0).sort((a, b) => level.get(a)! - level.get(b)! || byText(a, b));
  const inCycle = new Set(cycles.flat());
  const blocked = paths.filter((path) => waiting.get(path) !== 0 && !inCycle.has(path));
  const nodes: GraphNode[] = sorted.map((project) => ({
    path: project.path,
    id: project.id,
    defaultBranch: project.defaultBranch,
    publishes: project.publishes,
    parents: [...parentsOf.get(project.path)!].sort(byText),
    children: [...childrenOf.get(project.path)!].sort(byText),
    level: waiting.get(project.path) === 0 ? level.get(project.path)! : null,
  }));
  return { nodes, edges, order, cycles, blocked, problems };
}

/** Every project a project builds on, directly or not. */
export function ancestorsOf(graph: ChainGraph, path: string): Set<string> {
  const byPath = new Map(graph.nodes.map((node) => [node.path, node]));
  const seen = new Set<string>();
  const walk = (at: string) => {
    for (const parent of byPath.get(at)?.parents ?? []) {
      if (seen.has(parent)) continue;
      seen.add(parent);
      walk(parent);
    }
  };
  walk(path);
  seen.delete(path);
  return seen;
}

/** Every project built on a project, directly or not. */
export function descendantsOf(graph: ChainGraph, path: string): Set<string> {
  const byPath = new Map(graph.nodes.map((node) => [node.path, node]));
  const seen = new Set<string>();
  const walk = (at: string) => {
    for (const child of byPath.get(at)?.children ?? []) {
      if (seen.has(child)) continue;
      seen.add(child);
      walk(child);
    }
  };
  walk(path);
  seen.delete(path);
  return seen;
}
