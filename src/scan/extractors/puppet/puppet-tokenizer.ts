import { escapeRegExp } from '../../../core/regexp.js';

/**
 * A tokenizer for the Puppet language, enough to find resource bodies, parameter lists and
 * assignments reliably: comments, the three string forms (with interpolation), heredocs, regexes,
 * names, variables, numbers and punctuation. Every token carries offsets into `SourceFile.text`.
 */

export type PuppetTokenKind = 'name' | 'variable' | 'string' | 'number' | 'heredoc' | 'regex' | 'punct';

interface PuppetTokenSpan {
  /** Offset of the first character (the quote, `$`, `@(` …). */
  readonly start: number;
  /** Offset after the last character. */
  readonly end: number;
  /** The source text `[start, end)`. */
  readonly text: string;
}

export interface PuppetStringToken extends PuppetTokenSpan {
  readonly kind: 'string';
  /**
   * The decoded value (single-quoted: `\\` and `\'` undone; double-quoted: escapes undone, or the raw source
   * between the quotes when it interpolates).
   */
  readonly value: string;
  /** The source between the quotes is exactly the value (no escapes), so it can be edited in place. */
  readonly literal: boolean;
  /** For double-quoted strings: the text interpolates `${…}` or `$var` (single-quoted strings never do). */
  readonly interpolated?: boolean;
}

export interface PuppetVariableToken extends PuppetTokenSpan {
  readonly kind: 'variable';
  /** The name without `$`. */
  readonly value: string;
  readonly literal?: undefined;
  readonly interpolated?: undefined;
}

export interface PuppetHeredocToken extends PuppetTokenSpan {
  readonly kind: 'heredoc';
  /** The heredoc's tag is quoted, so its body interpolates `${…}` or `$var`. */
  readonly interpolated: boolean;
  readonly value?: undefined;
  readonly literal?: undefined;
}

export interface PuppetPlainToken extends PuppetTokenSpan {
  readonly kind: Exclude<PuppetTokenKind, 'string' | 'variable' | 'heredoc'>;
  readonly value?: undefined;
  readonly literal?: undefined;
  readonly interpolated?: undefined;
}

export type PuppetToken = PuppetStringToken | PuppetVariableToken | PuppetHeredocToken | PuppetPlainToken;

export interface PuppetTokenError {
  readonly offset: number;
  readonly message: string;
}

export interface PuppetTokens {
  readonly tokens: readonly PuppetToken[];
  /** The first lexical error; tokens before it are still returned. */
  readonly error: PuppetTokenError | null;
}

const PUNCTUATION = ['<<|', '|>>', '=>', '+>', '->', '~>', '<-', '<~', '==', '!=', '=~', '!~', '<=', '>=', '<<', '>>', '<|', '|>', '@@'];
/** After these tokens a `/` starts a regex rather than a division. */
const BEFORE_REGEX_PUNCT = new Set(['=~', '!~', '(', '[', '{', ',', ';', ':', '=>', '=', '==', '!=', '?', '!', '|', '}']);
const BEFORE_REGEX_NAME = new Set(['node', 'and', 'or', 'in', 'if', 'elsif', 'unless', 'case']);

const NAME = /(?:::)?[A-Za-z_][\w]*(?:-[\w]+)*(?:::[A-Za-z_][\w]*)*/y;
const VARIABLE = /\$(?:(?:::)?[A-Za-z_]\w*(?:::[A-Za-z_]\w*)*|\d+)/y;
const NUMBER = /(?:0[xX][0-9a-fA-F]+|\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\w*/y;
const HEREDOC = /@\(\s*(?:"([^"\r\n)]+)"|([^"\r\n:/)]+?))\s*(?::\s*[\w+./-]*\s*)?(?:\/\s*[\w$]*\s*)?\)/y;
const INTERPOLATED_NAME = /(?:::)?[A-Za-z_]\w*(?:::[A-Za-z_]\w*)*/y;

interface PendingHeredoc {
  readonly tag: string;
  readonly start: number;
}

class TokenizeError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

export function tokenizePuppet(text: string): PuppetTokens {
  const tokens: PuppetToken[] = [];
  const pending: PendingHeredoc[] = [];
  let pos = 0;
  try {
    while (pos < text.length) pos = skipTrivia(text, pos, pending) ?? readToken(text, pos, tokens, pending);
    const unfinished = pending[0];
    if (unfinished) throw new TokenizeError(unfinished.start, `heredoc @(${unfinished.tag}) has no end marker`);
  } catch (error) {
    if (error instanceof TokenizeError) return { tokens, error: { offset: error.offset, message: error.message } };
    throw error;
  }
  return { tokens, error: null };
}

/**
 * Whitespace and comments at `pos`, and after a newline the bodies of the heredocs its line opened: the position
 * after them, or null when a token starts at `pos`.
 */
function skipTrivia(text: string, pos: number, pending: PendingHeredoc[]): number | null {
  const char = text.charAt(pos);
  if (char === '\n') {
    pos++;
    for (let heredoc = pending.shift(); heredoc !== undefined; heredoc = pending.shift()) pos = skipHeredocBody(text, pos, heredoc);
    return pos;
  }
  if (char === ' ' || char === '\t' || char === '\r' || char === '\f' || char === '\v') {
    return pos + 1;
  }
  if (char === '#') {
    const newline = text.indexOf('\n', pos);
    return newline === -1 ? text.length : newline;
  }
  if (char === '/' && text[pos + 1] === '*') {
    const close = text.indexOf('*/', pos + 2);
    if (close === -1) throw new TokenizeError(pos, 'unterminated /* comment');
    return close + 2;
  }
  return null;
}

/** Reads the token at `pos` into `tokens` (a heredoc header also into `pending`); returns the position after it. */
function readToken(text: string, pos: number, tokens: PuppetToken[], pending: PendingHeredoc[]): number {
  const char = text.charAt(pos);
  const push = (kind: PuppetPlainToken['kind'], start: number, end: number): number => {
    tokens.push({ kind, start, end, text: text.slice(start, end) });
    return end;
  };
  if (char === "'") {
    const token = singleQuoted(text, pos);
    tokens.push(token);
    return token.end;
  }
  if (char === '"') {
    const token = doubleQuoted(text, pos);
    tokens.push(token);
    return token.end;
  }
  if (char === '@' && text[pos + 1] === '(') {
    const match = matchAt(HEREDOC, text, pos);
    if (!match) throw new TokenizeError(pos, 'malformed heredoc header');
    const quoted = match[1] !== undefined;
    const tag = (match[1] ?? match[2] ?? '').trim();
    pending.push({ tag, start: pos });
    tokens.push({ kind: 'heredoc', start: pos, end: pos + match[0].length, text: match[0], interpolated: quoted });
    return pos + match[0].length;
  }
  if (char === '$') {
    const match = matchAt(VARIABLE, text, pos);
    if (match) {
      tokens.push({ kind: 'variable', start: pos, end: pos + match[0].length, text: match[0], value: match[0].slice(1) });
      return pos + match[0].length;
    }
  }
  if (/[A-Za-z_]/.test(char) || (char === ':' && text[pos + 1] === ':' && /[A-Za-z_]/.test(text[pos + 2] ?? ''))) {
    // The test above has seen a name's first character, so NAME matches here.
    return push('name', pos, pos + (matchAt(NAME, text, pos)?.[0].length ?? 1));
  }
  if (/[0-9]/.test(char)) {
    // A digit starts a NUMBER match.
    return push('number', pos, pos + (matchAt(NUMBER, text, pos)?.[0].length ?? 1));
  }
  if (char === '/' && regexAllowed(tokens[tokens.length - 1])) {
    const end = regexEnd(text, pos);
    if (end !== -1) return push('regex', pos, end);
  }
  const multi = PUNCTUATION.find((candidate) => text.startsWith(candidate, pos));
  return push('punct', pos, pos + (multi ? multi.length : 1));
}

function matchAt(pattern: RegExp, text: string, at: number): RegExpExecArray | null {
  pattern.lastIndex = at;
  return pattern.exec(text);
}

function regexAllowed(previous: PuppetToken | undefined): boolean {
  if (!previous) return true;
  if (previous.kind === 'punct') return BEFORE_REGEX_PUNCT.has(previous.text);
  return previous.kind === 'name' && BEFORE_REGEX_NAME.has(previous.text);
}

/** The end of a regex literal starting at `start`, or -1 when no closing `/` is on the same line. */
function regexEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const char = text[i];
    if (char === '\n') return -1;
    if (char === '\\') i++;
    else if (char === '/') return i + 1;
  }
  return -1;
}

/** Skips a heredoc body starting at `pos` (a line start); returns the offset after its end-marker line. */
function skipHeredocBody(text: string, pos: number, heredoc: PendingHeredoc): number {
  const escaped = escapeRegExp(heredoc.tag);
  const marker = new RegExp(`^[ \\t]*(?:\\|[ \\t]*)?(?:-[ \\t]*)?${escaped}[ \\t]*\\r?$`);
  let lineStart = pos;
  while (lineStart < text.length) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    if (marker.test(text.slice(lineStart, lineEnd))) return lineEnd;
    if (newline === -1) break;
    lineStart = newline + 1;
  }
  throw new TokenizeError(heredoc.start, `heredoc @(${heredoc.tag}) has no end marker`);
}

function singleQuoted(text: string, start: number): PuppetStringToken {
  let value = '';
  for (let i = start + 1; i < text.length; i++) {
    const char = text.charAt(i);
    const next = text[i + 1];
    if (char === '\\' && (next === '\\' || next === "'")) {
      value += next;
      i++;
    } else if (char === "'") {
      const inner = text.slice(start + 1, i);
      return { kind: 'string', start, end: i + 1, text: text.slice(start, i + 1), value, literal: inner === value };
    } else {
      value += char;
    }
  }
  throw new TokenizeError(start, 'unterminated single-quoted string');
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', s: ' ', $: '$', '"': '"', "'": "'", '\\': '\\' };

function doubleQuoted(text: string, start: number): PuppetStringToken {
  let value = '';
  let interpolated = false;
  for (let i = start + 1; i < text.length; i++) {
    const char = text.charAt(i);
    if (char === '\\') {
      const next = text[i + 1];
      if (next === undefined) break;
      const unicode = next === 'u' ? /^u(?:\{([0-9a-fA-F]{1,6})\}|([0-9a-fA-F]{4}))/.exec(text.slice(i + 1, i + 10)) : null;
      if (unicode) {
        value += String.fromCodePoint(parseInt(unicode[1] ?? unicode[2] ?? '', 16));
        i += unicode[0].length;
      } else if (ESCAPES[next] !== undefined) {
        value += ESCAPES[next];
        i++;
      } else {
        value += char;
      }
    } else if (char === '$' && text[i + 1] === '{') {
      interpolated = true;
      i = interpolationEnd(text, i + 2, start) - 1;
    } else if (char === '$') {
      INTERPOLATED_NAME.lastIndex = i + 1;
      const match = INTERPOLATED_NAME.exec(text);
      if (match) {
        interpolated = true;
        i += match[0].length;
      } else {
        value += char;
      }
    } else if (char === '"') {
      const inner = text.slice(start + 1, i);
      const token: PuppetStringToken = interpolated
        ? { kind: 'string', start, end: i + 1, text: text.slice(start, i + 1), value: inner, literal: false, interpolated: true }
        : { kind: 'string', start, end: i + 1, text: text.slice(start, i + 1), value, literal: inner === value, interpolated: false };
      return token;
    } else {
      value += char;
    }
  }
  throw new TokenizeError(start, 'unterminated double-quoted string');
}

/** The offset after the `}` closing an interpolation whose expression starts at `pos`. Nested braces and strings count. */
function interpolationEnd(text: string, pos: number, stringStart: number): number {
  let depth = 1;
  for (let i = pos; i < text.length; i++) {
    const char = text[i];
    if (char === '{') depth++;
    else if (char === '}') {
      depth--;
      if (depth === 0) return i + 1;
    } else if (char === "'") {
      i = singleQuoted(text, i).end - 1;
    } else if (char === '"') {
      i = doubleQuoted(text, i).end - 1;
    }
  }
  throw new TokenizeError(stringStart, 'unterminated interpolation in double-quoted string');
}
