import { isMap, isSeq } from 'yaml';
import type { SourceFile } from '../../../core/source-file.js';
import type { Reference } from '../../../core/types.js';
import type { Extractor } from '../../extractor.js';
import { isBrokenTemplate, templateLineImages } from '../../helm-template-lines.js';
import { mapGet, yamlSource } from '../../yaml-source.js';
import { baseName, scalarImage, sortByPosition } from '../../yaml-image-fields.js';

/**
 * Google Cloud Build configuration: each of `steps` runs the image its `name` names
 * (`gcr.io/cloud-builders/docker`). The top-level `images` list is what the build pushes: not read.
 */

export function isCloudBuild(path: string): boolean {
  return /^cloudbuild(?:[-_.][^/]*)?\.ya?ml$/i.test(baseName(path));
}

export function cloudBuildImages(file: SourceFile, root: unknown): Reference[] {
  if (!isMap(root)) return [];
  const steps = mapGet(root, 'steps');
  if (!isSeq(steps)) return [];
  const references: Reference[] = [];
  for (const step of steps.items) {
    if (!isMap(step)) continue;
    const reference = scalarImage(file, mapGet(step, 'name'), 'yaml-image');
    if (reference) references.push(reference);
  }
  return references;
}

export const cloudBuildExtractor: Extractor = {
  name: 'cloud-build',
  kinds: ['yaml-image'],
  quoting: 'yaml',
  isCandidate: isCloudBuild,
  claimsTemplate: (file) => isCloudBuild(file.path),
  owns: (file) => isCloudBuild(file.path),
  claims: (file) => isCloudBuild(file.path),
  extract(file) {
    if (isBrokenTemplate(file)) return { references: templateLineImages(file, () => 'yaml-image', true), problems: [] };
    const { documents, problems } = yamlSource(file);
    return { references: sortByPosition(documents.flatMap((document) => cloudBuildImages(file, document.contents))), problems };
  },
};
