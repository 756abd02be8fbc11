import { isMap, isScalar, isSeq } from 'yaml';
import type { SourceFile } from '../core/source-file.js';
import type { Reference, ReferenceKind } from '../core/types.js';
import { isImageKey, scalarImage } from './yaml-image-fields.js';
import { mapGet } from './yaml-source.js';

/**
 * A JSON patch written as YAML (a kustomize `patches` file, RFC 6902): an `add` or `replace` operation whose
 * `path` ends at an image field (`/spec/template/spec/containers/0/image`, `/spec/steps/0/image`) sets that image to
 * its `value`, which is reported and edited where it is written. Other operations, paths and values are not images.
 */
export function jsonPatchImages(file: SourceFile, root: unknown, kind: ReferenceKind): Reference[] {
  if (!isSeq(root)) return [];
  const found: Reference[] = [];
  for (const item of root.items) {
    if (!isMap(item)) continue;
    const op = mapGet(item, 'op');
    const path = mapGet(item, 'path');
    if (!isScalar(op) || (op.value !== 'add' && op.value !== 'replace') || !isScalar(path) || typeof path.value !== 'string') continue;
    const field = path.value.slice(path.value.lastIndexOf('/') + 1);
    if (!path.value.startsWith('/') || !isImageKey(field)) continue;
    const reference = scalarImage(file, mapGet(item, 'value'), kind);
    if (reference) found.push(reference);
  }
  return found;
}
