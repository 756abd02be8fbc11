/**
 * Finds the places in a Puppet token stream where named values are given: resource bodies
 * (`type { 'title': attr => value, … ; 'title2': … }`, including `class { 'x': … }`), hashes and
 * resource defaults/overrides (`key => value`), class/define parameter lists with defaults, and
 * variable assignments. It tolerates unknown syntax: it only needs brackets to balance.
 */
import type { PuppetToken } from './puppet-tokenizer.js';

export interface PuppetEntry {
  /** Attribute, key or parameter name (without `$`, string keys unquoted). */
  readonly key: string;
  readonly keyToken: PuppetToken;
  /** The value when it is exactly one token; null when it is an expression. */
  readonly value: PuppetToken | null;
}

export interface PuppetGroup {
  readonly kind: 'resource' | 'pairs' | 'parameters';
  /** Resource type (`docker::image`, `class`) or the class/define name of a parameter list. */
  readonly owner: string | null;
  /** Resource titles (the tokens of a title, or of each element of a title array). */
  readonly titles: readonly PuppetToken[];
  readonly entries: readonly PuppetEntry[];
}

export interface PuppetAssignment {
  readonly name: string;
  readonly variable: PuppetToken;
  readonly value: PuppetToken;
}

export interface PuppetStructure {
  readonly groups: readonly PuppetGroup[];
  readonly assignments: readonly PuppetAssignment[];
  /** Every class/define parameter name, with or without a default. */
  readonly parameterNames: ReadonlySet<string>;
}

const CLOSERS: Record<string, string> = { '{': '}', '(': ')', '[': ']' };
/** Brackets nested deeper than this are read as plain tokens: no real manifest nests that deep, a hostile one may. */
export const MAX_NESTING = 100;
const KEYWORDS = new Set(['if', 'elsif', 'else', 'unless', 'case', 'node', 'inherits', 'and', 'or', 'in', 'default', 'function', 'type']);
/** Tokens after a one-token right-hand side that show it is only the start of an expression. */
const CONTINUES_EXPRESSION = new Set(['+', '-', '*', '/', '%', '?', '.', '[', '(', '==', '!=', '=~', '!~', '<', '>', '<=', '>=', '<<', '>>']);

export function parsePuppetStructure(tokens: readonly PuppetToken[]): PuppetStructure {
  const groups: PuppetGroup[] = [];
  const assignments: PuppetAssignment[] = [];
  const parameterNames = new Set<string>();
  let depth = 0;
  const at = (i: number): PuppetToken | undefined => tokens[i];
  /** Enters the bracket at `i` (a `{`, `(` or `[`); returns the index after its closer. */
  const enter = (i: number): number => {
    const opener = tokens[i]?.text;
    if (depth >= MAX_NESTING) return i + 1;
    depth++;
    try {
      return opener === '{' ? brace(i) : walk(i + 1, (opener && CLOSERS[opener]) ?? null);
    } finally {
      depth--;
    }
  };
  const isPunct = (i: number, text: string): boolean => tokens[i]?.kind === 'punct' && tokens[i].text === text;
  const isCloser = (i: number): boolean => tokens[i]?.kind === 'punct' && ['}', ')', ']'].includes(tokens[i].text);

  /** Statements until the closer (or any closer); returns the index after it. */
  const walk = (i: number, closer: string | null): number => {
    for (let token = tokens[i]; token !== undefined; token = tokens[i]) {
      if (isCloser(i)) {
        // A stray closer at the top level is skipped; inside brackets any closer ends the group.
        if (closer !== null) return i + 1;
        i++;
        continue;
      }
      if (token.kind === 'punct' && token.text in CLOSERS) {
        i = enter(i);
        continue;
      }
      const owner = at(i + 1);
      if (token.kind === 'name' && ['class', 'define', 'plan'].includes(token.text) && owner?.kind === 'name' && isPunct(i + 2, '(')) {
        i = parameters(i + 2, owner.text);
        continue;
      }
      if (token.kind === 'variable' && isPunct(i + 1, '=')) {
        const value = at(i + 2);
        const after = at(i + 3);
        const continues = after !== undefined && after.kind === 'punct' && CONTINUES_EXPRESSION.has(after.text);
        if (value && (value.kind === 'string' || value.kind === 'variable') && !continues) {
          assignments.push({ name: token.value, variable: token, value });
        }
      }
      i++;
    }
    return i;
  };

  /**
   * A value or title: tokens until one of `stops` or a closer at this level. Nested brackets are walked
   * (so hashes inside values are found). Returns the end index and the single token when there is one.
   */
  const segment = (i: number, stops: readonly string[]): { end: number; single: PuppetToken | null; count: number } => {
    let count = 0;
    let single: PuppetToken | null = null;
    for (let token = tokens[i]; token !== undefined; token = tokens[i]) {
      if (isCloser(i) || (token.kind === 'punct' && stops.includes(token.text))) break;
      count++;
      if (token.kind === 'punct' && token.text in CLOSERS) {
        i = enter(i);
        count++;
        continue;
      }
      single = token;
      i++;
    }
    return { end: i, single: count === 1 ? single : null, count };
  };

  /** `key => value` entries until `}` (or `;` in resource bodies). Returns the index of the stopping token. */
  const entries = (i: number, stopAtSemicolon: boolean, out: PuppetEntry[]): number => {
    const stops = [',', ';'];
    while (i < tokens.length && !isCloser(i) && !(stopAtSemicolon && isPunct(i, ';'))) {
      if (isPunct(i, ',') || (!stopAtSemicolon && isPunct(i, ';'))) {
        i++;
        continue;
      }
      const keyToken = tokens[i];
      if (keyToken === undefined) break;
      if ((isPunct(i + 1, '=>') || isPunct(i + 1, '+>')) && (keyToken.kind === 'name' || (keyToken.kind === 'string' && !keyToken.interpolated))) {
        const value = segment(i + 2, stops);
        const key = keyToken.kind === 'string' ? keyToken.value : keyToken.text;
        out.push({ key, keyToken, value: value.single });
        i = value.end;
      } else {
        i = segment(i, stops).end;
      }
    }
    return i;
  };

  /** What a `{` opens, judged by the token before it and the first delimiter inside. */
  const braceKind = (i: number): 'resource' | 'pairs' | 'block' => {
    let depth = 0;
    for (let j = i + 1; j < tokens.length; j++) {
      const token = tokens[j];
      if (token?.kind !== 'punct') continue;
      if (token.text in CLOSERS) depth++;
      else if (isCloser(j)) {
        if (depth === 0) return 'block';
        depth--;
      } else if (depth === 0 && token.text === ':') {
        const before = at(i - 1);
        return before?.kind === 'name' && !KEYWORDS.has(before.text) ? 'resource' : 'block';
      } else if (depth === 0 && (token.text === '=>' || token.text === '+>')) {
        return 'pairs';
      } else if (depth === 0 && token.text === ';') {
        return 'block';
      }
    }
    return 'block';
  };

  /** Handles the `{` at `i`; returns the index after its `}`. */
  const brace = (i: number): number => {
    const kind = braceKind(i);
    if (kind === 'block') return walk(i + 1, '}');
    const before = at(i - 1);
    const owner = before?.kind === 'name' ? before.text.replace(/^::/, '').toLowerCase() : null;
    let j = i + 1;
    if (kind === 'pairs') {
      const found: PuppetEntry[] = [];
      j = entries(j, false, found);
      groups.push({ kind: 'pairs', owner, titles: [], entries: found });
      return isCloser(j) ? j + 1 : j;
    }
    while (j < tokens.length && !isCloser(j)) {
      const titleStart = j;
      const title = segment(j, [':', ';']);
      j = title.end;
      if (!isPunct(j, ':')) {
        if (isPunct(j, ';')) j++;
        continue;
      }
      const found: PuppetEntry[] = [];
      j = entries(j + 1, true, found);
      groups.push({ kind: 'resource', owner, titles: titleTokens(tokens, titleStart, title.end), entries: found });
      if (isPunct(j, ';')) j++;
    }
    return isCloser(j) ? j + 1 : j;
  };

  /** A parameter list starting at `(` (index `i`); returns the index after `)`. */
  const parameters = (i: number, owner: string): number => {
    const found: PuppetEntry[] = [];
    let j = i + 1;
    while (j < tokens.length && !isCloser(j)) {
      if (isPunct(j, ',')) {
        j++;
        continue;
      }
      // Skip the type expression up to the parameter variable.
      let k = j;
      for (let token = tokens[k]; token !== undefined && token.kind !== 'variable' && !isCloser(k) && !isPunct(k, ','); token = tokens[k]) {
        k = token.kind === 'punct' && token.text in CLOSERS ? enter(k) : k + 1;
      }
      const variable = at(k);
      if (variable?.kind !== 'variable') {
        j = k;
        continue;
      }
      parameterNames.add(variable.value);
      if (isPunct(k + 1, '=')) {
        const value = segment(k + 2, [',']);
        found.push({ key: variable.value, keyToken: variable, value: value.single });
        j = value.end;
      } else {
        j = k + 1;
      }
    }
    groups.push({ kind: 'parameters', owner: owner.replace(/^::/, '').toLowerCase(), titles: [], entries: found });
    return isCloser(j) ? j + 1 : j;
  };

  walk(0, null);
  return { groups, assignments, parameterNames };
}

/** The title tokens: a single token, or the string elements of a title array. */
function titleTokens(tokens: readonly PuppetToken[], start: number, end: number): PuppetToken[] {
  const first = tokens[start];
  if (end - start === 1) return first ? [first] : [];
  if (first?.kind === 'punct' && first.text === '[' && tokens[end - 1]?.text === ']') {
    return tokens.slice(start + 1, end - 1).filter((token) => token.kind === 'string');
  }
  return [];
}
