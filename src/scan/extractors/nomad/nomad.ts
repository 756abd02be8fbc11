import type { SourceFile } from '../../../core/source-file.js';
import type { Reference, ScanProblem } from '../../../core/types.js';
import type { Extractor } from '../../extractor.js';
import { makeReference, type PartInput } from '../../make-reference.js';
import { parseHcl, type HclAttribute, type HclBlock } from './hcl-body.js';
import { expressionName, hclScope, resolveHclTemplate, type HclLiteral, type HclScope } from './hcl-variables.js';
import type { HclToken } from './hcl-tokens.js';
import { eachEntries, hclValue, hclValues, iteratorRead, readEach, unwrapConversion, type EachEntry, type HclValue } from './hcl-values.js';
import { isPackTemplate, packFacts, packTemplateReferences, type PackFacts } from './nomad-pack.js';
import { packOfVarFile, packVarFileReferences } from './nomad-pack-vars.js';
import { isJsonCandidate } from '../../json-candidate.js';
import { looksLikeNomadJson, nomadJsonReferences } from './nomad-json.js';

const KIND = 'nomad-task';
/** Task drivers whose `config { image = … }` is an OCI image. */
const IMAGE_DRIVERS = new Set(['docker', 'podman']);
/** Blocks that run a container: tasks, and Consul Connect sidecar overrides. */
const TASK_BLOCKS = new Set(['task', 'sidecar_task']);
const DOCKER_TRANSPORT = 'docker://';
/** Levant and nomad-pack templates: `[[ .image ]]`. */
const BRACKET_TEMPLATE = /\[\[[\s\S]*\]\]/;

/** A `job` or `task` block's opening with its label, quoted (`job "web" {`) or a bare identifier, as HCL allows (`job web {`). */
const JOB_BLOCK = /(?:^|[\s{])job\s+(?:"|[A-Za-z_][\w-]*\s*\{)/;
const TASK_BLOCK = /(?:^|[\s{])task\s+(?:"|[A-Za-z_][\w-]*\s*\{)/;

/**
 * `*.nomad` and `*.nomad.hcl` always; other `*.hcl` files, and `*.job` files (a common name for job
 * specifications), only when they hold a `job` block with a `task` block, in any folder (a Terraform module's
 * `jobspec = file(…)` reads one as it is).
 */
export function claimsNomad(file: SourceFile): boolean {
  const base = file.path.slice(file.path.lastIndexOf('/') + 1).toLowerCase();
  if (base.endsWith('.nomad') && base !== '.nomad') return true;
  if (!base.endsWith('.hcl') && !(base.endsWith('.job') && base !== '.job')) return false;
  if (base.endsWith('.nomad.hcl')) return true;
  return JOB_BLOCK.test(file.text) && TASK_BLOCK.test(file.text);
}

/** A literal string's contents; null for any other expression. */
function stringValue(file: SourceFile, attribute: HclAttribute | undefined): string | null {
  const [token, ...rest] = attribute?.value ?? [];
  if (!token || rest.length > 0 || token.type !== 'string') return null;
  return file.text.slice(token.start + 1, token.end - 1);
}

/** Drops the podman driver's `docker://` transport: it names a registry image. */
function withoutTransport(value: string, start: number): { value: string; start: number } {
  return value.startsWith(DOCKER_TRANSPORT) ? { value: value.slice(DOCKER_TRANSPORT.length), start: start + DOCKER_TRANSPORT.length } : { value, start };
}

/** `"__IMAGE__"`: a placeholder a job generator fills in; it names no image. */
const PLACEHOLDER = /^__[A-Z][A-Z0-9_]*__$/;

/**
 * `"${image}"`: one lowercase name alone, which Nomad never resolves (its own interpolations are `${var.…}`, `${local.…}`,
 * `${NOMAD_…}`, `${meta.…}`, `${attr.…}`, `${node.…}`, or a variable the task's `env` block sets): a placeholder of the program
 * that renders the job (Terraform's `templatefile` or `template_file`), which passes on an image set where that program's
 * input writes it.
 */
const RENDERER_VARIABLE = /^\$\{([a-z_][a-z0-9_]*)\}$/;

/** The names a task's `env` blocks set: Nomad resolves `${name}` in its config from them. */
function envNames(file: SourceFile, task: HclBlock): ReadonlySet<string> {
  const names = new Set<string>();
  for (const env of task.blocks) {
    if (env.type !== 'env') continue;
    for (const attribute of env.attributes) names.add(attribute.name);
  }
  for (const attribute of task.attributes) {
    if (attribute.name !== 'env') continue;
    // `env = { name = "…" }`: its keys (the values are never a bare name, so taking every word errs only towards keeping).
    for (const token of attribute.value) {
      const text = file.text.slice(token.start, token.end);
      if (token.type === 'identifier') names.add(text);
      else if (token.type === 'string') names.add(text.slice(1, -1));
    }
  }
  return names;
}

/** The renderer's placeholder that `image` is alone (see RENDERER_VARIABLE), when the task's environment does not set it. */
function rendererPlaceholder(file: SourceFile, attribute: HclAttribute, env: ReadonlySet<string>): boolean {
  const [token, ...rest] = attribute.value;
  if (!token || rest.length > 0 || token.type !== 'string') return false;
  const name = RENDERER_VARIABLE.exec(file.text.slice(token.start + 1, token.end - 1))?.[1];
  return name !== undefined && !env.has(name);
}

/** A piece of an image that `join` or `format` builds: text the expression writes, where it is written when it is a literal. */
interface Piece {
  readonly text: string;
  /** The literal's characters in `file.text` (inside its quotes): a string of the expression or a variable's default. */
  readonly start?: number;
  readonly end?: number;
  /** The variable whose default it is: `var.app.image.tag`. */
  readonly variable?: string;
}

/** `var.app.image.tag`, `local.images.web`: a variable or local, and the keys of its object default it reads. */
const VARIABLE_PATH = /^(?:var|local)\.[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*$/;

/**
 * The plain string a variable's or local's literal default holds at a path of object keys (`var.app.image.tag` reads
 * `default = { image = { tag = "1.2" } }`), with where it is written; null when any step is not a literal.
 */
function pathLiteral(text: string, path: string, values: ReadonlyMap<string, HclValue>): HclLiteral | null {
  if (!VARIABLE_PATH.test(path)) return null;
  const [scope = '', name = '', ...keys] = path.split('.');
  let value = values.get(`${scope}.${name}`);
  for (const key of keys) value = value?.kind === 'object' ? value.entries.get(key) : undefined;
  if (value?.kind !== 'string' || value.token.templated || value.token.escaped) return null;
  return { text: text.slice(value.token.start + 1, value.token.end - 1), start: value.token.start + 1, end: value.token.end - 1 };
}

/** The top-level arguments of a call's tokens between its parentheses (or a tuple's items between its brackets). */
function argumentsOf(text: string, tokens: readonly HclToken[], open: string, close: string): Array<readonly HclToken[]> | null {
  const first = tokens[0];
  const last = tokens.at(-1);
  if (tokens.length < 2 || text.slice(first?.start, first?.end) !== open || text.slice(last?.start, last?.end) !== close) return null;
  const items: HclToken[][] = [[]];
  let depth = 0;
  for (const token of tokens.slice(1, -1)) {
    const char = token.type === 'punctuation' ? text.slice(token.start, token.end) : '';
    if (depth === 0 && char === ',') {
      items.push([]);
      continue;
    }
    if (char === '(' || char === '[' || char === '{') depth++;
    else if (char === ')' || char === ']' || char === '}') depth--;
    items.at(-1)?.push(token);
  }
  // A trailing comma leaves an empty item.
  if (items.at(-1)?.length === 0) items.pop();
  return items.some((item) => item.length === 0) ? null : items;
}

/** One argument as a piece: a plain string, or a variable or local whose default holds one at that path. */
function pieceOf(file: SourceFile, tokens: readonly HclToken[], values: ReadonlyMap<string, HclValue>): Piece | null {
  const [only] = tokens;
  if (tokens.length === 1 && only?.type === 'string') {
    if (only.templated || only.escaped) return null;
    return { text: file.text.slice(only.start + 1, only.end - 1), start: only.start + 1, end: only.end - 1 };
  }
  if (!tokens.every((token) => token.type === 'identifier' || (token.type === 'punctuation' && file.text.slice(token.start, token.end) === '.'))) return null;
  const path = tokens.map((token) => file.text.slice(token.start, token.end)).join('');
  const literal = pathLiteral(file.text, path, values);
  return literal && { text: literal.text, start: literal.start, end: literal.end, variable: path };
}

/** A plain string argument's text (a separator, a format), or null. */
function plainString(file: SourceFile, tokens: readonly HclToken[] | undefined): string | null {
  const [only, ...rest] = tokens ?? [];
  return only?.type === 'string' && rest.length === 0 && !only.templated && !only.escaped ? file.text.slice(only.start + 1, only.end - 1) : null;
}

/**
 * The pieces of `join(":", [var.app.image.name, var.app.image.tag])` or `format("%s:%s", var.repo, var.tag)` (only `%s`
 * verbs, and `%%`) when every argument is a plain string or a variable with a literal default; null otherwise.
 */
function builtPieces(file: SourceFile, tokens: readonly HclToken[], values: ReadonlyMap<string, HclValue>): Piece[] | null {
  const [callee, ...rest] = tokens;
  const name = callee?.type === 'identifier' ? file.text.slice(callee.start, callee.end) : '';
  if (name !== 'join' && name !== 'format') return null;
  const args = argumentsOf(file.text, rest, '(', ')');
  const first = plainString(file, args?.[0]);
  if (!args || first === null) return null;
  const pieces: Piece[] = [];
  if (name === 'join') {
    const items = args.length === 2 && args[1] ? argumentsOf(file.text, args[1], '[', ']') : null;
    if (!items) return null;
    for (const [index, item] of items.entries()) {
      const piece = pieceOf(file, item, values);
      if (!piece) return null;
      if (index > 0 && first !== '') pieces.push({ text: first });
      pieces.push(piece);
    }
    return pieces;
  }
  const verbs = first.split(/(%%|%s)/);
  let next = 1;
  for (const part of verbs) {
    if (part === '%%') pieces.push({ text: '%' });
    else if (part === '%s') {
      const piece = pieceOf(file, args[next++] ?? [], values);
      if (!piece) return null;
      pieces.push(piece);
    } else if (part.includes('%')) return null;
    else if (part !== '') pieces.push({ text: part });
  }
  return next === args.length ? pieces : null;
}

/**
 * `image = join(":", [var.app.image.name, var.app.image.tag])`, `format("%s:%s", …)`: the image they build from literal
 * defaults, reported where it is used. The tag is edited where it is written when one literal holds it all after the
 * `:` (and the name likewise before it); other pieces are shown as the variables they are.
 */
function builtImage(file: SourceFile, tokens: readonly HclToken[], values: ReadonlyMap<string, HclValue>, detail: string): Reference | null {
  const written = tokens.filter((token) => token.type !== 'newline');
  const pieces = builtPieces(file, written, values);
  const first = written[0];
  if (!pieces || !first || pieces.length === 0) return null;
  const value = pieces.map((piece) => piece.text).join('');
  if (value === '' || value.includes('$') || value.includes('%{')) return null;
  const parts: PartInput[] = [];
  const tagged = pieces.at(-1);
  const before = pieces.slice(0, -1);
  const prefix = before.map((piece) => piece.text).join('');
  const holdsTag = tagged?.start !== undefined && prefix.endsWith(':') && !prefix.slice(prefix.lastIndexOf('/') + 1, -1).includes(':') && !tagged.text.includes('@');
  for (const piece of pieces) {
    if (piece.start === undefined || piece.end === undefined) continue;
    const spanned = before.filter((other) => other.start !== undefined);
    const role = holdsTag && piece === tagged ? 'tag' : holdsTag && spanned.length === 1 && spanned[0] === piece && `${piece.text}:` === prefix ? 'repository' : 'variable';
    parts.push({ role, start: piece.start, end: piece.end, ...(piece.variable === undefined ? {} : { variable: piece.variable }) });
  }
  if (parts.length === 0) return null;
  return makeReference(file, { kind: KIND, value: withoutTransport(value, 0).value, parts, anchor: first.start, detail });
}

function imageReference(file: SourceFile, attribute: HclAttribute, detail: string, scope: HclScope, values: ReadonlyMap<string, HclValue>): Reference | null {
  const tokens = attribute.value;
  if (tokens.length === 1 && tokens[0]?.type === 'string' && PLACEHOLDER.test(file.text.slice(tokens[0].start + 1, tokens[0].end - 1))) return null;
  const first = tokens[0];
  const last = tokens[tokens.length - 1];
  if (!first || !last) return null;
  if (tokens.length === 1 && first.type === 'string') {
    const { value, start } = withoutTransport(file.text.slice(first.start + 1, first.end - 1), first.start + 1);
    const end = first.end - 1;
    if (first.templated && !BRACKET_TEMPLATE.test(value)) {
      // `"${var.tag}"`, `"repo:${local.tag}"`: resolved through literal variable defaults and locals.
      const resolved = resolveHclTemplate(value, scope, (path) => pathLiteral(file.text, path, values));
      if (resolved) {
        const parts: PartInput[] = [
          { role: 'template', start, end },
          ...resolved.variables.map((variable) => ({ role: 'variable' as const, start: variable.literal.start, end: variable.literal.end, variable: variable.name })),
        ];
        return makeReference(file, { kind: KIND, value: withoutTransport(resolved.value, 0).value, parts, anchor: start, detail });
      }
    }
    const skip = first.templated || BRACKET_TEMPLATE.test(value) ? 'templated' : first.escaped ? 'unsupported-quoting' : undefined;
    return makeReference(file, { kind: KIND, value, parts: [{ role: 'reference', start, end }], detail, ...(skip ? { skip } : {}) });
  }
  const built = builtImage(file, tokens, values, detail);
  if (built) return built;
  const name = expressionName(file.text, tokens);
  const literal = name === null ? null : scope.get(name);
  if (literal && literal.text !== '') {
    // `image = var.image`: the whole reference is the variable's default, edited where it is written.
    const { value, start } = withoutTransport(literal.text, literal.start);
    return makeReference(file, { kind: KIND, value, parts: [{ role: 'reference', start, end: literal.end }], anchor: first.start, detail });
  }
  // A variable, a function call, a heredoc: reported so the reader sees it, never edited.
  const value = file.text.slice(first.start, last.end);
  const reference = makeReference(file, { kind: KIND, value, parts: [{ role: 'reference', start: first.start, end: last.end }], detail, skip: 'templated' });
  return { ...reference, image: null, name: null };
}

/** What a `dynamic` block iterates: the iterator's name, the entries (null when not known), and the `for_each` as written. */
interface Each {
  /** The dynamic block's label: `task`, `group`, … */
  readonly label: string;
  readonly iterator: string;
  readonly entries: readonly EachEntry[] | null;
  readonly source: string;
}

/**
 * `image = task.value.image` in a dynamic task over literal elements (`for_each = local.services`, an inline map or list),
 * or `image = local.versions[group.value]` for each element of an enclosing dynamic block: each string, reported and
 * edited where it is written. `eaches` are the enclosing iterations, innermost first (an inner iterator hides an outer
 * one of the same name). Null when the image does not read an iterator that way, the iteration is not known or no
 * element gives a string (the image is then read as any other expression).
 */
function eachImages(file: SourceFile, attribute: HclAttribute, eaches: readonly Each[], values: ReadonlyMap<string, HclValue>, detail: string): Reference[] | null {
  const read = iteratorRead(file.text, attribute.value);
  const each = read && eaches.find((candidate) => candidate.iterator === read.iterator);
  if (!read || !each?.entries) return null;
  const tokens = readEach(file.text, read, each.entries, values);
  if (!tokens || tokens.length === 0) return null;
  const through = read.kind === 'lookup' ? `, ${attribute.value.map((token) => file.text.slice(token.start, token.end)).join('')}` : '';
  const around = TASK_BLOCKS.has(each.label) ? '' : ` dynamic "${each.label}"`;
  return tokens.map((token) => {
    const { value, start } = withoutTransport(file.text.slice(token.start + 1, token.end - 1), token.start + 1);
    const skip = token.templated ? 'templated' : token.escaped ? 'unsupported-quoting' : undefined;
    return makeReference(file, {
      kind: KIND,
      value,
      parts: [{ role: 'reference', start, end: token.end - 1 }],
      detail: `${detail}${through},${around} for_each ${each.source}`,
      ...(skip ? { skip } : {}),
    });
  });
}

/** The images of a task's `config` blocks; `detail` names the task for the reader. */
function taskReferences(file: SourceFile, task: HclBlock, detail: string, scope: HclScope, eaches: readonly Each[], values: ReadonlyMap<string, HclValue>): Reference[] {
  const driver = stringValue(
    file,
    task.attributes.find((attribute) => attribute.name === 'driver'),
  );
  if (driver !== null && !/[$%]\{|\[\[/.test(driver) && !IMAGE_DRIVERS.has(driver)) return [];
  const references: Reference[] = [];
  let env: ReadonlySet<string> | undefined;
  for (const config of task.blocks) {
    if (config.type !== 'config') continue;
    for (const attribute of config.attributes) {
      if (attribute.name !== 'image') continue;
      if (rendererPlaceholder(file, attribute, (env ??= envNames(file, task)))) continue;
      const elements = eachImages(file, attribute, eaches, values, detail);
      if (elements) {
        for (const reference of elements) references.push(reference);
        continue;
      }
      const reference = imageReference(file, attribute, detail, scope, values);
      if (reference) references.push(reference);
    }
  }
  return references;
}

/** A dynamic block's iteration; its entries when its `for_each` is a literal or a literal local or variable default. */
function eachOf(file: SourceFile, block: HclBlock, values: ReadonlyMap<string, HclValue>): Each {
  const iterator = block.attributes.find((attribute) => attribute.name === 'iterator');
  const [first] = iterator?.value ?? [];
  const iteratorName = iterator && iterator.value.length === 1 && first?.type === 'identifier' ? file.text.slice(first.start, first.end) : (block.labels[0] ?? '');
  const forEach = block.attributes.find((attribute) => attribute.name === 'for_each');
  const label = block.labels[0] ?? '';
  if (!forEach) return { label, iterator: iteratorName, entries: null, source: '' };
  const tokens = unwrapConversion(
    file.text,
    forEach.value.filter((token) => token.type !== 'newline'),
  );
  const name = expressionName(file.text, tokens);
  const entries = eachEntries(name === null ? hclValue(file.text, tokens) : (values.get(name) ?? { kind: 'unknown' }));
  return { label, iterator: iteratorName, entries, source: name ?? 'a literal' };
}

/** A task block, or the `content` of a `dynamic "task"` block, with the name the reader knows it by. */
function taskOf(block: HclBlock): { task: HclBlock; detail: string } | null {
  if (TASK_BLOCKS.has(block.type)) {
    return { task: block, detail: block.labels[0] === undefined ? block.type : `${block.type} "${block.labels[0]}"` };
  }
  if (block.type === 'dynamic' && TASK_BLOCKS.has(block.labels[0] ?? '')) {
    const content = block.blocks.find((child) => child.type === 'content');
    return content ? { task: content, detail: `dynamic "${block.labels[0]}"` } : null;
  }
  return null;
}

function extract(file: SourceFile): { references: Reference[]; problems: ScanProblem[] } {
  const document = parseHcl(file.text);
  const scope = hclScope(file.text, document.root);
  const values = hclValues(file.text, document.root);
  const references: Reference[] = [];
  const seen = new Set<string>();
  // Depth-first in document order, without recursion; each block with the dynamic iterations around it, innermost first.
  const pending: Array<{ block: HclBlock; eaches: readonly Each[] }> = [{ block: document.root, eaches: [] }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const { block } = item;
    const eaches = block.type === 'dynamic' ? [eachOf(file, block, values), ...item.eaches] : item.eaches;
    const found = taskOf(block);
    // An element two dynamic tasks iterate is one reference, where it is written.
    for (const reference of found ? taskReferences(file, found.task, found.detail, scope, eaches, values) : []) {
      const at = `${reference.line}:${reference.column}`;
      if (seen.has(at)) continue;
      seen.add(at);
      references.push(reference);
    }
    for (const child of [...block.blocks].reverse()) pending.push({ block: child, eaches });
  }
  const problems = document.errors.map((error): ScanProblem => ({
    file: file.path,
    line: file.position(error.offset).line,
    code: 'parse-error',
    message: `HCL: ${error.message}`,
  }));
  return { references, problems };
}

/**
 * Nomad job files: `image` in the `config` of `docker`/`podman` tasks (and tasks with no driver set).
 * Nomad Pack templates (`*.nomad.tpl`) are read by lines, their variables through the pack's `variables.hcl`;
 * a pack's variable files (`examples/*.hcl`) give the images its templates build from the values they set.
 * Jobs rendered as JSON (`nomad job run -output`, the jobs API) are read too: `TaskGroups[].Tasks[].Config.image`.
 */
export const nomadExtractor: Extractor<PackFacts> = {
  name: 'nomad',
  kinds: ['nomad-task'],
  quoting: 'verbatim',
  isCandidate: (path) => /\.(?:nomad|hcl|job)$/i.test(path) || isPackTemplate(path) || isJsonCandidate(path),
  prepare: packFacts,
  claims: (file, facts) => isPackTemplate(file.path) || claimsNomad(file) || packOfVarFile(file.path, facts) !== null || looksLikeNomadJson(file),
  extract(file, facts) {
    if (isPackTemplate(file.path)) return { references: packTemplateReferences(file, facts), problems: [] };
    if (looksLikeNomadJson(file)) return nomadJsonReferences(file);
    if (!claimsNomad(file) && packOfVarFile(file.path, facts) !== null) return { references: packVarFileReferences(file, facts), problems: [] };
    return extract(file);
  },
};
