import { isMap, isScalar, isSeq, type YAMLMap } from 'yaml';
import { isTag, parseImageRef } from '../core/image-ref.js';
import type { SourceFile } from '../core/source-file.js';
import type { Reference, ReferenceKind } from '../core/types.js';
import { makeReference } from './make-reference.js';
import { composeSplitImage } from './yaml-image-fields.js';
import { mapEntries, mapGet, stringScalar, type StringScalar } from './yaml-source.js';

/**
 * An operator's image catalog: a YAML document whose top level is a registry path `base` and a `components` map,
 * each component a map of an `image` name and its `tag` (and, for images chosen per node, a `match` list of
 * `{…, image}` entries that share the component's tag):
 *
 *     base: registry.example.test/storage
 *     components:
 *       controller: {tag: v2.4.0, image: store-server}
 *       kernel-loader: {tag: v9.1.3, image: kmod-generic, match: [{osImage: …, image: kmod-distro8}]}
 *
 * The operator deploys `base/image:tag` for each (`registry.example.test/storage/store-server:v2.4.0`). Each image is
 * reported at its `image` line, the tag edited where the component writes it (the entries of a `match` list move with
 * the component's tag); `base` is only text of the value, not edited. Only names without a registry, tag or digest of
 * their own are read this way, and only under a `base` that starts with a registry host and has a path.
 */

/** `registry.example.test/storage`: a registry host (a dot or a port, or `localhost`) and at least one path component. */
const BASE_PATH = /^(?:localhost(?::\d+)?|[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?|[a-z0-9-]+:\d+)(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)+$/;

/** Is this the `base` of an image catalog: a registry host with a path? */
export function isCatalogBase(value: string): boolean {
  return BASE_PATH.test(value);
}

/** A name the catalog puts under its `base`: one or more path components, no registry, tag or digest of its own. */
export function isCatalogName(value: string): boolean {
  if (!/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(value)) return false;
  const parsed = parseImageRef(value);
  return parsed !== null && parsed.tag === null && parsed.digest === null && parsed.registry === 'docker.io' && !value.startsWith('docker.io/');
}

/** The detail of a catalog image: where its registry path is written. */
export function catalogDetail(baseLine: number): string {
  return `an image catalog: the registry path is its base (line ${baseLine}), not edited here`;
}

/** The value of a catalog image: `base/name:tag`. */
export function catalogValue(base: string, name: string, tag: string): string {
  return `${base.replace(/\/+$/, '')}/${name}:${tag}`;
}

/** The images of an image catalog document (`root`), or none when the document is not one. */
export function catalogImages(file: SourceFile, root: unknown, kind: ReferenceKind): Reference[] {
  if (!isMap(root)) return [];
  const base = stringScalar(mapGet(root, 'base'), file);
  const components = mapGet(root, 'components');
  if (!base || !base.literal || !isCatalogBase(base.value) || !isMap(components)) return [];
  const baseLine = file.position(base.start).line;
  const found: Reference[] = [];
  for (const [, component] of mapEntries(components)) {
    if (!isMap(component)) continue;
    const tag = tagOf(file, component);
    if (!tag) continue;
    const names = [mapGet(component, 'image')];
    const match = mapGet(component, 'match');
    if (isSeq(match)) for (const item of match.items) if (isMap(item)) names.push(mapGet(item, 'image'));
    for (const node of names) {
      const name = stringScalar(node, file);
      if (!name || !name.literal || !isCatalogName(name.value)) continue;
      const { parts } = composeSplitImage(null, name, tag, null);
      found.push(makeReference(file, { kind, value: catalogValue(base.value, name.value, tag.value), parts, anchor: name.start, detail: catalogDetail(baseLine) }));
    }
  }
  return found;
}

/** The component's `tag`, a plain literal tag (a string, or a number as written). */
function tagOf(file: SourceFile, component: YAMLMap): StringScalar | null {
  const node = mapGet(component, 'tag');
  if (!isScalar(node) || !node.range) return null;
  const tag: StringScalar | null =
    typeof node.value === 'number' ? { value: file.text.slice(node.range[0], node.range[1]), start: node.range[0], end: node.range[1], literal: true } : stringScalar(node, file);
  return tag && tag.literal && isTag(tag.value) ? tag : null;
}
