import { isMap, isScalar, isSeq } from 'yaml';
import type { SourceFile } from '../../core/source-file.js';
import type { Reference } from '../../core/types.js';
import { mapEntries, mapGet } from '../yaml-source.js';
import { baseName, scalarImage } from './yaml-image-fields.js';

/**
 * GitHub Actions: workflow `jobs.*.container` (a string or `.image`), `jobs.*.services.*.image`,
 * `docker://` steps; action metadata `runs.image` and its `docker://` steps.
 */

const WORKFLOW = /(^|\/)\.github\/workflows\/[^/]+\.ya?ml$/i;

export function isGithubWorkflow(path: string): boolean {
  return WORKFLOW.test(path);
}

export function isGithubAction(path: string): boolean {
  return /^action\.ya?ml$/.test(baseName(path));
}

/** `docker://alpine:3.20`: a step or action that runs an image (not `Dockerfile`, not an action path). */
function dockerScheme(node: unknown): boolean {
  return isScalar(node) && typeof node.value === 'string' && node.value.startsWith('docker://');
}

function stepImages(file: SourceFile, steps: unknown): Reference[] {
  if (!isSeq(steps)) return [];
  const references: Reference[] = [];
  for (const step of steps.items) {
    if (!isMap(step)) continue;
    const uses = mapGet(step, 'uses');
    const reference = dockerScheme(uses) ? scalarImage(file, uses, 'yaml-image') : null;
    if (reference) references.push(reference);
  }
  return references;
}

export function workflowImages(file: SourceFile, root: unknown): Reference[] {
  if (!isMap(root)) return [];
  const jobs = mapGet(root, 'jobs');
  if (!isMap(jobs)) return [];
  const references: Reference[] = [];
  for (const [, job] of mapEntries(jobs)) {
    if (!isMap(job)) continue;
    const container = mapGet(job, 'container');
    const containerImage = isMap(container) ? mapGet(container, 'image') : container;
    const fromContainer = scalarImage(file, containerImage, 'yaml-image');
    if (fromContainer) references.push(fromContainer);
    const services = mapGet(job, 'services');
    if (isMap(services)) {
      for (const [, service] of mapEntries(services)) {
        if (!isMap(service)) continue;
        const reference = scalarImage(file, mapGet(service, 'image'), 'yaml-image');
        if (reference) references.push(reference);
      }
    }
    references.push(...stepImages(file, mapGet(job, 'steps')));
  }
  return references;
}

export function actionImages(file: SourceFile, root: unknown): Reference[] {
  if (!isMap(root)) return [];
  const runs = mapGet(root, 'runs');
  if (!isMap(runs)) return [];
  const references: Reference[] = [];
  const image = mapGet(runs, 'image');
  const reference = dockerScheme(image) ? scalarImage(file, image, 'yaml-image') : null;
  if (reference) references.push(reference);
  references.push(...stepImages(file, mapGet(runs, 'steps')));
  return references;
}
