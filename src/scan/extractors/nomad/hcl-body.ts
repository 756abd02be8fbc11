import { tokenizeHcl, type HclToken } from './hcl-tokens.js';

/** HCL structure without evaluation: blocks with labels, attributes with their expression tokens. */

export interface HclAttribute {
  readonly name: string;
  readonly start: number;
  /** The expression's tokens, up to the end of the line (or the closing brace of a one-line block). */
  readonly value: readonly HclToken[];
}

export interface HclBlock {
  readonly type: string;
  /** Label values as written (quoted labels without their quotes). */
  readonly labels: readonly string[];
  readonly start: number;
  readonly attributes: HclAttribute[];
  readonly blocks: HclBlock[];
}

export interface HclError {
  readonly offset: number;
  readonly message: string;
}

export interface HclDocument {
  /** The file's top-level body as a block with an empty type. */
  readonly root: HclBlock;
  /** What could not be read; everything before it is still in `root`. */
  readonly errors: readonly HclError[];
}

const OPENERS = new Set(['(', '[', '{']);
const CLOSERS = new Set([')', ']', '}']);

function isPunctuation(text: string, token: HclToken | undefined, char: string): boolean {
  return token?.type === 'punctuation' && text[token.start] === char;
}

/** Parses HCL into blocks and attributes. Iterative, so no nesting depth can exhaust the stack; never throws. */
export function parseHcl(text: string): HclDocument {
  const { tokens, error } = tokenizeHcl(text);
  const errors: HclError[] = [];
  const root: HclBlock = { type: '', labels: [], start: 0, attributes: [], blocks: [] };
  const stack: HclBlock[] = [root];
  let strayBrace: number | null = null;
  let at = 0;
  for (let token = tokens[at]; token !== undefined; token = tokens[at]) {
    // The root stays at the bottom of the stack.
    const current = stack.at(-1) ?? root;
    if (token.type === 'newline') {
      at++;
      continue;
    }
    if (isPunctuation(text, token, '}')) {
      if (stack.length > 1) stack.pop();
      else strayBrace ??= token.start;
      at++;
      continue;
    }
    if (token.type !== 'identifier') {
      at++;
      continue;
    }
    const name = text.slice(token.start, token.end);
    let next = at + 1;
    if (isPunctuation(text, tokens[next], '=') && !isPunctuation(text, tokens[next + 1], '=')) {
      const value: HclToken[] = [];
      let depth = 0;
      next++;
      for (let part = tokens[next]; part !== undefined; part = tokens[++next]) {
        const char = text.charAt(part.start);
        if (depth === 0 && (part.type === 'newline' || isPunctuation(text, part, '}'))) break;
        if (part.type === 'punctuation' && OPENERS.has(char)) depth++;
        else if (part.type === 'punctuation' && CLOSERS.has(char)) depth--;
        value.push(part);
      }
      current.attributes.push({ name, start: token.start, value });
      at = next;
      continue;
    }
    const labels: string[] = [];
    for (let label = tokens[next]; label?.type === 'string' || label?.type === 'identifier'; label = tokens[++next]) {
      labels.push(label.type === 'string' ? text.slice(label.start + 1, label.end - 1) : text.slice(label.start, label.end));
    }
    if (isPunctuation(text, tokens[next], '{')) {
      const block: HclBlock = { type: name, labels, start: token.start, attributes: [], blocks: [] };
      current.blocks.push(block);
      stack.push(block);
      next++;
    }
    at = next;
  }
  // The outermost block still open (above the root) is the one reported.
  const unclosed = stack[1];
  if (error) errors.push(error);
  else if (unclosed) errors.push({ offset: unclosed.start, message: `block "${unclosed.type}" is not closed` });
  if (strayBrace !== null) errors.push({ offset: strayBrace, message: 'unexpected "}"' });
  return { root, errors: errors.sort((left, right) => left.offset - right.offset) };
}
