import { isSeq } from 'yaml';
import type { SourceFile } from '../core/source-file.js';
import type { Reference, ReferenceKind } from '../core/types.js';
import { isImageKey, scalarImage } from './yaml-image-fields.js';
import { mapGet, walkMaps } from './yaml-source.js';

/** `image`, `…Image`, or a group of images named from `image` in camelCase (`imageGroupOne`). */
const IMAGE_GROUP_KEY = /^image[A-Z][A-Za-z0-9]*$/;

/**
 * A form's image field, as a web app's spawner config writes it (`image: {value: …, options: [ … ]}`, also
 * `imageGroupOne`): the default `value` and each of the `options` offered in a dropdown are images the app
 * starts. Each is reported where it is written when it is a complete reference (a path and a tag or digest).
 */
export function formFieldImages(file: SourceFile, root: unknown, kind: ReferenceKind): Reference[] {
  const references: Reference[] = [];
  walkMaps(root, (map, path) => {
    const key = path[path.length - 1];
    const options = mapGet(map, 'options');
    if (key === undefined || !(isImageKey(key) || IMAGE_GROUP_KEY.test(key)) || !isSeq(options) || mapGet(map, 'value') === undefined) return undefined;
    for (const node of [mapGet(map, 'value'), ...options.items]) {
      const reference = scalarImage(file, node, kind);
      if (reference?.skip === null && reference.value.includes('/')) references.push(reference);
    }
    return 'skip';
  });
  return references;
}
