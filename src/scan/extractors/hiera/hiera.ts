import { isMap, type Document } from 'yaml';
import { parseImageRef } from '../../../core/image-ref.js';
import type { Extractor } from '../../extractor.js';
import { makeReference, type ReferenceInput } from '../../make-reference.js';
import { isApiDescription, mapEntries, walkMaps, yamlSource } from '../../yaml-source.js';
import { composeImage, imageKeyStrength, type ValueText } from '../../puppet-image-keys.js';
import { looksLikeImageText, yamlValueText } from '../../yaml-image-fields.js';
import { folderOf } from '../../../core/repo-path.js';

/** Directories that hold Hiera data in control repositories and modules. */
const DATA_DIRECTORIES = new Set(['data', 'hieradata', 'hiera']);
/** Names common enough outside Puppet that they count as Hiera data only beside a `hiera.yaml`. */
const SHARED_NAMES = new Set(['data', 'hiera']);

/**
 * What a whole scan knows: the folders that hold a `hiera.yaml` (a control repository or module root,
 * whose `data/` is Hiera data). A `data/` folder anywhere else (a web application's, an API's) is not.
 */
export interface HieraFacts {
  readonly configFolders: ReadonlySet<string>;
}

/** Is the file under a Hiera data folder? Without facts (a file scanned on its own) any such name counts. */
function inDataFolder(path: string, facts: HieraFacts | undefined): boolean {
  const parts = path.split('/').slice(0, -1);
  return parts.some((part, index) => {
    const name = part.toLowerCase();
    if (!DATA_DIRECTORIES.has(name)) return false;
    if (!facts || !SHARED_NAMES.has(name)) return true;
    return facts.configFolders.has(parts.slice(0, index).join('/'));
  });
}

/**
 * Hiera data (`data/common.yaml` beside a `hiera.yaml`, `hieradata/nodes/web01.yaml`, or any YAML whose top-level keys are
 * mostly class parameters like `profile::web::image`): keys named `image`, `*_image`, `*::image`,
 * completed from `…image_tag`/`…tag`/`…version`/`…image_digest` siblings in the same map.
 */
export const hieraExtractor: Extractor<HieraFacts> = {
  name: 'hiera',
  kinds: ['hiera'],
  quoting: 'yaml',
  isCandidate: (path) => /\.ya?ml$/i.test(path),
  prepare: (files) => ({ configFolders: new Set(files.filter((file) => /(^|\/)hiera\.ya?ml$/i.test(file.path)).map((file) => folderOf(file.path))) }),
  claims: (file, facts) => {
    if (!/\.ya?ml$/i.test(file.path)) return false;
    const base = file.path.slice(file.path.lastIndexOf('/') + 1).toLowerCase();
    const inDataDirectory = inDataFolder(file.path, facts);
    const { documents } = yamlSource(file);
    if (documents.some(isKubernetesDocument) || isApiDescription(documents)) return false;
    if (inDataDirectory || base === 'common.yaml' || base === 'common.yml') return true;
    return mostlyClassParameters(documents);
  },
  extract: (file) => {
    const { documents, problems } = yamlSource(file);
    const inputs: ReferenceInput[] = [];
    for (const document of documents) {
      walkMaps(document.contents, (map, path) => {
        const entries = mapEntries(map);
        const byKey = new Map<string, unknown>();
        for (const [key, value] of entries) if (!byKey.has(key.toLowerCase())) byKey.set(key.toLowerCase(), value);
        const sibling = (keys: readonly string[]): ValueText | null => {
          for (const key of keys) {
            const found = yamlValueText(byKey.get(key.toLowerCase()), file, true);
            if (found) return found;
          }
          return null;
        };
        const inImageMap = path.some((part) => IMAGE_MAP_KEY.test(part));
        for (const [key, node] of entries) {
          const strength = imageKeyStrength(key);
          if (!strength && (inImageMap || IMAGE_MAP_KEY.test(key))) {
            // A map of images (`common_images: {httpd: {exporter: prom/apache-exporter:0.0.4}}`):
            // its string values are references when they carry a tag or digest.
            const entry = yamlValueText(node, file, false);
            if (entry && !entry.templated && looksLikeTaggedImage(entry.text)) {
              inputs.push({
                kind: 'hiera',
                value: entry.text,
                parts: [{ role: 'reference', start: entry.start, end: entry.end }],
                detail: [...path, key].join('.'),
                ...(entry.skip ? { skip: entry.skip } : {}),
              });
            }
            continue;
          }
          const value = strength ? yamlValueText(node, file, false) : null;
          if (!strength || !value) continue;
          const input = composeImage('hiera', key.toLowerCase(), strength, value, sibling, [...path, key].join('.'));
          if (input) inputs.push(input);
        }
      });
    }
    const references = inputs.map((input) => makeReference(file, input));
    return { references, problems };
  },
};

/** Keys of maps whose values are images: `images`, `common_images`, `profile::app::images`. */
const IMAGE_MAP_KEY = /(?:^|[_:])images$/i;

function looksLikeTaggedImage(text: string): boolean {
  if (!looksLikeImageText(text)) return false;
  const parsed = parseImageRef(text);
  return parsed !== null && (parsed.tag !== null || parsed.digest !== null);
}

function isKubernetesDocument(document: Document.Parsed): boolean {
  const root = document.contents;
  if (!isMap(root)) return false;
  const keys = new Set(mapEntries(root).map(([key]) => key));
  return keys.has('apiVersion') && keys.has('kind');
}

/** Most top-level keys of the first mapping document are class parameters (`profile::web::image`). */
function mostlyClassParameters(documents: readonly Document.Parsed[]): boolean {
  const root = documents.find((document) => isMap(document.contents))?.contents;
  if (!isMap(root)) return false;
  const keys = mapEntries(root).map(([key]) => key);
  const qualified = keys.filter((key) => /^[a-z_][\w]*(?:::[a-z_][\w]*)+$/i.test(key)).length;
  return keys.length > 0 && qualified * 2 > keys.length;
}
