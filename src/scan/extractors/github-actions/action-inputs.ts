import { isTag } from '../../../core/image-ref.js';
import { isMap, isScalar, parse, type YAMLMap } from 'yaml';
import type { SourceFile } from '../../../core/source-file.js';
import type { Reference } from '../../../core/types.js';
import { makeReference } from '../../make-reference.js';
import { looksLikeImageText, scalarImage } from '../../yaml-image-fields.js';
import { mapGet, stringScalar } from '../../yaml-source.js';

/**
 * Inputs of well-known actions that name an image the step runs or installs: QEMU's binfmt image
 * (`docker/setup-qemu-action` `image`), the BuildKit image of a buildx builder (`image=` in
 * `docker/setup-buildx-action` `driver-opts`, also those of the nodes its `append` input adds), the image `addnab/docker-run-action` runs and the
 * node image a kind cluster boots (`helm/kind-action` `node_image`, `engineerd/setup-kind` `image`), the
 * Renovate image `renovatebot/github-action` runs (`renovate-image` + `renovate-version`).
 * Inputs of other actions are not read: an `image` input elsewhere is as often an image the job builds.
 */
const IMAGE_INPUTS: ReadonlyMap<string, string> = new Map([
  ['docker/setup-qemu-action', 'image'],
  ['addnab/docker-run-action', 'image'],
  ['helm/kind-action', 'node_image'],
  ['container-tools/kind-action', 'node_image'],
  ['engineerd/setup-kind', 'image'],
]);

const BUILDX_ACTION = 'docker/setup-buildx-action';

const RENOVATE_ACTION = 'renovatebot/github-action';

/**
 * Renovate's action runs `renovate-image` at the tag `renovate-version` (`ghcr.io/renovatebot/renovate` +
 * `39-full`): one reference, edited in both inputs. Without a version the action picks its own tag.
 */
function renovateImage(file: SourceFile, inputs: YAMLMap): Reference[] {
  const image = stringScalar(mapGet(inputs, 'renovate-image'), file);
  const versionNode = mapGet(inputs, 'renovate-version');
  const version =
    isScalar(versionNode) && typeof versionNode.value === 'number' && versionNode.range
      ? { value: file.text.slice(versionNode.range[0], versionNode.range[1]), start: versionNode.range[0], end: versionNode.range[1], literal: true }
      : stringScalar(versionNode, file);
  if (!image || !looksLikeImageText(image.value)) return [];
  if (!version || !isTag(version.value) || /[:@]/.test(image.value.slice(image.value.lastIndexOf('/') + 1))) {
    const reference = scalarImage(file, mapGet(inputs, 'renovate-image'), 'yaml-image');
    return reference ? [reference] : [];
  }
  const reference = makeReference(file, {
    kind: 'yaml-image',
    value: `${image.value}:${version.value}`,
    parts: [
      { role: 'repository', start: image.start, end: image.end },
      { role: 'tag', start: version.start, end: version.end },
    ],
    ...(image.literal && version.literal ? {} : { skip: 'unsupported-quoting' as const }),
  });
  return [reference];
}

/** `owner/name` of `uses: owner/name@ref` (a path inside the repository, `owner/name/sub@ref`, keeps its first two parts). */
function actionName(uses: unknown): string | null {
  if (!isScalar(uses) || typeof uses.value !== 'string') return null;
  const match = /^([\w.-]+\/[\w.-]+)(?:\/[^@]*)?@/.exec(uses.value);
  return match?.[1]?.toLowerCase() ?? null;
}

/**
 * `image=moby/buildkit:v0.18.2` among the driver options, written on one line (`image=…,network=host`)
 * or one option a line in a block. Each is edited where it stands; an escaped or folded value is not read.
 * An option written `image=${{ env.NAME }}` takes the value an `env` map of `envs` (nearest first) sets, reported
 * where that value is written, once in a file (`envTaken`), as for the other inputs.
 */
function driverOptionImages(file: SourceFile, node: unknown, envs: readonly unknown[], envTaken: Set<number>): Reference[] {
  if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return [];
  const [start, end] = node.range;
  const source = file.text.slice(start, end);
  const references: Reference[] = [];
  const option = /(^|[\s,"'])image=([^\s,"']+)/g;
  for (let match = option.exec(source); match; match = option.exec(source)) {
    const value = match[2] ?? '';
    // Only what the value really holds: the same text must be an option of the parsed string.
    if (!node.value.split(/[\s,]+/).includes(`image=${value}`) || value.includes('${{') || !looksLikeImageText(value)) continue;
    const at = start + match.index + (match[1] ?? '').length + 'image='.length;
    references.push(makeReference(file, { kind: 'yaml-image', value, parts: [{ role: 'reference', start: at, end: at + value.length }] }));
  }
  const line = file.position(start).line;
  for (const match of node.value.matchAll(ENV_OPTION)) {
    const name = match[2] ?? '';
    const reference = envImage(file, name, envs, envTaken, `the driver-opts input of ${BUILDX_ACTION} (line ${line}) takes it as image=\${{ env.${name} }}`);
    if (reference) references.push(reference);
  }
  return references;
}

/**
 * The `driver-opts` of the builder nodes the `append` input adds, a YAML list written as a string (`- endpoint: ssh://arm-builder`
 * + `driver-opts: [image=moby/buildkit:v0.19.0]`): each option, or null when the string is not such a list.
 */
function appendedDriverOptions(text: string): Set<string> | null {
  let nodes: unknown;
  try {
    nodes = parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(nodes)) return null;
  const options = new Set<string>();
  for (const node of nodes) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) continue;
    const opts: unknown = (node as Record<string, unknown>)['driver-opts'];
    for (const item of Array.isArray(opts) ? opts : [opts]) {
      if (typeof item === 'string') for (const option of item.split(/[\s,]+/)) options.add(option);
    }
  }
  return options;
}

/**
 * `image=moby/buildkit:v0.19.0` in the `driver-opts` of a node the `append` input adds to the builder (a remote
 * endpoint for another platform): the BuildKit image of that node, as the action's own `driver-opts` names the first
 * node's. Each is edited where it stands in the block; an option from an expression is not read.
 */
function appendedNodeImages(file: SourceFile, node: unknown): Reference[] {
  if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return [];
  const options = appendedDriverOptions(node.value);
  if (options === null) return [];
  const [start, end] = node.range;
  const source = file.text.slice(start, end);
  const references: Reference[] = [];
  const option = /(^|[\s,"'[])image=([^\s,"'\]]+)/g;
  for (let match = option.exec(source); match; match = option.exec(source)) {
    const value = match[2] ?? '';
    const lineStart = source.lastIndexOf('\n', match.index) + 1;
    // A comment line of the block (`# - image=…`) sets nothing.
    if (source.slice(lineStart, match.index).trimStart().startsWith('#')) continue;
    if (!options.has(`image=${value}`) || value.includes('${{') || !looksLikeImageText(value)) continue;
    const at = start + match.index + (match[1] ?? '').length + 'image='.length;
    references.push(makeReference(file, { kind: 'yaml-image', value, parts: [{ role: 'reference', start: at, end: at + value.length }] }));
  }
  return references;
}

/** The input nodes of one step that name an image as a whole value (`node_image: ${{ matrix.node }}` makes `node` an image axis). */
export function imageInputNodes(step: YAMLMap): unknown[] {
  const action = actionName(mapGet(step, 'uses'));
  const inputs = mapGet(step, 'with');
  if (action === null || !isMap(inputs)) return [];
  const key = action === RENOVATE_ACTION ? 'renovate-image' : IMAGE_INPUTS.get(action);
  return key === undefined ? [] : [mapGet(inputs, key)];
}

/** `${{ env.kind-image }}`: an input that is one variable of the `env` context, as a whole. */
const ENV_USE = /^\s*\$\{\{\s*env\.([A-Za-z_][\w-]*)\s*\}\}\s*$/;

/** `image=${{ env.buildkit-image }}`: a driver option whose value is one variable of the `env` context, as a whole. */
const ENV_OPTION = /(^|[\s,])image=\$\{\{\s*env\.([A-Za-z_][\w-]*)\s*\}\}(?=$|[\s,])/g;

/**
 * The value an `${{ env.NAME }}` input takes: the `env` map of the step, else of its job, else of the workflow (the
 * first in `envs` that sets the name), when that value is written there as a plain string.
 */
function envValue(node: unknown, envs: readonly unknown[]): { node: unknown; name: string } | null {
  if (!isScalar(node) || typeof node.value !== 'string') return null;
  const name = ENV_USE.exec(node.value)?.[1];
  return name === undefined ? null : envNamed(name, envs);
}

/** The `env` value of that name in the first of `envs` that sets it, when written there as a plain string. */
function envNamed(name: string, envs: readonly unknown[]): { node: unknown; name: string } | null {
  for (const env of envs) {
    if (!isMap(env)) continue;
    const value = mapGet(env, name);
    if (value === undefined) continue;
    return isScalar(value) && typeof value.value === 'string' && !value.value.includes('${{') ? { node: value, name } : null;
  }
  return null;
}

/**
 * The images named by the `with:` inputs of one step, if its action is one of the known ones. An input written as
 * `${{ env.NAME }}` is the value the step's, job's or workflow's `env` gives it (`envs`, nearest first): reported where
 * that value is written, the detail naming the use; once in a file (`envTaken`: the values reported already).
 */
export function actionInputImages(file: SourceFile, step: YAMLMap, envs: readonly unknown[] = [], envTaken = new Set<number>()): Reference[] {
  const action = actionName(mapGet(step, 'uses'));
  const inputs = mapGet(step, 'with');
  if (action === null || !isMap(inputs)) return [];
  if (action === BUILDX_ACTION) {
    return [...driverOptionImages(file, mapGet(inputs, 'driver-opts'), [mapGet(step, 'env'), ...envs], envTaken), ...appendedNodeImages(file, mapGet(inputs, 'append'))];
  }
  if (action === RENOVATE_ACTION) return renovateImage(file, inputs);
  const key = IMAGE_INPUTS.get(action);
  if (key === undefined) return [];
  const input = mapGet(inputs, key);
  const fromEnv = envValue(input, [mapGet(step, 'env'), ...envs]);
  if (fromEnv !== null) {
    const line = isScalar(input) && input.range ? file.position(input.range[0]).line : null;
    const reference = envImage(file, fromEnv.name, [mapGet(step, 'env'), ...envs], envTaken, `the ${key} input of ${action}${line === null ? '' : ` (line ${line})`} takes it as env.${fromEnv.name}`);
    return reference ? [reference] : [];
  }
  const reference = scalarImage(file, input, 'yaml-image');
  return reference ? [reference] : [];
}

/** The image an `env` value of that name gives a use (`use`, the detail), reported where the value is written, once in a file. */
function envImage(file: SourceFile, name: string, envs: readonly unknown[], envTaken: Set<number>, use: string): Reference | null {
  const fromEnv = envNamed(name, envs);
  if (fromEnv === null) return null;
  const at = isScalar(fromEnv.node) ? fromEnv.node.range?.[0] : undefined;
  if (at !== undefined && envTaken.has(at)) return null;
  if (at !== undefined) envTaken.add(at);
  const reference = scalarImage(file, fromEnv.node, 'yaml-image');
  return reference ? { ...reference, detail: [reference.detail, use].filter(Boolean).join('; ') } : null;
}
