/**
 * A small reading of Helm's Go templates, enough to learn what a chart renders with its default values
 * for a piece of an image reference (the registry a helper picks, a default written in the template).
 * It knows text, `{{- -}}` trimming, comments, variables, `if`/`else if`/`else`, `with`, `define`, `include`
 * and `template`, and the functions such helpers use (`default`, `eq`, `and`, `printf`, `coalesce`, `tuple`, `index`, …).
 * `tpl` of a text with actions renders it as a template of its own.
 * Anything else (`range`, `lookup`, `fail`, a function it does not know) makes the result
 * unknown rather than guessed.
 */

/** Thrown when a template does something this reading does not model; the caller reports the value as unknown. */
export class NotRendered extends Error {}

type Node =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'action'; readonly pipeline: Pipeline; readonly at: number; readonly assign?: { readonly name: string } }
  | { readonly type: 'if'; readonly branches: readonly { readonly test: Pipeline; readonly body: readonly Node[] }[]; readonly otherwise: readonly Node[] }
  | { readonly type: 'with'; readonly test: Pipeline; readonly body: readonly Node[]; readonly otherwise: readonly Node[] }
  | { readonly type: 'unsupported'; readonly what: string };

type Operand =
  | { readonly type: 'literal'; readonly value: unknown }
  | { readonly type: 'field'; readonly base: 'dot' | 'root' | { readonly variable: string }; readonly path: readonly string[] }
  | { readonly type: 'call'; readonly name: string }
  | { readonly type: 'group'; readonly pipeline: Pipeline; readonly path: readonly string[] };
type Command = readonly Operand[];
type Pipeline = readonly Command[];

interface Tag {
  readonly inner: string;
  readonly at: number;
  readonly end: number;
  readonly trimLeft: boolean;
  readonly trimRight: boolean;
}

/**
 * The actions of a text: `{{ … }}`, `{{- … -}}` (the dash and a space trim the text next to it). Found with
 * indexOf, not a pattern, so that a text of anyone's making (a run of spaces, `{{` never closed) costs one
 * pass.
 */
function tags(text: string): Tag[] {
  const found: Tag[] = [];
  for (let at = text.indexOf('{{'); at !== -1; at = text.indexOf('{{', at)) {
    const close = text.indexOf('}}', at + 2);
    if (close === -1) break;
    let raw = text.slice(at + 2, close);
    const trimLeft = /^-\s/.test(raw);
    if (trimLeft) raw = raw.slice(1);
    const trimRight = /\s-$/.test(raw);
    if (trimRight) raw = raw.slice(0, -1);
    found.push({ inner: raw.trim(), at, end: close + 2, trimLeft, trimRight });
    at = close + 2;
  }
  return found;
}

/**
 * The named templates of a file: name → the text of its body and where the body starts, counted from `base`
 * (so that positions in several files of a chart stay apart).
 */
export function defines(text: string, base = 0): Map<string, { body: string; at: number }> {
  // One pass with the open blocks on a stack (a define ends at the `end` that closes it); the first
  // definition of a name, in the order the defines start, is the one kept.
  const closed: { name: string; open: Tag; end: Tag }[] = [];
  const open: { tag: Tag; name: string | undefined }[] = [];
  for (const tag of tags(text)) {
    if (/^(?:if|with|range|define|block)\b/.test(tag.inner)) open.push({ tag, name: /^define\s+"([^"]+)"$/.exec(tag.inner)?.[1] });
    else if (tag.inner === 'end') {
      const block = open.pop();
      if (block?.name !== undefined) closed.push({ name: block.name, open: block.tag, end: tag });
    }
  }
  closed.sort((a, b) => a.open.at - b.open.at);
  const found = new Map<string, { body: string; at: number }>();
  for (const { name, open: tag, end } of closed) {
    if (found.has(name)) continue;
    let start = tag.end;
    let stop = end.at;
    if (tag.trimRight) while (start < stop && /\s/.test(text[start] ?? '')) start += 1;
    if (end.trimLeft) while (stop > start && /\s/.test(text[stop - 1] ?? '')) stop -= 1;
    found.set(name, { body: text.slice(start, stop), at: base + start });
  }
  return found;
}

// ---- parsing ----------------------------------------------------------------------------------

const TOKEN = /\s*(?:("(?:[^"\\]|\\.)*")|(`[^`]*`)|(\()|(\))|(\|)|(:?=)|(\$[A-Za-z_]\w*|\$)((?:\.[A-Za-z_]\w*)*)|(\.(?:[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)?)|(-?\d+(?:\.\d+)?)|([A-Za-z_]\w*))/y;

type Token =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: '(' | ')' | '|' | ':=' | '=' }
  | { readonly kind: 'variable'; readonly name: string; readonly path: readonly string[] }
  | { readonly kind: 'field'; readonly path: readonly string[] }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'word'; readonly value: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const match = TOKEN.exec(text);
    if (!match) throw new NotRendered(`cannot read ${text}`);
    const [, double, raw, open, close, pipe, assign, variable, variablePath, field, number, word] = match;
    if (double !== undefined) tokens.push({ kind: 'string', value: JSON.parse(double) as string });
    else if (raw !== undefined) tokens.push({ kind: 'string', value: raw.slice(1, -1) });
    else if (open !== undefined) tokens.push({ kind: '(' });
    else if (close !== undefined) tokens.push({ kind: ')' });
    else if (pipe !== undefined) tokens.push({ kind: '|' });
    else if (assign !== undefined) tokens.push({ kind: assign === ':=' ? ':=' : '=' });
    else if (variable !== undefined) tokens.push({ kind: 'variable', name: variable, path: splitPath(variablePath ?? '') });
    else if (field !== undefined) tokens.push({ kind: 'field', path: splitPath(field) });
    else if (number !== undefined) tokens.push({ kind: 'number', value: Number(number) });
    else if (word !== undefined) tokens.push({ kind: 'word', value: word });
  }
  return tokens;
}

function splitPath(text: string): string[] {
  return text.split('.').filter((part) => part !== '');
}

/** A pipeline (`a | b c`) from tokens, from `from`; returns it and where it stopped. */
function parsePipeline(tokens: readonly Token[], from: number): [Pipeline, number] {
  const commands: Command[] = [];
  let command: Operand[] = [];
  let index = from;
  while (index < tokens.length) {
    const token = tokens[index];
    if (!token || token.kind === ')') break;
    index += 1;
    if (token.kind === '|') {
      commands.push(command);
      command = [];
      continue;
    }
    if (token.kind === '(') {
      const [inner, after] = parsePipeline(tokens, index);
      if (tokens[after]?.kind !== ')') throw new NotRendered('unclosed (');
      index = after + 1;
      // `(…).field`: a field of the group's value.
      const next = tokens[index];
      const path = next?.kind === 'field' && next.path.length > 0 ? next.path : [];
      if (path.length > 0) index += 1;
      command.push({ type: 'group', pipeline: inner, path });
      continue;
    }
    command.push(operand(token));
  }
  commands.push(command);
  if (commands.some((entry) => entry.length === 0)) throw new NotRendered('empty command');
  return [commands, index];
}

function operand(token: Token): Operand {
  switch (token.kind) {
    case 'string':
    case 'number':
      return { type: 'literal', value: token.value };
    case 'variable':
      return { type: 'field', base: token.name === '$' ? 'root' : { variable: token.name }, path: token.path };
    case 'field':
      return { type: 'field', base: 'dot', path: token.path };
    case 'word':
      if (token.value === 'true' || token.value === 'false') return { type: 'literal', value: token.value === 'true' };
      if (token.value === 'nil') return { type: 'literal', value: null };
      return { type: 'call', name: token.value };
    default:
      throw new NotRendered(`unexpected ${token.kind}`);
  }
}

function wholePipeline(text: string): Pipeline {
  const tokens = tokenize(text);
  const [pipeline, end] = parsePipeline(tokens, 0);
  if (end !== tokens.length) throw new NotRendered(`cannot read ${text}`);
  return pipeline;
}

/** The template text as nodes; `offset` is where `text` starts in its file (for the actions' positions). */
export function parseTemplate(text: string, offset = 0): Node[] {
  const parser = new TemplateParser(text, offset);
  const [nodes, stop] = parser.block();
  if (stop) throw new NotRendered(`unexpected ${stop.inner}`);
  return nodes;
}

/** Reads a template's tags in order, with the text between them as its trim markers leave it. */
class TemplateParser {
  private readonly all: Tag[];
  private cursor = 0;
  private index = 0;
  private trimNext = false;

  constructor(
    private readonly text: string,
    private readonly offset: number,
  ) {
    this.all = tags(text);
  }

  /** Reads nodes until `else`, `else if …` or `end`; returns the nodes and the stopping tag. */
  block(): [Node[], Tag | null] {
    const nodes: Node[] = [];
    for (let tag = this.all[this.index]; tag; tag = this.all[this.index]) {
      let piece = this.text.slice(this.cursor, tag.at);
      if (this.trimNext) piece = piece.trimStart();
      if (tag.trimLeft) piece = piece.trimEnd();
      if (piece !== '') nodes.push({ type: 'text', text: piece });
      this.step(tag);
      const inner = tag.inner;
      if (inner.startsWith('/*')) continue;
      if (inner === 'end' || inner === 'else' || inner.startsWith('else ')) return [nodes, tag];
      const node = this.node(tag);
      if (node) nodes.push(node);
    }
    const rest = this.text.slice(this.cursor);
    const piece = this.trimNext ? rest.trimStart() : rest;
    if (piece !== '') nodes.push({ type: 'text', text: piece });
    this.cursor = this.text.length;
    return [nodes, null];
  }

  private step(tag: Tag): void {
    this.cursor = tag.end;
    this.trimNext = tag.trimRight;
    this.index += 1;
  }

  /** The node a tag starts, or null for what renders nothing where it stands. */
  private node(tag: Tag): Node | null {
    const keyword = /^(if|with|range|define|block|template)\b\s*([\s\S]*)$/.exec(tag.inner);
    if (keyword) {
      const [, word = '', rest = ''] = keyword;
      if (word === 'if' || word === 'with') return this.conditional(word, rest);
      // A named template renders nothing where it is defined. What a loop writes is not an image's part
      // here, and an action inside it is never reached.
      if (word === 'define' || word === 'range') {
        this.skipBlock();
        return null;
      }
      // `{{ template "name" pipeline }}` writes what `include` returns.
      if (word === 'template') {
        const call = /^("(?:[^"\\]|\\.)*")\s*([\s\S]*)$/.exec(rest);
        if (call) return { type: 'action', pipeline: wholePipeline(`include ${call[1] ?? ''} ${call[2] ? `(${call[2]})` : 'nil'}`), at: this.offset + tag.at };
      }
      if (word === 'block') this.skipBlock();
      return { type: 'unsupported', what: word };
    }
    const at = this.offset + tag.at;
    const assignment = /^(\$[A-Za-z_]\w*)\s*(:?=)\s*([\s\S]+)$/.exec(tag.inner);
    if (assignment) return { type: 'action', pipeline: wholePipeline(assignment[3] ?? ''), at, assign: { name: assignment[1] ?? '' } };
    return { type: 'action', pipeline: wholePipeline(tag.inner), at };
  }

  /** Steps over a block's body up to its `end`. */
  private skipBlock(): void {
    let depth = 0;
    for (let tag = this.all[this.index]; tag; tag = this.all[this.index]) {
      this.step(tag);
      if (/^(?:if|with|range|define|block)\b/.test(tag.inner)) depth += 1;
      else if (tag.inner === 'end') {
        if (depth === 0) return;
        depth -= 1;
      }
    }
  }

  private conditional(word: 'if' | 'with', test: string): Node {
    const branches: { test: Pipeline; body: Node[] }[] = [];
    let otherwise: Node[] = [];
    let current = wholePipeline(test);
    for (;;) {
      const [body, stop] = this.block();
      branches.push({ test: current, body });
      if (!stop || stop.inner === 'end') break;
      const elseIf = /^else\s+(?:if|with)\s+([\s\S]+)$/.exec(stop.inner);
      if (elseIf) {
        current = wholePipeline(elseIf[1] ?? '');
        continue;
      }
      const [rest, last] = this.block();
      otherwise = rest;
      if (last && last.inner !== 'end') throw new NotRendered('else after else');
      break;
    }
    if (word === 'if') return { type: 'if', branches, otherwise };
    const [only, ...more] = branches;
    if (!only || more.length > 0) throw new NotRendered('else with');
    return { type: 'with', test: only.test, body: only.body, otherwise };
  }
}

// ---- evaluation -------------------------------------------------------------------------------

export interface RenderContext {
  /** The chart's named templates, for `include`. */
  readonly defines: ReadonlyMap<string, { body: string; at: number }>;
  /** `$` of the template. */
  readonly root: unknown;
  /** How many includes deep the rendering is. */
  readonly depth?: number;
  /** Called with the position of each action before it runs; returning true stops the rendering there. */
  readonly stopAt?: (at: number) => boolean;
  /** What one rendering may still do (shared by every include of it). */
  readonly work?: Work;
}

/** Steps (template nodes and includes) and characters written that a rendering (or a chart's renderings) has left. */
export interface Work {
  steps: number;
  chars: number;
  readonly maxSteps: number;
  readonly maxChars: number;
  /** Texts already parsed under this budget, by text and offset. */
  readonly parsed: Map<string, Map<string, Node[]>>;
}

/**
 * A chart is anyone's text: templates that include each other twice at each of 32 levels would take 2^32
 * renderings, and `printf "%s%s" $a $a` repeated doubles a text each line. One rendering gives up past
 * these, as a template it does not model.
 */
const MAX_STEPS = 20_000;
const MAX_CHARS = 1_000_000;

/** A text parsed once per budget (a file rendered up to each of its joins is parsed once). */
function parsedText(text: string, offset: number, work: Work | undefined): Node[] {
  if (!work) return parseTemplate(text, offset);
  if (work.steps <= 0) throw new NotRendered(`more than ${work.maxSteps} template steps`);
  const key = `${offset}`;
  let byOffset = work.parsed.get(text);
  if (!byOffset) {
    byOffset = new Map();
    work.parsed.set(text, byOffset);
  }
  let nodes = byOffset.get(key);
  if (!nodes) {
    nodes = parseTemplate(text, offset);
    byOffset.set(key, nodes);
  }
  return nodes;
}

/** A budget for renderings: one rendering's by default; a chart passes one budget to all of its renderings. */
export function newWork(maxSteps = MAX_STEPS, maxChars = MAX_CHARS): Work {
  return { steps: maxSteps, chars: maxChars, maxSteps, maxChars, parsed: new Map() };
}

function spendStep(context: RenderContext): void {
  if (!context.work) return;
  context.work.steps -= 1;
  if (context.work.steps < 0) throw new NotRendered(`more than ${context.work.maxSteps} template steps`);
}

function write(out: string[], piece: string, context: RenderContext): void {
  if (context.work) {
    context.work.chars -= piece.length;
    if (context.work.chars < 0) throw new NotRendered(`more than ${context.work.maxChars} characters written`);
  }
  out.push(piece);
}

class Stopped extends Error {}

export function truthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

function field(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || current === undefined) return undefined;
    if (typeof current !== 'object' || Array.isArray(current)) throw new NotRendered(`.${key} of a ${typeof current}`);
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** The values at a path (`["cart"]` for `.Values.cart.name`'s map), or undefined where the path leaves the maps: never throws, unlike a rendered field. */
export function valuesAt(values: unknown, path: readonly string[]): unknown {
  let node = values;
  for (const key of path) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new NotRendered('a map or list printed');
}

/** Go's printf verbs that such templates use: %s, %v, %d, %q, %%. */
function printf(format: unknown, args: readonly unknown[]): string {
  if (typeof format !== 'string') throw new NotRendered('printf format');
  let next = 0;
  return format.replace(/%([svdq%])/g, (_, verb: string) => {
    if (verb === '%') return '%';
    const value = args[next];
    next += 1;
    // Go prints a missing value as `%!s(<nil>)`: never a part of an image worth guessing.
    if (value === null || value === undefined) throw new NotRendered('printf of a value that is not set');
    return verb === 'q' ? JSON.stringify(text(value)) : text(value);
  });
}

type Scope = Map<string, unknown>;

function callFunction(name: string, args: readonly unknown[], context: RenderContext): unknown {
  const [first, second] = args;
  switch (name) {
    case 'default':
      return truthy(second) ? second : first;
    case 'coalesce':
      return args.find(truthy) ?? null;
    case 'empty':
      return !truthy(first);
    case 'not':
      return !truthy(first);
    case 'eq':
      return args.slice(1).some((other) => other === first);
    case 'ne':
      return first !== second;
    case 'printf':
      return printf(first, args.slice(1));
    case 'print':
      return args.map(text).join('');
    case 'toString':
      return text(first);
    case 'trim':
      return text(first).trim();
    case 'lower':
      return text(first).toLowerCase();
    case 'upper':
      return text(first).toUpperCase();
    case 'trimSuffix':
      return text(second).endsWith(text(first)) ? text(second).slice(0, text(second).length - text(first).length) : text(second);
    case 'trimPrefix':
      return text(second).startsWith(text(first)) ? text(second).slice(text(first).length) : text(second);
    case 'hasPrefix':
      return text(second).startsWith(text(first));
    case 'hasSuffix':
      return text(second).endsWith(text(first));
    case 'quote':
      return JSON.stringify(text(first));
    case 'ternary':
      return truthy(args[2]) ? first : second;
    case 'include':
      return include(text(first), second, context);
    // `tpl .Values.image.tag .`: a value rendered as a template with the context it is given as dot (`{{ .Chart.AppVersion }}`
    // written in the values); one without actions renders as itself.
    case 'tpl':
      if (typeof first !== 'string') throw new NotRendered('function tpl of a value that is not a text');
      return first.includes('{{') ? renderTpl(first, second, context) : first;
    case 'dict': {
      const map: Record<string, unknown> = {};
      for (let index = 0; index + 1 < args.length; index += 2) map[text(args[index])] = args[index + 1];
      return map;
    }
    case 'list':
    case 'tuple':
      return [...args];
    case 'index': {
      let current: unknown = first;
      for (const key of args.slice(1)) {
        if (Array.isArray(current) && typeof key === 'number') {
          current = current[key];
          if (current === undefined) throw new NotRendered('index out of range');
        }
        // A key the map does not hold gives no value, as Go's `index` of a map does (`default .Values.registry (index
        // .Values.api.image "registry")`); indexing further into that is an error, as in Go.
        else if (current !== null && typeof current === 'object' && !Array.isArray(current) && typeof key === 'string') current = (current as Record<string, unknown>)[key];
        else throw new NotRendered('index of this kind');
      }
      return current;
    }
    case 'required':
      if (!truthy(second)) throw new NotRendered('required value missing');
      return second;
    case 'len':
      if (typeof first === 'string' || Array.isArray(first)) return first.length;
      if (isMap(first)) return Object.keys(first).length;
      throw new NotRendered('len of a value that is not set');
    case 'hasKey':
      if (!isMap(first)) throw new NotRendered('hasKey of a value that is not a map');
      return Object.hasOwn(first, text(second));
    // `dig "spire" "image" "registry" "" .global`: the keys, the default, the map.
    case 'dig': {
      const map = args.at(-1);
      if (args.length < 3 || !isMap(map)) throw new NotRendered('dig of a value that is not a map');
      let current: unknown = map;
      for (const key of args.slice(0, -2)) {
        if (!isMap(current) || !Object.hasOwn(current, text(key))) return args.at(-2);
        current = current[text(key)];
      }
      return current;
    }
    case 'substr': {
      const whole = text(args[2]);
      if (typeof first !== 'number' || typeof second !== 'number') throw new NotRendered('substr of positions that are not numbers');
      if (first < 0) return whole.slice(0, second);
      return second < 0 || second > whole.length ? whole.slice(first) : whole.slice(first, second);
    }
    default:
      throw new NotRendered(`function ${name}`);
  }
}

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** How deep templates may include each other before the rendering gives up (a template that includes itself). */
const MAX_INCLUDE_DEPTH = 32;

/** Each named template is parsed once, however often it is included. */
const parsed = new WeakMap<object, Node[]>();

function include(name: string, dot: unknown, context: RenderContext): string {
  const template = context.defines.get(name);
  if (!template) throw new NotRendered(`no template "${name}"`);
  const depth = (context.depth ?? 0) + 1;
  if (depth > MAX_INCLUDE_DEPTH) throw new NotRendered(`templates included ${MAX_INCLUDE_DEPTH} deep`);
  spendStep(context);
  let nodes = parsed.get(template);
  if (!nodes) {
    nodes = parseTemplate(template.body, template.at);
    parsed.set(template, nodes);
  }
  return run(nodes, dot, new Map([['$', dot]]), { ...context, root: dot, depth });
}

/** What `tpl` renders: the text as a template of its own, `.` and `$` the context given, the chart's named templates in reach. */
function renderTpl(text: string, dot: unknown, context: RenderContext): string {
  const depth = (context.depth ?? 0) + 1;
  if (depth > MAX_INCLUDE_DEPTH) throw new NotRendered(`templates included ${MAX_INCLUDE_DEPTH} deep`);
  spendStep(context);
  // Its own positions are not the file's: a rendering stopped at an action of the file does not stop inside it.
  const own: RenderContext = context.work ? { defines: context.defines, root: dot, depth, work: context.work } : { defines: context.defines, root: dot, depth };
  return run(parsedText(text, 0, context.work), dot, new Map([['$', dot]]), own);
}

function evalOperand(operand: Operand, dot: unknown, scope: Scope, context: RenderContext): unknown {
  switch (operand.type) {
    case 'literal':
      return operand.value;
    case 'field': {
      if (operand.base === 'dot') return field(dot, operand.path);
      if (operand.base === 'root') return field(context.root, operand.path);
      if (!scope.has(operand.base.variable)) throw new NotRendered(`undefined ${operand.base.variable}`);
      return field(scope.get(operand.base.variable), operand.path);
    }
    case 'group':
      return field(evalPipeline(operand.pipeline, dot, scope, context), operand.path);
    case 'call':
      return callFunction(operand.name, [], context);
  }
}

/** `and`/`or` stop at their first deciding argument, as Go's templates do. */
function evalCommand(command: Command, piped: unknown[], dot: unknown, scope: Scope, context: RenderContext): unknown {
  const [head, ...rest] = command;
  if (!head) throw new NotRendered('empty command');
  if (head.type !== 'call') {
    if (rest.length > 0 || piped.length > 0) throw new NotRendered('arguments to a value');
    return evalOperand(head, dot, scope, context);
  }
  if (head.name === 'and' || head.name === 'or') {
    const operands = [...rest.map((entry) => () => evalOperand(entry, dot, scope, context)), ...piped.map((value) => () => value)];
    let last: unknown = null;
    for (const next of operands) {
      last = next();
      if (head.name === 'and' ? !truthy(last) : truthy(last)) return last;
    }
    return last;
  }
  const args = [...rest.map((entry) => evalOperand(entry, dot, scope, context)), ...piped];
  return callFunction(head.name, args, context);
}

function evalPipeline(pipeline: Pipeline, dot: unknown, scope: Scope, context: RenderContext): unknown {
  let piped: unknown[] = [];
  let value: unknown = null;
  for (const command of pipeline) {
    value = evalCommand(command, piped, dot, scope, context);
    if (typeof value === 'string' && value.length > MAX_CHARS) throw new NotRendered(`a text longer than ${MAX_CHARS} characters`);
    piped = [value];
  }
  return value;
}

function run(nodes: readonly Node[], dot: unknown, scope: Scope, context: RenderContext, out: string[] = []): string {
  for (const node of nodes) {
    spendStep(context);
    switch (node.type) {
      case 'text':
        write(out, node.text, context);
        break;
      case 'action': {
        if (context.stopAt?.(node.at)) throw new Stopped(out.join(''));
        const value = evalPipeline(node.pipeline, dot, scope, context);
        if (node.assign) scope.set(node.assign.name, value);
        else write(out, text(value), context);
        break;
      }
      case 'if': {
        const branch = node.branches.find((candidate) => truthy(evalPipeline(candidate.test, dot, scope, context)));
        run(branch ? branch.body : node.otherwise, dot, scope, context, out);
        break;
      }
      case 'with': {
        const value = evalPipeline(node.test, dot, scope, context);
        if (truthy(value)) run(node.body, value, scope, context, out);
        else run(node.otherwise, dot, scope, context, out);
        break;
      }
      case 'unsupported':
        throw new NotRendered(node.what);
    }
  }
  return out.join('');
}

/** What `{{ include name . }}` renders with `dot`; throws NotRendered when the template does something not modelled. */
export function renderInclude(name: string, dot: unknown, context: Omit<RenderContext, 'root'>): string {
  return include(name, dot, { ...context, root: dot, work: context.work ?? newWork() });
}

/**
 * The text a template writes before the action at `at`, rendering `text` (a named template's body or a whole
 * file, starting at `offset` in its file) with `dot`; null when the rendering never reaches that action.
 */
export function renderUpTo(text: string, offset: number, at: number, dot: unknown, context: Omit<RenderContext, 'root' | 'stopAt'>): string | null {
  const nodes = parsedText(text, offset, context.work);
  try {
    run(nodes, dot, new Map([['$', dot]]), { ...context, root: dot, stopAt: (position) => position === at, work: context.work ?? newWork() });
  } catch (error) {
    if (error instanceof Stopped) return error.message;
    throw error;
  }
  return null;
}

/** The value of one pipeline (`.Values.registry | default "registry.example.test"`) with `dot`. */
export function evaluate(expression: string, dot: unknown, context: Omit<RenderContext, 'root'>): unknown {
  return evalPipeline(wholePipeline(expression), dot, new Map([['$', dot]]), { ...context, root: dot, work: context.work ?? newWork() });
}

/**
 * What a whole text (one line of a template) renders with `dot`, with `variables` set before it (`$tag` assigned
 * earlier in its template); throws NotRendered when it does something not modelled.
 */
export function renderText(text: string, dot: unknown, context: Omit<RenderContext, 'root'>, variables: ReadonlyMap<string, unknown> = new Map()): string {
  const work = context.work ?? newWork();
  return run(parsedText(text, 0, work), dot, new Map([...variables, ['$', dot]]), { ...context, root: dot, work });
}

/** The value of one pipeline with `variables` in scope (an assignment's right side, after the ones before it). */
export function evaluateWith(expression: string, dot: unknown, context: Omit<RenderContext, 'root'>, variables: ReadonlyMap<string, unknown>): unknown {
  return evalPipeline(wholePipeline(expression), dot, new Map([...variables, ['$', dot]]), { ...context, root: dot, work: context.work ?? newWork() });
}
