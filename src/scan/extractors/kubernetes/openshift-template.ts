import { isMap, isScalar, isSeq, type YAMLMap } from 'yaml';
import { parseImageRef } from '../../../core/image-ref.js';
import type { SourceFile } from '../../../core/source-file.js';
import type { Reference, Span } from '../../../core/types.js';
import { makeSpan, withValue } from '../../make-reference.js';
import { looksLikeImageText, yamlValueText } from '../../yaml-image-fields.js';
import { mapAt as at, mapGet } from '../../yaml-source.js';

/**
 * OpenShift `Template`s: `objects` to create, and `parameters` (`{name, value, description, required,
 * generate}`) that `oc process` writes into them where they say `${NAME}` (or `${{NAME}}`, unquoted).
 * A parameter is not an image by itself: it is one where an object uses it as one, and its `value`
 * is then the default the image gets. An image written through parameters is resolved to their
 * values and edited in the parameter's literal; one whose parameter has no value (set when the
 * template is processed, or generated) stays `templated`, naming the parameter.
 */

export interface TemplateParameter {
  readonly name: string;
  readonly line: number;
  /** The literal of `value`, as a `variable` span; null when there is none or it is not a plain literal. */
  readonly span: Span | null;
  /** The value's text; null without a `value`. */
  readonly value: string | null;
  /** `generate: expression`: `oc process` makes up a value. */
  readonly generated: boolean;
}

export interface TemplateParameters {
  /** The `parameters` list's characters: nothing in it is an image of its own. */
  readonly range: readonly [number, number] | null;
  readonly byName: ReadonlyMap<string, TemplateParameter>;
}

/** `${NAME}` and `${{NAME}}`: the parameter uses `oc process` replaces. */
const USE = /\$\{(\{)?([A-Za-z0-9_]+)\}(\})?/g;

/** An OpenShift Template: `kind: Template` with an `objects` or `parameters` list. */
export function isOpenShiftTemplate(root: YAMLMap): boolean {
  const kind = mapGet(root, 'kind');
  return isScalar(kind) && kind.value === 'Template' && (isSeq(mapGet(root, 'objects')) || isSeq(mapGet(root, 'parameters')));
}

export function templateParameters(file: SourceFile, root: YAMLMap): TemplateParameters | null {
  if (!isOpenShiftTemplate(root)) return null;
  const list = mapGet(root, 'parameters');
  const byName = new Map<string, TemplateParameter>();
  if (!isSeq(list)) return { range: null, byName };
  for (const item of list.items) {
    if (!isMap(item)) continue;
    const nameNode = mapGet(item, 'name');
    if (!isScalar(nameNode) || typeof nameNode.value !== 'string' || byName.has(nameNode.value)) continue;
    const name = nameNode.value;
    const line = nameNode.range ? file.position(nameNode.range[0]).line : 0;
    const text = yamlValueText(mapGet(item, 'value'), file, true);
    const plain = text !== null && text.skip === undefined && text.templated !== true && text.text !== '';
    const span = plain ? makeSpan(file, { role: 'variable', start: text.start, end: text.end, variable: name }) : null;
    byName.set(name, { name, line, span, value: text === null ? null : text.text, generated: mapGet(item, 'generate') !== undefined });
  }
  const range = list.range ? ([list.range[0], list.range[1]] as const) : null;
  return { range, byName };
}

/** Is the reference written in the `parameters` list (a parameter's own value)? */
export function inParameters(file: SourceFile, parameters: TemplateParameters, reference: Reference): boolean {
  const start = reference.spans[0]?.start;
  if (parameters.range === null || start === undefined) return false;
  const offset = start - file.base;
  return offset >= parameters.range[0] && offset < parameters.range[1];
}

/** A reference written through the template's parameters, resolved to their values and edited there when they are plain literals. */
export function throughParameters(reference: Reference, parameters: TemplateParameters): Reference {
  const whole = reference.spans[0];
  if (!whole || reference.spans.length !== 1 || whole.role !== 'reference' || reference.skip !== 'templated') return reference;
  const uses = [...reference.value.matchAll(USE)];
  if (uses.length === 0 || uses.some((use) => (use[1] === undefined) !== (use[3] === undefined)) || reference.value.replace(USE, '').includes('$')) return reference;
  const found: TemplateParameter[] = [];
  for (const use of uses) {
    const name = use[2] ?? '';
    const parameter = parameters.byName.get(name);
    if (!parameter) return { ...reference, detail: `\${${name}} is not a parameter of the template` };
    if (parameter.value === null || parameter.value === '' || parameter.generated) {
      const why = parameter.generated ? 'is generated' : 'has no value: it is given';
      return { ...reference, detail: `parameter ${name} (line ${parameter.line}) ${why} when the template is processed` };
    }
    if (parameter.value.includes('$')) return { ...reference, detail: `parameter ${name} (line ${parameter.line}) is itself a template` };
    if (!found.includes(parameter)) found.push(parameter);
  }
  const value = filledIn(reference.value, parameters);
  const image = value !== null && looksLikeImageText(value) ? parseImageRef(value) : null;
  const where = found.map((parameter) => `${parameter.name} (line ${parameter.line})`).join(', ');
  // `registry.example.test/app@sha256:${DIGEST}` with `value: put-the-digest-here`: whoever processes the template gives the value.
  if (value !== null && !image) return { ...reference, detail: `the value of parameter ${where} gives ${value}, not a valid reference: it must be given when the template is processed` };
  if (value === null || !image) return reference;
  const editable = found.every((parameter) => parameter.span !== null);
  const single = uses.length === 1 && uses[0]?.[0] === reference.value;
  const resolved = withValue(reference, value, image);
  if (!editable) return { ...resolved, skip: 'templated', detail: `through the template's parameter ${where}; not edited: the value there is not a plain literal` };
  const skip = image.tag === null && image.digest === null ? 'no-tag' : null;
  const spans: Span[] = single
    ? [{ ...(found[0]?.span as Span), role: 'reference' }]
    : [{ ...whole, role: 'template' }, ...found.map((parameter) => withUse(parameter.span as Span, reference.value, parameter.name))];
  return { ...resolved, skip, spans, detail: `through the template's parameter ${where}, edited there` };
}

/** A `${{NAME}}` use is named on its span, so an edit finds it in the template. */
function withUse(span: Span, template: string, name: string): Span {
  return template.includes(`\${${name}}`) ? span : { ...span, use: `\${{${name}}}` };
}

/** `${NAME}` / `${{NAME}}` replaced by the parameters' values; null when one has none. */
function filledIn(text: string, parameters: TemplateParameters | null): string | null {
  let value = '';
  let at = 0;
  for (const use of text.matchAll(USE)) {
    const parameter = use[2] === undefined ? undefined : parameters?.byName.get(use[2]);
    if (parameter?.value === null || parameter?.value === undefined || parameter.generated) return null;
    value += text.slice(at, use.index) + parameter.value;
    at = use.index + use[0].length;
  }
  return value + text.slice(at);
}

/**
 * The ImageStreamTags the BuildConfigs of a document push to (`spec.output.to: {kind: ImageStreamTag, name: app:latest}`;
 * the document itself, or a template's `objects`), a template's parameters filled in: an object that runs the same
 * name runs what the build made inside the cluster, not an image of a registry.
 */
export function buildOutputs(root: YAMLMap, parameters: TemplateParameters | null): string[] {
  const scalarAt = (node: unknown, ...keys: string[]): unknown => {
    const found = at(node, ...keys);
    return isScalar(found) ? found.value : undefined;
  };
  const list = at(root, 'objects');
  const objects = isOpenShiftTemplate(root) ? (isSeq(list) ? list.items : []) : [root];
  const outputs: string[] = [];
  for (const object of objects) {
    const name = scalarAt(object, 'spec', 'output', 'to', 'name');
    if (scalarAt(object, 'kind') !== 'BuildConfig' || scalarAt(object, 'spec', 'output', 'to', 'kind') !== 'ImageStreamTag' || typeof name !== 'string') continue;
    const value = filledIn(name, parameters);
    if (value !== null) outputs.push(value);
  }
  return outputs;
}
