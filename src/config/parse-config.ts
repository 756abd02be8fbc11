import type { z } from 'zod';
import { ArchpinError } from '../core/errors.js';
import { formatProblems, readConfigText, type SourceMap, type SourcePosition, type TextProblem } from './config-text.js';
import { nearestValue, unknownKeyMessage } from './key-suggestions.js';
import { configSchema, type Config } from './schema.js';
import { formatPath } from './config-path.js';
import { configIssues } from './consistency.js';

export { formatPath } from './config-path.js';

/** Formats zod issues as `path: message` lines a user can act on (no file positions). */
export function describeIssues(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  return issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`).join('\n');
}

/** The position of `path` in the file, else of the nearest enclosing value that is there (a missing key: its object). */
function positionOf(map: SourceMap, path: readonly PropertyKey[], part: 'key' | 'value'): SourcePosition | null {
  const exact = map.at(path, part);
  if (exact !== null) return exact;
  for (let length = path.length - 1; length >= 0; length--) {
    const position = map.at(path.slice(0, length));
    if (position !== null) return position;
  }
  return null;
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
function issueProblems(issues: readonly z.core.$ZodIssue[], value: unknown, map: SourceMap): TextProblem[] {
  return issues.flatMap((issue): TextProblem[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const path = [...issue.path, key];
        return { position: positionOf(map, path, 'key'), message: `${formatPath(path)}: ${unknownKeyMessage(configSchema, issue.path, key)}` };
      });
    }
    let message = issue.message;
    if (issue.code === 'invalid_value') {
      const guess = nearestValue(valueAt(value, issue.path), issue.values);
      if (guess !== null) message += `; did you mean "${guess}"?`;
    }
    const part = issue.code === 'custom' && (issue.params as { at?: string } | undefined)?.at === 'key' ? 'key' : 'value';
    return [{ position: positionOf(map, issue.path, part), message: `${formatPath(issue.path)}: ${message}` }];
  });
}

function byPosition(a: TextProblem, b: TextProblem): number {
  if (a.position === null || b.position === null) return (a.position === null ? 1 : 0) - (b.position === null ? 1 : 0);
  return a.position.line - b.position.line || a.position.column - b.position.column;
}

export interface CheckedConfig {
  readonly config: Config;
  /** Where each key and value is in the file (for warnings that name a place). */
  readonly map: SourceMap;
}

/**
 * Parses and validates a config file's text (JSON; YAML when `source` ends in .yaml/.yml; a BOM is
 * skipped). Every problem is one `source:line:column: path: message` line, in file order.
 */
export function checkConfig(text: string, source: string): CheckedConfig {
  const { value, map, duplicates } = readConfigText(text, source);
  const result = configSchema.safeParse(value);
  // Where a section already failed, zod skips the whole-config checks: they run here so one pass reports everything.
  const issues = result.success
    ? []
    : [...result.error.issues, ...configIssues(value).map((issue) => ({ code: 'custom' as const, input: undefined, path: [...issue.path], message: issue.message, params: { at: issue.at } }))];
  const seen = new Set<string>();
  const problems = [...duplicates, ...issueProblems(issues, value, map)]
    .filter((problem) => {
      const key = `${problem.position?.line}:${problem.position?.column}:${problem.message}`;
      return !seen.has(key) && seen.add(key);
    })
    .sort(byPosition);
  if (problems.length > 0 || !result.success) throw new ArchpinError('config-invalid', formatProblems(source, problems));
  return { config: result.data, map };
}

/** Parses and validates a config file's text; errors name the file, the line and column, the path and the fix. */
export function parseConfig(text: string, source: string): Config {
  return checkConfig(text, source).config;
}
