import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, visit, type Document, type Node, type YAMLMap } from 'yaml';
import { mapGet } from '../../yaml-source.js';

/** The anchored and alias nodes of each document, in document order (what `Alias.resolve` walks the whole document for, on each call). */
const anchorsOf = new WeakMap<Document.Parsed, Node[]>();

/** Follows an alias to the node it names (the last node with its anchor before it, as `Alias.resolve` finds it); other nodes are returned as they are. */
export function deref(node: unknown, document: Document.Parsed): unknown {
  if (!isAlias(node)) return node;
  let nodes = anchorsOf.get(document);
  if (!nodes) {
    const found: Node[] = [];
    visit(document, {
      Node: (_key, candidate) => {
        if (isAlias(candidate) || ((isScalar(candidate) || isCollection(candidate)) && candidate.anchor)) found.push(candidate);
      },
    });
    anchorsOf.set(document, found);
    nodes = found;
  }
  let target: Node | undefined;
  for (const candidate of nodes) {
    if (candidate === node) break;
    if (candidate.anchor === node.source) target = candidate;
  }
  return target;
}

/** The maps a `<<` merge key pulls into `map`, in order. */
export function mergeSources(map: YAMLMap, document: Document.Parsed): YAMLMap[] {
  const sources: YAMLMap[] = [];
  for (const item of map.items) {
    if (!isPair(item) || !isScalar(item.key) || item.key.value !== '<<') continue;
    const value = item.value;
    const nodes = isSeq(value) ? value.items : [value];
    for (const node of nodes) {
      const target = deref(node, document);
      if (isMap(target)) sources.push(target);
    }
  }
  return sources;
}

/** A key's value as YAML merge keys define it: the map's own entry wins over merged ones. */
export function effectiveGet(map: YAMLMap, key: string, document: Document.Parsed): unknown {
  const own = mapGet(map, key);
  if (own !== undefined) return own;
  for (const source of mergeSources(map, document)) {
    const merged = mapGet(source, key);
    if (merged !== undefined) return merged;
  }
  return undefined;
}
