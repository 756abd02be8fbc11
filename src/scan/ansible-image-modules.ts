import { isTag, isTemplated } from '../core/image-ref.js';
import { isMap, isScalar, isSeq, type YAMLMap } from 'yaml';
import type { SourceFile } from '../core/source-file.js';
import type { Reference, ReferenceKind } from '../core/types.js';
import { makeReference } from './make-reference.js';
import { scalarImage } from './yaml-image-fields.js';
import { mapEntries, mapGet, stringScalar, walkMaps } from './yaml-source.js';

/**
 * Ansible tasks that pull an image: the `name` of `docker_image` (`community.docker.docker_image`),
 * `docker_image_pull` and `podman_image` (`containers.podman.podman_image`), with its `tag` when the
 * name has none (`name: quay.io/coreos/etcd` + `tag: v3.5.27`, edited in both places; a tag written as a template,
 * `tag: "{{ etcd_version }}"`, leaves it `templated`). A task that
 * builds (`build`, `path`, `source: build`), loads or keeps a local image (`source: load|local`,
 * `load_path`, `pull: false`), pushes one (`push: true`) or removes one (`state: absent`) pulls nothing:
 * its name is the image it makes, sends or drops.
 *
 * A task whose name is the loop item (`name: "{{ item }}"`) pulls each image of its `loop:` or
 * `with_items:` list, reported where each one is written: in the task, or, for a loop over one variable
 * (`loop: "{{ images_to_pull }}"`), in the role's defaults or vars that set it (`roleLoopVariables`).
 */

const PULL_MODULE = /^(?:(?:community\.docker|containers\.podman)\.)?(?:docker_image|docker_image_pull|podman_image)$/;

function text(map: YAMLMap, key: string): string | null {
  const node = mapGet(map, key);
  return isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'boolean') ? String(node.value) : null;
}

function pulls(module: string, args: YAMLMap): boolean {
  if (module.endsWith('docker_image_pull')) return true;
  if (mapGet(args, 'build') !== undefined || mapGet(args, 'path') !== undefined || mapGet(args, 'load_path') !== undefined) return false;
  // `pull: false` and `push: true` work on an image that is already local (a push sends it elsewhere).
  if (text(args, 'pull') === 'false' || text(args, 'push') === 'true') return false;
  const source = text(args, 'source');
  if (source !== null && source !== 'pull') return false;
  const state = text(args, 'state');
  return state === null || state === 'present';
}

/** Modules that only work on an image already on the host: the argument that names it. */
const LOCAL_IMAGE_MODULES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(?:community\.docker\.)?docker_image_(?:push|remove|tag|export|info)$/, 'name'],
  [/^(?:containers\.podman\.)?podman_image_info$/, 'name'],
  [/^(?:containers\.podman\.)?podman_(?:save|tag)$/, 'image'],
];
const BUILD_MODULE = /^(?:community\.docker\.)?docker_image_build$/;

/**
 * A task that makes an image or works on one already on the host, and the argument that names it: `builds` when the
 * task builds that image (`docker_image` with `build`/`source: build`, `podman_image` with `state: build`,
 * `docker_image_build`); otherwise it pushes, removes, tags, saves or inspects it. Null for any other task.
 */
export function localImageTask(module: string, args: YAMLMap): { readonly key: string; readonly builds: boolean } | null {
  if (BUILD_MODULE.test(module)) return { key: 'name', builds: true };
  for (const [pattern, key] of LOCAL_IMAGE_MODULES) if (pattern.test(module)) return { key, builds: false };
  if (!PULL_MODULE.test(module) || module.endsWith('docker_image_pull') || pulls(module, args)) return null;
  const builds = mapGet(args, 'build') !== undefined || mapGet(args, 'path') !== undefined || text(args, 'source') === 'build' || text(args, 'state') === 'build';
  return { key: 'name', builds };
}

function pulledImage(file: SourceFile, args: YAMLMap, kind: ReferenceKind): Reference | null {
  const reference = scalarImage(file, mapGet(args, 'name'), kind);
  if (!reference || reference.skip !== 'no-tag') return reference;
  const name = stringScalar(mapGet(args, 'name'), file);
  const tagNode = mapGet(args, 'tag');
  const tag =
    isScalar(tagNode) && typeof tagNode.value === 'number' && tagNode.range
      ? { value: file.text.slice(tagNode.range[0], tagNode.range[1]), start: tagNode.range[0], end: tagNode.range[1], literal: true }
      : stringScalar(tagNode, file);
  if (!name || !tag || tag.value === '') return reference;
  // A tag written as a template (`tag: "{{ exporter_version }}"`) is the image's tag all the same, set elsewhere.
  const templated = !isTag(tag.value) && isTemplated(tag.value);
  if (!isTag(tag.value) && !templated) return reference;
  return makeReference(file, {
    kind,
    value: `${name.value}:${tag.value}`,
    parts: [
      { role: 'repository', start: name.start, end: name.end },
      { role: 'tag', start: tag.start, end: tag.end },
    ],
    ...(templated ? { skip: 'templated' as const } : name.literal && tag.literal ? {} : { skip: 'unsupported-quoting' as const }),
  });
}

/** `"{{ item }}"`: the task runs once per item of its loop. */
const LOOP_ITEM = /^\{\{\s*item\s*\}\}$/;
/** `"{{ images_to_pull }}"`: a loop over the list one variable holds. */
const ONE_VARIABLE = /^\{\{\s*([A-Za-z_]\w*)\s*\}\}$/;
const LOOP_KEYS = ['loop', 'with_items'] as const;

/** The pull tasks of the document under `root`: the task map, the module's arguments, and whether it pulls its loop's items. */
function pullTasks(root: unknown, visit: (task: YAMLMap, module: string, args: YAMLMap, looped: boolean) => void): void {
  walkMaps(root, (map) => {
    for (const [key, args] of mapEntries(map)) {
      if (!PULL_MODULE.test(key) || !isMap(args) || !pulls(key, args)) continue;
      const name = mapGet(args, 'name');
      visit(map, key, args, isScalar(name) && typeof name.value === 'string' && LOOP_ITEM.test(name.value));
    }
    return undefined;
  });
}

/** The images Ansible image modules pull in the document under `root`. */
export function ansiblePulledImages(file: SourceFile, root: unknown, kind: ReferenceKind): Reference[] {
  const references: Reference[] = [];
  pullTasks(root, (task, _module, args, looped) => {
    if (!looped) {
      const reference = pulledImage(file, args, kind);
      if (reference) references.push(reference);
      return;
    }
    for (const key of LOOP_KEYS) {
      const list = mapGet(task, key);
      if (isSeq(list)) for (const reference of listImages(file, list.items, kind)) references.push(reference);
    }
  });
  return references;
}

/** Each string of a list that is an image, at its own line. */
export function listImages(file: SourceFile, items: readonly unknown[], kind: ReferenceKind): Reference[] {
  const references: Reference[] = [];
  for (const item of items) {
    const reference = scalarImage(file, item, kind);
    if (reference) references.push(reference);
  }
  return references;
}

/** The variables whose lists the pull tasks of the document under `root` loop over (`loop: "{{ images_to_pull }}"`). */
export function loopedVariables(root: unknown): string[] {
  const names: string[] = [];
  pullTasks(root, (task, _module, _args, looped) => {
    if (!looped) return;
    for (const key of LOOP_KEYS) {
      const list = mapGet(task, key);
      const name = isScalar(list) && typeof list.value === 'string' ? ONE_VARIABLE.exec(list.value)?.[1] : undefined;
      if (name !== undefined) names.push(name);
    }
  });
  return names;
}
