import { isMap, isScalar, isSeq, type YAMLMap } from 'yaml';
import type { SourceFile } from '../core/source-file.js';
import type { Reference, ReferenceKind } from '../core/types.js';
import { isImageKey, scalarImage } from './yaml-image-fields.js';
import { mapEntries, mapGet, walkMaps } from './yaml-source.js';

/** A container's `env` list, one entry of it (`/env/-` appends one), in any container list of an object. */
const ENV_PATH = /^\/(?:[^/]+\/)*(?:containers|initContainers|ephemeralContainers)\/(?:\d+|-)\/env(?:\/(?:\d+|-))?$/;

/** The `{name, value}` entries an operation on a container's `env` writes: one map, or a list of them. */
function envEntries(value: unknown): YAMLMap[] {
  if (isMap(value)) return [value];
  return isSeq(value) ? value.items.filter((item): item is YAMLMap => isMap(item)) : [];
}

/**
 * `{name: RELATED_IMAGE_WORKER, value: registry.example.test/team/worker:2.1.0}`: an environment variable named for an
 * image, with a complete reference (a tag or digest) as its value, as in a container's own `env`.
 */
function namedImageValue(file: SourceFile, entry: YAMLMap, kind: ReferenceKind): Reference | null {
  const name = mapGet(entry, 'name');
  if (!isScalar(name) || typeof name.value !== 'string' || !/image/i.test(name.value)) return null;
  const reference = scalarImage(file, mapGet(entry, 'value'), kind);
  return reference?.skip === null && !/^sha(?:256|384|512):/i.test(reference.value) ? reference : null;
}

/**
 * A JSON patch written as YAML (a kustomize `patches` file, RFC 6902): an `add` or `replace` operation whose
 * `path` ends at an image field (`/spec/template/spec/containers/0/image`, `/spec/steps/0/image`) sets that image to
 * its `value`, which is reported and edited where it is written; so does one that adds an environment variable named for
 * an image to a container (`path: /spec/template/spec/containers/0/env/-` + `value: {name: RELATED_IMAGE_WORKER, value: …}`),
 * when its value is a complete reference, as a container's own `env` entry is read. Other operations, paths and values are not images.
 */
export function jsonPatchImages(file: SourceFile, root: unknown, kind: ReferenceKind): Reference[] {
  if (!isSeq(root)) return [];
  const found: Reference[] = [];
  for (const item of root.items) {
    if (!isMap(item)) continue;
    const op = mapGet(item, 'op');
    const path = mapGet(item, 'path');
    if (!isScalar(op) || (op.value !== 'add' && op.value !== 'replace') || !isScalar(path) || typeof path.value !== 'string') continue;
    if (ENV_PATH.test(path.value)) {
      for (const entry of envEntries(mapGet(item, 'value'))) {
        const reference = namedImageValue(file, entry, kind);
        if (reference) found.push(reference);
      }
      continue;
    }
    const field = path.value.slice(path.value.lastIndexOf('/') + 1);
    if (!path.value.startsWith('/') || !isImageKey(field)) continue;
    const reference = scalarImage(file, mapGet(item, 'value'), kind);
    if (reference) found.push(reference);
  }
  return found;
}

/** A list every item of which is an operation map (`op` and `path`): a JSON patch. */
function isOperationList(value: unknown): boolean {
  return isSeq(value) && value.items.length > 0 && value.items.every((item) => isMap(item) && mapGet(item, 'op') !== undefined && mapGet(item, 'path') !== undefined);
}

/**
 * A JSON patch carried under a `patch` or `patches` key inside other YAML (an Ansible task of `k8s_json_patch`, whose
 * `patch:` is the list of operations it sends to the cluster), read as a JSON patch file is.
 */
export function carriedJsonPatchImages(file: SourceFile, root: unknown, kind: ReferenceKind): Reference[] {
  const found: Reference[] = [];
  walkMaps(root, (map) => {
    for (const [key, value] of mapEntries(map)) if ((key === 'patch' || key === 'patches') && isOperationList(value)) found.push(...jsonPatchImages(file, value, kind));
  });
  return found;
}
