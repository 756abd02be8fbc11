import { isMap, isPair, isScalar, isSeq, type Document, type YAMLMap } from 'yaml';
import { deref, mapGet } from '../../yaml-source.js';

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
