/** The end of the string that starts at `start` (its opening quote), past its closing quote; a string stops at a line break. */
export function stringEnd(text: string, start: number): number {
  let at = start + 1;
  while (at < text.length && text[at] !== '"' && text[at] !== '\n') at += text[at] === '\\' ? 2 : 1;
  return at + 1;
}

/**
 * The text of a JSON-with-comments file as plain JSON of the same length: its `//` and `/* … *\/` comments and the commas
 * before a closing `}` or `]` turned into spaces (line breaks kept), so every offset still points where the file writes it.
 */
export function blankJsonComments(text: string): string {
  const out = text.split('');
  const blank = (from: number, to: number): void => {
    for (let at = from; at < to; at++) if (out[at] !== '\n' && out[at] !== '\r') out[at] = ' ';
  };
  let comma = -1;
  let at = 0;
  while (at < text.length) {
    const char = text[at];
    if (char === '"') {
      comma = -1;
      at = stringEnd(text, at);
    } else if (text.startsWith('//', at)) {
      const end = text.indexOf('\n', at);
      blank(at, end === -1 ? text.length : end);
      at = end === -1 ? text.length : end;
    } else if (text.startsWith('/*', at)) {
      const close = text.indexOf('*/', at + 2);
      const end = close === -1 ? text.length : close + 2;
      blank(at, end);
      at = end;
    } else {
      if (char === ',') comma = at;
      else if ((char === '}' || char === ']') && comma !== -1) {
        blank(comma, comma + 1);
        comma = -1;
      } else if (char !== undefined && !/\s/.test(char)) comma = -1;
      at++;
    }
  }
  return out.join('');
}
