import { parseImageRef } from '../core/image-ref.js';
import type { SourceFile } from '../core/source-file.js';
import type { Reference } from '../core/types.js';
import { makeReference } from './make-reference.js';

/**
 * An image written after a registry prefix variable: `"{{ image_prefix }}quay.io/org/app:1.0"`, a role's way of letting
 * a user pull every image through a mirror (`image_prefix: "mirror.example.test/"`). The prefix is one plain variable
 * and what follows it is a whole reference: a registry host, a path and a tag or digest. When the repository's own
 * variable files set that variable only to an empty string, the image pulled is the reference as written after it:
 * reported so, edited in its own characters; otherwise the value is shown `templated`, as written.
 */

/** `{{ name }}` at the start of a value, and what follows it. */
const LEADING_VARIABLE = /^\{\{-?[ \t]*([A-Za-z_]\w*)[ \t]*-?\}\}(?=[a-z0-9])/;
/** A reference that names its registry host: `quay.io/…`, `registry.example.test:5000/…`, `localhost/…`. */
const HOSTED = /^(?:localhost|[a-z0-9-]+(?:\.[a-z0-9-]+)+|[a-z0-9-]+:\d+)(?::\d+)?\//;

export interface PrefixedImage {
  /** The prefix variable. */
  readonly variable: string;
  /** Where the reference starts, after the variable's action. */
  readonly offset: number;
  /** The reference after the prefix. */
  readonly rest: string;
}

/** The prefix variable and the hosted, tagged reference after it, or null when the value is not written so. */
export function prefixedImage(text: string): PrefixedImage | null {
  const match = LEADING_VARIABLE.exec(text);
  if (!match || match[1] === undefined) return null;
  const rest = text.slice(match[0].length);
  if (!HOSTED.test(rest) || rest.includes('{{') || rest.includes('{%')) return null;
  const parsed = parseImageRef(rest);
  if (parsed === null || (parsed.tag === null && parsed.digest === null)) return null;
  return { variable: match[1], offset: match[0].length, rest };
}

/**
 * A value written as a prefix variable and a hosted name whose tag (or part of it) is a template of its own
 * (`"{{ image_prefix }}registry.example.test/kube-proxy:v{{ kube_version }}"`): shown `templated`, as written.
 */
export function isPrefixedTemplate(text: string): boolean {
  const match = LEADING_VARIABLE.exec(text);
  if (!match) return false;
  const rest = text.slice(match[0].length);
  const tag = /:(?=[^/]*$)/.exec(rest);
  return HOSTED.test(rest) && tag !== null && !rest.slice(0, tag.index).includes('{') && /^:[\w.-]*\{\{/.test(rest.slice(tag.index));
}

/** Where a variable is set to an empty string. */
export interface EmptySetting {
  readonly file: string;
  readonly line: number;
}

/** A top-level `name: value` line of a file of variables. */
const TOP_LEVEL_SETTING = /^([A-Za-z_]\w*):[ \t]*(.*?)[ \t]*(?:#.*)?\r?$/gm;
const EMPTY_STRING = /^(?:""|'')$/;

/**
 * The variables that the given files of variables set, each only to an empty string (`image_prefix: ""`), with where
 * the first such line is. A variable also set to anything else in one of them is not one.
 */
export function emptyVariables(files: readonly SourceFile[]): ReadonlyMap<string, EmptySetting> {
  const empty = new Map<string, EmptySetting>();
  const other = new Set<string>();
  for (const file of files) {
    let text: string;
    try {
      text = file.text;
    } catch {
      continue;
    }
    for (const match of text.matchAll(TOP_LEVEL_SETTING)) {
      const [, name = '', value = ''] = match;
      if (!EMPTY_STRING.test(value)) {
        other.add(name);
        continue;
      }
      if (!empty.has(name)) empty.set(name, { file: file.path, line: file.position(match.index).line });
    }
  }
  for (const name of other) empty.delete(name);
  return empty;
}

/**
 * A `templated` reference whose value is an image after a registry prefix variable that the repository sets to an
 * empty string: the image after it, edited in its own characters, the detail naming the variable and where it is set.
 */
export function withEmptyPrefix(file: SourceFile, reference: Reference, empty: () => ReadonlyMap<string, EmptySetting>): Reference {
  if (reference.skip !== 'templated' || reference.spans.length !== 1) return reference;
  const [span] = reference.spans;
  if (span === undefined || span.role !== 'reference' || span.text !== reference.value) return reference;
  const prefixed = prefixedImage(reference.value);
  if (prefixed === null) return reference;
  const setting = empty().get(prefixed.variable);
  if (setting === undefined) return reference;
  const start = span.start - file.base + prefixed.offset;
  return makeReference(file, {
    kind: reference.kind,
    value: prefixed.rest,
    parts: [{ role: 'reference', start, end: span.end - file.base }],
    detail: `after the registry prefix {{ ${prefixed.variable} }}, set to "" (${setting.file}:${setting.line})`,
  });
}
