import { isMap, isScalar, type YAMLMap } from 'yaml';
import type { SourceFile } from '../core/source-file.js';
import type { Reference } from '../core/types.js';
import { isJsonCandidate } from './json-candidate.js';
import { mapGet, walkMaps, yamlSource } from './yaml-source.js';

/**
 * Parts of a YAML or JSON file that record what ran, as a cluster answered for it, instead of saying what to run.
 *
 * An object as the API server returns it (`kubectl get -o yaml`, a client's test data, an export) carries the
 * metadata only the server sets: its `uid`, the `resourceVersion` of its last change and its `creationTimestamp`.
 * Nothing applies such a record as written (the server refuses to create an object that sets a `resourceVersion`),
 * and its images (the spec's and `status.containerStatuses`) only tell what ran once. The three together mark it,
 * wherever it stands: a document, an item of a `List`, a record kept in a map or a list of a test's store. A
 * manifest that keeps one of them (`creationTimestamp: null`, written by generators) is read as before.
 */

/** The `[start, end)` offsets in `file.text` of the records a YAML or JSON file holds; empty for any other file. */
export function observedRanges(file: SourceFile): Array<[number, number]> {
  if (!/\.ya?ml$/i.test(file.path) && !isJsonCandidate(file.path)) return [];
  const text = file.text;
  if (!text.includes('resourceVersion') || !text.includes('creationTimestamp')) return [];
  const ranges: Array<[number, number]> = [];
  for (const document of yamlSource(file).documents) {
    walkMaps(document.contents, (map) => {
      if (!isServerRecord(map) || !map.range) return undefined;
      ranges.push([map.range[0], map.range[1]]);
      return 'skip';
    });
  }
  return ranges;
}

/** Is the reference written inside one of the ranges (its first span in the file itself)? */
export function isInRanges(reference: Reference, file: SourceFile, ranges: ReadonlyArray<readonly [number, number]>): boolean {
  const span = reference.spans.find((candidate) => candidate.file === undefined);
  if (span === undefined) return false;
  const at = span.start - file.base;
  return ranges.some(([start, end]) => at >= start && at < end);
}

/** A scalar written with a value: a non-empty string or a number (not `null`, not `""`). */
function written(node: unknown): boolean {
  if (!isScalar(node)) return false;
  const { value } = node;
  return (typeof value === 'string' && value.trim() !== '') || typeof value === 'number';
}

/** A Kubernetes object whose metadata holds the `uid`, `resourceVersion` and `creationTimestamp` the server gave it. */
function isServerRecord(map: YAMLMap): boolean {
  const apiVersion = mapGet(map, 'apiVersion');
  const kind = mapGet(map, 'kind');
  if (!isScalar(apiVersion) || typeof apiVersion.value !== 'string' || !isScalar(kind) || typeof kind.value !== 'string') return false;
  const metadata = mapGet(map, 'metadata');
  return isMap(metadata) && written(mapGet(metadata, 'uid')) && written(mapGet(metadata, 'resourceVersion')) && written(mapGet(metadata, 'creationTimestamp'));
}
