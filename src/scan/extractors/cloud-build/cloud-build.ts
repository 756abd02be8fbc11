import { isMap, isScalar, isSeq, type Document } from 'yaml';
import { parseImageRef } from '../../../core/image-ref.js';
import type { SourceFile } from '../../../core/source-file.js';
import type { Reference } from '../../../core/types.js';
import type { Extractor } from '../../extractor.js';
import { isBrokenTemplate, templateLineImages } from '../../helm-template-lines.js';
import { mapEntries, mapGet, yamlSource } from '../../yaml-source.js';
import { baseName, isYamlPath, sortByPosition } from '../../yaml-image-fields.js';
import { stepImages } from './substitutions.js';

/**
 * Google Cloud Build configuration: each of `steps` runs the image its `name` names
 * (`gcr.io/cloud-builders/docker`), through the file's own `substitutions:` defaults (substitutions.ts).
 * The top-level `images` list is what the build pushes: not read.
 * Files named otherwise are recognised by content: only Cloud Build's top-level keys, and `steps`
 * that all have a `name` and use Cloud Build's step fields; steps with only the fields other step lists
 * share (`name`, `env`, `script`, `timeout`) count when every `name` is an image on a registry host.
 */

const TOP_KEYS = new Set(['steps', 'timeout', 'queueTtl', 'logsBucket', 'options', 'substitutions', 'tags', 'serviceAccount', 'secrets', 'availableSecrets', 'images', 'artifacts']);
const STEP_KEYS = new Set(['name', 'args', 'env', 'dir', 'id', 'waitFor', 'entrypoint', 'secretEnv', 'volumes', 'timeout', 'script', 'allowFailure', 'allowExitCodes', 'automapSubstitutions']);

function looksLikeCloudBuild(root: unknown): boolean {
  if (!isMap(root)) return false;
  const entries = mapEntries(root);
  const steps = mapGet(root, 'steps');
  if (!isSeq(steps) || steps.items.length === 0 || entries.length !== root.items.length || entries.some(([key]) => !TOP_KEYS.has(key))) return false;
  if (!steps.items.every((step) => isMap(step) && mapGet(step, 'name') !== undefined && mapEntries(step).every(([key]) => STEP_KEYS.has(key)))) return false;
  // `name` + `script` alone could be another tool's step list: ask for something only Cloud Build has,
  // or for step names that are all images on a registry (`gcr.io/…/remote-builder:v0.3.1`), never a step's title.
  const cloudBuildOnly = (step: unknown): boolean => isMap(step) && mapEntries(step).some(([key]) => !SHARED_STEP_KEYS.has(key));
  const registryImage = (step: unknown): boolean => isMap(step) && namesRegistryImage(mapGet(step, 'name'));
  return entries.some(([key]) => key !== 'steps') || steps.items.every(cloudBuildOnly) || steps.items.every(registryImage);
}

/** A plain string that is an image reference whose first component is a registry host (`gcr.io/cloud-builders/go`). */
function namesRegistryImage(node: unknown): boolean {
  if (!isScalar(node) || typeof node.value !== 'string') return false;
  const image = parseImageRef(node.value);
  const host = node.value.split('/')[0] ?? '';
  return image !== null && node.value.includes('/') && (host.includes('.') || host.includes(':') || host === 'localhost');
}

/** Step fields other CI step lists use too. */
const SHARED_STEP_KEYS = new Set(['name', 'script', 'env', 'timeout']);

export function isCloudBuild(path: string): boolean {
  return /^cloudbuild(?:[-_.][^/]*)?\.ya?ml$/i.test(baseName(path));
}

/** The images of a document's steps: each step's `name`, through the file's own `substitutions:` defaults. */
function cloudBuildImages(file: SourceFile, document: Document.Parsed): Reference[] {
  const root = document.contents;
  if (!isMap(root)) return [];
  const steps = mapGet(root, 'steps');
  if (!isSeq(steps)) return [];
  return stepImages(
    file,
    document,
    steps.items.filter((step) => isMap(step)).map((step) => mapGet(step, 'name')),
  );
}

export const cloudBuildExtractor: Extractor = {
  name: 'cloud-build',
  kinds: ['yaml-image'],
  quoting: 'yaml',
  isCandidate: isCloudBuild,
  claimsTemplate: (file) => isCloudBuild(file.path),
  owns: (file) => isCloudBuild(file.path),
  claims: (file) => isCloudBuild(file.path) || (isYamlPath(file.path) && yamlSource(file).documents.some((document) => looksLikeCloudBuild(document.contents))),
  extract(file) {
    if (isBrokenTemplate(file)) return { references: templateLineImages(file, () => 'yaml-image', true), problems: [] };
    const { documents, problems } = yamlSource(file);
    return { references: sortByPosition(documents.flatMap((document) => cloudBuildImages(file, document))), problems };
  },
};
