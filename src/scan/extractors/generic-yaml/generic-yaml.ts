import type { ReferenceKind } from '../../../core/types.js';
import type { Extractor } from '../../extractor.js';
import { isBrokenTemplate, templateLineImages } from '../../helm-template-lines.js';
import { isApiDescription, isUpdatecliManifest, yamlSource } from '../../yaml-source.js';
import { baseName, imageFields, isYamlPath, sortByPosition } from '../../yaml-image-fields.js';

/**
 * Helm values and any other YAML no other extractor claimed: `image` / `…Image` / `…_image` string
 * fields, and split `registry` + `repository` + `tag` (+ `digest`) maps under any key. Values files
 * (`values*.yaml`, `*-values.yaml`, anything under `charts/`) report 'helm-values', the rest 'yaml-image'.
 * Values files are this extractor's by name: no other format's content check takes them. OpenAPI and
 * Swagger descriptions hold example answers, not deployments: nothing in them is reported; nor is
 * anything in updatecli manifests, whose `spec.image` fields name what to watch.
 */

const VALUES_FILE = /^(?:.*[-_.])?values(?:[-_.][^/]*)?\.ya?ml$/i;

export function helmValuesKind(path: string): ReferenceKind {
  return VALUES_FILE.test(baseName(path)) || /(^|\/)charts\//.test(path) ? 'helm-values' : 'yaml-image';
}

export const genericYamlExtractor: Extractor = {
  name: 'generic-yaml',
  kinds: ['helm-values', 'yaml-image'],
  quoting: 'yaml',
  isCandidate: isYamlPath,
  claimsTemplate: () => true,
  owns: (file) => VALUES_FILE.test(baseName(file.path)),
  claims: (file) => isYamlPath(file.path),
  extract(file) {
    const kind = helmValuesKind(file.path);
    if (isBrokenTemplate(file)) return { references: templateLineImages(file, () => kind, true), problems: [] };
    const { documents, problems } = yamlSource(file);
    if (isApiDescription(documents) || isUpdatecliManifest(documents)) return { references: [], problems };
    const references = documents.flatMap((document) => imageFields(file, document.contents, { kindFor: () => kind, splitKind: kind, splitAnywhere: true, snakeKeys: true }));
    return { references: sortByPosition(references), problems };
  },
};
