/** A Groovy string literal: where its contents are, how it was quoted, and whether it interpolates. */
export interface GroovyString {
  /** Offset of the opening quote. */
  readonly open: number;
  /** Contents, without quotes. */
  readonly start: number;
  readonly end: number;
  readonly quote: "'" | '"' | "'''" | '"""';
  /** Holds a backslash escape: the text is not the value. */
  readonly escaped: boolean;
}

/**
 * The string literals of a Groovy file (Jenkinsfile) in order, skipping `//` and `/* … *\/` comments.
 * Slashy and dollar-slashy strings are not read (they are regular expressions in pipelines).
 */
export function groovyStrings(text: string): GroovyString[] {
  return groovyTokens(text).strings;
}

/** The string literals of a Groovy file and the `[start, end)` ranges of its comments, in order. */
export function groovyTokens(text: string): { strings: GroovyString[]; comments: Array<readonly [number, number]> } {
  const strings: GroovyString[] = [];
  const comments: Array<readonly [number, number]> = [];
  let at = 0;
  while (at < text.length) {
    const char = text[at];
    if (char === '/' && text[at + 1] === '/') {
      const newline = text.indexOf('\n', at);
      const end = newline === -1 ? text.length : newline;
      comments.push([at, end]);
      at = end + 1;
    } else if (char === '/' && text[at + 1] === '*') {
      const close = text.indexOf('*/', at + 2);
      const end = close === -1 ? text.length : close + 2;
      comments.push([at, end]);
      at = end;
    } else if (char === "'" || char === '"') {
      const triple = text[at + 1] === char && text[at + 2] === char;
      const quote = (triple ? char.repeat(3) : char) as GroovyString['quote'];
      const start = at + quote.length;
      let end = start;
      let escaped = false;
      while (end < text.length) {
        if (text[end] === '\\') {
          escaped = true;
          end += 2;
        } else if (text.startsWith(quote, end)) break;
        else if (!triple && text[end] === '\n') break;
        else end++;
      }
      strings.push({ open: at, start, end: Math.min(end, text.length), quote, escaped });
      at = end + quote.length;
    } else at++;
  }
  return { strings, comments };
}
