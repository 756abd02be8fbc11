import { isAlias, isMap, isPair, isScalar, isSeq, Scalar, type Document, type YAMLMap } from 'yaml';
import { stripDependencyProxyPrefix } from '../../../core/image-ref.js';
import type { SourceFile } from '../../../core/source-file.js';
import { mapEntries, mapGet, stringScalar } from '../../yaml-source.js';

/** A variable whose value is a literal written in the file: its text and where it is. */
export interface LiteralVariable {
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

/**
 * Variables in scope, by name. `null` means defined, but not as a literal archpin can edit
 * (built from another variable, not a string, written with escapes, or a `parallel: matrix` axis).
 */
export type VariableScope = ReadonlyMap<string, LiteralVariable | null>;

/** Follows an alias to the node it names; other nodes are returned as they are. */
export function deref(node: unknown, document: Document.Parsed): unknown {
  return isAlias(node) ? node.resolve(document) : node;
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

function literalOf(node: unknown, file: SourceFile, document: Document.Parsed): LiteralVariable | null {
  let target = deref(node, document);
  if (isMap(target)) target = deref(mapGet(target, 'value'), document);
  if (!isScalar(target) || !target.range) return null;
  if (typeof target.value === 'number' && target.type === Scalar.PLAIN) {
    // GitLab takes `VERSION: 27` as the string "27" (it rejects floats outright, so a
    // float here never reaches a runner): the text as written is the value.
    const [start, end] = target.range;
    const text = file.text.slice(start, end);
    return /^[0-9][0-9._]*$/.test(text) ? { value: text, start, end } : null;
  }
  const scalar = stringScalar(target, file);
  if (!scalar || !scalar.literal || scalar.value.includes('$')) return null;
  return { value: scalar.value, start: scalar.start, end: scalar.end };
}

const MAX_MERGE_DEPTH = 20;

/** Reads a `variables:` block (values as scalars or `{value: …}` maps; merge keys honoured). */
export function readVariables(node: unknown, file: SourceFile, document: Document.Parsed, depth = 0): Map<string, LiteralVariable | null> {
  const variables = new Map<string, LiteralVariable | null>();
  const block = deref(node, document);
  if (!isMap(block) || depth > MAX_MERGE_DEPTH) return variables;
  for (const source of mergeSources(block, document)) {
    for (const [name, value] of readVariables(source, file, document, depth + 1)) if (!variables.has(name)) variables.set(name, value);
  }
  for (const [name, value] of mapEntries(block)) variables.set(name, literalOf(value, file, document));
  return variables;
}

/** Names that `parallel: matrix` gives several values: never a single literal. */
function matrixNames(job: YAMLMap, document: Document.Parsed): string[] {
  const parallel = deref(effectiveGet(job, 'parallel', document), document);
  if (!isMap(parallel)) return [];
  const matrix = deref(mapGet(parallel, 'matrix'), document);
  if (!isSeq(matrix)) return [];
  const names: string[] = [];
  for (const entry of matrix.items) {
    const axes = deref(entry, document);
    if (isMap(axes)) for (const [name] of mapEntries(axes)) names.push(name);
  }
  return names;
}

/** The variables a job sees: its own (and its matrix axes) win over the global ones. */
export function jobScope(job: YAMLMap, global: VariableScope, file: SourceFile, document: Document.Parsed): VariableScope {
  const own = readVariables(effectiveGet(job, 'variables', document), file, document);
  for (const name of matrixNames(job, document)) own.set(name, null);
  if (own.size === 0) return global;
  const scope = new Map(global);
  for (const [name, value] of own) scope.set(name, value);
  return scope;
}

export type Resolution =
  /** No variables (a dependency-proxy prefix aside): the text is the reference. */
  | { readonly kind: 'plain' }
  /** Every variable is a literal in scope. */
  | { readonly kind: 'resolved'; readonly value: string; readonly variables: ReadonlyArray<{ readonly name: string; readonly literal: LiteralVariable }> }
  /** Some variable is undefined, predefined by GitLab, or not a literal. */
  | { readonly kind: 'unresolved' };

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** Expands `$VAR` and `${VAR}` in an image string with the literals in scope. A dependency-proxy prefix is kept as written. */
export function resolveImage(text: string, scope: VariableScope): Resolution {
  const proxied = stripDependencyProxyPrefix(text);
  const prefix = proxied ? proxied.prefix : '';
  const rest = proxied ? proxied.rest : text;
  if (!rest.includes('$')) return { kind: 'plain' };
  const used: Array<{ name: string; literal: LiteralVariable }> = [];
  let value = prefix;
  let last = 0;
  for (const match of rest.matchAll(VARIABLE)) {
    const between = rest.slice(last, match.index);
    if (between.includes('$')) return { kind: 'unresolved' };
    const name = (match[1] ?? match[2])!;
    const literal = scope.get(name);
    if (!literal) return { kind: 'unresolved' };
    value += between + literal.value;
    last = match.index + match[0].length;
    if (!used.some((entry) => entry.name === name)) used.push({ name, literal });
  }
  const tail = rest.slice(last);
  if (tail.includes('$')) return { kind: 'unresolved' };
  return { kind: 'resolved', value: value + tail, variables: used };
}
