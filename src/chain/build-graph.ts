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
    const [only, ...others] = paths.filter((path) => path.toLowerCase().endsWith(`/${lower}`) || lower.endsWith(`/${path.toLowerCase()}`));
    return only !== undefined && others.length === 0 ? only : null;
  };
}

/** One project while the graph is built: its links point at the other projects' records, so walks need no look-ups. */
interface Node {
  readonly project: ProjectFacts;
  readonly parents: Set<Node>;
  readonly children: Set<Node>;
  /** Parents not yet placed by Kahn's walk; 0 once the project has a build order. */
  waiting: number;
  /** Depth batch, final once `waiting` is 0. */
  level: number;
}

const byPath = (a: Node, b: Node): number => byText(a.project.path, b.project.path);

/** The project whose path the image's repository is, or starts with (`acme/base` builds `host/acme/base` and `host/acme/base/slim`); the longest wins. */
function registryOwner(image: string, byLowerPath: ReadonlyMap<string, Node>): Node | null {
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

/** A cycle's members, sorted: at least two. */
type Cycle = [string, string, ...string[]];

/** Strongly connected components with more than one member (Tarjan). */
function cyclesOf(nodes: readonly Node[]): Cycle[] {
  let index = 0;
  const visits = new Map<Node, { readonly index: number; lowlink: number }>();
  const stack: Node[] = [];
  const onStack = new Set<Node>();
  const found: Cycle[] = [];
  const visit = (node: Node): { readonly index: number; lowlink: number } => {
    const mine = { index, lowlink: index };
    visits.set(node, mine);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of [...node.parents].sort(byPath)) {
      const seen = visits.get(next);
      if (seen === undefined) mine.lowlink = Math.min(mine.lowlink, visit(next).lowlink);
      else if (onStack.has(next)) mine.lowlink = Math.min(mine.lowlink, seen.index);
    }
    if (mine.lowlink === mine.index) {
      // The component is everything pushed since this node.
      const members = stack.splice(stack.lastIndexOf(node));
      for (const member of members) onStack.delete(member);
      const [first, second, ...rest] = members.map((member) => member.project.path).sort(byText);
      if (first !== undefined && second !== undefined) found.push([first, second, ...rest]);
    }
    return mine;
  };
  for (const node of nodes) if (!visits.has(node)) visit(node);
  return found.sort((a, b) => byText(a[0], b[0]));
}

// Publishers by the image they push, and by repository path for publications on an unknown registry (`*/path`).
function publishers(sorted: readonly Node[]): { byImage: Map<string, Node[]>; byAnyRegistry: Map<string, Node[]> } {
  const byImage = new Map<string, Node[]>();
  const byAnyRegistry = new Map<string, Node[]>();
  for (const node of sorted) {
    for (const publication of node.project.publishes) {
      const [index, key] = publication.image.startsWith('*/') ? [byAnyRegistry, publication.image.slice(2)] : [byImage, publication.image];
      const list = index.get(key) ?? [];
      if (list.at(-1) !== node) list.push(node);
      index.set(key, list);
    }
  }
  return { byImage, byAnyRegistry };
}

/** Levels by Kahn's walk: a node it reaches gets its level and `waiting` 0; whatever it never reaches is in a cycle or below one. */
function assignLevels(sorted: readonly Node[]): void {
  for (const node of sorted) node.waiting = node.parents.size;
  let ready = sorted.filter((node) => node.waiting === 0);
  while (ready.length > 0) {
    const next: Node[] = [];
    for (const node of ready) {
      for (const child of node.children) {
        child.level = Math.max(child.level, node.level + 1);
        child.waiting--;
        if (child.waiting === 0) next.push(child);
      }
    }
    ready = next;
  }
}

export function buildGraph(projects: readonly ProjectFacts[]): ChainGraph {
  const sorted: Node[] = [...projects].sort((a, b) => byText(a.path, b.path)).map((project) => ({ project, parents: new Set(), children: new Set(), waiting: 0, level: 0 }));
  const problems: ChainProblem[] = sorted.flatMap((node) => node.project.problems);
  const reasons = new Map<string, { readonly parent: Node; readonly child: Node; readonly via: EdgeReason[] }>();
  const addEdge = (parent: Node, child: Node, reason: EdgeReason) => {
    if (parent === child) return;
    const key = `${parent.project.path}\n${child.project.path}`;
    const edge = reasons.get(key) ?? { parent, child, via: [] };
    if (!edge.via.some((known) => known.kind === reason.kind && known.file === reason.file && known.line === reason.line)) edge.via.push(reason);
    reasons.set(key, edge);
  };

  const { byImage, byAnyRegistry } = publishers(sorted);
  const byLowerPath = new Map<string, Node>();
  for (const node of sorted) if (node.project.path.includes('/') && !byLowerPath.has(node.project.path.toLowerCase())) byLowerPath.set(node.project.path.toLowerCase(), node);
  const nodeByPath = new Map(sorted.map((node) => [node.project.path, node]));
  const resolvePath = projectPathResolver(sorted.map((node) => node.project.path));
  const resolve = (entry: string): Node | undefined => {
    const path = resolvePath(entry);
    return path === null ? undefined : nodeByPath.get(path);
  };

  for (const child of sorted) {
    const facts = child.project;
    if (facts.upstream !== null) {
      for (const entry of facts.upstream) {
        const parent = resolve(entry.path);
        if (parent === undefined) {
          problems.push({
            project: facts.path,
            file: entry.file,
            line: entry.line,
            code: 'unknown-upstream',
            message: `${entry.file}:${entry.line}: upstream project ${entry.path} is not among the projects; no edge`,
          });
          continue;
        }
        addEdge(parent, child, { kind: entry.source, file: entry.file, line: entry.line });
      }
      continue;
    }
    for (const use of facts.uses) {
      const reason: EdgeReason = { kind: use.kind, file: use.file, line: use.line, image: use.value, ...(use.platform === null ? {} : { platform: use.platform }) };
      const publishers = new Set([...(byImage.get(use.image) ?? []), ...(byAnyRegistry.get(use.image.slice(use.image.indexOf('/') + 1)) ?? [])]);
      const parents = publishers.size > 0 ? [...publishers].filter((parent) => parent !== child).sort(byPath) : [];
      // No project says it pushes the image: GitLab's registry names images after their project
      // (`registry/group/project[/name]`), so the project with the longest matching path builds it.
      const byName = parents.length > 0 ? null : registryOwner(use.image, byLowerPath);
      for (const parent of byName && byName !== child ? [byName] : parents) addEdge(parent, child, reason);
    }
  }

  const links = [...reasons.values()].sort((a, b) => byPath(a.parent, b.parent) || byPath(a.child, b.child));
  const edges: GraphEdge[] = links.map(({ parent, child, via }) => ({ parent: parent.project.path, child: child.project.path, via }));
  for (const { parent, child } of links) {
    child.parents.add(parent);
    parent.children.add(child);
  }

  const cycles = cyclesOf(sorted);
  for (const cycle of cycles) {
    problems.push({ project: cycle[0], file: null, line: null, code: 'cycle', message: `cycle: ${[...cycle, cycle[0]].join(' → ')}; these projects and those built on them get no build order` });
  }
  assignLevels(sorted);
  const order = sorted
    .filter((node) => node.waiting === 0)
    .sort((a, b) => a.level - b.level || byPath(a, b))
    .map((node) => node.project.path);
  const inCycle = new Set(cycles.flat());
  const blocked = sorted.filter((node) => node.waiting !== 0 && !inCycle.has(node.project.path)).map((node) => node.project.path);
  const nodes: GraphNode[] = sorted.map(({ project, parents, children, waiting, level }) => ({
    path: project.path,
    id: project.id,
    defaultBranch: project.defaultBranch,
    publishes: project.publishes,
    parents: [...parents].map((parent) => parent.project.path).sort(byText),
    children: [...children].map((child) => child.project.path).sort(byText),
    level: waiting === 0 ? level : null,
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
