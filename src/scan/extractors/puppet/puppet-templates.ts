import { parseImageRef } from '../../../core/image-ref.js';
import type { Reference, SharedLiteral, Span } from '../../../core/types.js';
import type { PartInput } from '../../make-reference.js';
import { imageKeyStrength, looksLikeNonImage } from '../../puppet-image-keys.js';
import type { PuppetStringToken, PuppetToken } from './puppet-tokenizer.js';

/**
 * An image written as a double-quoted string built from variables that the file sets to plain strings
 * (`"shelf/app:${version}"` with the class parameter `String $version = '1.2.3'`), directly in an image
 * attribute or through a local set once (`$image = "…"`, then `image => $image`). Reported with the
 * text filled in; an update edits the variable's literal where it holds the change (the parameter
 * default), or the string's own characters.
 */

/** `${version}` or `$version`, not `$ns::version` nor `${facts['x']}` (those stay unexpanded, and the image templated). */
const USE = /\$\{([a-z_]\w*)\}|\$([a-z_]\w*)(?!\w|::)/gi;

/** A variable the file sets once to a plain string, and the line where it does. */
export type PlainVariable = (name: string) => { readonly token: PuppetToken; readonly line: number } | null;

export interface FilledTemplate {
  readonly value: string;
  readonly parts: readonly PartInput[];
  /** Where each variable's value comes from: `$version from line 2`. */
  readonly notes: readonly string[];
}

/**
 * The image a template string writes, or null when it uses anything but plain-string variables of the
 * file, uses an image variable (that image is reported where it is set; the string passes it on), holds
 * escapes, or does not come out as an image with a tag or digest.
 */
export function fillTemplate(template: PuppetStringToken, plain: PlainVariable): FilledTemplate | null {
  if (!template.interpolated || template.text.includes('\\')) return null;
  const text = template.value;
  const parts: PartInput[] = [{ role: 'template', start: template.start + 1, end: template.end - 1 }];
  const notes: string[] = [];
  let value = '';
  let last = 0;
  for (const match of text.matchAll(USE)) {
    const name = match[1] ?? match[2] ?? '';
    if (imageKeyStrength(name) !== null) return null;
    const variable = plain(name);
    if (!variable || variable.token.kind !== 'string') return null;
    value += text.slice(last, match.index) + variable.token.value;
    last = match.index + match[0].length;
    if (parts.some((part) => part.variable === name)) continue;
    parts.push({ role: 'variable', start: variable.token.start + 1, end: variable.token.end - 1, variable: name });
    notes.push(`$${name} from line ${variable.line}`);
  }
  value += text.slice(last);
  if (notes.length === 0 || value.includes('$') || looksLikeNonImage(value)) return null;
  const parsed = parseImageRef(value);
  if (!parsed || (parsed.tag === null && parsed.digest === null)) return null;
  return { value, parts, notes };
}

/** More images than this through one literal are not followed: each would carry the whole list. */
const MAX_SHARING = 100;

/**
 * A parameter literal that is the tag of several images with different names (`$version` in
 * `"shelf/app:${version}"` and `"shelf/worker:${version}"`): one edit moves all of them, so each carries
 * the shared literal (one list for all of them) and moves only when all of them have the same new tag.
 */
export function markSharedLiterals(references: readonly Reference[]): Reference[] {
  const users = new Map<number, Reference[]>();
  for (const reference of references) {
    for (const span of reference.spans) {
      if (span.role !== 'variable') continue;
      const list = users.get(span.start);
      if (list) list.push(reference);
      else users.set(span.start, [reference]);
    }
  }
  const literals = new Map<number, SharedLiteral | string>();
  const literalOf = (span: Span, sharing: readonly Reference[], file: string): SharedLiteral | string => {
    const known = literals.get(span.start);
    if (known !== undefined) return known;
    const variable = `$${span.variable ?? ''} (${file}:${span.line})`;
    const made =
      sharing.length > MAX_SHARING
        ? `${variable} is the tag of ${sharing.length} images, more than ${MAX_SHARING}: not followed`
        : { key: `${file}:${span.start}`, variable, uses: sharing.map((other) => `${other.value} (${other.file}:${other.line})`) };
    literals.set(span.start, made);
    return made;
  };
  return references.map((reference) => {
    const tag = reference.image?.tag ?? '';
    for (const span of reference.spans) {
      const sharing = span.role === 'variable' ? (users.get(span.start) ?? []) : [];
      if (!sharing.some((other) => other.name !== reference.name) || !tag.includes(span.text)) continue;
      const shared = literalOf(span, sharing, reference.file);
      const detail = (note: string) => [reference.detail, note].filter((part) => part !== undefined).join('; ');
      if (typeof shared === 'string') return { ...reference, skip: 'templated', detail: detail(shared) };
      return { ...reference, shared, detail: detail(`${shared.variable} is the tag of ${shared.uses.length} images: it moves only when all of them have the same new tag`) };
    }
    return reference;
  });
}
