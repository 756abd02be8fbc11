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

/** The elements a `for_each` gives: an object's values, a tuple's items; null when they are not all known. */
export function eachElements(value: HclValue): readonly HclValue[] | null {
  if (value.kind === 'object') return [...value.entries.values()];
  if (value.kind === 'tuple') return value.items;
  return null;
}

/**
 * How an expression reads the iterator's value: `task.value` (no steps), `task.value.image` or `task.value["image"]`
 * (one key each), also written as a string that is only that (`"${task.value.image}"`). Null for anything else.
 */
export function iteratorPath(text: string, tokens: readonly HclToken[], iterator: string): readonly string[] | null {
  const [only] = tokens;
  if (tokens.length === 1 && only?.type === 'string') {
    if (only.escaped) return null;
    const match = /^"\$\{\s*([^{}"]*?)\s*\}"$/.exec(text.slice(only.start, only.end));
    return match?.[1] === undefined ? null : pathOf(match[1], iterator);
  }
  return pathOf(tokens.map((token) => text.slice(token.start, token.end)).join(''), iterator);
}

function pathOf(expression: string, iterator: string): readonly string[] | null {
  const prefix = `${iterator}.value`;
  if (!expression.startsWith(prefix)) return null;
  const steps: string[] = [];
  const step = /^(?:\.([A-Za-z_][A-Za-z0-9_-]*)|\["([^"\\]*)"\])/;
  let rest = expression.slice(prefix.length);
  while (rest !== '') {
    const match = step.exec(rest);
    if (!match) return null;
    steps.push(match[1] ?? match[2] ?? '');
    rest = rest.slice(match[0].length);
  }
  return steps;
}

/** Follows the keys of a path into an element; the string found, or null. */
export function follow(element: HclValue, path: readonly string[]): HclToken | null {
  let current: HclValue | undefined = element;
  for (const key of path) {
    if (current?.kind !== 'object') return null;
    current = current.entries.get(key);
  }
  return current?.kind === 'string' ? current.token : null;
}
