import type { HclBlock } from './hcl-body.js';
import type { HclToken } from './hcl-tokens.js';
import { hclDefinitions } from './hcl-variables.js';

/**
 * Literal HCL values as far as a `dynamic` block's `for_each` needs them: strings, objects (`{ web = "…" }`,
 * `{ "web": "…" }`) and tuples (`["…", "…"]`), also wrapped in `toset(…)`, `tolist(…)` or `tomap(…)`. Anything
 * else (a function, an operator, a reference) is `unknown`: nothing is guessed.
 */
export type HclValue =
  | { readonly kind: 'string'; readonly token: HclToken }
  | { readonly kind: 'object'; readonly entries: ReadonlyMap<string, HclValue> }
  | { readonly kind: 'tuple'; readonly items: readonly HclValue[] }
  /** A number, `true`, `false` or `null`: known, and never an image. */
  | { readonly kind: 'scalar' }
  | { readonly kind: 'unknown' };

const UNKNOWN: HclValue = { kind: 'unknown' };
/** Nesting past this is not a literal a job writes by hand. */
const MAX_DEPTH = 32;
const CONVERSIONS = new Set(['toset', 'tolist', 'tomap']);
const SCALARS = new Set(['true', 'false', 'null']);

class Reader {
  private at = 0;

  constructor(
    private readonly text: string,
    private readonly tokens: readonly HclToken[],
  ) {}

  private peek(): HclToken | undefined {
    while (this.tokens[this.at]?.type === 'newline') this.at++;
    return this.tokens[this.at];
  }

  private is(char: string): boolean {
    const token = this.peek();
    return token?.type === 'punctuation' && this.text.slice(token.start, token.end) === char;
  }

  private take(): HclToken | undefined {
    const token = this.peek();
    this.at++;
    return token;
  }

  /** The whole expression as one value: unknown when anything is left after it. */
  whole(): HclValue {
    const value = this.value(0);
    return this.peek() === undefined ? value : UNKNOWN;
  }

  private value(depth: number): HclValue {
    if (depth > MAX_DEPTH) return UNKNOWN;
    const token = this.take();
    if (!token) return UNKNOWN;
    const text = this.text.slice(token.start, token.end);
    if (token.type === 'string') return { kind: 'string', token };
    if (token.type === 'number' || (token.type === 'identifier' && SCALARS.has(text))) return { kind: 'scalar' };
    if (token.type === 'identifier' && CONVERSIONS.has(text) && this.is('(')) {
      this.take();
      const inner = this.value(depth + 1);
      return this.is(')') && this.take() ? inner : UNKNOWN;
    }
    if (token.type !== 'punctuation') return UNKNOWN;
    if (text === '[') return this.tuple(depth);
    if (text === '{') return this.object(depth);
    return UNKNOWN;
  }

  private tuple(depth: number): HclValue {
    const items: HclValue[] = [];
    while (!this.is(']')) {
      if (this.peek() === undefined) return UNKNOWN;
      const item = this.value(depth + 1);
      if (item.kind === 'unknown') return UNKNOWN;
      items.push(item);
      if (this.is(',')) this.take();
      else if (!this.is(']')) return UNKNOWN;
    }
    this.take();
    return { kind: 'tuple', items };
  }

  private object(depth: number): HclValue {
    const entries = new Map<string, HclValue>();
    while (!this.is('}')) {
      const key = this.take();
      if (!key || (key.type !== 'identifier' && key.type !== 'string')) return UNKNOWN;
      if (key.type === 'string' && (key.templated || key.escaped)) return UNKNOWN;
      const name = key.type === 'string' ? this.text.slice(key.start + 1, key.end - 1) : this.text.slice(key.start, key.end);
      if (!this.is('=') && !this.is(':')) return UNKNOWN;
      this.take();
      const item = this.value(depth + 1);
      if (item.kind === 'unknown') return UNKNOWN;
      entries.set(name, item);
      if (this.is(',')) this.take();
    }
    this.take();
    return { kind: 'object', entries };
  }
}

/** The tokens inside `toset(…)`, `tolist(…)` or `tomap(…)` written around a whole expression; the tokens themselves otherwise. */
export function unwrapConversion(text: string, tokens: readonly HclToken[]): readonly HclToken[] {
  const [name, open] = tokens;
  const close = tokens.at(-1);
  const is = (token: HclToken | undefined, char: string) => token?.type === 'punctuation' && text.slice(token.start, token.end) === char;
  if (name?.type === 'identifier' && CONVERSIONS.has(text.slice(name.start, name.end)) && is(open, '(') && is(close, ')')) return tokens.slice(2, -1);
  return tokens;
}

/** The literal value of an expression's tokens, or unknown. */
export function hclValue(text: string, tokens: readonly HclToken[]): HclValue {
  return new Reader(text, tokens).whole();
}

/** The top-level `locals` and `variable` defaults of a file as literal values: `local.NAME`, `var.NAME`. */
export function hclValues(text: string, root: HclBlock): ReadonlyMap<string, HclValue> {
  return new Map(hclDefinitions(root).map(([name, tokens]) => [name, tokens ? hclValue(text, tokens) : UNKNOWN]));
}

/** One element of a `for_each`: its key (an object's key; null for a list or set item, read by position) and its value. */
export interface EachEntry {
  readonly key: string | null;
  readonly value: HclValue;
}

/** The elements a `for_each` gives: an object's entries, a tuple's items; null when they are not all known. */
export function eachEntries(value: HclValue): readonly EachEntry[] | null {
  if (value.kind === 'object') return [...value.entries].map(([key, item]) => ({ key, value: item }));
  if (value.kind === 'tuple') return value.items.map((item) => ({ key: null, value: item }));
  return null;
}

/**
 * How an image reads a dynamic block's iterator: `task.value` (no steps), `task.value.image` or `task.value["image"]`
 * (an `element` read); or a map local or variable indexed by the iterator, `local.versions[group.value]`,
 * `var.images[task.key]`, `local.versions[group.value.name].image` (a `lookup`).
 */
export type IteratorRead =
  | { readonly kind: 'element'; readonly iterator: string; readonly path: readonly string[] }
  | {
      readonly kind: 'lookup';
      readonly map: string;
      readonly iterator: string;
      /** `key` for `iterator.key`; else the steps after `iterator.value`. */
      readonly key: 'key' | readonly string[];
      readonly path: readonly string[];
    };

const NAME = '[A-Za-z_][A-Za-z0-9_-]*';
const STEPS = `(?:\\.${NAME}|\\["[^"\\\\]*"\\])*`;
const ELEMENT = new RegExp(`^(${NAME})\\.value(${STEPS})$`);
const LOOKUP = new RegExp(`^((?:local|var)\\.${NAME})\\[(${NAME})\\.(?:(key)|value(${STEPS}))\\](${STEPS})$`);

function stepsOf(written: string): readonly string[] {
  return [...written.matchAll(/\.([A-Za-z_][A-Za-z0-9_-]*)|\["([^"\\]*)"\]/g)].map((match) => match[1] ?? match[2] ?? '');
}

/** The expression as written without spaces: the tokens joined, or a string that is only one interpolation (`"${task.value}"`). */
function expressionOf(text: string, tokens: readonly HclToken[]): string | null {
  const [only] = tokens;
  if (tokens.length === 1 && only?.type === 'string') {
    if (only.escaped) return null;
    const match = /^"\$\{\s*([^{}"]*?)\s*\}"$/.exec(text.slice(only.start, only.end));
    return match?.[1] ?? null;
  }
  return tokens.map((token) => text.slice(token.start, token.end)).join('');
}

/** How an expression reads an iterator (see IteratorRead); null for anything else. */
export function iteratorRead(text: string, tokens: readonly HclToken[]): IteratorRead | null {
  const expression = expressionOf(text, tokens);
  if (expression === null) return null;
  const element = ELEMENT.exec(expression);
  if (element?.[1] !== undefined) return { kind: 'element', iterator: element[1], path: stepsOf(element[2] ?? '') };
  const lookup = LOOKUP.exec(expression);
  if (lookup?.[1] === undefined || lookup[2] === undefined) return null;
  return { kind: 'lookup', map: lookup[1], iterator: lookup[2], key: lookup[3] === undefined ? stepsOf(lookup[4] ?? '') : 'key', path: stepsOf(lookup[5] ?? '') };
}

/** Follows the keys of a path into an element; the value found, or null. */
function at(element: HclValue | undefined, path: readonly string[]): HclValue | null {
  let current = element;
  for (const key of path) {
    if (current?.kind !== 'object') return null;
    current = current.entries.get(key);
  }
  return current ?? null;
}

/**
 * The strings an iterator read gives over a `for_each`'s entries, in order: an element read skips an element without a
 * string there; a lookup needs every element's key as a plain string (else null: the lookup is not known) and skips a
 * key the map does not hold. Null when the map is not a literal object.
 */
export function readEach(text: string, read: IteratorRead, entries: readonly EachEntry[], values: ReadonlyMap<string, HclValue>): HclToken[] | null {
  const strings = (found: Array<HclValue | null>): HclToken[] => found.flatMap((value) => (value?.kind === 'string' ? [value.token] : []));
  if (read.kind === 'element') return strings(entries.map((entry) => at(entry.value, read.path)));
  const map = values.get(read.map);
  if (map?.kind !== 'object') return null;
  const found: Array<HclValue | null> = [];
  for (const entry of entries) {
    const keyValue = read.key === 'key' ? null : at(entry.value, read.key);
    const keyToken = keyValue?.kind === 'string' && !keyValue.token.templated && !keyValue.token.escaped ? keyValue.token : null;
    const key = read.key === 'key' ? entry.key : keyToken && text.slice(keyToken.start + 1, keyToken.end - 1);
    if (key === null) return null;
    found.push(at(map.entries.get(key), read.path));
  }
  return strings(found);
}
