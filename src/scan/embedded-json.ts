import { isTag } from '../core/image-ref.js';
import type { SourceFile } from '../core/source-file.js';
import type { Reference, ReferenceKind } from '../core/types.js';
import { JsonError, parseJson, type JsonNode } from './json-positions.js';
import { makeReference } from './make-reference.js';
import { composeSplitImage, isImageKey, looksLikeImageText } from './yaml-image-fields.js';

/**
 * JSON carried as text in a literal block scalar (`key: |`): a ConfigMap's data that a controller reads as its
 * config and that names the images it starts (`"image": "registry.example.test/agent:v1.2.0"`), in a plain
 * manifest or a chart's template. The JSON is read where it stands in the file: the block's indentation is
 * whitespace to JSON, so every string keeps its offsets and is edited in place, inside its quotes.
 *
 * `"image"` and camelCase `"…Image"` string members are images. A bare name is completed by a tag member of the
 * same object (`"image": "acme/server"` + `"defaultImageVersion": "1.4.0"`, see tagKeys), and an image key
 * may hold an object of `repository` (or `repo`) and `tag`, with an optional `registry`; the name and the tag
 * are edited where each is written. `keep` decides which references stand (a bare name with no tag says too
 * little outside a container's `image`; a template value names no image of its own here).
 *
 * Hostile text: only a body that starts with `{` or `[`, is at most MAX_BODY long and has an image key is
 * parsed, nesting is bounded (MAX_DEPTH), and a body that is not JSON gives nothing.
 */

const MAX_BODY = 1 << 20;
const MAX_DEPTH = 64;
/** A member whose key is an image key, written as JSON: the quick test before a parse. */
const IMAGE_MEMBER = /"(?:[A-Za-z_][\w.-]*)?[iI]mage"\s*:/;

export type KeepJsonImage = (reference: Reference, parents: readonly string[]) => boolean;

/**
 * The members of an object that give the tag of a bare name under `key`, in order of preference: `imageTag`,
 * `image_tag`, `imageVersion`, `image_version`, `defaultImageTag`, `defaultImageVersion` (a controller's default
 * beside others, such as a GPU variant's), and for `image` itself a plain `tag`.
 */
function tagKeys(key: string): string[] {
  const capital = key.charAt(0).toUpperCase() + key.slice(1);
  const keys = [`${key}Tag`, `${key}_tag`, `${key}Version`, `${key}_version`, `default${capital}Tag`, `default${capital}Version`];
  return key === 'image' ? [...keys, 'tag'] : keys;
}

type JsonString = Extract<JsonNode, { type: 'string' }>;
type JsonObject = Extract<JsonNode, { type: 'object' }>;

function member(object: JsonObject, key: string): JsonNode | undefined {
  return object.entries.find((entry) => entry.key === key)?.value;
}

function stringMember(object: JsonObject, key: string): JsonString | null {
  const node = member(object, key);
  return node?.type === 'string' ? node : null;
}

/** A tag written plainly (no escapes): one that can be edited where it stands. */
function plainTag(node: JsonString | null): JsonString | null {
  return node !== null && node.raw === node.value && isTag(node.value) ? node : null;
}

/** Only spaces, tabs and carriage returns from `at` to the line's end (`step` 1) or start (`step` -1). */
function blanksTo(text: string, at: number, step: 1 | -1): boolean {
  for (let index = at; index >= 0 && index < text.length && text[index] !== '\n'; index += step) {
    if (text[index] !== ' ' && text[index] !== '\t' && text[index] !== '\r') return false;
  }
  return true;
}

/**
 * Template actions outside JSON strings (a chart's `{{- if .Values.x }}` line, `"limits": {{ toJson .Values.l }}`)
 * blanked so that the rest can be read: an action alone on its line becomes spaces, one where a value stands
 * becomes `null` and spaces. Lengths and line breaks are kept, so offsets stay those of the file.
 */
function withoutActions(text: string): string {
  if (!text.includes('{{')) return text;
  const chunks: string[] = [];
  let copied = 0;
  let inString = false;
  for (let at = 0; at < text.length; at++) {
    const char = text[at];
    if (inString) {
      if (char === '\\') at++;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    if (char !== '{' || text[at + 1] !== '{') continue;
    const close = text.indexOf('}}', at + 2);
    const end = close === -1 ? text.length : close + 2;
    const alone = blanksTo(text, at - 1, -1) && blanksTo(text, end, 1);
    const blank = text.slice(at, end).replace(/[^\n]/g, ' ');
    chunks.push(text.slice(copied, at), alone ? blank : `null${blank.slice(4)}`);
    copied = end;
    at = end - 1;
  }
  chunks.push(text.slice(copied));
  return chunks.join('');
}

/**
 * The image references of the JSON text at `from`–`to` of the file (a literal block's body). `kindFor` gets
 * the keys that enclose a member: `parents`, then the JSON keys down to its object (an array's items are
 * under the array's key).
 */
export function jsonBlockImages(
  file: SourceFile,
  range: { readonly from: number; readonly to: number },
  parents: readonly string[],
  kindFor: (parents: readonly string[], key: string) => ReferenceKind,
  keep: KeepJsonImage,
): Reference[] {
  const { from, to } = range;
  if (to - from > MAX_BODY) return [];
  const body = file.text.slice(from, to);
  const first = body.trimStart().charAt(0);
  if ((first !== '{' && first !== '[') || !IMAGE_MEMBER.test(body)) return [];
  let root: JsonNode;
  try {
    root = parseJson(withoutActions(body), { maxDepth: MAX_DEPTH, utf8Bytes: true });
  } catch (error) {
    if (error instanceof JsonError) return [];
    throw error;
  }
  const references: Reference[] = [];
  const add = (reference: Reference | null, path: readonly string[]): void => {
    if (reference && keep(reference, path)) references.push(reference);
  };
  const visit = (node: JsonNode, path: readonly string[]): void => {
    if (node.type === 'array') {
      for (const item of node.items) visit(item, path);
      return;
    }
    if (node.type !== 'object') return;
    for (const { key, value } of node.entries) {
      if (value.type === 'string' && isImageKey(key)) add(stringImage(file, from, node, key, value, kindFor(path, key)), path);
      else if (value.type === 'object' && isImageKey(key)) add(objectImage(file, from, value, kindFor(path, key)), path);
      if (value.type === 'object' || value.type === 'array') visit(value, [...path, key]);
    }
  };
  visit(root, parents);
  return references;
}

/** A string member under an image key: the image as written, or a bare name with its object's tag member. */
function stringImage(file: SourceFile, from: number, object: JsonObject, key: string, node: JsonString, kind: ReferenceKind): Reference | null {
  if (!looksLikeImageText(node.value)) return null;
  const literal = node.raw === node.value;
  const reference = makeReference(file, {
    kind,
    value: node.value,
    parts: [{ role: 'reference', start: from + node.start, end: from + node.end }],
    ...(literal ? {} : { skip: 'unsupported-quoting' as const }),
  });
  if (reference.skip !== 'no-tag' || member(object, 'hub') !== undefined) return reference;
  const tag = tagKeys(key)
    .map((name) => plainTag(stringMember(object, name)))
    .find((found) => found !== null);
  if (!tag) return reference;
  const registry = key === 'image' ? stringMember(object, 'registry') : null;
  return splitReference(file, from, kind, registry, node, tag);
}

/** `"image": {"registry": …, "repository": …, "tag": …}` (`repo` for `repository`), each part plainly written. */
function objectImage(file: SourceFile, from: number, object: JsonObject, kind: ReferenceKind): Reference | null {
  const repository = stringMember(object, 'repository') ?? stringMember(object, 'repo');
  const tag = plainTag(stringMember(object, 'tag'));
  if (!repository || !tag || repository.raw !== repository.value || !looksLikeImageText(repository.value)) return null;
  return splitReference(file, from, kind, stringMember(object, 'registry'), repository, tag);
}

function splitReference(file: SourceFile, from: number, kind: ReferenceKind, registry: JsonString | null, name: JsonString, tag: JsonString): Reference | null {
  if (registry !== null && registry.value !== '' && (registry.raw !== registry.value || !/^[\w.-]+(?::\d+)?(?:\/[\w.-]+)*\/?$/.test(registry.value))) return null;
  const inFile = (part: JsonString) => ({ value: part.value, start: from + part.start, end: from + part.end });
  const { parts, value } = composeSplitImage(registry && inFile(registry), inFile(name), inFile(tag), null);
  return makeReference(file, { kind, value, parts, anchor: from + name.start });
}
