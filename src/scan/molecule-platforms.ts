import { isMap, isScalar, isSeq } from 'yaml';
import { isTemplated, parseImageRef } from '../core/image-ref.js';
import type { SourceFile } from '../core/source-file.js';
import type { Reference } from '../core/types.js';
import { makeReference } from './make-reference.js';
import { qualifiedImageParts } from './qualified-image-parts.js';
import { mapGet, stringScalar } from './yaml-source.js';

/** A Molecule scenario's configuration (`molecule/default/molecule.yml`). */
export const MOLECULE_FILE = /(?:^|\/)molecule\/(?:[^/]+\/)*molecule\.ya?ml$/;

/** An image that names its registry host (`quay.io/…`, `localhost:5000/…`, `localhost/…`). */
const NAMES_REGISTRY = /^(?:[^/]*[.:][^/]*|localhost)\//;
/** A registry host, with an optional port and path (`registry.example.test`, `registry.example.test:5000/mirror`). */
const REGISTRY_URL = /^[a-z0-9]+(?:[.-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;

/**
 * A Molecule platform that names the registry its image comes from (`image: team/base-init` beside
 * `registry: {url: registry.example.test}`): the Docker and Podman drivers build the instance `FROM <url>/<image>`, so
 * that is the image, reported at the `image` and edited there, a pin written after its tag (the registry is not edited). A platform with
 * `pre_build_image: true` runs its `image` as written, and one whose image names its own registry is left as it is.
 * `found` with each such platform's image in place of the plain field read at its `image`.
 */
export function withPlatformRegistries(file: SourceFile, root: unknown, found: readonly Reference[]): Reference[] {
  const platforms = isMap(root) ? mapGet(root, 'platforms') : undefined;
  if (!isSeq(platforms)) return [...found];
  const images = new Map<number, Reference>();
  for (const platform of platforms.items) {
    if (!isMap(platform)) continue;
    const prebuilt = mapGet(platform, 'pre_build_image');
    if (isScalar(prebuilt) && prebuilt.value === true) continue;
    const registry = mapGet(platform, 'registry');
    const url = isMap(registry) ? stringScalar(mapGet(registry, 'url'), file) : null;
    const image = stringScalar(mapGet(platform, 'image'), file);
    if (!url || !image || !url.literal || !image.literal || !REGISTRY_URL.test(url.value)) continue;
    if (isTemplated(image.value) || image.value.includes('$') || NAMES_REGISTRY.test(image.value) || !parseImageRef(image.value)) continue;
    const plain = found.find((reference) => reference.spans[0]?.start === file.base + image.start);
    if (!plain) continue;
    images.set(
      file.base + image.start,
      makeReference(file, { kind: plain.kind, value: `${url.value}/${image.value}`, parts: qualifiedImageParts(image.value, image.start, url), anchor: image.start }),
    );
  }
  return found.map((reference) => images.get(reference.spans[0]?.start ?? -1) ?? reference);
}
