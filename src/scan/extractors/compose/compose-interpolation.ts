import { parseImageRef } from '../../../core/image-ref.js';
import type { SourceFile } from '../../../core/source-file.js';
import type { Reference, Span } from '../../../core/types.js';
import { makeSpan, withValue } from '../../make-reference.js';

/** A `.env` variable as compose interpolation sees it: its value, line, and the span of its literal (null: not plain). */
export interface EnvValue {
  readonly value: string;
  readonly line: number;
  readonly span: Span | null;
}

export interface EnvFile {
  readonly file: string;
  readonly variables: ReadonlyMap<string, EnvValue>;
}

/**
 * `$$`, `${NAME}`, `${NAME<op>argument}` with an argument free of further interpolation, `$NAME`. A `$`
 * this does not match (a default built from another variable, `${A:-${B}}`) leaves the value unresolved.
 */
const INTERPOLATION = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^${}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** What a run of compose interpolation resolves to: the value, the spans to edit, and what the detail says. */
interface Resolved {
  value: string;
  readonly spans: Span[];
  readonly defaults: string[];
  readonly fromEnv: string[];
  readonly unset: string[];
  blocked: boolean;
}

/**
 * `${NAME:-…}` or `${NAME-…}` as the whole text, whose default itself interpolates
 * (`${APP_IMAGE:-registry.example.test/app:${APP_TAG:-1.4.0}}`): the name, the operator, and where the
 * default's characters start and end in the text. Null for any other text.
 */
function wholeNestedDefault(text: string): { name: string; operator: string; start: number; end: number } | null {
  const opener = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(:?-)/.exec(text);
  if (!opener || !text.endsWith('}')) return null;
  let depth = 1;
  for (let index = opener[0].length; index < text.length; index++) {
    if (text[index] === '$' && text[index + 1] === '{') {
      depth++;
      index++;
    } else if (text[index] === '}') {
      depth--;
      if (depth === 0 && index !== text.length - 1) return null;
    }
  }
  const inner = text.slice(opener[0].length, -1);
  if (depth !== 0 || !inner.includes('$')) return null;
  return { name: opener[1] ?? '', operator: opener[2] ?? '', start: opener[0].length, end: text.length - 1 };
}

/** Whether the `.env` sets a variable as an operator reads it (`:-` takes an empty value as not set). */
function setIn(env: EnvFile | undefined, name: string, operator: string): EnvValue | null {
  const variable = env?.variables.get(name);
  return variable !== undefined && (operator.startsWith(':') ? variable.value !== '' : true) ? variable : null;
}

/**
 * Resolves `text`, written in the file at `start` (offset in `file.text`), into `resolved`. False when it holds
 * something this does not expand (`$$`, `${NAME:+…}`, a default that interpolates).
 */
function resolveInto(file: SourceFile, text: string, start: number, env: EnvFile | undefined, resolved: Resolved): boolean {
  let last = 0;
  for (const match of text.matchAll(INTERPOLATION)) {
    const between = text.slice(last, match.index);
    if (between.includes('$')) return false;
    resolved.value += between;
    last = match.index + match[0].length;
    const name = match[1] ?? match[4];
    const operator = match[2] ?? '';
    if (name === undefined || operator.endsWith('+')) return false;
    const variable = setIn(env, name, operator);
    if (variable) {
      // The `.env` value is used; it is edited there when it is a plain literal.
      if (!variable.span || variable.value.includes('$')) resolved.blocked = true;
      else resolved.spans.push(operator === '' ? variable.span : { ...variable.span, use: match[0] });
      resolved.value += variable.value;
      resolved.fromEnv.push(`${name} from ${env?.file ?? '.env'}:${variable.line}`);
    } else if (operator.endsWith('-')) {
      const argument = match[3] ?? '';
      const at = start + match.index + match[0].length - 1 - argument.length;
      resolved.spans.push({ ...makeSpan(file, { role: 'variable', start: at, end: at + argument.length, variable: name }), use: match[0] });
      resolved.value += argument;
      resolved.defaults.push(`\${${name}}`);
    } else {
      resolved.unset.push(
        operator === ''
          ? `${match[0]} is not set: it has no default, and ${env ? `${env.file} does not set it` : 'no .env beside the file sets it'}`
          : `\${${name}} must be set when compose runs (${operator}), and ${env ? `${env.file} does not set it` : 'no .env beside the file sets it'}`,
      );
    }
  }
  const rest = text.slice(last);
  if (rest.includes('$')) return false;
  resolved.value += rest;
  return true;
}

/**
 * A compose value that interpolates (`registry.example.test/web:${WEB_TAG:-4.1.0}`), as compose resolves it
 * when the environment sets nothing: a variable the `.env` beside the file sets takes that value (edited
 * there), one it does not set takes its default (`${NAME:-default}`, `${NAME-default}`), edited in the
 * default's characters inside the braces. A whole value whose default interpolates
 * (`${APP_IMAGE:-registry.example.test/app:${APP_TAG:-1.4.0}}`) is that default resolved the same way, its
 * pin written inside the outer braces; when the `.env` sets the outer variable, its value is the image,
 * edited there. A variable with neither (`${TAG}`, `${TAG:?message}`) leaves the reference `templated`, and
 * the detail names it (`unsetNotes`; without them, the reference is left as it is). Values that do not make a valid
 * reference (`alpine@sha256:${BASE_DIGEST:-put-a-digest-here}`) are no image compose can run: the reference stays
 * `templated`, the detail naming where the values come from. Anything else (`$$`, `${NAME:+…}`, a default nested
 * deeper) leaves it as it is.
 */
export function throughDefaults(file: SourceFile, reference: Reference, env: EnvFile | undefined, unsetNotes = true): Reference {
  const whole = reference.spans[0];
  if (reference.skip !== 'templated' || reference.spans.length !== 1 || whole?.role !== 'reference' || whole.file !== undefined) return reference;
  const start = whole.start - file.base;
  const text = reference.value;
  if (file.text.slice(start, whole.end - file.base) !== text) return reference;
  const resolved: Resolved = { value: '', spans: [], defaults: [], fromEnv: [], unset: [], blocked: false };
  let template: Span = { ...whole, role: 'template' };
  const nested = wholeNestedDefault(text);
  if (nested) {
    const variable = setIn(env, nested.name, nested.operator);
    if (variable) {
      // The `.env` sets the whole image: it is used, and edited there; the default here is not.
      const image = variable.span && !variable.value.includes('$') ? parseImageRef(variable.value) : null;
      if (!image || !variable.span) return reference;
      const note = `${nested.name} from ${env?.file ?? '.env'}:${variable.line}, edited there; the default here is not used`;
      return {
        ...withValue(reference, variable.value, image),
        skip: image.tag === null && image.digest === null ? 'no-tag' : null,
        spans: [{ ...variable.span, role: 'reference' }],
        detail: [reference.detail, note].filter(Boolean).join('; '),
      };
    }
    template = makeSpan(file, { role: 'template', start: start + nested.start, end: start + nested.end });
    resolved.defaults.push(`\${${nested.name}}`);
    if (!resolveInto(file, text.slice(nested.start, nested.end), start + nested.start, env, resolved)) return reference;
  } else if (!resolveInto(file, text, start, env, resolved)) return reference;
  const { value, spans, defaults, fromEnv, unset } = resolved;
  if (unset.length > 0) return unsetNotes ? { ...reference, detail: [reference.detail, ...unset].filter(Boolean).join('; ') } : reference;
  if (resolved.blocked) return reference;
  const image = parseImageRef(value);
  if (!image) {
    // An empty value names nothing to be told about.
    if (value === '') return reference;
    const from = [...fromEnv, ...defaults.map((name) => `the default of ${name}`)].join(', ');
    return { ...reference, detail: [reference.detail, `${from} gives ${value}, not a valid reference: the environment must set another value`].filter(Boolean).join('; ') };
  }
  const notes = [...(fromEnv.length > 0 ? [`${fromEnv.join(', ')}, edited there`] : []), ...(defaults.length > 0 ? [`default of ${defaults.join(', ')}; the environment may set another value`] : [])];
  return {
    ...withValue(reference, value, image),
    skip: image.tag === null && image.digest === null ? 'no-tag' : null,
    spans: [template, ...spans],
    detail: [reference.detail, ...notes].filter(Boolean).join('; '),
  };
}
