import type { LogicalLine, Word } from './dockerfile-lines.js';

/** A range of `file.text`. */
export interface TextRange {
  readonly start: number;
  readonly end: number;
}

/** A global `ARG` default: its text, and where it can be edited (null when it cannot be edited literally). */
export interface ArgDefault {
  readonly text: string;
  readonly range: TextRange | null;
}

/** A build argument's name, as an `ARG` declares it and a build passes it (`VERSION`, `base_image`). */
const ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Is this a name an `ARG` can declare and a build argument can set? */
export function isArgName(name: string): boolean {
  return ARG_NAME.test(name);
}

/** A logical range as one contiguous `file.text` range, or null when a continuation splits it. */
export function fileRange(line: LogicalLine, start: number, end: number): TextRange | null {
  const first = line.offsets[start];
  const last = line.offsets[end - 1];
  if (end <= start || first === undefined || last === undefined) return null;
  return last - first === end - 1 - start ? { start: first, end: last + 1 } : null;
}

/**
 * The logical range of a word's value without its quotes: `"x"` and `'x'` give the inside, a bare
 * word gives itself. Null when quotes or escapes are mixed into the word, so it is not literal.
 */
export function unquoted(line: LogicalLine, word: { start: number; end: number }, escape: string): { start: number; end: number } | null {
  const text = line.text.slice(word.start, word.end);
  const first = text[0];
  if (text.length >= 2 && (first === '"' || first === "'") && text.endsWith(first)) {
    const inner = text.slice(1, -1);
    if (inner.includes(first) || inner.includes(escape)) return null;
    return { start: word.start + 1, end: word.end - 1 };
  }
  if (text.includes('"') || text.includes("'") || text.includes(escape)) return null;
  return { start: word.start, end: word.end };
}

/** Where an empty default is written (`ARG PREFIX=`, `ARG PREFIX=""`): the empty range just after its `=` or opening quote. */
function emptyRange(line: LogicalLine, start: number): TextRange | null {
  const before = line.offsets[start - 1];
  return before === undefined ? null : { start: before + 1, end: before + 1 };
}

/** Reads the `NAME[=value]` words of an `ARG` instruction into `args` (later declarations with a value win). */
export function readArgs(line: LogicalLine, words: readonly Word[], escape: string, args: Map<string, ArgDefault | null>): void {
  for (const word of words) {
    const equals = word.text.indexOf('=');
    const name = equals === -1 ? word.text : word.text.slice(0, equals);
    if (!isArgName(name)) continue;
    if (equals === -1) {
      if (!args.has(name)) args.set(name, null);
      continue;
    }
    const inner = unquoted(line, { start: word.start + equals + 1, end: word.end }, escape);
    if (!inner) {
      args.set(name, { text: word.text.slice(equals + 1), range: null });
      continue;
    }
    const text = line.text.slice(inner.start, inner.end);
    args.set(name, { text, range: text === '' ? emptyRange(line, inner.start) : fileRange(line, inner.start, inner.end) });
  }
}

export interface Resolved {
  readonly value: string;
  /**
   * Each variable used, once, in order of first use, with its editable default: the ARG's default, or the characters of a
   * default written in the use (`${NAME:-3.20}`), whose `use` is then that text.
   */
  readonly variables: ReadonlyArray<{ readonly name: string; readonly range: TextRange; readonly use?: string }>;
  /** Variables whose default written in the use is taken, with whether an `ARG` declares them (then a build argument can set them). */
  readonly defaults: ReadonlyArray<{ readonly name: string; readonly declared: boolean }>;
}

/** `$NAME`, `${NAME}`, or `${NAME<op>word}` with a word free of `$` and braces. */
const USE = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])([^${}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/;

/**
 * Substitutes `$NAME` and `${NAME}` with literal ARG defaults. BuildKit's `${NAME:-word}` / `${NAME-word}` take the ARG's
 * default when it has one (`:-` only a non-empty one), and otherwise the word, whose characters are then the ones to edit
 * (`at` is where `text` starts in the file). Null when anything cannot be resolved literally: an unknown variable, one
 * without default, a default that uses variables, a `${NAME:+word}` or `${NAME:?message}` form.
 * An empty default (`ARG PREFIX=` before `FROM ${PREFIX}debian:bookworm`) stands for nothing; its range is empty.
 */
export function resolveArgs(text: string, args: ReadonlyMap<string, ArgDefault | null>, at: number): Resolved | null {
  const variables: Array<{ name: string; range: TextRange; use?: string }> = [];
  const defaults: Array<{ name: string; declared: boolean }> = [];
  let value = '';
  let index = 0;
  while (index < text.length) {
    const dollar = text.indexOf('$', index);
    if (dollar === -1) {
      value += text.slice(index);
      break;
    }
    value += text.slice(index, dollar);
    const match = USE.exec(text.slice(dollar));
    if (!match) return null;
    index = dollar + match[0].length;
    // One of the two name groups takes part in every match.
    const name = match[1] ?? match[4] ?? '';
    const operator = match[2];
    const found = args.get(name);
    if (operator !== undefined) {
      if (!operator.endsWith('-')) return null;
      const word = match[3] ?? '';
      if (!found || (operator === ':-' && found.text === '')) {
        // Nothing sets the variable (or `:-` finds it empty): the word written in the use is the value.
        const start = at + index - 1 - word.length;
        if (!variables.some((variable) => variable.use === match[0])) variables.push({ name, range: { start, end: start + word.length }, use: match[0] });
        if (!defaults.some((entry) => entry.name === name)) defaults.push({ name, declared: found !== undefined });
        value += word;
        continue;
      }
    }
    if (!found || !found.range || found.text.includes('$')) return null;
    if (!variables.some((variable) => variable.name === name && variable.use === undefined)) variables.push({ name, range: found.range });
    value += found.text;
  }
  return { value, variables, defaults };
}

/**
 * `$NAME` / `${NAME}` substituted through ARG defaults that themselves use other ARGs
 * (`ARG BASE_IMAGE=$REGISTRY/$OWNER/base:1`), a few levels deep. The value can be shown but not
 * edited through one literal. Null when any variable has no default or the chain loops.
 */
export function resolveNestedArgs(text: string, args: ReadonlyMap<string, ArgDefault | null>): { value: string; names: string[] } | null {
  const names: string[] = [];
  const expand = (input: string, depth: number): string | null => {
    if (depth > 4) return null;
    let out = '';
    let at = 0;
    for (const match of input.matchAll(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g)) {
      // One of the two groups takes part in every match.
      const name = match[1] ?? match[2] ?? '';
      const found = args.get(name);
      if (!found || found.text === '') return null;
      if (!names.includes(name)) names.push(name);
      const inner = found.text.includes('$') ? expand(found.text, depth + 1) : found.text;
      if (inner === null) return null;
      out += input.slice(at, match.index) + inner;
      at = match.index + match[0].length;
    }
    out += input.slice(at);
    return out.includes('$') ? null : out;
  };
  const value = expand(text, 0);
  return value === null ? null : { value, names };
}
