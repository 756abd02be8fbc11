import { isMap, isScalar, isSeq, type YAMLMap } from 'yaml';
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
 * wherever it stands: a document, an item of a `List`, a record kept in a map or a list of a test's store (in a YAML file
 * that does not parse, a document told by its lines). A
 * manifest that keeps one of them (`creationTimestamp: null`, written by generators) is read as before. So is an object
 * whose `ownerReferences` name an owner without its `uid`: the server refuses such a reference, so nothing applies
 * the object as written; it is what a controller's code builds, kept as a test's expected output.
 *
 * A record a log collector writes for each line a container logs: the fields it adds for the container, flat
 * (`kubernetes_container_image` beside `kubernetes_container_id`) or in a map of their own (`kubernetes: {container_image,
 * container_id}`, or `docker_id`). The id is the runtime's (`cri-o://…`, `containerd://…`, 64 hex digits), given when the
 * container started: a file that holds it is output, and its image says what ran. And the labels of a metric's series
 * (`{__name__: container_cpu_usage_seconds_total, image: …, pod: …}`, a Prometheus answer kept as test data): the `image`
 * label is what the container that was measured ran.
 */

/** The `[start, end)` offsets in `file.text` of the records a YAML or JSON file holds; empty for any other file. */
export function observedRanges(file: SourceFile): Array<[number, number]> {
  if (!/\.ya?ml$/i.test(file.path) && !isJsonCandidate(file.path)) return [];
  const text = file.text;
  const checks: Array<(map: YAMLMap) => boolean> = [];
  if (text.includes('resourceVersion') && text.includes('creationTimestamp')) checks.push(isServerRecord);
  if (text.includes('ownerReferences')) checks.push(hasOwnerWithoutUid);
  if (text.includes('container_image') && (text.includes('container_id') || text.includes('docker_id'))) checks.push(isLogRecord);
  if (text.includes('__name__')) checks.push(isSeriesLabels);
  if (checks.length === 0) return [];
  const ranges: Array<[number, number]> = [];
  const { documents } = yamlSource(file);
  // A file that does not parse (a dump with a script pasted in at the wrong indentation) is read line by line for the
  // images it writes; its server records are known by their lines the same way.
  if (documents.length === 0 && checks.includes(isServerRecord) && /\.ya?ml$/i.test(file.path)) return serverRecordLines(text);
  for (const document of documents) {
    walkMaps(document.contents, (map) => {
      if (!map.range || !checks.some((check) => check(map))) return undefined;
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

/**
 * The references none of whose spans starts inside one of the ranges (`[start, end)` offsets in the file's text, after
 * its BOM, `base` being the byte offset of that text).
 */
export function withoutSpansIn(references: Reference[], ranges: ReadonlyArray<readonly [number, number]>, base: number): Reference[] {
  if (ranges.length === 0) return references;
  return references.filter((reference) => !reference.spans.some((span) => ranges.some(([start, end]) => span.start - base >= start && span.start - base < end)));
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

/** A key at the top of a document, or under `metadata:`, with the value written on its line. */
const KEY_LINE = /^( *)([A-Za-z]+):(?:[ \t]+(.*?))?[ \t]*(?:#.*)?$/;

/** A value the server wrote: anything but nothing, `null`, `~` or an empty quoted string. */
function writtenText(value: string | undefined): boolean {
  return value !== undefined && value !== '' && !/^(?:null|~|""|'')$/.test(value);
}

/**
 * The `[start, end)` offsets of the documents of a YAML file that does not parse which are, read line by line, objects as
 * the API server returned them: `apiVersion:` and `kind:` with values at the top, and under the top-level `metadata:` the
 * `uid:`, `resourceVersion:` and `creationTimestamp:` lines the server wrote, at the first indentation below it.
 */
function serverRecordLines(text: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let start = 0;
  let top = new Map<string, string | undefined>();
  let meta = new Map<string, string | undefined>();
  let inMetadata = false;
  let childIndent = -1;
  const close = (end: number): void => {
    const record = writtenText(top.get('apiVersion')) && writtenText(top.get('kind')) && ['uid', 'resourceVersion', 'creationTimestamp'].every((key) => writtenText(meta.get(key)));
    if (record) ranges.push([start, end]);
    top = new Map();
    meta = new Map();
    inMetadata = false;
    childIndent = -1;
  };
  let offset = 0;
  for (const line of text.split('\n')) {
    const lineStart = offset;
    offset += line.length + 1;
    const bare = line.replace(/\r$/, '');
    if (/^---(?:[ \t].*)?$/.test(bare)) {
      close(lineStart);
      start = lineStart;
      continue;
    }
    if (bare.trim() === '' || /^\s*#/.test(bare)) continue;
    const indent = bare.length - bare.trimStart().length;
    if (indent === 0) {
      const key = KEY_LINE.exec(bare);
      inMetadata = key?.[2] === 'metadata' && key[3] === undefined;
      if (key?.[2] !== undefined && !top.has(key[2])) top.set(key[2], key[3]);
      continue;
    }
    if (!inMetadata) continue;
    if (childIndent < 0) childIndent = indent;
    if (indent !== childIndent) continue;
    const key = KEY_LINE.exec(bare);
    if (key?.[2] !== undefined && !meta.has(key[2])) meta.set(key[2], key[3]);
  }
  close(text.length);
  return ranges;
}

/** A Kubernetes object whose `metadata.ownerReferences` holds an owner without its `uid` (none, or empty). */
function hasOwnerWithoutUid(map: YAMLMap): boolean {
  const apiVersion = mapGet(map, 'apiVersion');
  const kind = mapGet(map, 'kind');
  if (!isScalar(apiVersion) || typeof apiVersion.value !== 'string' || !isScalar(kind) || typeof kind.value !== 'string') return false;
  const metadata = mapGet(map, 'metadata');
  const owners = isMap(metadata) ? mapGet(metadata, 'ownerReferences') : undefined;
  return isSeq(owners) && owners.items.some((owner) => isMap(owner) && !written(mapGet(owner, 'uid')));
}

/** A container's id as the runtime gives it: `cri-o://`, `containerd://` or `docker://` and hex digits, or the hex alone. */
const RUNTIME_ID = /^(?:[a-z][a-z0-9-]*:\/\/)?[0-9a-f]{32,64}$/;
const CONTAINER_IMAGE_KEY = /^(.*?)container_image$/;

/** A log collector's record of a container: `<prefix>container_image` beside `<prefix>container_id` (or `docker_id`) holding the runtime's id. */
function isLogRecord(map: YAMLMap): boolean {
  for (const pair of map.items) {
    const key = isScalar(pair.key) && typeof pair.key.value === 'string' ? CONTAINER_IMAGE_KEY.exec(pair.key.value) : null;
    if (!key) continue;
    const prefix = key[1] ?? '';
    for (const idKey of [`${prefix}container_id`, `${prefix}docker_id`]) {
      const id = mapGet(map, idKey);
      if (isScalar(id) && typeof id.value === 'string' && RUNTIME_ID.test(id.value)) return true;
    }
  }
  return false;
}

/** A metric name, as Prometheus writes it. */
const METRIC_NAME = /^[A-Za-z_:][\w:]*$/;

/** The labels of a metric's series: a `__name__` label holding the metric's name beside the others. */
function isSeriesLabels(map: YAMLMap): boolean {
  const name = mapGet(map, '__name__');
  return isScalar(name) && typeof name.value === 'string' && METRIC_NAME.test(name.value);
}
