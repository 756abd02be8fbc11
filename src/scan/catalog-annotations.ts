import { isMap, isScalar, type Document } from 'yaml';
import type { Reference } from '../core/types.js';
import { withoutSpansIn } from './observed-records.js';
import { mapAt, mapGet } from './yaml-source.js';

type Range = [number, number];

/** An OLM ClusterServiceVersion (`operators.coreos.com/…`, `kind: ClusterServiceVersion`). */
function isClusterServiceVersion(root: unknown): boolean {
  if (!isMap(root)) return false;
  const apiVersion = mapGet(root, 'apiVersion');
  const kind = mapGet(root, 'kind');
  return isScalar(apiVersion) && typeof apiVersion.value === 'string' && apiVersion.value.startsWith('operators.coreos.com/') && isScalar(kind) && kind.value === 'ClusterServiceVersion';
}

/** The range of a ClusterServiceVersion's `metadata.annotations` in one document. */
function annotationsRange(document: Document.Parsed): Range | null {
  if (!isClusterServiceVersion(document.contents)) return null;
  const annotations = mapAt(document.contents, 'metadata', 'annotations');
  return isMap(annotations) && annotations.range ? [annotations.range[0], annotations.range[1]] : null;
}

/**
 * The references of a file that are not in a ClusterServiceVersion's `metadata.annotations`. Those describe the
 * operator for a catalog to show: `containerImage` names its image on the OperatorHub page, and `alm-examples` holds
 * the sample objects the console offers to create. OLM pulls neither; it runs the deployments of `spec.install` and
 * lists `spec.relatedImages`, which are read as in any object.
 */
export function withoutCatalogAnnotations(references: Reference[], documents: readonly Document.Parsed[], base: number): Reference[] {
  if (references.length === 0) return references;
  return withoutSpansIn(
    references,
    documents.map(annotationsRange).filter((range): range is Range => range !== null),
    base,
  );
}
