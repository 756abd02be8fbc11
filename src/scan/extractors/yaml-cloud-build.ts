import { isMap, isSeq } from 'yaml';
import type { SourceFile } from '../../core/source-file.js';
import type { Reference } from '../../core/types.js';
import { mapGet } from '../yaml-source.js';
import { baseName, scalarImage } from './yaml-image-fields.js';

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
