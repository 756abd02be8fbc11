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
  /** Of a parameter list, the parameters written without a default (`String $docker_tag,`): a caller gives them. */
  readonly required?: readonly PuppetToken[];
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
  const reader = new StructureReader(tokens);
  reader.walk(0, null);
  return { groups: reader.groups, assignments: reader.assignments, parameterNames: reader.parameterNames };
}

/** One read of a token stream: each method reads one construct from an index and returns the index after it. */
class StructureReader {
  readonly groups: PuppetGroup[] = [];
  readonly assignments: PuppetAssignment[] = [];
  readonly parameterNames = new Set<string>();
  private depth = 0;

  constructor(private readonly tokens: readonly PuppetToken[]) {}

  private at(i: number): PuppetToken | undefined {
    return this.tokens[i];
  }

  /** Enters the bracket at `i` (a `{`, `(` or `[`); returns the index after its closer. */
  private enter(i: number): number {
    const opener = this.tokens[i]?.text;
    if (this.depth >= MAX_NESTING) return i + 1;
    this.depth++;
    try {
      return opener === '{' ? this.brace(i) : this.walk(i + 1, (opener && CLOSERS[opener]) ?? null);
    } finally {
      this.depth--;
    }
  }

  private isPunct(i: number, text: string): boolean {
    const token = this.tokens[i];
    return token?.kind === 'punct' && token.text === text;
  }

  private isCloser(i: number): boolean {
    const token = this.tokens[i];
    return token?.kind === 'punct' && ['}', ')', ']'].includes(token.text);
  }

  /** Statements until the closer (or any closer); returns the index after it. */
  walk(i: number, closer: string | null): number {
    const { tokens } = this;
    for (let token = tokens[i]; token !== undefined; token = tokens[i]) {
      if (this.isCloser(i)) {
        // A stray closer at the top level is skipped; inside brackets any closer ends the group.
        if (closer !== null) return i + 1;
        i++;
        continue;
      }
      if (token.kind === 'punct' && token.text in CLOSERS) {
        i = this.enter(i);
        continue;
      }
      const owner = this.at(i + 1);
      if (token.kind === 'name' && ['class', 'define', 'plan'].includes(token.text) && owner?.kind === 'name' && this.isPunct(i + 2, '(')) {
        i = this.parameters(i + 2, owner.text);
        continue;
      }
      if (token.kind === 'variable' && this.isPunct(i + 1, '=')) this.assignment(i, token);
      i++;
    }
    return i;
  }

  /** `$name = value`: kept when the value is one string or variable, not the start of an expression. */
  private assignment(i: number, variable: Extract<PuppetToken, { kind: 'variable' }>): void {
    const value = this.at(i + 2);
    const after = this.at(i + 3);
    const continues = after !== undefined && after.kind === 'punct' && CONTINUES_EXPRESSION.has(after.text);
    if (value && (value.kind === 'string' || value.kind === 'variable') && !continues) {
      this.assignments.push({ name: variable.value, variable, value });
    }
  }

  /**
   * A value or title: tokens until one of `stops` or a closer at this level. Nested brackets are walked
   * (so hashes inside values are found). Returns the end index and the single token when there is one.
   */
  private segment(i: number, stops: readonly string[]): { end: number; single: PuppetToken | null; count: number } {
    const { tokens } = this;
    let count = 0;
    let single: PuppetToken | null = null;
    for (let token = tokens[i]; token !== undefined; token = tokens[i]) {
      if (this.isCloser(i) || (token.kind === 'punct' && stops.includes(token.text))) break;
      count++;
      if (token.kind === 'punct' && token.text in CLOSERS) {
        i = this.enter(i);
        count++;
        continue;
      }
      single = token;
      i++;
    }
    return { end: i, single: count === 1 ? single : null, count };
  }

  /** `key => value` entries until `}` (or `;` in resource bodies). Returns the index of the stopping token. */
  private entries(i: number, stopAtSemicolon: boolean, out: PuppetEntry[]): number {
    const { tokens } = this;
    const stops = [',', ';'];
    while (i < tokens.length && !this.isCloser(i) && !(stopAtSemicolon && this.isPunct(i, ';'))) {
      if (this.isPunct(i, ',') || (!stopAtSemicolon && this.isPunct(i, ';'))) {
        i++;
        continue;
      }
      const keyToken = tokens[i];
      if (keyToken === undefined) break;
      if ((this.isPunct(i + 1, '=>') || this.isPunct(i + 1, '+>')) && (keyToken.kind === 'name' || (keyToken.kind === 'string' && !keyToken.interpolated))) {
        const value = this.segment(i + 2, stops);
        const key = keyToken.kind === 'string' ? keyToken.value : keyToken.text;
        out.push({ key, keyToken, value: value.single });
        i = value.end;
      } else {
        i = this.segment(i, stops).end;
      }
    }
    return i;
  }

  /** What a `{` opens, judged by the token before it and the first delimiter inside. */
  private braceKind(i: number): 'resource' | 'pairs' | 'block' {
    const { tokens } = this;
    let depth = 0;
    for (let j = i + 1; j < tokens.length; j++) {
      const token = tokens[j];
      if (token?.kind !== 'punct') continue;
      if (token.text in CLOSERS) depth++;
      else if (this.isCloser(j)) {
        if (depth === 0) return 'block';
        depth--;
      } else if (depth === 0 && token.text === ':') {
        const before = this.at(i - 1);
        return before?.kind === 'name' && !KEYWORDS.has(before.text) ? 'resource' : 'block';
      } else if (depth === 0 && (token.text === '=>' || token.text === '+>')) {
        return 'pairs';
      } else if (depth === 0 && token.text === ';') {
        return 'block';
      }
    }
    return 'block';
  }

  /** Handles the `{` at `i`; returns the index after its `}`. */
  private brace(i: number): number {
    const { tokens } = this;
    const kind = this.braceKind(i);
    if (kind === 'block') return this.walk(i + 1, '}');
    const before = this.at(i - 1);
    const owner = before?.kind === 'name' ? before.text.replace(/^::/, '').toLowerCase() : null;
    let j = i + 1;
    if (kind === 'pairs') {
      const found: PuppetEntry[] = [];
      j = this.entries(j, false, found);
      this.groups.push({ kind: 'pairs', owner, titles: [], entries: found });
      return this.isCloser(j) ? j + 1 : j;
    }
    while (j < tokens.length && !this.isCloser(j)) {
      const titleStart = j;
      const title = this.segment(j, [':', ';']);
      j = title.end;
      if (!this.isPunct(j, ':')) {
        if (this.isPunct(j, ';')) j++;
        continue;
      }
      const found: PuppetEntry[] = [];
      j = this.entries(j + 1, true, found);
      this.groups.push({ kind: 'resource', owner, titles: titleTokens(tokens, titleStart, title.end), entries: found });
      if (this.isPunct(j, ';')) j++;
    }
    return this.isCloser(j) ? j + 1 : j;
  }

  /** A parameter list starting at `(` (index `i`); returns the index after `)`. */
  private parameters(i: number, owner: string): number {
    const { tokens } = this;
    const found: PuppetEntry[] = [];
    const required: PuppetToken[] = [];
    let j = i + 1;
    while (j < tokens.length && !this.isCloser(j)) {
      if (this.isPunct(j, ',')) {
        j++;
        continue;
      }
      // Skip the type expression up to the parameter variable.
      let k = j;
      for (let token = tokens[k]; token !== undefined && token.kind !== 'variable' && !this.isCloser(k) && !this.isPunct(k, ','); token = tokens[k]) {
        k = token.kind === 'punct' && token.text in CLOSERS ? this.enter(k) : k + 1;
      }
      const variable = this.at(k);
      if (variable?.kind !== 'variable') {
        j = k;
        continue;
      }
      this.parameterNames.add(variable.value);
      if (this.isPunct(k + 1, '=')) {
        const value = this.segment(k + 2, [',']);
        found.push({ key: variable.value, keyToken: variable, value: value.single });
        j = value.end;
      } else {
        required.push(variable);
        j = k + 1;
      }
    }
    this.groups.push({ kind: 'parameters', owner: owner.replace(/^::/, '').toLowerCase(), titles: [], entries: found, required });
    return this.isCloser(j) ? j + 1 : j;
  }
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
