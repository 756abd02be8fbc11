import { isMap, isScalar, isSeq, type YAMLMap } from 'yaml';
import type { SourceFile } from '../../../core/source-file.js';
import type { Reference } from '../../../core/types.js';
import { parseJson, type JsonNode } from '../../json-positions.js';
import { isBuildPushAction } from '../../build-push-actions.js';
import { makeReference } from '../../make-reference.js';
import { looksLikeImageText } from '../../yaml-image-fields.js';
import { mapEntries, mapGet, stringScalar } from '../../yaml-source.js';

/**
 * Matrix values written as JSON object strings (`info: ['{ "name": "web", "base": "registry.example.test/base/os:1.2" }', …]`),
 * read by the job through `${{ fromJSON(matrix.info).base }}`. A member is an image when the job's container or a service
 * runs it as its whole image (whatever its values look like), or when a `docker/build-push-action` step passes it as the
 * whole value of a build argument (`BASE_IMAGE=${{ fromJSON(matrix.info).base }}`) whose name or the member's holds the
 * word `image`, and the value is written as an image, with a tag, a digest or a registry path. Each value is reported
 * inside its string, where it is written, and edited there (the JSON around it kept as it is); a string written with
 * escapes (its JSON, or its YAML quoting) is not read.
 */

const FROM_JSON_USE = /^\s*\$\{\{\s*fromjson\(\s*matrix\.([A-Za-z_][\w-]*)\s*\)\.([A-Za-z_][\w-]*)\s*\}\}\s*$/i;

interface MemberUse {
  readonly axis: string;
  readonly member: string;
  /** Run as a container's or service's image: its values are images whatever they look like. */
  readonly run: boolean;
}

function fromJsonUse(text: unknown): { axis: string; member: string } | null {
  if (typeof text !== 'string') return null;
  const match = FROM_JSON_USE.exec(text);
  return match?.[1] !== undefined && match[2] !== undefined ? { axis: match[1], member: match[2] } : null;
}

/** The JSON members a job reads as images, from its container, its services and the build arguments of its build steps. */
function memberUses(job: YAMLMap, steps: readonly YAMLMap[]): MemberUse[] {
  const uses: MemberUse[] = [];
  const runAt = (node: unknown): void => {
    const use = isScalar(node) ? fromJsonUse(node.value) : null;
    if (use) uses.push({ ...use, run: true });
  };
  const container = mapGet(job, 'container');
  runAt(isMap(container) ? mapGet(container, 'image') : container);
  const services = mapGet(job, 'services');
  if (isMap(services)) for (const [, service] of mapEntries(services)) if (isMap(service)) runAt(mapGet(service, 'image'));
  for (const step of steps) {
    const action = mapGet(step, 'uses');
    const inputs = mapGet(step, 'with');
    if (!isScalar(action) || typeof action.value !== 'string' || !isBuildPushAction(action.value) || !isMap(inputs)) continue;
    const args = mapGet(inputs, 'build-args');
    if (!isScalar(args) || typeof args.value !== 'string') continue;
    for (const line of args.value.split('\n')) {
      const equals = line.indexOf('=');
      if (equals <= 0) continue;
      const name = line.slice(0, equals).trim();
      const use = fromJsonUse(line.slice(equals + 1));
      if (use && (/image/i.test(name) || /image/i.test(use.member))) uses.push({ ...use, run: false });
    }
  }
  return uses;
}

/** The string scalars an axis lists: its own items, and the axis's values in `include` entries. */
function axisItems(matrix: YAMLMap, axis: string): unknown[] {
  const items: unknown[] = [];
  const own = mapGet(matrix, axis);
  if (isSeq(own)) items.push(...own.items);
  else if (own !== undefined) items.push(own);
  const include = mapGet(matrix, 'include');
  if (isSeq(include)) for (const entry of include.items) if (isMap(entry) && mapGet(entry, axis) !== undefined) items.push(mapGet(entry, axis));
  return items;
}

function member(node: JsonNode, key: string): JsonNode | undefined {
  return node.type === 'object' ? node.entries.filter((entry) => entry.key === key).at(-1)?.value : undefined;
}

/** The images of one job's matrix values written as JSON object strings; `steps` are the job's steps. */
export function jsonMatrixImages(file: SourceFile, job: YAMLMap, steps: readonly YAMLMap[]): Reference[] {
  const strategy = mapGet(job, 'strategy');
  const matrix = isMap(strategy) ? mapGet(strategy, 'matrix') : undefined;
  if (!isMap(matrix)) return [];
  const uses = memberUses(job, steps);
  if (uses.length === 0) return [];
  const references: Reference[] = [];
  const taken = new Set<number>();
  for (const use of uses) {
    for (const item of axisItems(matrix, use.axis)) {
      const scalar = stringScalar(item, file);
      if (!scalar || !scalar.literal || !scalar.value.trimStart().startsWith('{')) continue;
      let parsed: JsonNode;
      try {
        parsed = parseJson(scalar.value);
      } catch {
        continue;
      }
      const value = member(parsed, use.member);
      if (value?.type !== 'string' || value.raw !== value.value || !looksLikeImageText(value.value)) continue;
      const start = scalar.start + value.start;
      if (taken.has(start)) continue;
      const reference = makeReference(file, {
        kind: 'yaml-image',
        value: value.value,
        parts: [{ role: 'reference', start, end: scalar.start + value.end }],
        detail: `the "${use.member}" member of a matrix.${use.axis} value, read as fromJSON(matrix.${use.axis}).${use.member}`,
      });
      if (!use.run && (reference.image === null || (reference.image.tag === null && reference.image.digest === null && !reference.value.includes('/')))) continue;
      taken.add(start);
      references.push(reference);
    }
  }
  return references;
}
