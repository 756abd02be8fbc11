import { isMap, isScalar, isSeq, Scalar, type YAMLMap } from 'yaml';
import { parseImageRef } from '../core/image-ref.js';
import type { SourceFile } from '../core/source-file.js';
import type { Reference } from '../core/types.js';
import { JsonError, parseJson, type JsonNode } from './json-positions.js';
import { blockBodyStart } from './literal-blocks.js';
import { makeReference, type PartInput } from './make-reference.js';
import { looksLikeImageText } from './yaml-image-fields.js';
import { mapAt, mapGet, scalarText, stringScalar } from './yaml-source.js';

/**
 * Argo Workflows (`Workflow`, `WorkflowTemplate`, `ClusterWorkflowTemplate`, `CronWorkflow`): a template whose container
 * runs an image made of its inputs (`image: "{{inputs.parameters.image}}:{{inputs.parameters.tag}}"`) runs the values
 * its callers give those inputs: a step's or task's `arguments.parameters` `value`, through the items of its
 * `withItems` (`{ image: debian, tag: '12.7' }`) or of a `withParam` list written as JSON in the file, through the
 * caller's own inputs (followed up to MAX_DEPTH calls), the workflow's `arguments.parameters`, or an input's own
 * `value` / `default` when a caller gives none. Each value so listed is a reference where it is written (a name and
 * a tag written apart are one reference, each part edited where it stands); the use passes them on and is not
 * reported, unless some caller's value cannot be read here (a step output, a template of another file): then it stays.
 */

const ARGO_KINDS = new Set(['Workflow', 'WorkflowTemplate', 'ClusterWorkflowTemplate', 'CronWorkflow']);
/** Calls followed from a use back to the literals (a step passing its own input on is one call). */
const MAX_DEPTH = 5;
/** Values worked out for one use: more is not a list written by hand. */
const MAX_VALUES = 64;
/** Calls looked at for one use: bounds a file whose templates call each other many ways over. */
const MAX_CALLS = 1024;
const MAX_JSON = 1 << 16;
const ACTION = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** A run of a value's characters written in the file (`start`..`end`); `whole`: a scalar's whole text. */
interface Segment {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly whole: boolean;
}

type Piece = { readonly kind: 'text'; readonly segment: Segment } | { readonly kind: 'input' | 'workflow'; readonly name: string } | { readonly kind: 'item'; readonly key: string | null };

/** One loop item: a YAML node (`withItems`) or a JSON node of a `withParam` list written in the file at `base`. */
type Item = { readonly yaml: unknown } | { readonly json: JsonNode; readonly base: number };

interface Call {
  /** The template that makes the call, whose own inputs its values may use; null for the workflow's arguments and for defaults. */
  readonly caller: YAMLMap | null;
  /** `arguments.parameters`, or null: every input takes its default. */
  readonly parameters: unknown;
  /** The loop's items, or null for one call. */
  readonly items: readonly Item[] | null;
}

interface Spec {
  readonly spec: YAMLMap;
  readonly templates: ReadonlyMap<string, YAMLMap>;
  /** The steps and DAG tasks that call each template, with the template that holds them. */
  readonly callers: ReadonlyMap<string, ReadonlyArray<{ step: YAMLMap; caller: YAMLMap }>>;
}

function stringAt(map: unknown, key: string): string | null {
  return scalarText(isMap(map) ? mapGet(map, key) : undefined);
}

/** The workflow spec of an Argo Workflows object, or null. */
function workflowSpec(root: YAMLMap): Spec | null {
  const kind = stringAt(root, 'kind');
  if (!(stringAt(root, 'apiVersion') ?? '').startsWith('argoproj.io/') || kind === null || !ARGO_KINDS.has(kind)) return null;
  const spec = kind === 'CronWorkflow' ? mapAt(root, 'spec', 'workflowSpec') : mapAt(root, 'spec');
  const list = mapAt(spec, 'templates');
  if (!isMap(spec) || !isSeq(list)) return null;
  const templates = new Map<string, YAMLMap>();
  for (const template of list.items) {
    const name = stringAt(template, 'name');
    if (isMap(template) && name !== null && !templates.has(name)) templates.set(name, template);
  }
  return { spec, templates, callers: callers(templates) };
}

/** Who calls each template: every step and DAG task, read once for the file. */
function callers(templates: ReadonlyMap<string, YAMLMap>): Map<string, Array<{ step: YAMLMap; caller: YAMLMap }>> {
  const calls = new Map<string, Array<{ step: YAMLMap; caller: YAMLMap }>>();
  for (const caller of templates.values()) {
    const steps = mapGet(caller, 'steps');
    const groups = isSeq(steps) ? steps.items : [];
    const tasks = mapAt(caller, 'dag', 'tasks');
    const listed = [...groups.flatMap((group) => (isSeq(group) ? group.items : [group])), ...(isSeq(tasks) ? tasks.items : [])];
    for (const step of listed) {
      const name = isMap(step) ? stringAt(step, 'template') : null;
      if (name === null || !isMap(step)) continue;
      const list = calls.get(name);
      if (list) list.push({ step, caller });
      else calls.set(name, [{ step, caller }]);
    }
  }
  return calls;
}

/** The entry named `name` of a `parameters` list. */
function parameter(list: unknown, name: string): YAMLMap | null {
  if (!isSeq(list)) return null;
  for (const entry of list.items) if (isMap(entry) && stringAt(entry, 'name') === name) return entry;
  return null;
}

/** The `value` the workflow's `arguments.parameters` give `name`. */
function workflowValue(spec: Spec, name: string): unknown {
  const entry = parameter(mapAt(spec.spec, 'arguments', 'parameters'), name);
  return entry ? mapGet(entry, 'value') : undefined;
}

/** An input's own `value` or `default`, what it takes when a call gives none. */
function inputDefault(template: YAMLMap, name: string): unknown {
  const input = parameter(mapAt(template, 'inputs', 'parameters'), name);
  return input ? (mapGet(input, 'value') ?? mapGet(input, 'default')) : undefined;
}

/** A scalar's text as written, when that is what Argo reads: a plain string, or a number whose text is its value (`9.1`, not `17.10`). */
function scalarSegment(file: SourceFile, node: unknown): Segment | null {
  const scalar = stringScalar(node, file);
  if (scalar) return scalar.literal ? { start: scalar.start, end: scalar.end, text: scalar.value, whole: true } : null;
  if (isScalar(node) && typeof node.value === 'number' && node.type === Scalar.PLAIN && node.range) {
    const [start, end] = node.range;
    const text = file.text.slice(start, end);
    return String(node.value) === text ? { start, end, text, whole: true } : null;
  }
  return null;
}

/** A text's literal runs and its `{{inputs.parameters.x}}`, `{{workflow.parameters.x}}`, `{{item}}`, `{{item.key}}` actions; null for any other action. */
function pieces(segment: Segment): Piece[] | null {
  const out: Piece[] = [];
  let at = 0;
  const text = (from: number, to: number): void => {
    if (to > from) out.push({ kind: 'text', segment: { start: segment.start + from, end: segment.start + to, text: segment.text.slice(from, to), whole: from === 0 && to === segment.text.length } });
  };
  for (const match of segment.text.matchAll(ACTION)) {
    text(at, match.index);
    at = match.index + match[0].length;
    const expression = match[1] ?? '';
    const parameterName = /^(inputs|workflow)\.parameters\.([\w-]+)$/.exec(expression);
    if (parameterName?.[2]) out.push({ kind: parameterName[1] === 'inputs' ? 'input' : 'workflow', name: parameterName[2] });
    else if (expression === 'item') out.push({ kind: 'item', key: null });
    else if (/^item\.[\w-]+$/.test(expression)) out.push({ kind: 'item', key: expression.slice(5) });
    else return null;
  }
  if (segment.text.slice(at).includes('{{')) return null;
  text(at, segment.text.length);
  return out;
}

/** The steps and DAG tasks that call `name`, with the template that holds them. */
function callsOf(spec: Spec, name: string): ReadonlyArray<{ step: YAMLMap; caller: YAMLMap }> {
  return spec.callers.get(name) ?? [];
}

/** The JSON list a `withParam` names, when it is a parameter whose value is written in the file; null when not known here. */
function paramItems(file: SourceFile, spec: Spec, caller: YAMLMap, step: YAMLMap): Item[] | null {
  const text = scalarSegment(file, mapGet(step, 'withParam'));
  const found = text && pieces(text);
  const only = found?.length === 1 ? found[0] : undefined;
  if (only?.kind !== 'input' && only?.kind !== 'workflow') return null;
  let node: unknown;
  if (only.kind === 'workflow' || stringAt(spec.spec, 'entrypoint') === stringAt(caller, 'name')) node = workflowValue(spec, only.name);
  else if (callsOf(spec, stringAt(caller, 'name') ?? '').length > 0) return null;
  else node = inputDefault(caller, only.name);
  if (!isScalar(node) || typeof node.value !== 'string' || !node.range || node.value.length > MAX_JSON) return null;
  let from: number | null;
  let to: number;
  if (node.type === Scalar.BLOCK_LITERAL) {
    from = blockBodyStart(file.text, node.range[0], node.range[1]);
    to = node.range[1];
  } else {
    const scalar = stringScalar(node, file);
    from = scalar?.literal === true ? scalar.start : null;
    to = scalar?.end ?? 0;
  }
  if (from === null) return null;
  try {
    const root = parseJson(file.text.slice(from, to), { maxDepth: 8, utf8Bytes: true });
    return root.type === 'array' ? root.items.map((json) => ({ json, base: from })) : null;
  } catch (error) {
    if (error instanceof JsonError) return null;
    throw error;
  }
}

/** An item's value (`{{item}}`) or member (`{{item.tag}}`) where it is written; null when it is not plain text. */
function itemSegment(file: SourceFile, item: Item, key: string | null): Segment | null {
  if ('yaml' in item) return scalarSegment(file, key === null ? item.yaml : isMap(item.yaml) ? mapGet(item.yaml, key) : undefined);
  const node = key === null ? item.json : item.json.type === 'object' ? item.json.entries.find((entry) => entry.key === key)?.value : undefined;
  if (node?.type !== 'string' || node.raw !== node.value) return null;
  return { start: item.base + node.start, end: item.base + node.end, text: node.value, whole: true };
}

class Resolver {
  /** Set when some value is not known here: the use then stays. */
  unknown = false;
  /** Set when the values are more than MAX_VALUES, or the calls more than MAX_CALLS: none is reported. */
  overflow = false;
  private callsSeen = 0;

  constructor(
    private readonly file: SourceFile,
    private readonly spec: Spec,
  ) {}

  /** The calls of a template: its steps and tasks, the workflow's arguments for the entrypoint, or none (defaults). */
  private calls(template: YAMLMap): Call[] {
    const name = stringAt(template, 'name') ?? '';
    const calls: Call[] = callsOf(this.spec, name).map(({ step, caller }) => {
      const withItems = mapGet(step, 'withItems');
      let items: Item[] | null = null;
      if (isSeq(withItems)) items = withItems.items.map((yaml) => ({ yaml }));
      else if (mapGet(step, 'withParam') !== undefined) items = paramItems(this.file, this.spec, caller, step) ?? [];
      if (mapGet(step, 'withParam') !== undefined && items?.length === 0) this.unknown = true;
      return { caller, parameters: mapAt(step, 'arguments', 'parameters'), items };
    });
    if (stringAt(this.spec.spec, 'entrypoint') === name) calls.push({ caller: null, parameters: mapAt(this.spec.spec, 'arguments', 'parameters'), items: null });
    if (calls.length === 0) calls.push({ caller: null, parameters: null, items: null });
    return calls;
  }

  /** Every value `parts` (a use written in `template`) takes, as the segments that write it; a value not known here sets `unknown`. */
  expand(parts: readonly Piece[], template: YAMLMap, depth: number): Segment[][] {
    if (this.overflow) return [];
    if (!parts.some((piece) => piece.kind === 'input')) return this.finish(parts);
    if (depth >= MAX_DEPTH) return this.fail();
    const out: Segment[][] = [];
    for (const call of this.calls(template)) {
      this.callsSeen += 1;
      if (this.callsSeen > MAX_CALLS) this.overflow = true;
      if (this.overflow) return [];
      for (const item of call.items ?? [null]) {
        const next = this.given(parts, template, call, item);
        if (!next) {
          this.unknown = true;
          continue;
        }
        const values = next.some((piece) => piece.kind === 'input') ? this.expand(next, call.caller ?? template, depth + 1) : this.finish(next);
        for (const value of values) out.push(value);
        if (out.length > MAX_VALUES) this.overflow = true;
        if (this.overflow) return [];
      }
    }
    return out;
  }

  /** `parts` with each input replaced by what `call` gives it (through `item`), or its default; null when that is not plain text here. */
  private given(parts: readonly Piece[], template: YAMLMap, call: Call, item: Item | null): Piece[] | null {
    const next: Piece[] = [];
    for (const piece of parts) {
      if (piece.kind !== 'input') {
        next.push(piece);
        continue;
      }
      const given = parameter(call.parameters, piece.name);
      const segment = scalarSegment(this.file, given ? mapGet(given, 'value') : inputDefault(template, piece.name));
      const inner = segment && pieces(segment);
      if (!inner) return null;
      for (const part of inner) {
        if (part.kind === 'item') {
          const found = item && itemSegment(this.file, item, part.key);
          if (!found) return null;
          next.push({ kind: 'text', segment: found });
        } else if (part.kind === 'input' && (!given || call.caller === null)) return null;
        else next.push(part);
      }
    }
    return next;
  }

  /** The segments of a value whose only actions left are the workflow's parameters. */
  private finish(parts: readonly Piece[]): Segment[][] {
    const segments: Segment[] = [];
    for (const piece of parts) {
      if (piece.kind === 'text') segments.push(piece.segment);
      else if (piece.kind === 'workflow') {
        const segment = scalarSegment(this.file, workflowValue(this.spec, piece.name));
        if (!segment || segment.text.includes('{{')) return this.fail();
        segments.push(segment);
      } else return this.fail();
    }
    return [segments];
  }

  private fail(): [] {
    this.unknown = true;
    return [];
  }
}

/**
 * The reference a value's segments write: one segment is the whole reference; a name and a tag are one segment each,
 * a `:` between them (the name may end a longer text with its `:`, `registry.example.test/app:{{inputs.parameters.tag}}`).
 */
function valueReference(file: SourceFile, use: Reference, segments: readonly Segment[], inUse: (segment: Segment) => boolean, detail: string): Reference | null {
  const value = segments.map((segment) => segment.text).join('');
  const image = looksLikeImageText(value) ? parseImageRef(value) : null;
  if (!image) return null;
  const written = segments.filter((segment) => segment.text !== '');
  const only = written.length === 1 ? written[0] : undefined;
  let parts: PartInput[];
  if (only) {
    if (!only.whole) return null;
    parts = [{ role: 'reference', start: only.start, end: only.end }];
  } else {
    if (image.tag === null || image.digest !== null) return null;
    const nameLength = value.length - image.tag.length - 1;
    const tag = written.at(-1);
    const name = written[0];
    const between = written.slice(1, -1);
    if (!tag?.whole || tag.text !== image.tag || !name) return null;
    if (between.length === 0 && name.text === `${value.slice(0, nameLength)}:`) {
      parts = [
        { role: 'repository', start: name.start, end: name.end - 1 },
        { role: 'tag', start: tag.start, end: tag.end },
      ];
    } else if (between.length === 1 && between[0]?.text === ':' && name.text.length === nameLength) {
      parts = [
        { role: 'repository', start: name.start, end: name.end },
        { role: 'tag', start: tag.start, end: tag.end },
      ];
    } else return null;
  }
  const listed = parts.find((part) => !inUse({ start: part.start, end: part.end, text: '', whole: false }));
  return makeReference(file, { kind: use.kind, value, parts, anchor: (listed ?? parts[0])?.start ?? 0, detail });
}

/**
 * The images the templated image fields of an Argo Workflows object run, worked out from the callers' values; see the
 * file's comment. Adds them to `found` (the file's references; a value already read there, such as a bare `image` of
 * a loop item, becomes the one composed here); a use whose every value is known is left out.
 */
export function withArgoParameterValues(file: SourceFile, roots: readonly unknown[], found: readonly Reference[]): Reference[] {
  const references: Reference[] = [];
  const passedOn = new Set<number>();
  for (const root of roots) {
    const spec = isMap(root) ? workflowSpec(root) : null;
    if (spec) argoParameterImages(file, spec, found, references, passedOn);
  }
  if (references.length === 0 && passedOn.size === 0) return [...found];
  const starts = new Set(references.flatMap((reference) => reference.spans.map((span) => span.start)));
  const kept = found.filter((reference) => {
    const first = reference.spans[0];
    return first === undefined || !(passedOn.has(first.start) || (reference.skip !== 'templated' && reference.spans.length <= 2 && starts.has(first.start)));
  });
  const seen = new Set<string>();
  for (const reference of references) {
    const key = reference.spans.map((span) => `${span.start}-${span.end}`).join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push(reference);
  }
  return kept;
}

function argoParameterImages(file: SourceFile, spec: Spec, uses: readonly Reference[], references: Reference[], passedOn: Set<number>): void {
  const templates = [...spec.templates.values()];
  for (const use of uses) {
    const span = use.spans[0];
    if (use.skip !== 'templated' || use.spans.length !== 1 || span?.role !== 'reference' || !/\{\{\s*(?:inputs|workflow)\.parameters\./.test(span.text)) continue;
    const start = span.start - file.base;
    const template = templates.find((candidate) => candidate.range && candidate.range[0] <= start && start < candidate.range[1]);
    const written = pieces({ start, end: span.end - file.base, text: span.text, whole: true });
    if (!template || !written) continue;
    const resolver = new Resolver(file, spec);
    const values = resolver.expand(written, template, 0);
    if (resolver.overflow) continue;
    const inUse = (segment: Segment): boolean => segment.start >= start && segment.end <= span.end - file.base;
    const detail = `the image ${span.text} of template ${stringAt(template, 'name') ?? ''} (line ${span.line}) runs it`;
    const found = values.map((segments) => valueReference(file, use, segments, inUse, detail));
    const known = found.filter((reference): reference is Reference => reference !== null);
    for (const reference of known) references.push(reference);
    if (!resolver.unknown && values.length > 0 && known.length === found.length) passedOn.add(span.start);
  }
}
