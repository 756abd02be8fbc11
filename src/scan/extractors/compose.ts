import { isAlias, isMap, isScalar, type YAMLMap } from 'yaml';
import type { Reference } from '../../core/types.js';
import type { Extractor } from '../extractor.js';
import { mapEntries, mapGet, yamlSource } from '../yaml-source.js';
import { helmValuesKind } from './helm-values.js';
import { baseName, imageFields, isYamlPath, scalarImage, sortByPosition } from './yaml-image-fields.js';

/**
 * docker compose files: `services.*.image`, and `image` fields of `x-*` extension blocks that
 * services pull in through anchors. `${TAG:-1.2}` interpolation is reported as templated.
 */

const FILE_NAME = /^(docker-)?compose[^/]*\.ya?ml$/i;

/** A top-level `services` map of maps with `image` or `build`, and no `apiVersion`/`kind`. */
function looksLikeCompose(root: unknown): root is YAMLMap {
  if (!isMap(root) || mapGet(root, 'apiVersion') !== undefined || mapGet(root, 'kind') !== undefined) return false;
  const services = mapGet(root, 'services');
  if (!isMap(services) || services.items.length === 0) return false;
  const entries = mapEntries(services);
  return (
    entries.length === services.items.length &&
    entries.every(([, service]) => isMap(service) || isAlias(service) || (isScalar(service) && service.value === null)) &&
    entries.some(([, service]) => isMap(service) && (mapGet(service, 'image') !== undefined || mapGet(service, 'build') !== undefined))
  );
}

export const composeExtractor: Extractor = {
  name: 'compose',
  claims(file) {
    if (!isYamlPath(file.path)) return false;
    if (FILE_NAME.test(baseName(file.path))) return true;
    if (helmValuesKind(file.path) === 'helm-values') return false;
    return yamlSource(file).documents.some((document) => looksLikeCompose(document.contents));
  },
  extract(file) {
    const { documents, problems } = yamlSource(file);
    const references: Reference[] = [];
    for (const document of documents) {
      const root = document.contents;
      if (!isMap(root)) continue;
      for (const [key, value] of mapEntries(root)) {
        if (key === 'services' && isMap(value)) {
          for (const [, service] of mapEntries(value)) {
            if (!isMap(service)) continue;
            const reference = scalarImage(file, mapGet(service, 'image'), 'compose-service');
            if (reference) references.push(reference);
          }
        } else if (key.startsWith('x-')) {
          references.push(
            ...imageFields(file, value, {
              kindFor: () => 'compose-service',
              splitKind: 'compose-service',
              splitAnywhere: false,
              snakeKeys: false,
            }),
          );
        }
      }
    }
    return { references: sortByPosition(references), problems };
  },
};
