/**
 * What parsing a slice of YAML would cost, found in one pass over the characters before the parser
 * runs: an upper estimate of the nodes it would build (a pair is two, an item, a flow entry or a
 * flow collection one) and of the nesting depth (block indentation levels, `- - ` chains and flow
 * brackets). Quotes and comments are not told apart from structure, so the estimate errs high.
 */
export interface YamlCost {
  readonly nodes: number;
  readonly depth: number;
}

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const HASH = 0x23;
const DASH = 0x2d;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_SQUARE = 0x5b;
const CLOSE_SQUARE = 0x5d;
const OPEN_CURLY = 0x7b;
const CLOSE_CURLY = 0x7d;

const isBreakOrSpace = (code: number): boolean => code === SPACE || code === TAB || code === LF || code === CR || Number.isNaN(code);

export function yamlCost(text: string, start = 0, end = text.length): YamlCost {
  let nodes = 0;
  let flow = 0;
  let maxFlow = 0;
  let maxBlock = 0;
  const indents: number[] = [];
  let at = start;
  while (at < end) {
    // start of a line: its indentation and a `- - ` chain
    let indent = 0;
    while (at < end && text.charCodeAt(at) === SPACE) {
      indent++;
      at++;
    }
    let dashes = 0;
    while (at < end && text.charCodeAt(at) === DASH && isBreakOrSpace(at + 1 < end ? text.charCodeAt(at + 1) : NaN)) {
      dashes++;
      at++;
      while (at < end && (text.charCodeAt(at) === SPACE || text.charCodeAt(at) === TAB)) at++;
    }
    nodes += dashes;
    const first = at < end ? text.charCodeAt(at) : LF;
    if (first !== LF && first !== CR && first !== HASH) {
      for (let top = indents.at(-1); top !== undefined && top >= indent; top = indents.at(-1)) indents.pop();
      indents.push(indent);
      maxBlock = Math.max(maxBlock, indents.length + dashes);
    }
    // the rest of the line
    while (at < end) {
      const code = text.charCodeAt(at++);
      if (code === LF) break;
      if (code === COLON) {
        if (isBreakOrSpace(at < end ? text.charCodeAt(at) : NaN)) nodes += 2;
      } else if (code === COMMA) {
        nodes++;
      } else if (code === OPEN_SQUARE || code === OPEN_CURLY) {
        nodes++;
        flow++;
        if (flow > maxFlow) maxFlow = flow;
      } else if (code === CLOSE_SQUARE || code === CLOSE_CURLY) {
        if (flow > 0) flow--;
      }
    }
  }
  return { nodes, depth: maxBlock + maxFlow };
}
