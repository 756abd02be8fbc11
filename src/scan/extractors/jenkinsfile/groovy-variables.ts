import type { GroovyString } from './groovy-strings.js';

/** A string literal's contents in the file's text. */
export interface GroovyLiteral {
  readonly start: number;
  readonly end: number;
}

/**
 * What a Groovy variable of a pipeline file holds, as far as the file says:
 * - `literal`: `def NAME = 'text'` (also `String`/`final`, or in `environment { }`), assigned once;
 * - `default`: one literal a caller may replace: `parameters.get('key', 'text')`, `config.key ?: 'text'`;
 * - `choice`: `condition ? 'a' : 'b'`, either literal;
 * - `unknown`: anything else, with the reason (`why`) a detail can give.
 */
export type GroovyVariable =
  | { readonly form: 'literal'; readonly literals: readonly [GroovyLiteral] }
  | { readonly form: 'default'; readonly literals: readonly [GroovyLiteral]; readonly source: string }
  | { readonly form: 'choice'; readonly literals: readonly [GroovyLiteral, GroovyLiteral] }
  | { readonly form: 'unknown'; readonly why: string };

/** An assignment: a name (with `def`, a type or `final` before it, or none) and `=`, `+=`, `?=`…, never `==` or `=~`. */
const ASSIGNMENT = /(?<![\w.$])([A-Za-z_]\w*)[ \t]*([-+*/%|&^?]?)=(?![=~])/g;
/** Where a statement may end after its last literal. */
const STATEMENT_END = /[ \t]*(?:;|\r?\n|$|\/\/|\/\*|\})/y;
const MAP_GET = /([A-Za-z_][\w.]*)\.get[ \t]*\([ \t]*/y;
const ELVIS = /(\([ \t]*)?([A-Za-z_][\w.]*(?:\?\.[A-Za-z_]\w*)*)[ \t]*\?:[ \t]*/y;
const BLANK = /[ \t]*/y;
/** Lines named in the detail of a variable assigned more than once. */
const LINES_NAMED = 5;
/** Longest single-line condition read before `? 'a' : 'b'`. */
const CONDITION_LIMIT = 200;

function matchAt(pattern: RegExp, text: string, at: number): RegExpExecArray | null {
  pattern.lastIndex = at;
  return pattern.exec(text);
}

function skipBlank(text: string, at: number): number {
  BLANK.lastIndex = at;
  BLANK.exec(text);
  return BLANK.lastIndex;
}

function closeOf(string: GroovyString): number {
  return string.end + string.quote.length;
}

/** A string written as a plain literal: no escape, no `$` in a double-quoted one, closed on its line. */
function plain(text: string, string: GroovyString): boolean {
  if (string.escaped || text.slice(closeOf(string) - string.quote.length, closeOf(string)) !== string.quote) return false;
  return !(string.quote.startsWith('"') && text.slice(string.start, string.end).includes('$'));
}

/** The text with every string literal and comment blanked (newlines kept), so that code can be matched alone. */
export function codeOnly(text: string, strings: readonly GroovyString[], comments: ReadonlyArray<readonly [number, number]>): string {
  const ranges = [...strings.map((string) => [string.open, Math.min(closeOf(string), text.length)] as const), ...comments].sort((a, b) => a[0] - b[0]);
  let code = '';
  let cursor = 0;
  for (const [start, end] of ranges) {
    if (start < cursor) continue;
    code += text.slice(cursor, start) + text.slice(start, end).replace(/[^\n]/g, ' ');
    cursor = end;
  }
  return code + text.slice(cursor);
}

/** The first string that opens at or after `at` (strings are in order). */
function stringAt(strings: readonly GroovyString[], at: number): { string: GroovyString; index: number } | null {
  let low = 0;
  let high = strings.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((strings[middle]?.open ?? at) < at) low = middle + 1;
    else high = middle;
  }
  const string = strings[low];
  return string === undefined ? null : { string, index: low };
}

function ends(text: string, at: number): boolean {
  return matchAt(STATEMENT_END, text, at) !== null;
}

function literalOf(string: GroovyString): GroovyLiteral {
  return { start: string.start, end: string.end };
}

/** What the right-hand side starting at `at` holds; `null` when it is none of the forms read. */
function valueAt(text: string, strings: readonly GroovyString[], at: number): GroovyVariable | null {
  const first = stringAt(strings, at);
  if (first === null) return null;
  const { string, index } = first;
  if (string.open === at) {
    if (plain(text, string) && ends(text, closeOf(string))) return { form: 'literal', literals: [literalOf(string)] };
    return null;
  }
  const get = matchAt(MAP_GET, text, at);
  if (get !== null && get.index + get[0].length === string.open) {
    const key = string;
    const fallback = strings[index + 1];
    if (fallback === undefined || !plain(text, key) || !plain(text, fallback)) return null;
    const comma = /^[ \t]*,[ \t]*$/.test(text.slice(closeOf(key), fallback.open));
    const close = skipBlank(text, closeOf(fallback));
    if (!comma || text[close] !== ')' || !ends(text, close + 1)) return null;
    return { form: 'default', literals: [literalOf(fallback)], source: `${get[1]}.get('${text.slice(key.start, key.end)}')` };
  }
  const elvis = matchAt(ELVIS, text, at);
  if (elvis !== null && elvis.index + elvis[0].length === string.open) {
    if (!plain(text, string)) return null;
    let after = skipBlank(text, closeOf(string));
    if (elvis[1] !== undefined) {
      if (text[after] !== ')') return null;
      after++;
    }
    if (!ends(text, after)) return null;
    return { form: 'default', literals: [literalOf(string)], source: `${elvis[2]} ?:` };
  }
  return choiceAt(text, strings, at, index);
}

/** `condition ? 'a' : 'b'` on one line, the condition holding no `;`; the first `?` before a string that is not `?.` or `?:`. */
function choiceAt(text: string, strings: readonly GroovyString[], at: number, index: number): GroovyVariable | null {
  for (let next = index; next < strings.length - 1; next++) {
    const yes = strings[next];
    const no = strings[next + 1];
    if (yes === undefined || no === undefined || yes.open - at > CONDITION_LIMIT) return null;
    const condition = text.slice(at, yes.open);
    if (/[\n;]/.test(condition)) return null;
    const question = /^(.*[^\s?:])[ \t]*\?[ \t]*$/.exec(condition);
    if (question === null) continue;
    if (!plain(text, yes) || !plain(text, no)) return null;
    if (!/^[ \t]*:[ \t]*$/.test(text.slice(closeOf(yes), no.open)) || !ends(text, closeOf(no))) return null;
    return { form: 'choice', literals: [literalOf(yes), literalOf(no)] };
  }
  return null;
}

/**
 * The variables of a Groovy file and what each holds. A name assigned more than once (in any scope) is
 * `unknown`: which assignment a use sees is not read. Work is linear in the file: one pass over its code for
 * assignments, a binary search for the string after each.
 */
export function groovyVariables(text: string, strings: readonly GroovyString[], comments: ReadonlyArray<readonly [number, number]>, lineOf: (offset: number) => number): Map<string, GroovyVariable> {
  const code = codeOnly(text, strings, comments);
  /** Each name's first assignments (enough to name in a detail), and the value of the first one. */
  const assigned = new Map<string, { offsets: number[]; count: number; value: GroovyVariable | null }>();
  for (const match of code.matchAll(ASSIGNMENT)) {
    const name = match[1] ?? '';
    const seen = assigned.get(name);
    if (seen !== undefined) {
      seen.count++;
      if (seen.offsets.length <= LINES_NAMED) seen.offsets.push(match.index);
      continue;
    }
    const at = skipBlank(text, match.index + match[0].length);
    assigned.set(name, { offsets: [match.index], count: 1, value: match[2] === '' ? valueAt(text, strings, at) : null });
  }
  const variables = new Map<string, GroovyVariable>();
  for (const [name, { offsets, count, value }] of assigned) {
    const line = lineOf(offsets[0] ?? 0);
    if (offsets.length > 1) {
      const lines = [...new Set(offsets.map(lineOf))];
      const more = lines.length > LINES_NAMED || count > offsets.length ? ', …' : '';
      variables.set(name, { form: 'unknown', why: `${name} is assigned more than once (lines ${lines.slice(0, LINES_NAMED).join(', ')}${more})` });
    } else if (value === null) {
      variables.set(name, { form: 'unknown', why: `${name} (line ${line}) is not set to a literal` });
    } else if (value.form !== 'unknown' && value.literals.some((literal) => literal.end === literal.start)) {
      variables.set(name, { form: 'unknown', why: `${name} (line ${line}) is set to an empty string` });
    } else variables.set(name, value);
  }
  return variables;
}

/**
 * The names assigned once in the file, each to one string literal alone (`def podYaml = """…"""`, any quotes, interpolated
 * or not), with that string: what a field given the name (`yaml podYaml`) reads.
 */
export function stringVariables(text: string, strings: readonly GroovyString[], comments: ReadonlyArray<readonly [number, number]>): Map<string, GroovyString> {
  const code = codeOnly(text, strings, comments);
  const assigned = new Map<string, GroovyString | null>();
  for (const match of code.matchAll(ASSIGNMENT)) {
    const name = match[1] ?? '';
    if (assigned.has(name)) {
      assigned.set(name, null);
      continue;
    }
    const at = skipBlank(text, match.index + match[0].length);
    const first = match[2] === '' ? stringAt(strings, at) : null;
    const string = first !== null && first.string.open === at && ends(text, closeOf(first.string)) ? first.string : null;
    assigned.set(name, string);
  }
  const found = new Map<string, GroovyString>();
  for (const [name, string] of assigned) if (string !== null) found.set(name, string);
  return found;
}
