/** The chain graph as text, JSON (versioned), Graphviz dot or Mermaid. Pure. */
import type { ChainGraph, EdgeReason } from './types.js';

export type GraphFormat = 'text' | 'json' | 'dot' | 'mermaid';

const describe = (reason: EdgeReason): string => {
  const where = `${reason.file}:${reason.line}`;
  switch (reason.kind) {
    case 'from':
      return `FROM ${reason.platform ? `--platform=${reason.platform} ` : ''}${reason.image} (${where})`;
    case 'copy-from':
      return `COPY --from=${reason.image} (${where})`;
    case 'mount':
      return `RUN --mount from=${reason.image} (${where})`;
    default:
      return `${reason.kind} (${where})`;
  }
};

export function graphJson(graph: ChainGraph): unknown {
  return {
    version: 1,
    order: graph.order,
    projects: graph.nodes.map((node) => ({
      path: node.path,
      ...(node.id === null ? {} : { id: node.id }),
      level: node.level,
      publishes: node.publishes.map((publication) => ({ image: publication.value, source: publication.source, file: publication.file, line: publication.line })),
      parents: node.parents,
      children: node.children,
    })),
    edges: graph.edges.map((edge) => ({ parent: edge.parent, child: edge.child, via: edge.via })),
    cycles: graph.cycles,
    blocked: graph.blocked,
    problems: graph.problems,
  };
}

export function graphText(graph: ChainGraph): string {
  const lines: string[] = [];
  const byPath = new Map(graph.nodes.map((node) => [node.path, node]));
  lines.push(`Build order (${graph.order.length} of ${graph.nodes.length} projects, ${graph.edges.length} edges):`);
  // The build order names nodes of the graph.
  const ordered = graph.order.flatMap((path) => byPath.get(path) ?? []);
  ordered.forEach((node, index) => {
    const path = node.path;
    const published = node.publishes.length ? `  publishes ${[...new Set(node.publishes.map((p) => p.value))].join(', ')}` : '';
    lines.push(`  ${index + 1}. [${node.level}] ${path}${published}`);
    for (const edge of graph.edges.filter((candidate) => candidate.child === path)) {
      lines.push(`       after ${edge.parent}: ${edge.via.map(describe).join('; ')}`);
    }
  });
  if (graph.cycles.length) {
    lines.push('', 'Cycles (not built in order):');
    for (const cycle of graph.cycles) lines.push(`  ${[...cycle, cycle[0]].join(' → ')}`);
  }
  if (graph.blocked.length) lines.push('', `Built on a cycle: ${graph.blocked.join(', ')}`);
  if (graph.problems.length) {
    lines.push('', 'Problems:');
    for (const problem of graph.problems.filter((p) => p.code !== 'cycle')) lines.push(`  ${problem.project}  ${problem.code}  ${problem.message}`);
  }
  return `${lines.join('\n')}\n`;
}

const escaped = (text: string): string => text.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
const quoted = (text: string): string => `"${escaped(text)}"`;
const edgeLabel = (via: readonly EdgeReason[]): string =>
  [...new Set(via.map((reason) => (reason.kind === 'from' ? 'FROM' : reason.kind === 'copy-from' ? 'COPY --from' : reason.kind === 'mount' ? 'RUN --mount' : reason.kind)))].join(', ');

export function graphDot(graph: ChainGraph): string {
  const lines = ['digraph archpin {', '  rankdir=LR;', '  node [shape=box];'];
  const cyclic = new Set(graph.cycles.flat());
  for (const node of graph.nodes) {
    const label = [node.path, ...new Set(node.publishes.map((p) => p.value))].map(escaped).join('\\n');
    lines.push(`  ${quoted(node.path)} [label="${label}"${cyclic.has(node.path) ? ', color=red' : ''}];`);
  }
  for (const edge of graph.edges) lines.push(`  ${quoted(edge.parent)} -> ${quoted(edge.child)} [label=${quoted(edgeLabel(edge.via))}];`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

export function graphMermaid(graph: ChainGraph): string {
  const ids = new Map(graph.nodes.map((node, index) => [node.path, `n${index}`]));
  const lines = ['graph TD'];
  for (const node of graph.nodes) lines.push(`  ${ids.get(node.path)}["${node.path.replace(/"/g, '#quot;')}"]`);
  for (const edge of graph.edges) lines.push(`  ${ids.get(edge.parent)} -->|${edgeLabel(edge.via)}| ${ids.get(edge.child)}`);
  const cyclic = graph.cycles.flat();
  if (cyclic.length) {
    lines.push('  classDef cycle stroke:#d00,stroke-width:2px');
    lines.push(`  class ${cyclic.map((path) => ids.get(path)).join(',')} cycle`);
  }
  return `${lines.join('\n')}\n`;
}

export function renderGraph(graph: ChainGraph, format: GraphFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(graphJson(graph), null, 2)}\n`;
    case 'dot':
      return graphDot(graph);
    case 'mermaid':
      return graphMermaid(graph);
    default:
      return graphText(graph);
  }
}
