import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { ArchpinError } from '../core/errors.js';

/** 1-based line and column in the config file as an editor shows it (after a BOM). */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** Where a key and its value start in the file, by path ("platforms", 0). */
export interface SourceMap {
  /** The value at `path`, or the key naming it (`part: 'key'`); null when the path is not in the file. */
  at(path: readonly PropertyKey[], part?: 'key' | 'value'): SourcePosition | null;
}

/** A problem found while reading the text, before the schema sees it. */
export interface TextProblem {
  readonly position: SourcePosition | null;
  readonly message: string;
}

export interface ConfigText {
  readonly value: unknown;
  readonly map: SourceMap;
  /** Keys given twice in one object: JSON.parse would silently keep the last. */
  readonly duplicates: readonly TextProblem[];
}

const BOM = '\uFEFF';

/** `archpin.yaml`, `x.yml`: YAML; anything else is JSON. */
export function isYamlSource(source: string): boolean {
  return /\.ya?ml$/i.test(source);
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) starts.push(index + 1);
  return starts;
}

function positionAt(starts: readonly number[], offset: number): SourcePosition {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((starts[middle] ?? 0) <= offset) low = middle;
    else high = middle - 1;
  }
  return { line: low + 1, column: offset - (starts[low] ?? 0) + 1 };
}

const pathKey = (path: readonly PropertyKey[]): string => path.map(String).join('\u0000');

function mapOf(keys: ReadonlyMap<string, number>, values: ReadonlyMap<string, number>, starts: readonly number[]): SourceMap {
  return {
    at(path, part = 'value') {
      const offset = (part === 'key' ? keys : values).get(pathKey(path));
      return offset === undefined ? null : positionAt(starts, offset);
    },
  };
}

/** Node 20 says "… in JSON at position 41"; newer ones add "(line 3 column 5)". Both become the line and column. */
function jsonSyntaxProblem(text: string, error: Error): TextProblem {
  const offset = /at position (\d+)/.exec(error.message)?.[1];
  const reason = error.message
    .replace(/\s*\(line \d+ column \d+\)$/, '')
    .replace(/,? (in JSON )?at position \d+$/, '')
    .replace(/ in JSON$/, '');
  const end = text.length === 0 || /^Unexpected end of JSON input/.test(error.message);
  // A trailing comma is the usual cause of "expected a property name" or an unexpected ] or }.
  const before = offset === undefined ? '' : text.slice(0, Number(offset)).trimEnd();
  const trailingComma = before.endsWith(',') && /[}\]]/.test(text[Number(offset)] ?? '');
  const position = offset !== undefined ? positionAt(lineStarts(text), Number(offset)) : end ? positionAt(lineStarts(text), text.length) : null;
  return { position, message: `not valid JSON: ${reason}${trailingComma ? ' (a trailing comma before it? JSON allows none)' : ''}` };
}

/**
 * Records where each key and value of valid JSON text starts. Iterative (a deeply nested file
 * cannot overflow the stack); the text has already passed JSON.parse.
 */
function jsonPositions(text: string): { keys: Map<string, number>; values: Map<string, number>; duplicates: Array<{ path: PropertyKey[]; key: string; offset: number; first: number }> } {
  const keys = new Map<string, number>();
  const values = new Map<string, number>();
  const duplicates: Array<{ path: PropertyKey[]; key: string; offset: number; first: number }> = [];
  type Frame = { kind: 'object'; path: PropertyKey[]; seen: Map<string, number> } | { kind: 'array'; path: PropertyKey[]; index: number };
  const stack: Frame[] = [];
  let at = 0;
  const skipSpace = () => {
    while (at < text.length && ' \t\r\n'.includes(text[at] ?? '')) at++;
  };
  const readString = (): string => {
    const start = at;
    at++;
    while (at < text.length && text[at] !== '"') at += text[at] === '\\' ? 2 : 1;
    at++;
    return JSON.parse(text.slice(start, at)) as string;
  };
  // Reads the value starting at `at` for `path`; containers push a frame and return.
  const startValue = (path: PropertyKey[]) => {
    skipSpace();
    values.set(pathKey(path), at);
    const char = text[at];
    if (char === '{') {
      at++;
      stack.push({ kind: 'object', path, seen: new Map() });
    } else if (char === '[') {
      at++;
      stack.push({ kind: 'array', path, index: 0 });
    } else if (char === '"') readString();
    else while (at < text.length && !',]} \t\r\n'.includes(text[at] ?? '')) at++;
  };
  startValue([]);
  for (let frame = stack.at(-1); frame !== undefined; frame = stack.at(-1)) {
    skipSpace();
    const char = text[at];
    if (char === ',') {
      at++;
      continue;
    }
    if (char === '}' || char === ']' || at >= text.length) {
      at++;
      stack.pop();
      continue;
    }
    if (frame.kind === 'array') {
      startValue([...frame.path, frame.index++]);
      continue;
    }
    const keyAt = at;
    const key = readString();
    const path = [...frame.path, key];
    const first = frame.seen.get(key);
    if (first !== undefined) duplicates.push({ path: frame.path, key, offset: keyAt, first });
    else frame.seen.set(key, keyAt);
    keys.set(pathKey(path), keyAt);
    skipSpace();
    at++; // the colon
    startValue(path);
  }
  return { keys, values, duplicates };
}

function parseJson(text: string): ConfigText {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const problem = jsonSyntaxProblem(text, error as Error);
    throw problemError([problem]);
  }
  const starts = lineStarts(text);
  const { keys, values, duplicates } = jsonPositions(text);
  return {
    value,
    map: mapOf(keys, values, starts),
    duplicates: duplicates.map(({ path, key, offset, first }) => {
      const firstAt = positionAt(starts, first);
      return {
        position: positionAt(starts, offset),
        message: `${[...path, key].map(String).join('.')}: "${key}" is given twice (first at ${firstAt.line}:${firstAt.column}); only the last would count — keep one`,
      };
    }),
  };
}

function parseYaml(text: string): ConfigText {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const starts = lineStarts(text);
  if (document.errors.length > 0) {
    throw problemError(
      document.errors.map((error) => ({
        position: positionAt(starts, error.pos[0]),
        message: `not valid YAML: ${(error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`,
      })),
    );
  }
  const keys = new Map<string, number>();
  const values = new Map<string, number>();
  const visit = (node: Node | null, path: PropertyKey[], depth: number): void => {
    if (node === null || depth > 64) return;
    if (node.range) values.set(pathKey(path), node.range[0]);
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : null;
        if (key === null) continue;
        const keyNode = pair.key as Node;
        if (keyNode.range) keys.set(pathKey([...path, key]), keyNode.range[0]);
        if (pair.value === null && keyNode.range) values.set(pathKey([...path, key]), keyNode.range[0]);
        else visit(pair.value as Node, [...path, key], depth + 1);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => visit(item as Node, [...path, index], depth + 1));
    }
  };
  visit(document.contents, [], 0);
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw problemError([{ position: null, message: `not valid YAML: ${(error as Error).message}` }]);
  }
  return { value: value ?? {}, map: mapOf(keys, values, starts), duplicates: [] };
}

/** The problems as one config-invalid error; `source` is filled in by the caller's message. */
class TextProblems extends Error {
  constructor(readonly problems: readonly TextProblem[]) {
    super(problems.map((problem) => problem.message).join('\n'));
  }
}

function problemError(problems: readonly TextProblem[]): TextProblems {
  return new TextProblems(problems);
}

/** `file:line:column: message` (or `file: message` without a position), one line per problem. */
export function formatProblems(source: string, problems: readonly TextProblem[]): string {
  return problems.map((problem) => `${source}${problem.position ? `:${problem.position.line}:${problem.position.column}` : ''}: ${problem.message}`).join('\n');
}

/**
 * Reads a config file's text (JSON, or YAML when `source` ends in .yaml/.yml) into a value and the
 * position of each key and value. A UTF-8 byte order mark is skipped. Syntax errors are a
 * config-invalid error naming `source:line:column`.
 */
export function readConfigText(text: string, source: string): ConfigText {
  const body = text.startsWith(BOM) ? text.slice(1) : text;
  try {
    return isYamlSource(source) ? parseYaml(body) : parseJson(body);
  } catch (error) {
    if (error instanceof TextProblems) throw new ArchpinError('config-invalid', formatProblems(source, error.problems));
    throw error;
  }
}
