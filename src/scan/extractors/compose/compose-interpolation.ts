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

/** A variable's name, and the operator of a `${NAME<op>argument}`. */
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const OPERATOR = /^:?[-?+]/;

/** A use of a variable in a compose value: `$NAME`, `${NAME}` or `${NAME<op>argument}`, at `index` in the text. */
interface Use {
  readonly index: number;
  readonly text: string;
  readonly name: string;
  readonly operator: string;
  readonly argument: string;
  /** Where the argument's characters start in the text. */
  readonly argumentAt: number;
}

/**
 * The `}` that closes the `${` at `from`, as compose finds it: each `${` inside opens one more (`${A:-${B:-1.0}}`),
 * each `}` closes one. -1 when none does.
 */
function closingBrace(text: string, from: number): number {
  let depth = 0;
  for (let index = from; index < text.length; index++) {
    if (text[index] === '$' && text[index + 1] === '{') {
      depth++;
      index++;
    } else if (text[index] === '}' && --depth === 0) return index;
  }
  return -1;
}

/**
 * The variable uses of a compose value, in order, each `${…}` read to the brace that closes it, so that its argument
 * may itself interpolate (`${TAG:-${BASE_TAG:-1.0}}`). Null when a `$` is something else (`$$`, a `${` never closed).
 */
function usesOf(text: string): Use[] | null {
  const uses: Use[] = [];
  for (let index = text.indexOf('$'); index !== -1; index = text.indexOf('$', index)) {
    if (text[index + 1] !== '{') {
      const name = NAME.exec(text.slice(index + 1))?.[0];
      if (name === undefined) return null;
      const end = index + 1 + name.length;
      uses.push({ index, text: text.slice(index, end), name, operator: '', argument: '', argumentAt: end });
      index = end;
      continue;
    }
    const close = closingBrace(text, index);
    const name = NAME.exec(text.slice(index + 2))?.[0];
    if (close === -1 || name === undefined) return null;
    const after = index + 2 + name.length;
    const operator = after === close ? '' : OPERATOR.exec(text.slice(after, close))?.[0];
    if (operator === undefined) return null;
    const argumentAt = after + operator.length;
    uses.push({ index, text: text.slice(index, close + 1), name, operator, argument: text.slice(argumentAt, close), argumentAt });
    index = close + 1;
  }
  return uses;
}

/** How a tool reads the interpolation: whether the detail names a variable nothing sets, whether a default may interpolate in turn. */
export interface InterpolationReader {
  readonly unsetNotes: boolean;
  readonly nestedDefaults: boolean;
}

/** Compose: a default is read to the brace that closes it, so it may use other variables and defaults (`${TAG:-${BASE_TAG:-1.0}}`). */
const COMPOSE: InterpolationReader = { unsetNotes: true, nestedDefaults: true };

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
 * (`${APP_IMAGE:-registry.example.test/app:${APP_TAG:-1.4.0}}`). Null for any other text.
 */
function wholeNestedDefault(text: string): Use | null {
  const uses = usesOf(text);
  const use = uses?.length === 1 ? uses[0] : undefined;
  return use !== undefined && use.text === text && use.operator.endsWith('-') && use.argument.includes('$') ? use : null;
}

/** Whether the `.env` sets a variable as an operator reads it (`:-` takes an empty value as not set). */
function setIn(env: EnvFile | undefined, name: string, operator: string): EnvValue | null {
  const variable = env?.variables.get(name);
  return variable !== undefined && (operator.startsWith(':') ? variable.value !== '' : true) ? variable : null;
}

/**
 * Resolves `text`, written in the file at `start` (offset in `file.text`), into `resolved`. False when it holds
 * something this does not expand (`$$`, `${NAME:+…}`, a default that interpolates unless `nested`).
 */
function resolveInto(file: SourceFile, text: string, start: number, env: EnvFile | undefined, resolved: Resolved, nested: boolean, depth = 0): boolean {
  const uses = usesOf(text);
  if (!uses) return false;
  let last = 0;
  for (const use of uses) {
    resolved.value += text.slice(last, use.index);
    last = use.index + use.text.length;
    const { name, operator } = use;
    if (operator.endsWith('+')) return false;
    const variable = setIn(env, name, operator);
    if (variable) {
      // The `.env` value is used; it is edited there when it is a plain literal.
      if (!variable.span || variable.value.includes('$')) resolved.blocked = true;
      else resolved.spans.push(operator === '' ? variable.span : { ...variable.span, use: use.text });
      resolved.value += variable.value;
      resolved.fromEnv.push(`${name} from ${env?.file ?? '.env'}:${variable.line}`);
    } else if (operator.endsWith('-')) {
      // Defaults nested deeper than an edit follows (eight) are left as written.
      if (use.argument.includes('$') && (!nested || depth >= 8)) return false;
      const at = start + use.argumentAt;
      resolved.spans.push({ ...makeSpan(file, { role: 'variable', start: at, end: at + use.argument.length, variable: name }), use: use.text });
      resolved.defaults.push(`\${${name}}`);
      // A default that interpolates in turn (`${APP_TAG:-${TAG:-1.4.0}}`) is resolved the same way, its uses inside its characters.
      if (!resolveInto(file, use.argument, at, env, resolved, nested, depth + 1)) return false;
    } else {
      resolved.unset.push(
        operator === ''
          ? `${use.text} is not set: it has no default, and ${env ? `${env.file} does not set it` : 'no .env beside the file sets it'}`
          : `\${${name}} must be set when compose runs (${operator}), and ${env ? `${env.file} does not set it` : 'no .env beside the file sets it'}`,
      );
    }
  }
  resolved.value += text.slice(last);
  return true;
}

/**
 * A compose value that interpolates (`registry.example.test/web:${WEB_TAG:-4.1.0}`), as compose resolves it
 * when the environment sets nothing: a variable the `.env` beside the file sets takes that value (edited
 * there), one it does not set takes its default (`${NAME:-default}`, `${NAME-default}`), edited in the
 * default's characters inside the braces; a default that uses other variables (`app:${APP_TAG:-${TAG:-1.4.0}}`)
 * is resolved the same way, where the reader allows it (`nestedDefaults`). A whole value whose default interpolates
 * (`${APP_IMAGE:-registry.example.test/app:${APP_TAG:-1.4.0}}`) is that default resolved the same way, its
 * pin written inside the outer braces; when the `.env` sets the outer variable, its value is the image,
 * edited there. A variable with neither (`${TAG}`, `${TAG:?message}`) leaves the reference `templated`, and
 * the detail names it (`unsetNotes`; without them, the reference is left as it is). Values that do not make a valid
 * reference (`alpine@sha256:${BASE_DIGEST:-put-a-digest-here}`) are no image compose can run: the reference stays
 * `templated`, the detail naming where the values come from. Anything else (`$$`, `${NAME:+…}`) leaves it as it is.
 */
export function throughDefaults(file: SourceFile, reference: Reference, env: EnvFile | undefined, reader: InterpolationReader = COMPOSE): Reference {
  const { unsetNotes, nestedDefaults } = reader;
  const whole = reference.spans[0];
  if (reference.skip !== 'templated' || reference.spans.length !== 1 || whole?.role !== 'reference' || whole.file !== undefined) return reference;
  const start = whole.start - file.base;
  const text = reference.value;
  if (file.text.slice(start, whole.end - file.base) !== text) return reference;
  // Templated for another reason than interpolation (`app:__IMAGE_TAG__`, `app:APP_VERSION`): nothing to resolve.
  if (!text.includes('$')) return reference;
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
    const { argument, argumentAt } = nested;
    template = makeSpan(file, { role: 'template', start: start + argumentAt, end: start + argumentAt + argument.length });
    resolved.defaults.push(`\${${nested.name}}`);
    if (!resolveInto(file, argument, start + argumentAt, env, resolved, nestedDefaults)) return reference;
  } else if (!resolveInto(file, text, start, env, resolved, nestedDefaults)) return reference;
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
