import type { z } from 'zod';
import { ArchpinError } from '../core/errors.js';
import { formatProblems, readConfigText, type ConfigText, type SourcePosition, type TextProblem } from './config-text.js';
import { isPlainObject, mergeLayers, type MergedLayers } from './merge-config.js';
import { nearestValue, unknownKeyMessage } from './key-suggestions.js';
import { configSchema, type Config } from './schema.js';
import { formatPath } from './config-path.js';
import { configIssues } from './consistency.js';

export { formatPath } from './config-path.js';

/** Formats zod issues as `path: message` lines a user can act on (no file positions). */
export function describeIssues(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  return issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`).join('\n');
}

/** A config file as read: its name in messages and its text's value with the place of each key and value. */
export interface ConfigLayer extends ConfigText {
  readonly source: string;
}

/** A problem in one of the files (by index in the merge order). */
interface LayerProblem extends TextProblem {
  readonly layer: number;
}

/** Where a problem at `path` of the merged config is written: its file, its place there, and its path in that file. */
interface Located {
  readonly layer: number;
  readonly position: SourcePosition | null;
  readonly path: readonly PropertyKey[];
}

/**
 * The place of `path` in the file that wrote it, else of the nearest enclosing value that is written somewhere (a
 * missing key: its object); the path is the one in that file (a package rule's index counts from that file's first).
 */
function locate(layers: readonly ConfigLayer[], merged: Pick<MergedLayers, 'origin'>, path: readonly PropertyKey[], part: 'key' | 'value'): Located {
  for (let length = path.length; length >= 0; length--) {
    const origin = merged.origin(path.slice(0, length));
    if (origin === null) continue;
    const position = layers[origin.layer]?.map.at(origin.path, length === path.length ? part : 'value') ?? null;
    if (position !== null || length === 0) return { layer: origin.layer, position, path: [...origin.path, ...path.slice(length)] };
  }
  return { layer: layers.length - 1, position: null, path };
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/** Each zod issue as a problem at its place in the file, with the nearest key or value for a typo. */
function issueProblems(issues: readonly z.core.$ZodIssue[], value: unknown, layers: readonly ConfigLayer[], merged: Pick<MergedLayers, 'origin'>): LayerProblem[] {
  return issues.flatMap((issue): LayerProblem[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const at = locate(layers, merged, [...issue.path, key], 'key');
        return { layer: at.layer, position: at.position, message: `${formatPath(at.path)}: ${unknownKeyMessage(configSchema, issue.path, key)}` };
      });
    }
    let message = issue.message;
    if (issue.code === 'invalid_value') {
      const guess = nearestValue(valueAt(value, issue.path), issue.values);
      if (guess !== null) message += `; did you mean "${guess}"?`;
    }
    const part = issue.code === 'custom' && (issue.params as { at?: string } | undefined)?.at === 'key' ? 'key' : 'value';
    const at = locate(layers, merged, issue.path, part);
    return [{ layer: at.layer, position: at.position, message: `${formatPath(at.path)}: ${message}` }];
  });
}

function byPlace(a: LayerProblem, b: LayerProblem): number {
  if (a.layer !== b.layer) return a.layer - b.layer;
  if (a.position === null || b.position === null) return (a.position === null ? 1 : 0) - (b.position === null ? 1 : 0);
  return a.position.line - b.position.line || a.position.column - b.position.column;
}

export interface CheckedConfig {
  readonly config: Config;
  /** `file:line:column` of the value at `path` of the merged config (for warnings that name a place), `file` when it has none. */
  readonly place: (path: readonly PropertyKey[]) => string;
}

/** Reads one config file's text (JSON; YAML when `source` ends in .yaml/.yml; a BOM is skipped); syntax errors name `source:line:column`. */
export function readConfigLayer(text: string, source: string): ConfigLayer {
  return { ...readConfigText(text, source), source };
}

/** The files a config `extends`, as written in `layer`; a value that is not a list of paths is an error at its place. */
export function extendsOf(layer: ConfigLayer): readonly string[] {
  if (!isPlainObject(layer.value) || layer.value.extends === undefined) return [];
  const entries = layer.value.extends;
  if (Array.isArray(entries) && entries.every((entry) => typeof entry === 'string' && entry.length > 0)) return entries as string[];
  throw new ArchpinError('config-invalid', formatProblems(layer.source, [{ position: layer.map.at(['extends']), message: 'extends: expected a list of file paths, e.g. ["shared/org.json"]' }]));
}

/**
 * Validates a config and the files it extends (`layers`, in merge order: each on top of those before it) as ONE merged
 * config, so that settings split over the files (a user name in the shared file, its password variable in this one)
 * are judged together. Every problem is one `file:line:column: path: message` line naming the file that wrote the
 * offending key and its path there, in merge order and then file order.
 */
export function checkLayers(layers: readonly ConfigLayer[]): CheckedConfig {
  const objects = layers.length === 1 ? [] : layers.flatMap((layer, index) => (isPlainObject(layer.value) ? [] : [index]));
  // One file is validated as written (a repository config's `extends` must stay visible to be refused).
  const chain = layers.length === 1 ? null : mergeLayers(layers.map((layer) => (isPlainObject(layer.value) ? layer.value : {})));
  const merged: { value: unknown; origin: MergedLayers['origin'] } = chain ?? { value: layers[0]?.value, origin: (path) => ({ layer: 0, path }) };
  const result = configSchema.safeParse(merged.value);
  const issues = issuesOf(result, merged.value);
  const seen = new Set<string>();
  const problems = [
    ...layers.flatMap((layer, index) => layer.duplicates.map((problem) => ({ ...problem, layer: index }))),
    ...objects.map((index) => ({ layer: index, position: layers[index]?.map.at([]) ?? null, message: '(root): expected an object of settings ({ … })' })),
    ...issueProblems(issues, merged.value, layers, merged),
    ...(chain ? overriddenProblems(chain, layers) : []),
  ]
    .filter((problem) => {
      const key = `${problem.layer}:${problem.position?.line}:${problem.position?.column}:${problem.message}`;
      return !seen.has(key) && seen.add(key);
    })
    .sort(byPlace);
  if (problems.length > 0 || !result.success) {
    throw new ArchpinError('config-invalid', problems.map((problem) => formatProblems(layers[problem.layer]?.source ?? '', [problem])).join('\n'));
  }
  return {
    config: result.data,
    place: (path) => {
      const at = locate(layers, merged, path, 'value');
      const source = layers[at.layer]?.source ?? '';
      return at.position ? `${source}:${at.position.line}:${at.position.column}` : source;
    },
  };
}

/** The issues of a parse; where a section already failed, zod skips the whole-config checks: they run here so one pass reports everything. */
function issuesOf(result: ReturnType<typeof configSchema.safeParse>, value: unknown): z.core.$ZodIssue[] {
  if (result.success) return [];
  return [...result.error.issues, ...configIssues(value).map((issue) => ({ code: 'custom' as const, input: undefined, path: [...issue.path], message: issue.message, params: { at: issue.at } }))];
}

const startsWith = (path: readonly PropertyKey[], prefix: readonly PropertyKey[]): boolean => prefix.every((segment, index) => String(path[index]) === String(segment));

/**
 * A value a later file of the chain replaced is still checked, as that file's own mistake: the merged config with that
 * value put back is validated, and the problems at or under its path are reported at its place in its file (so
 * cross-field checks see the rest of the chain, as for the merged config).
 */
function overriddenProblems(merged: MergedLayers, layers: readonly ConfigLayer[]): LayerProblem[] {
  return merged.overridden.flatMap((entry) => {
    const value = structuredClone(merged.value);
    let target: Record<string, unknown> = value;
    for (const segment of entry.path.slice(0, -1)) target = target[String(segment)] as Record<string, unknown>;
    target[String(entry.path[entry.path.length - 1])] = entry.value;
    const issues = issuesOf(configSchema.safeParse(value), value).filter((issue) => startsWith(issue.path, entry.path));
    const origin = (path: readonly PropertyKey[]) =>
      startsWith(path, entry.path) ? { layer: entry.origin.layer, path: [...entry.origin.path, ...path.slice(entry.path.length)] } : merged.origin(path);
    return issueProblems(issues, value, layers, { origin });
  });
}

/**
 * Parses and validates one config file's text (no `extends` followed). Every problem is one
 * `source:line:column: path: message` line, in file order.
 */
export function checkConfig(text: string, source: string): CheckedConfig {
  return checkLayers([readConfigLayer(text, source)]);
}

/** Parses and validates a config file's text; errors name the file, the line and column, the path and the fix. */
export function parseConfig(text: string, source: string): Config {
  return checkConfig(text, source).config;
}
