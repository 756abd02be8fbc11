import { isMap, isScalar, type YAMLMap } from 'yaml';
import type { SourceFile } from '../core/source-file.js';
import type { Reference, ReferenceKind } from '../core/types.js';
import { makeReference } from './make-reference.js';
import { scalarImage } from './yaml-image-fields.js';
import { mapEntries, mapGet, stringScalar, walkMaps } from './yaml-source.js';

/**
 * Ansible tasks that pull an image: the `name` of `docker_image` (`community.docker.docker_image`),
 * `docker_image_pull` and `podman_image` (`containers.podman.podman_image`), with its `tag` when the
 * name has none (`name: quay.io/coreos/etcd` + `tag: v3.5.27`, edited in both places). A task that
 * builds (`build`, `path`, `source: build`), loads or keeps a local image (`source: load|local`,
 * `load_path`, `pull: false`), pushes one (`push: true`) or removes one (`state: absent`) pulls nothing:
 * its name is the image it makes, sends or drops.
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

function pulledImage(file: SourceFile, args: YAMLMap, kind: ReferenceKind): Reference | null {
  const reference = scalarImage(file, mapGet(args, 'name'), kind);
  if (!reference || reference.skip !== 'no-tag') return reference;
  const name = stringScalar(mapGet(args, 'name'), file);
  const tagNode = mapGet(args, 'tag');
  const tag =
    isScalar(tagNode) && typeof tagNode.value === 'number' && tagNode.range
      ? { value: file.text.slice(tagNode.range[0], tagNode.range[1]), start: tagNode.range[0], end: tagNode.range[1], literal: true }
      : stringScalar(tagNode, file);
  if (!name || !tag || tag.value === '' || !/^[\w][\w.-]{0,127}$/.test(tag.value)) return reference;
  return makeReference(file, {
    kind,
    value: `${name.value}:${tag.value}`,
    parts: [
      { role: 'repository', start: name.start, end: name.end },
      { role: 'tag', start: tag.start, end: tag.end },
    ],
    ...(name.literal && tag.literal ? {} : { skip: 'unsupported-quoting' as const }),
  });
}

/** The images Ansible image modules pull in the document under `root`. */
export function ansiblePulledImages(file: SourceFile, root: unknown, kind: ReferenceKind): Reference[] {
  const references: Reference[] = [];
  walkMaps(root, (map) => {
    for (const [key, args] of mapEntries(map)) {
      if (!PULL_MODULE.test(key) || !isMap(args) || !pulls(key, args)) continue;
      const reference = pulledImage(file, args, kind);
      if (reference) references.push(reference);
    }
    return undefined;
  });
  return references;
}
