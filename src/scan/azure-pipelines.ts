import { isScalar, isSeq, type YAMLMap } from 'yaml';
import type { SourceFile } from '../core/source-file.js';
import type { Reference, ReferenceKind } from '../core/types.js';
import { scalarImage } from './yaml-image-fields.js';
import { mapGet, walkMaps } from './yaml-source.js';

/**
 * Azure Pipelines jobs run their steps in the image a job's `container` names, which the agent pulls before any step
 * runs (as a GitHub Actions job's `container` is): a job of a `jobs` list (`- job: unit` or `- deployment: web`, also
 * under a stage), or the whole pipeline when it is one job (`pool` and `steps` at the top). The string form is that image
 * (`container: registry.example.test/ci/runner:1.8.0`), reported and edited where it is written; the map form's `image`
 * is read as any `image` field.
 *
 * The string may also name a container resource instead (`resources.containers[].container: builder`, also one the
 * pipeline defines for a template it includes): a name without a registry, path, tag or digest is such an alias and
 * is not read, and a value that is one expression (`${{ parameters.container }}`, `$(runner)`) passes on an image
 * the caller gives.
 */

/** A value that is one template expression, runtime expression or macro and nothing else. */
const WHOLE_EXPRESSION = /^(?:\$\{\{(?:(?!\}\}).)*\}\}|\$\[(?:(?!\]).)*\]|\$\([^)]*\))$/s;

function isJob(map: YAMLMap, path: readonly string[]): boolean {
  if (path.length === 0) return mapGet(map, 'pool') !== undefined && isSeq(mapGet(map, 'steps'));
  return path.at(-2) === 'jobs' && (isScalar(mapGet(map, 'job')) || isScalar(mapGet(map, 'deployment')));
}

export function azureJobContainers(file: SourceFile, root: unknown, kind: ReferenceKind): Reference[] {
  const references: Reference[] = [];
  walkMaps(root, (map, path) => {
    if (!isJob(map, path)) return;
    const container = mapGet(map, 'container');
    if (!isScalar(container) || typeof container.value !== 'string') return;
    const value = container.value.trim();
    if (WHOLE_EXPRESSION.test(value) || !/[/:@]/.test(value)) return;
    const reference = scalarImage(file, container, kind);
    if (reference) references.push(reference);
  });
  return references;
}
