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

/**
 * A compose value that interpolates (`registry.example.test/web:${WEB_TAG:-4.1.0}`), as compose resolves it
 * when the environment sets nothing: a variable the `.env` beside the file sets takes that value (edited
 * there), one it does not set takes its default (`${NAME:-default}`, `${NAME-default}`), edited in the
 * default's characters inside the braces. A variable with neither (`${TAG}`, `${TAG:?message}`) leaves the
 * reference `templated`, and the detail names it. Anything else (`$$`, `${NAME:+…}`, a default that
 * interpolates) leaves it as it is.
 */
export function throughDefaults(file: SourceFile, reference: Reference, env: EnvFile | undefined): Reference {
  const whole = reference.spans[0];
  if (reference.skip !== 'templated' || reference.spans.length !== 1 || whole?.role !== 'reference' || whole.file !== undefined) return reference;
  const start = whole.start - file.base;
  const text = reference.value;
  if (file.text.slice(start, whole.end - file.base) !== text) return reference;
  let value = '';
  let last = 0;
  const spans: Span[] = [];
  const defaults: string[] = [];
  const fromEnv: string[] = [];
  const unset: string[] = [];
  let blocked = false;
  for (const match of text.matchAll(INTERPOLATION)) {
    const between = text.slice(last, match.index);
    if (between.includes('$')) return reference;
    value += between;
    last = match.index + match[0].length;
    const name = match[1] ?? match[4];
    const operator = match[2] ?? '';
    if (name === undefined || operator.endsWith('+')) return reference;
    const variable = env?.variables.get(name);
    const set = variable !== undefined && (operator.startsWith(':') ? variable.value !== '' : true);
    if (set) {
      // The `.env` value is used; it is edited there when it is a plain literal.
      if (!variable.span || variable.value.includes('$')) blocked = true;
      else spans.push(operator === '' ? variable.span : { ...variable.span, use: match[0] });
      value += variable.value;
      fromEnv.push(`${name} from ${env?.file ?? '.env'}:${variable.line}`);
    } else if (operator.endsWith('-')) {
      const argument = match[3] ?? '';
      const at = start + match.index + match[0].length - 1 - argument.length;
      spans.push({ ...makeSpan(file, { role: 'variable', start: at, end: at + argument.length, variable: name }), use: match[0] });
      value += argument;
      defaults.push(`\${${name}}`);
    } else {
      unset.push(
        operator === ''
          ? `${match[0]} is not set: it has no default, and ${env ? `${env.file} does not set it` : 'no .env beside the file sets it'}`
          : `\${${name}} must be set when compose runs (${operator}), and ${env ? `${env.file} does not set it` : 'no .env beside the file sets it'}`,
      );
    }
  }
  const rest = text.slice(last);
  if (rest.includes('$')) return reference;
  value += rest;
  if (unset.length > 0) return { ...reference, detail: [reference.detail, ...unset].filter(Boolean).join('; ') };
  const image = blocked ? null : parseImageRef(value);
  if (!image) return reference;
  const notes = [...(fromEnv.length > 0 ? [`${fromEnv.join(', ')}, edited there`] : []), ...(defaults.length > 0 ? [`default of ${defaults.join(', ')}; the environment may set another value`] : [])];
  return {
    ...withValue(reference, value, image),
    skip: image.tag === null && image.digest === null ? 'no-tag' : null,
    spans: [{ ...whole, role: 'template' }, ...spans],
    detail: [reference.detail, ...notes].filter(Boolean).join('; '),
  };
}
