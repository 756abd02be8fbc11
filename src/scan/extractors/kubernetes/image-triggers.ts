import { isMap, isScalar, isSeq, type YAMLMap } from 'yaml';
import type { SourceFile } from '../../../core/source-file.js';
import type { Reference } from '../../../core/types.js';
import { mapAt as at, mapGet, scalarText } from '../../yaml-source.js';
import { isOpenShiftTemplate } from './openshift-template.js';

/**
 * OpenShift image triggers. A DeploymentConfig's `spec.triggers[]` of `type: ImageChange` with `automatic: true`
 * (`imageChangeParams: {containerNames: [db], from: {kind: ImageStreamTag, namespace: openshift, name: 'db:16'}}`), and
 * the `image.openshift.io/triggers` annotation of other workloads (JSON: `[{"from": {"kind": "ImageStreamTag", "name":
 * "web:latest"}, "fieldPath": "spec.template.spec.containers[?(@.name==\"web\")].image"}]`): OpenShift writes the image
 * the ImageStreamTag points to into the named containers, so what the manifest writes there (often the stream's bare
 * name, `image: db`) never runs. Such a container image is `overridden`, the detail naming the stream tag.
 */

const STREAM_KINDS = new Set(['ImageStreamTag', 'ImageStreamImage']);
const ANNOTATION = 'image.openshift.io/triggers';
/** `spec.template.spec.containers[?(@.name=="web")].image`: the path to the pod spec, the list and the container's name. */
const FIELD_PATH = /^((?:[A-Za-z]+\.)*[A-Za-z]+)\.(containers|initContainers)\[\?\(@\.name==(["'])([^"']+)\3\)\]\.image$/;

interface Trigger {
  /** The pod spec map holding the containers. */
  readonly podSpec: unknown;
  /** Container name → the stream the trigger takes its image from. */
  readonly containers: Map<string, string>;
}

/** `namespace/name` of a trigger's `from`, or null when it is not an image stream. */
function streamOf(from: { kind?: unknown; name?: unknown; namespace?: unknown }): string | null {
  if (typeof from.kind !== 'string' || !STREAM_KINDS.has(from.kind) || typeof from.name !== 'string' || from.name === '') return null;
  const namespace = typeof from.namespace === 'string' && from.namespace !== '' ? `${from.namespace}/` : '';
  return `${from.kind} ${namespace}${from.name}`;
}

/** The automatic ImageChange triggers of a DeploymentConfig. */
function deploymentConfigTrigger(object: YAMLMap): Trigger | null {
  if (scalarText(mapGet(object, 'kind')) !== 'DeploymentConfig') return null;
  const triggers = at(object, 'spec', 'triggers');
  if (!isSeq(triggers)) return null;
  const containers = new Map<string, string>();
  for (const trigger of triggers.items) {
    if (scalarText(at(trigger, 'type')) !== 'ImageChange') continue;
    const automatic = at(trigger, 'imageChangeParams', 'automatic');
    if (!isScalar(automatic) || automatic.value !== true) continue;
    const from = at(trigger, 'imageChangeParams', 'from');
    const stream = isMap(from) ? streamOf({ kind: scalarText(mapGet(from, 'kind')), name: scalarText(mapGet(from, 'name')), namespace: scalarText(mapGet(from, 'namespace')) }) : null;
    const names = at(trigger, 'imageChangeParams', 'containerNames');
    if (stream === null || !isSeq(names)) continue;
    for (const name of names.items) {
      const container = scalarText(name);
      if (container !== null) containers.set(container, stream);
    }
  }
  return containers.size === 0 ? null : { podSpec: at(object, 'spec', 'template', 'spec'), containers };
}

/** The triggers of an `image.openshift.io/triggers` annotation, by pod spec path; entries that are paused or unreadable are left out. */
function annotationTriggers(object: YAMLMap): Trigger[] {
  const written = scalarText(at(object, 'metadata', 'annotations', ANNOTATION));
  if (written === null) return [];
  let entries: unknown;
  try {
    entries = JSON.parse(written);
  } catch {
    return [];
  }
  if (!Array.isArray(entries)) return [];
  const byPath = new Map<string, Map<string, string>>();
  for (const entry of entries as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { from, fieldPath, paused } = entry as { from?: unknown; fieldPath?: unknown; paused?: unknown };
    if (paused === true || paused === 'true' || typeof from !== 'object' || from === null || typeof fieldPath !== 'string') continue;
    const stream = streamOf(from);
    const match = FIELD_PATH.exec(fieldPath);
    if (stream === null || !match?.[1] || !match[4]) continue;
    const containers = byPath.get(match[1]) ?? new Map<string, string>();
    containers.set(match[4], stream);
    byPath.set(match[1], containers);
  }
  return [...byPath].map(([path, containers]) => ({ podSpec: at(object, ...path.split('.')), containers }));
}

/**
 * Where the images that triggers replace are written: `line:column` of each such container's `image` value (inside its
 * quotes), with the stream it comes from. A template's `objects` are read each.
 */
export function triggeredImages(file: SourceFile, root: YAMLMap): Map<string, string> {
  const list = at(root, 'objects');
  const objects = isOpenShiftTemplate(root) ? (isSeq(list) ? list.items : []) : [root];
  const found = new Map<string, string>();
  for (const object of objects) {
    if (!isMap(object)) continue;
    const trigger = deploymentConfigTrigger(object);
    for (const { podSpec, containers } of [...(trigger ? [trigger] : []), ...annotationTriggers(object)]) {
      for (const listKey of ['containers', 'initContainers']) {
        const containerList = at(podSpec, listKey);
        if (!isSeq(containerList)) continue;
        for (const container of containerList.items) {
          const name = scalarText(at(container, 'name'));
          const stream = name === null ? undefined : containers.get(name);
          const image = at(container, 'image');
          if (stream === undefined || !isScalar(image) || !image.range) continue;
          const quoted = file.text[image.range[0]] === '"' || file.text[image.range[0]] === "'";
          const { line, column } = file.position(image.range[0] + (quoted ? 1 : 0));
          found.set(`${line}:${column}`, stream);
        }
      }
    }
  }
  return found;
}

/** A container image a trigger replaces: `overridden`, naming the stream (one a BuildConfig of the file builds stays `local-stage`). */
export function replacedByTrigger(reference: Reference, triggered: ReadonlyMap<string, string>): Reference {
  if (reference.skip === 'local-stage' || reference.skip === 'ignored' || reference.skip === 'overridden') return reference;
  const stream = triggered.get(`${reference.line}:${reference.column}`);
  if (stream === undefined) return reference;
  const detail = `not run: an OpenShift image trigger sets this container's image from the ${stream}`;
  return { ...reference, skip: 'overridden', detail: [reference.detail, detail].filter(Boolean).join('; ') };
}
