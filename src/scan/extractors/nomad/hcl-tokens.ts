/**
 * A small HCL tokenizer: enough of the language to find blocks and attributes without evaluating anything.
 * Comments (`#`, `//`, `/* *\/`) are dropped; quoted strings keep their quotes and note whether they hold
 * templates (`${…}`, `%{…}`) or escapes; heredocs (`<<EOF`, `<<-EOF`) are one token; newlines are tokens
 * because they end attributes.
 */

export type HclTokenType = 'identifier' | 'string' | 'heredoc' | 'number' | 'newline' | 'punctuation';

export interface HclToken {
  readonly type: HclTokenType;
  /** Offsets into the source; strings include their quotes. */
  readonly start: number;
  readonly end: number;
  /** A string or heredoc with a `${…}` or `%{…}` template in it. */
  readonly templated?: boolean;
  /** A string with `\` escapes or `$${`/`%%{` in it: its source is not its value. */
  readonly escaped?: boolean;
}

export interface HclTokens {
  readonly tokens: readonly HclToken[];
  /** The first thing that could not be read; tokens stop there. */
  readonly error: { readonly offset: number; readonly message: string } | null;
}

interface Quoted {
  readonly end: number;
  readonly templated: boolean;
  readonly escaped: boolean;
}

class HclSyntaxError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

/** Templates holding strings holding templates…: deeper than this is not a real job file. */
const MAX_NESTING = 64;
const IDENTIFIER_START = /[A-Za-z_]/;
const IDENTIFIER_PART = /[A-Za-z0-9_-]/;

/** Reads a quoted string starting at `start` (the `"`), templates and nested strings included. */
function quoted(text: string, start: number, depth = 0): Quoted {
  if (depth > MAX_NESTING) throw new HclSyntaxError(start, 'strings nested too deeply');
  let at = start + 1;
  let templated = false;
  let escaped = false;
  for (;;) {
    const char = text[at];
    if (char === undefined || char === '\n') throw new HclSyntaxError(start, 'unterminated string');
    if (char === '"') return { end: at + 1, templated, escaped };
    if (char === '\\') {
      escaped = true;
      at += 2;
    } else if ((char === '$' || char === '%') && text[at + 1] === char && text[at + 2] === '{') {
      escaped = true;
      at += 3;
    } else if ((char === '$' || char === '%') && text[at + 1] === '{') {
      templated = true;
      at = template(text, at + 2, start, depth);
    } else {
      at++;
    }
  }
}

/** Skips a template's inside (after `${`), up to and past its closing brace. */
function template(text: string, start: number, stringStart: number, nesting: number): number {
  let depth = 1;
  let at = start;
  while (at < text.length) {
    const char = text.charAt(at);
    if (char === '"') {
      at = quoted(text, at, nesting + 1).end;
      continue;
    }
    if (char === '{') depth++;
    else if (char === '}' && --depth === 0) return at + 1;
    at++;
  }
  throw new HclSyntaxError(stringStart, 'unterminated template in string');
}

/**
 * Reads a heredoc starting at `start` (`<<`); null when `<<` does not open one. A space before the marker
 * (`data = << EOT`, as HCL 1 jobs write it) opens one too: nothing else could follow `<<` there, and reading
 * the body as HCL would lose the rest of the file.
 */
function heredoc(text: string, start: number): { end: number; templated: boolean } | null {
  const opener = /^<<-?[ \t]*([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n/.exec(text.slice(start, start + 300));
  if (!opener) return null;
  const marker = opener[1] ?? '';
  let at = start + opener[0].length;
  const bodyStart = at;
  while (at < text.length) {
    const newline = text.indexOf('\n', at);
    const lineEnd = newline === -1 ? text.length : newline;
    if (text.slice(at, lineEnd).trim() === marker) {
      return { end: lineEnd, templated: /[$%]\{/.test(text.slice(bodyStart, at)) };
    }
    at = lineEnd + 1;
  }
  throw new HclSyntaxError(start, `unterminated heredoc <<${marker}`);
}

export function tokenizeHcl(text: string): HclTokens {
  const tokens: HclToken[] = [];
  let at = 0;
  let found: { end: number; templated: boolean } | null;
  try {
    while (at < text.length) {
      const char = text.charAt(at);
      const next = text[at + 1];
      if (char === ' ' || char === '\t' || char === '\r' || char === '\ufeff') {
        at++;
      } else if (char === '\n') {
        tokens.push({ type: 'newline', start: at, end: at + 1 });
        at++;
      } else if (char === '#' || (char === '/' && next === '/')) {
        const newline = text.indexOf('\n', at);
        at = newline === -1 ? text.length : newline;
      } else if (char === '/' && next === '*') {
        const close = text.indexOf('*/', at + 2);
        if (close === -1) throw new HclSyntaxError(at, 'unterminated comment');
        at = close + 2;
      } else if (char === '"') {
        const string = quoted(text, at);
        tokens.push({ type: 'string', start: at, end: string.end, templated: string.templated, escaped: string.escaped });
        at = string.end;
      } else if (char === '<' && next === '<' && (found = heredoc(text, at))) {
        tokens.push({ type: 'heredoc', start: at, end: found.end, templated: found.templated });
        at = found.end;
      } else if (IDENTIFIER_START.test(char)) {
        let end = at + 1;
        while (end < text.length && IDENTIFIER_PART.test(text.charAt(end))) end++;
        tokens.push({ type: 'identifier', start: at, end });
        at = end;
      } else if (char >= '0' && char <= '9') {
        let end = at + 1;
        while (end < text.length && /[0-9.]/.test(text.charAt(end))) end++;
        tokens.push({ type: 'number', start: at, end });
        at = end;
      } else {
        tokens.push({ type: 'punctuation', start: at, end: at + 1 });
        at++;
      }
    }
  } catch (error) {
    if (error instanceof HclSyntaxError) return { tokens, error: { offset: error.offset, message: error.message } };
    throw error;
  }
  return { tokens, error: null };
}
