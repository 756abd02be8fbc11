import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, parseAllDocuments, Scalar, visit, type Alias, type Document, type Node, type YAMLMap } from 'yaml';
import { MAX_YAML_DEPTH, MAX_YAML_NODES } from '../core/budgets.js';
import type { SourceFile } from '../core/source-file.js';
import type { ScanProblem } from '../core/types.js';
import { yamlCost } from './yaml-cost.js';
import { parseCache } from './yaml-parse-cache.js';

export interface YamlSource {
  /** Documents that parsed without error (a broken document is reported, its siblings still count). */
  readonly documents: readonly Document.Parsed[];
  readonly problems: readonly ScanProblem[];
  /** A document (or the whole text) was not parsed or did not parse: it is missing from `documents`, and line readers may read it. */
  readonly broken: boolean;
}

const MEMO_KEY = 'yaml';
const MEMO_KEY_ALL = 'yaml-all';
/** Nesting deeper than this is not walked: no real manifest is that deep, a hostile one may be. */
export const MAX_DEPTH = 200;
/** Files larger than this are parsed one relevant document at a time (big CRD bundles). */
export const CHUNK_THRESHOLD = 64 * 1024;
/** Without one of these words, no YAML extractor can find anything in a text (`docker://`: a runner's `label:docker://image`). */
export const YAML_RELEVANT = /image|repository|services|include|container|steps|docker:\/\/|grafana\.integreatly\.org|pkg\.crossplane\.io|bundle/i;
const CRD = /^kind:[ \t]*["']?CustomResourceDefinition["']?[ \t]*\r?$/m;
const DOCUMENT_MARKER = /^---[ \t]*(?:#.*)?\r?$/gm;

/**
 * The `[start, end)` ranges of the documents of a large stream worth parsing: those that mention an
 * image at all and are not a CustomResourceDefinition (whose schema mentions images but holds none).
 */
export function relevantDocumentRanges(text: string): Array<[number, number]> {
  const starts = [0];
  const markers = new RegExp(DOCUMENT_MARKER.source, 'gm');
  for (let match = markers.exec(text); match; match = markers.exec(text)) starts.push(match.index + match[0].length);
  const ranges: Array<[number, number]> = [];
  for (const [index, start] of starts.entries()) {
    const next = starts[index + 1];
    const end = next === undefined ? text.length : text.lastIndexOf('---', next - 1);
    const body = text.slice(start, end);
    if (YAML_RELEVANT.test(body) && !CRD.test(body)) ranges.push([start, end]);
  }
  return ranges;
}

function parseOptions() {
  return { prettyErrors: false, strict: false, uniqueKeys: false, keepSourceTokens: false } as const;
}

/** An alias written where a map key stands (`*app :`, `? *app`), or something like it: worth looking for in the parsed text. */
const ALIAS_KEY = /\*[^\s,[\]{}]+[ \t]*:|\?[ \t]+\*/;

/**
 * Walks a document's aliases in order, each with the node it names: the scalar or collection anchored before it in the
 * document, or undefined when no anchor of that name stands before it. `onAlias` may return a node to put in the alias's
 * place (`asKey`: the alias is a map key).
 */
function walkAliases(document: Document.Parsed, onAlias: (alias: Alias, target: Node | undefined, asKey: boolean) => Node | undefined): void {
  const anchors = new Map<string, Node>();
  visit(document, (key, node) => {
    if (isAlias(node)) return onAlias(node, anchors.get(node.source), key === 'key');
    if ((isScalar(node) || isCollection(node)) && node.anchor) anchors.set(node.anchor, node);
    return undefined;
  });
}

/**
 * A map key written as an alias of a scalar (`controllers: {*app : {containers: …}}` with `name: &app web` earlier) is
 * that scalar's text, as YAML reads it: the key becomes a plain scalar with that value (at the alias's place), so every
 * reader sees the key `web`, as it sees a key written out. An alias of a collection, or of an anchor not defined before
 * it, stays as it is (such a key names no entry the readers look for).
 */
function resolveAliasKeys(document: Document.Parsed): void {
  walkAliases(document, (alias, target, asKey) => {
    if (!asKey || !isScalar(target)) return undefined;
    const key = new Scalar(target.value);
    key.range = alias.range;
    return key;
  });
}

/** Something an alias may be written as (`*name`, after a space, `-`, `:`, `?`, `[`, `{` or `,`): worth looking for undefined aliases. */
const ALIAS_TOKEN = /(?:^|[\s\-:?[{,])\*[^\s,[\]{}]/m;

/**
 * The aliases of a document that name no anchor defined before them in it (`image: *nope`, `*x :` as a key): YAML
 * defines nothing for them, and the tools that read the file stop there. The readers find nothing at such a node.
 */
function undefinedAliases(document: Document.Parsed): Alias[] {
  const undefinedOnes: Alias[] = [];
  walkAliases(document, (alias, target) => {
    if (target === undefined) undefinedOnes.push(alias);
    return undefined;
  });
  return undefinedOnes;
}

/** Parses one slice of the text and moves every node range (and error position) to file offsets. */
function parseSlice(text: string, start: number, end: number): Document.Parsed[] {
  const slice = start === 0 && end === text.length ? text : text.slice(start, end);
  const all = parseAllDocuments(slice, parseOptions());
  const documents = Array.isArray(all) ? all : [];
  if (ALIAS_KEY.test(slice)) for (const document of documents) resolveAliasKeys(document);
  if (start === 0) return documents;
  for (const document of documents) {
    visit(document, (_key, node) => {
      const ranged = node as { range?: [number, number, number] | null };
      if (ranged.range) ranged.range = [ranged.range[0] + start, ranged.range[1] + start, ranged.range[2] + start];
    });
    for (const error of document.errors) error.pos = [error.pos[0] + start, error.pos[1] + start];
  }
  return documents;
}

/**
 * The YAML documents of `text` between `start` and `end` (a literal block's body: YAML carried as text, its lines
 * written in the file as they are), every node range at its offset in `text`; none when the part does not parse.
 * The part lies in a file already parsed within the budgets, so it costs no more than that file did.
 */
export function parseTextPart(text: string, start: number, end: number): Document.Parsed[] {
  try {
    const documents = parseSlice(text, start, end);
    return documents.every((document) => document.errors.length === 0) ? documents : [];
  } catch {
    return [];
  }
}

/** What parsing a text gave: its documents (those with errors too), why it was not parsed, or what the parser threw after the documents before. */
interface ParsedText {
  readonly documents: readonly Document.Parsed[];
  readonly refused?: Pick<ScanProblem, 'code' | 'message'>;
  readonly failed?: string;
}

/** Parsed texts seen again, up to 50,000 estimated nodes together (about 35 MB at most; 12,500 nodes at most each). */
const PARSED = parseCache<ParsedText>(50_000);

/** Parsed texts with every document (`allDocuments`), in a cache of their own: the same text gives more documents there. */
const PARSED_ALL = parseCache<ParsedText>(50_000);

/** Parses a text within the budgets, with the cost of what it built (estimated nodes); a large stream only in its relevant documents unless `every`. */
function parseText(text: string, every: boolean): { value: ParsedText; cost: number } {
  const slices: Array<[number, number]> = every || text.length < CHUNK_THRESHOLD ? [[0, text.length]] : relevantDocumentRanges(text);
  let nodes = 0;
  let depth = 0;
  for (const [start, end] of slices) {
    const cost = yamlCost(text, start, end);
    nodes += cost.nodes;
    depth = Math.max(depth, cost.depth);
  }
  if (depth > MAX_YAML_DEPTH) {
    return { value: { documents: [], refused: { code: 'nesting-too-deep', message: `YAML nested about ${depth} levels deep, over the limit of ${MAX_YAML_DEPTH}; not parsed` } }, cost: 1 };
  }
  if (nodes > MAX_YAML_NODES) {
    return { value: { documents: [], refused: { code: 'yaml-too-complex', message: `about ${nodes} YAML nodes, over the budget of ${MAX_YAML_NODES} per file; not parsed` } }, cost: 1 };
  }
  const documents: Document.Parsed[] = [];
  try {
    for (const [start, end] of slices) for (const document of parseSlice(text, start, end)) documents.push(document);
  } catch (error) {
    return { value: { documents, failed: (error as Error).message }, cost: nodes };
  }
  return { value: { documents }, cost: nodes };
}

export interface YamlSourceOptions {
  /**
   * Every document of a stream over 64 KiB, not only those that mention an image: for readers that look for something
   * else (a test's manifest, which names files). Smaller texts are parsed whole either way.
   */
  readonly allDocuments?: boolean;
}

/**
 * Parses all YAML documents of a file once per file (and a text seen again once per process:
 * yaml-parse-cache.ts). Aliases are never expanded, so alias bombs cost nothing; a file whose estimated
 * nodes or nesting is over budget (core/budgets.ts) is reported and not parsed, so memory and time per
 * file are bounded before the parser starts.
 */
export function yamlSource(file: SourceFile, options: YamlSourceOptions = {}): YamlSource {
  const every = options.allDocuments === true && file.text.length >= CHUNK_THRESHOLD;
  const memoKey = every ? MEMO_KEY_ALL : MEMO_KEY;
  const cached = file.memo.get(memoKey) as YamlSource | undefined;
  if (cached) return cached;
  const documents: Document.Parsed[] = [];
  const problems: ScanProblem[] = [];
  let broken = false;
  let parsed: readonly Document.Parsed[] = [];
  try {
    const text = file.text;
    const { documents: all, refused, failed } = (every ? PARSED_ALL : PARSED).get(text, () => parseText(text, every));
    if (refused) {
      const result = { documents: [], problems: [{ file: file.path, line: null, ...refused }], broken: true };
      file.memo.set(memoKey, result);
      return result;
    }
    if (failed !== undefined) {
      problems.push({ file: file.path, line: null, code: 'parse-error', message: `YAML: ${failed}` });
      broken = true;
    }
    parsed = all;
  } catch (error) {
    problems.push({ file: file.path, line: null, code: 'parse-error', message: `YAML: ${(error as Error).message}` });
    broken = true;
  }
  const aliases = ALIAS_TOKEN.test(file.text);
  for (const document of parsed) {
    const error = document.errors[0];
    if (error) {
      const line = file.position(error.pos[0]).line;
      const message = error.message.split('\n')[0] ?? error.message;
      problems.push({ file: file.path, line, code: 'parse-error', message: `YAML: ${message}` });
      broken = true;
      continue;
    }
    documents.push(document);
    if (!aliases) continue;
    // The document is still read: only the alias's place holds nothing.
    for (const alias of undefinedAliases(document)) {
      const line = alias.range ? file.position(alias.range[0]).line : null;
      problems.push({ file: file.path, line, code: 'parse-error', message: `YAML: alias *${alias.source} names no anchor defined before it; nothing is read there` });
    }
  }
  const result = { documents, problems, broken };
  file.memo.set(memoKey, result);
  return result;
}

/** A string scalar and the span of its characters in `file.text` (inside the quotes, if quoted). */
export interface StringScalar {
  readonly value: string;
  readonly start: number;
  readonly end: number;
  /** The source between the quotes differs from the value (escapes, folding): not editable literally. */
  readonly literal: boolean;
}

/**
 * Encrypted values: Ansible Vault (`!vault |` or text starting `$ANSIBLE_VAULT;`) and `!encrypted/…` ciphertext
 * name nothing until decrypted, so no reader sees them as text.
 */
const ENCRYPTED_TAG = /^!(?:vault$|encrypted\/)/;
const VAULT_HEADER = '$ANSIBLE_VAULT;';

export function stringScalar(node: unknown, file: SourceFile): StringScalar | null {
  if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return null;
  if ((node.tag !== undefined && ENCRYPTED_TAG.test(node.tag)) || node.value.trimStart().startsWith(VAULT_HEADER)) return null;
  const [start, valueEnd] = node.range;
  let inner: [number, number];
  switch (node.type) {
    case Scalar.QUOTE_DOUBLE:
    case Scalar.QUOTE_SINGLE:
      inner = [start + 1, valueEnd - 1];
      break;
    case Scalar.PLAIN:
      inner = [start, valueEnd];
      break;
    default: {
      // `>-` / `|-` with a one-line body: the value is that line as written (no folding, no line break kept).
      const header = file.text.slice(start, valueEnd).match(/^[>|]-[ \t]*(?:#[^\n]*)?\r?\n/);
      const body = header ? start + header[0].length : -1;
      const at = body === -1 ? -1 : file.text.indexOf(node.value, body);
      const only = at !== -1 && node.value !== '' && !node.value.includes('\n') && node.value.trim() === node.value && file.text.slice(body, valueEnd).trim() === node.value;
      if (only) return { value: node.value, start: at, end: at + node.value.length, literal: true };
      return { value: node.value, start, end: valueEnd, literal: false };
    }
  }
  const literal = file.text.slice(inner[0], inner[1]) === node.value;
  return { value: node.value, start: inner[0], end: inner[1], literal };
}

/** The anchored and alias nodes of each document, in document order (what `Alias.resolve` walks the whole document for, on each call). */
const anchorsOf = new WeakMap<Document.Parsed, Node[]>();

/** Follows an alias to the node it names (the last node with its anchor before it, as `Alias.resolve` finds it); other nodes are returned as they are. */
export function deref(node: unknown, document: Document.Parsed): unknown {
  if (!isAlias(node)) return node;
  let nodes = anchorsOf.get(document);
  if (!nodes) {
    const found: Node[] = [];
    visit(document, {
      Node: (_key, candidate) => {
        if (isAlias(candidate) || ((isScalar(candidate) || isCollection(candidate)) && candidate.anchor)) found.push(candidate);
      },
    });
    anchorsOf.set(document, found);
    nodes = found;
  }
  let target: Node | undefined;
  for (const candidate of nodes) {
    if (candidate === node) break;
    if (candidate.anchor === node.source) target = candidate;
  }
  return target;
}

/**
 * The node an alias names, found in the file's parsed documents (`tag: *app-version` → the scalar written `&app-version 1.4.0`);
 * other nodes are returned as they are, and an alias whose anchor is not found gives undefined.
 */
export function aliasTarget(node: unknown, file: SourceFile): unknown {
  if (!isAlias(node) || !node.range) return node;
  const at = node.range[0];
  const document = yamlSource(file).documents.find((candidate) => {
    const range = candidate.contents?.range;
    return range !== undefined && range[0] <= at && at < range[2];
  });
  return document ? deref(node, document) : undefined;
}

/** The value node for a plain string key of a map, or undefined. */
export function mapGet(map: YAMLMap, key: string): unknown {
  for (const item of map.items) {
    if (isPair(item) && isScalar(item.key) && item.key.value === key) return item.value;
  }
  return undefined;
}

/** The text of a string scalar node, or null for any other node. */
export function scalarText(node: unknown): string | null {
  return isScalar(node) && typeof node.value === 'string' ? node.value : null;
}

/** The value node at a path of plain string keys through nested maps (`spec`, `output`, `to`), or undefined. */
export function mapAt(node: unknown, ...keys: string[]): unknown {
  return keys.reduce<unknown>((current, key) => (isMap(current) ? mapGet(current, key) : undefined), node);
}

/** The string keys of a map with their value nodes. Merge keys (`<<`) and non-string keys are left out. */
export function mapEntries(map: YAMLMap): Array<[string, unknown, Node | null]> {
  const out: Array<[string, unknown, Node | null]> = [];
  for (const item of map.items) {
    if (!isPair(item) || !isScalar(item.key)) continue;
    const key = item.key.value;
    if (typeof key !== 'string' || key === '<<') continue;
    out.push([key, item.value, item.key]);
  }
  return out;
}

/**
 * Visits every map under `root` (depth first, document order), with the key path to it.
 * Aliases are not followed: a node defined once is visited once.
 */
// A visitor that returns nothing goes on into the map; only 'skip' stops it.
// eslint-disable-next-line @typescript-eslint/no-invalid-void-type
export function walkMaps(root: unknown, visit: (map: YAMLMap, path: readonly string[]) => void | 'skip'): void {
  const walk = (node: unknown, path: string[], depth: number): void => {
    if (depth > MAX_DEPTH || node == null || isAlias(node)) return;
    if (isMap(node)) {
      if (visit(node, path) === 'skip') return;
      for (const [key, value] of mapEntries(node)) walk(value, [...path, key], depth + 1);
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => walk(item, [...path, String(index)], depth + 1));
    }
  };
  walk(root, [], 0);
}

/** The keys of a schema node whose values are examples of what it allows, not anything a program runs. */
const SCHEMA_VALUE_KEYS = ['default', 'example', 'examples', 'enum'] as const;

/**
 * Where a document holds values of an OpenAPI schema (a CustomResourceDefinition's `spec`, or a part of one kept as a file
 * of its own): the `default`, `example`, `examples` and `enum` of a schema node, a map under a `properties` map that has
 * `properties` or `type` beside them (`agent: {type: object, default: {image: registry.example.test/proxy}, properties: …}`).
 * They say what a field takes when it is left out; the program that reads the object decides what runs. Ranges within the
 * document's file, from `start` to `end`.
 */
export function schemaValueRanges(documents: readonly Document.Parsed[]): [number, number][] {
  const ranges: [number, number][] = [];
  for (const document of documents) {
    walkMaps(document.contents, (map, path) => {
      if (path.at(-2) !== 'properties' || (!map.has('properties') && !isScalar(map.get('type', true)))) return;
      for (const key of SCHEMA_VALUE_KEYS) {
        const value = map.get(key, true);
        if ((isScalar(value) || isCollection(value)) && value.range) ranges.push([value.range[0], value.range[2]]);
      }
    });
  }
  return ranges;
}

/**
 * An OpenAPI or Swagger description (`openapi: 3.0.0` / `swagger: "2.0"` at the top of the first
 * mapping document): its `image:` fields are schema examples of an API's answers, not deployments.
 */
export function isApiDescription(documents: readonly Document.Parsed[]): boolean {
  const root = documents.find((document) => isMap(document.contents))?.contents;
  if (!isMap(root)) return false;
  return root.items.some((pair) => isScalar(pair.key) && (pair.key.value === 'openapi' || pair.key.value === 'swagger') && isScalar(pair.value));
}

/**
 * A helm-unittest suite (`tests/*_test.yaml`): a top-level `suite` name and a `tests` (or `asserts`) list, with
 * the `templates` it renders at the top, or, where each test names its own `template`, every test an
 * entry with `it` and `asserts`. Its images are `set:` inputs and expected values of a chart's test run,
 * not anything deployed.
 */
export function isHelmUnittestSuite(documents: readonly Document.Parsed[]): boolean {
  return documents.some((document) => {
    const root = document.contents;
    if (!isMap(root)) return false;
    const suite = mapGet(root, 'suite');
    const templates = mapGet(root, 'templates');
    const tests = mapGet(root, 'tests') ?? mapGet(root, 'asserts');
    if (!isScalar(suite) || !isSeq(tests)) return false;
    if (isSeq(templates) || isScalar(templates)) return true;
    return tests.items.length > 0 && tests.items.every((test) => isMap(test) && mapGet(test, 'it') !== undefined && isSeq(mapGet(test, 'asserts')));
  });
}

/**
 * An updatecli manifest: top-level `sources` / `conditions` / `targets` maps of resources with `kind`
 * and `spec`. Its `spec.image` fields name what to watch or query, not what runs.
 */
export function isUpdatecliManifest(documents: readonly Document.Parsed[]): boolean {
  return documents.some((document) => {
    const root = document.contents;
    if (!isMap(root)) return false;
    const sections = ['sources', 'conditions', 'targets'].map((key) => mapGet(root, key)).filter((section) => section !== undefined);
    return (
      sections.length > 0 &&
      sections.every((section) => isMap(section) && section.items.every((pair) => isPair(pair) && isMap(pair.value) && mapGet(pair.value, 'kind') !== undefined)) &&
      sections.some((section) => isMap(section) && section.items.some((pair) => isPair(pair) && isMap(pair.value) && mapGet(pair.value, 'spec') !== undefined))
    );
  });
}

/** A line that holds only template actions (`{{- if .scm.directory }}`, `{{ end }}`): a Go template's control flow. */
const ACTION_LINE = /^[ \t]*(?:\{\{[^\n]*?\}\}[ \t]*)+\r?$/gm;

/**
 * An updatecli manifest written as a Go template (updatecli renders it with a values file first): `sources`, `conditions`
 * or `targets` at the top, and YAML once the lines that hold only template actions (`{{- if … }}`, `{{- end }}`) are left
 * out, its other actions being inside quotes (`owner: "{{ .scm.owner }}"`). Read as `isUpdatecliManifest` reads a parsed one.
 */
export function isUpdatecliTemplate(text: string): boolean {
  if (!/^(?:sources|conditions|targets):/m.test(text)) return false;
  const documents = parseAllDocuments(text.replace(ACTION_LINE, ''));
  if (!Array.isArray(documents) || documents.some((document) => document.errors.length > 0)) return false;
  return isUpdatecliManifest(documents);
}

/**
 * A distgen spec (`specs/multispec.yml` of the sclorg container images): a top-level `specs` map holding a
 * `distroinfo` map whose entries each list the `distros` they build for. Its values are variables that Jinja
 * templates of Dockerfiles and READMEs fill in.
 */
export function isDistgenSpec(documents: readonly Document.Parsed[]): boolean {
  return documents.some((document) => {
    const distroinfo = mapAt(document.contents, 'specs', 'distroinfo');
    return isMap(distroinfo) && distroinfo.items.length > 0 && distroinfo.items.every((pair) => isPair(pair) && isSeq(mapAt(pair.value, 'distros')));
  });
}
