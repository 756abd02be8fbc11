import type { SourceFile } from '../../../core/source-file.js';
import type { Reference, Span } from '../../../core/types.js';
import { makeReference, makeSpan } from '../../make-reference.js';
import { parseHcl, type HclBlock } from './hcl-body.js';
import type { HclToken } from './hcl-tokens.js';
import { packPrintf } from '../../../core/pack-printf.js';

/**
 * Nomad Pack job templates (`packs/<pack>/templates/*.nomad.tpl`): HCL with `[[ … ]]` Go-template actions,
 * which the HCL parser cannot read (`"[[ var "tag" . ]]"` holds quotes inside quotes), so `image =` lines
 * are read one by one. A use of a pack variable (`[[ var "tag" . ]]`, or `[[ .my.tag ]]` in packs written
 * for the first template syntax) is resolved through the default in the pack's `variables.hcl` when that
 * is a plain literal, and that literal is what an update edits.
 */

const KIND = 'nomad-task';

/** A pack variable's default as written: a span in `variables.hcl` (null when the default is not a plain literal). */
export interface PackVariable {
  readonly span: Span | null;
  /** The line of its `variable` block. */
  readonly line: number;
  /** Why the default cannot be used, when it cannot. */
  readonly why?: string;
}

export interface PackFacts {
  /** Pack folder → its `variables.hcl` path and variables by name (`name`, and `name.field` for object defaults). */
  readonly packs: ReadonlyMap<string, { readonly file: string; readonly variables: ReadonlyMap<string, PackVariable> }>;
  /** Pack folder → the image values its templates write (`inner` text, and whether it is a bare action). */
  readonly images: ReadonlyMap<string, ReadonlyArray<{ readonly inner: string; readonly bare: boolean; readonly template: string }>>;
}

export function isPackTemplate(path: string): boolean {
  return /\.nomad\.tpl$/i.test(path);
}

/** The pack a template belongs to: the folder holding its `templates/` folder. */
function packFolder(path: string): string {
  const at = path.lastIndexOf('/templates/');
  if (at !== -1) return path.slice(0, at);
  return path.startsWith('templates/') ? '' : path.slice(0, Math.max(0, path.lastIndexOf('/')));
}

/** A plain string (no templates, escapes or heredoc) or number: its span inside the quotes. */
function literalSpan(file: SourceFile, tokens: readonly HclToken[], role: 'variable', variable: string): Span | null {
  const [token, ...rest] = tokens;
  if (!token || rest.length > 0) return null;
  if (token.type === 'string' && !token.templated && !token.escaped) {
    return { ...makeSpan(file, { role, start: token.start + 1, end: token.end - 1, variable }), file: file.path };
  }
  if (token.type === 'number') return { ...makeSpan(file, { role, start: token.start, end: token.end, variable }), file: file.path };
  return null;
}

/** `{ image = "…", version = "…" }`: the plain fields of an object default, one level deep. */
function objectFields(file: SourceFile, tokens: readonly HclToken[], name: string, line: number, into: Map<string, PackVariable>): void {
  const punctuation = (token: HclToken | undefined, char: string): boolean => token?.type === 'punctuation' && file.text[token.start] === char;
  let depth = 0;
  for (let at = 0; at < tokens.length; at++) {
    const token = tokens[at];
    if (!token) break;
    if (token.type === 'punctuation' && '([{'.includes(file.text.charAt(token.start))) depth++;
    else if (token.type === 'punctuation' && ')]}'.includes(file.text.charAt(token.start))) depth--;
    else if (depth === 1 && token.type === 'identifier' && punctuation(tokens[at + 1], '=')) {
      const field = file.text.slice(token.start, token.end);
      const value: HclToken[] = [];
      for (let next = at + 2; next < tokens.length; next++) {
        const part = tokens[next];
        if (!part || part.type === 'newline' || punctuation(part, ',') || punctuation(part, '}')) break;
        value.push(part);
      }
      const span = literalSpan(file, value, 'variable', `${name}.${field}`);
      into.set(`${name}.${field}`, span ? { span, line } : { span: null, line, why: 'its default is not a plain literal' });
    }
  }
}

function packVariables(file: SourceFile): Map<string, PackVariable> {
  const variables = new Map<string, PackVariable>();
  const root: HclBlock = parseHcl(file.text).root;
  for (const block of root.blocks) {
    const name = block.labels[0];
    if (block.type !== 'variable' || block.labels.length !== 1 || name === undefined) continue;
    const initial = block.attributes.find((attribute) => attribute.name === 'default');
    const { line } = file.position(block.start);
    if (!initial) {
      variables.set(name, { span: null, line, why: 'it has no default' });
      continue;
    }
    const first = initial.value[0];
    if (first?.type === 'punctuation' && file.text[first.start] === '{') {
      variables.set(name, { span: null, line, why: 'its default is an object' });
      objectFields(file, initial.value, name, line, variables);
      continue;
    }
    const span = literalSpan(file, initial.value, 'variable', name);
    variables.set(name, span ? { span, line } : { span: null, line, why: 'its default is not a plain literal' });
  }
  return variables;
}

/** The `variables.hcl` of every pack that has a template in the scan. */
export function packFacts(files: readonly SourceFile[]): PackFacts {
  const templates = files.filter((file) => isPackTemplate(file.path));
  const folders = new Set(templates.map((file) => packFolder(file.path)));
  const packs = new Map<string, { file: string; variables: Map<string, PackVariable> }>();
  const images = new Map<string, Array<{ inner: string; bare: boolean; template: string }>>();
  if (folders.size === 0) return { packs, images };
  for (const file of files) {
    const slash = file.path.lastIndexOf('/');
    const folder = slash === -1 ? '' : file.path.slice(0, slash);
    if (file.path.slice(slash + 1) !== 'variables.hcl' || !folders.has(folder)) continue;
    try {
      packs.set(folder, { file: file.path, variables: packVariables(file) });
    } catch {
      // A file that cannot be read again is reported when the scan reaches it.
    }
    file.release();
  }
  for (const template of templates) {
    try {
      const list = images.get(packFolder(template.path)) ?? [];
      const variables = templateVariables(template.text);
      for (const line of imageLines(template.text)) {
        const inner = withPackVariables(line.inner, variables);
        if (!list.some((known) => known.inner === inner)) list.push({ inner, bare: line.bare, template: template.path });
      }
      images.set(packFolder(template.path), list);
    } catch {
      // As above: reported when the scan reaches it.
    }
    template.release();
  }
  return { packs, images };
}

/** `[[ var "name" . ]]`, `[[ var "name" . | quote ]]`, `[[ .my.name ]]`, `[[ .pack.name ]]` (with `-` trims), or a template variable, `[[ $name ]]`. */
const USE = /\[\[-?\s*(?:var\s+"([A-Za-z_][\w.-]*)"\s+\.|\.(?:[A-Za-z_][\w-]*)\.([A-Za-z_][\w.-]*)|\$([A-Za-z_]\w*))\s*(\|\s*quote\s*)?-?\]\]/y;
/** `[[ $image := var "image" . ]]` (or `:= .my.image`, with `-` trims): a template variable set from one pack variable. */
const DECLARATION = /^\[\[-?\s*\$([A-Za-z_]\w*)\s*:=\s*(?:var\s+"([A-Za-z_][\w.-]*)"\s+\.|\.(?:[A-Za-z_][\w-]*)\.([A-Za-z_][\w.-]*))\s*-?\]\]$/;
/** Any setting of a template variable inside an action: `$x := …`, `$x = …`, `range $i, $x := …`. */
const ASSIGNMENT = /\$([A-Za-z_]\w*)\s*(?:,\s*\$([A-Za-z_]\w*)\s*)?:?=(?!=)/g;

/** A template variable: the pack variable it is set from, or why it cannot be read as one. */
export type TemplateVariable = { readonly name: string } | { readonly why: string };

/**
 * The template variables of a pack template that are set once, from one pack variable alone (`[[ $image := var "image" . ]]`),
 * and never set again; any other (set from an expression, set twice, a `range` variable) maps to why it is not read.
 */
export function templateVariables(text: string): Map<string, TemplateVariable> {
  const settings = new Map<string, string[]>();
  for (const action of text.matchAll(ACTION)) {
    const declared = DECLARATION.exec(action[0]);
    if (declared?.[1] !== undefined) {
      settings.set(declared[1], [...(settings.get(declared[1]) ?? []), declared[2] ?? declared[3] ?? '']);
      continue;
    }
    for (const set of action[0].matchAll(ASSIGNMENT)) {
      for (const name of [set[1], set[2]]) if (name !== undefined) settings.set(name, [...(settings.get(name) ?? []), '']);
    }
  }
  const variables = new Map<string, TemplateVariable>();
  for (const [name, from] of settings) {
    const [only, ...more] = from;
    if (more.length > 0) variables.set(name, { why: `template variable $${name} is set more than once` });
    else if (only === undefined || only === '') variables.set(name, { why: `template variable $${name} is not set from a pack variable alone` });
    else variables.set(name, { name: only });
  }
  return variables;
}
const ACTION = /\[\[[\s\S]*?\]\]/g;
const IMAGE_LINE = /^([ \t]*(?:config[ \t]*\{[ \t]*)?)image[ \t]*=[ \t]*/;
const HEREDOC = /<<-?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?$/;
const TASK = /^[ \t]*task[ \t]+"([^"\n]*)"/;

interface Use {
  readonly text: string;
  readonly name: string;
  readonly quoted: boolean;
  /** The template variable it is read through (`$image`), when it is one. */
  readonly through?: string;
}

/** The pack variable an action uses, or why a template variable in it cannot be read (null when it is no such action). */
function useAt(text: string, variables: ReadonlyMap<string, TemplateVariable>): Use | string | null {
  USE.lastIndex = 0;
  const match = USE.exec(text);
  if (!match || match[0].length !== text.length) return null;
  const quoted = match[4] !== undefined;
  const through = match[3];
  if (through === undefined) return { text, name: match[1] ?? match[2] ?? '', quoted };
  const variable = variables.get(through);
  if (!variable) return `template variable $${through} is not set in this template`;
  return 'why' in variable ? variable.why : { text, name: variable.name, quoted, through };
}

/** Where a variable was found, for the reader: `packs/x/variables.hcl:12`. */
const where = (span: Span): string => `${span.file ?? ''}:${span.line}`;

/**
 * One `image =` value: `inner` is the text between the quotes (or the bare `[[ … | quote ]]` action),
 * at `start` in the file.
 */
function imageValue(file: SourceFile, line: ImageLine, variables: ReadonlyMap<string, TemplateVariable>, facts: PackFacts | undefined): Reference {
  const { start, inner, bare, detail } = line;
  const end = start + inner.length;
  const actions = [...inner.matchAll(ACTION)];
  if (actions.length === 0) return makeReference(file, { kind: KIND, value: inner, parts: [{ role: 'reference', start, end }], detail });
  const pack = facts?.packs.get(packFolder(file.path));
  const unresolved = (why: string): Reference => {
    const made = makeReference(file, { kind: KIND, value: inner, parts: [{ role: 'reference', start, end }], skip: 'templated', detail: `${detail}; ${why}` });
    return { ...made, image: null, name: null };
  };
  /** A pack variable's literal default, or why it cannot be used (naming the variable). */
  const literalOf = (name: string): Span | string => {
    if (!pack) return `pack variable ${name}: no variables.hcl beside templates/`;
    const variable = pack.variables.get(name);
    if (!variable) return `pack variable ${name} is not declared in ${pack.file}`;
    if (!variable.span) return `pack variable ${name} (${pack.file}:${variable.line}): ${variable.why ?? 'no literal default'}`;
    if (variable.span.text === '' || /[$%]\{|\[\[/.test(variable.span.text)) return `pack variable ${name} (${where(variable.span)}) is empty or templated`;
    return variable.span;
  };
  const uses: Array<{ use: Use; span: Span }> = [];
  let value = '';
  let at = 0;
  for (const action of actions) {
    const use = useAt(action[0], variables);
    const printf = use === null ? packPrintf(action[0]) : null;
    if (typeof use === 'string') return unresolved(use);
    if (use !== null) {
      if (use.quoted !== bare) return unresolved(`${action[0]} is not a pack variable archpin can resolve`);
      const span = literalOf(use.name);
      if (typeof span === 'string') return unresolved(span);
      uses.push({ use, span });
      value += inner.slice(at, action.index) + span.text;
    } else if (printf !== null && typeof printf !== 'string' && printf.quoted === bare) {
      // `[[ printf "%s:%s" .my_pack.image .my_pack.tag ]]`: each `%s` is the next argument's default.
      let text = '';
      for (const piece of printf.pieces) {
        if (typeof piece === 'string') {
          text += piece;
          continue;
        }
        const span = literalOf(piece.name);
        if (typeof span === 'string') return unresolved(span);
        uses.push({ use: { ...piece, quoted: false }, span });
        text += span.text;
      }
      value += inner.slice(at, action.index) + text;
    } else {
      return unresolved(typeof printf === 'string' ? printf : `${action[0]} is not a pack variable archpin can resolve`);
    }
    at = action.index + action[0].length;
  }
  value += inner.slice(at);
  const through = [...new Map(uses.map(({ use, span }) => [use.name, `${use.name} (${where(span)})${use.through === undefined ? '' : ` through $${use.through}`}`])).values()].join(', ');
  const resolvedDetail = `${detail}; pack variable ${through}`;
  const only = uses[0];
  if (uses.length === 1 && only && only.use.text === inner && actions.length === 1) {
    // The whole image is one variable's default: that literal is the reference, edited where it is written.
    const made = makeReference(file, { kind: KIND, value, parts: [], anchor: start, detail: resolvedDetail });
    return { ...made, spans: [{ ...only.span, role: 'reference' }] };
  }
  const made = makeReference(file, { kind: KIND, value, parts: [{ role: 'template', start, end }], anchor: start, detail: resolvedDetail });
  const spans = [...new Map(uses.map(({ use, span }) => [use.text, { ...span, use: use.text }])).values()];
  return { ...made, spans: [...made.spans, ...spans] };
}

/** One `image =` value of a template: the text between the quotes, or a bare `[[ … | quote ]]` action. */
export interface ImageLine {
  readonly start: number;
  readonly inner: string;
  readonly bare: boolean;
  readonly detail: string;
}

/** The `image =` lines of a pack template, outside heredocs, in order. */
export function imageLines(text: string): ImageLine[] {
  const found: ImageLine[] = [];
  let heredoc: string | null = null;
  let task = '';
  for (let lineStart = 0; lineStart < text.length;) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    const line = text.slice(lineStart, lineEnd);
    const next = lineEnd + 1;
    if (heredoc !== null) {
      if (line.trim() === heredoc) heredoc = null;
      lineStart = next;
      continue;
    }
    const opens = HEREDOC.exec(line);
    if (opens) heredoc = opens[1] ?? null;
    const named = TASK.exec(line);
    if (named) task = named[1] ?? '';
    const image = IMAGE_LINE.exec(line);
    if (image && !opens) {
      const from = image[0].length;
      const rest = line.slice(from).replace(/\r$/, '');
      const detail = task === '' ? 'pack template' : `task "${task}"`;
      if (rest.startsWith('"')) {
        // The value runs to the last quote of the line: actions inside it hold quotes of their own.
        const close = rest.lastIndexOf('"');
        if (close > 0) found.push({ start: lineStart + from + 1, inner: rest.slice(1, close), bare: false, detail });
      } else if (rest.startsWith('[[')) {
        const close = rest.indexOf(']]');
        if (close > 0) found.push({ start: lineStart + from, inner: rest.slice(0, close + 2), bare: true, detail });
      }
    }
    lineStart = next;
  }
  return found;
}

/**
 * `image = "${autoscaler_image}"` in a `.nomad.tpl` with no pack actions: a job template that Terraform's `templatefile`
 * renders (it writes Nomad's own interpolation as `$${NOMAD_TASK_DIR}`), and one lowercase template variable alone passes
 * on the image the Terraform code gives it. Nomad's runtime values are written otherwise (`${NOMAD_META_image}`, `${meta.image}`).
 */
const TEMPLATEFILE_VARIABLE = /^\$\{[a-z_][a-z0-9_]*\}$/;

export function packTemplateReferences(file: SourceFile, facts: PackFacts | undefined): Reference[] {
  const templatefile = !file.text.includes('[[');
  const variables = templatefile ? new Map<string, TemplateVariable>() : templateVariables(file.text);
  return imageLines(file.text)
    .filter((line) => !(templatefile && !line.bare && TEMPLATEFILE_VARIABLE.test(line.inner)))
    .map((line) => imageValue(file, line, variables, facts));
}

/**
 * An image value with each template variable that stands for a pack variable written as that variable's use
 * (`[[ $image ]]` → `[[ var "image" . ]]`), so that images are known by the pack variables they use.
 */
function withPackVariables(inner: string, variables: ReadonlyMap<string, TemplateVariable>): string {
  return inner.replace(ACTION, (action) => {
    const use = useAt(action, variables);
    if (use === null || typeof use === 'string' || use.through === undefined) return action;
    return `[[ var "${use.name}" .${use.quoted ? ' | quote' : ''} ]]`;
  });
}

/** The pack variables an image value uses, in order; null when it holds an action that is not one. */
export function usesOf(inner: string, bare: boolean): Array<{ text: string; name: string; index: number }> | null {
  const uses: Array<{ text: string; name: string; index: number }> = [];
  for (const action of inner.matchAll(ACTION)) {
    const use = useAt(action[0], new Map());
    if (!use || typeof use === 'string' || use.quoted !== bare) return null;
    uses.push({ text: use.text, name: use.name, index: action.index });
  }
  return uses;
}
