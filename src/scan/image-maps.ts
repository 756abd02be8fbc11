import { isMap } from 'yaml';
import { parseImageRef } from '../core/image-ref.js';
import type { SourceFile } from '../core/source-file.js';
import type { Reference, ReferenceKind } from '../core/types.js';
import { isPrefixedTemplate, prefixedImage } from './ansible-image-prefix.js';
import { makeReference } from './make-reference.js';
import { looksLikeImageText, yamlValueText } from './yaml-image-fields.js';
import { mapEntries, walkMaps } from './yaml-source.js';

/**
 * Maps of images keyed by what runs them, under a key that says they are images: `images`, `container_images`,
 * `extraImages` (`images: {tags: {db_sync: registry.example.test/infra/db:2024.1, dep_check: …}, pull_policy: IfNotPresent}`,
 * a chart convention whose templates look each image up by its component's key). Their string values at any depth
 * are references when they carry a tag or digest; names without one, settings (`pull_policy`, `checksum`), lists and
 * a machine image's description (`images: {focal: {url, checksum: sha256:…}}`) are not read this way. A value written
 * after a registry prefix variable (`"{{ image_prefix }}quay.io/org/app:1.0"`) is read as a `*_image` variable's is:
 * `templated`, or the image after it when the repository sets the prefix to "" (ansible-image-prefix.ts).
 */
const IMAGE_MAP_KEY = /(?:^|_)images$|^Images$|[a-z0-9]Images$/;

/** Keys whose values say something about an image (where, which, how checked), never an image themselves. */
const SETTING_KEY = /^(?:checksum|sha\d*|md5|hash|digest|url|uri|tag|version|filename|file|path|pull_?policy)$/i;

/** `sha256:8faf…`: a download's checksum reads as a name and a tag. */
const CHECKSUM = /^(?:sha\d*|md5|blake2b?)[:-][0-9a-f]{16,}$/i;

function isTaggedImage(text: string): boolean {
  if (!looksLikeImageText(text) || CHECKSUM.test(text)) return false;
  const parsed = parseImageRef(text);
  if (parsed === null || (parsed.tag === null && parsed.digest === null)) return false;
  // `registry.example.test:5000` alone is a host and its port.
  return text.includes('/') || parsed.digest !== null || !/^\d+$/.test(parsed.tag ?? '');
}

export function imageMapValues(file: SourceFile, root: unknown, kind: ReferenceKind): Reference[] {
  const found: Reference[] = [];
  walkMaps(root, (map, path) => {
    if (!path.some((part) => IMAGE_MAP_KEY.test(part))) return;
    const entries = mapEntries(map);
    // A machine image's description: where to download it and how to check it.
    if (entries.some(([key]) => /^(?:checksum|url)$/i.test(key))) return 'skip';
    for (const [key, node] of entries) {
      if (isMap(node) || SETTING_KEY.test(key)) continue;
      const entry = yamlValueText(node, file, false);
      if (!entry || (entry.templated ? prefixedImage(entry.text) === null && !isPrefixedTemplate(entry.text) : !isTaggedImage(entry.text))) continue;
      found.push(
        makeReference(file, {
          kind,
          value: entry.text,
          parts: [{ role: 'reference', start: entry.start, end: entry.end }],
          ...(entry.skip ? { skip: entry.skip } : {}),
        }),
      );
    }
  });
  return found;
}
