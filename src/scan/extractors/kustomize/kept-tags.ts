import { isMap, isScalar, isSeq, Scalar, type YAMLMap } from 'yaml';
import type { SourceFile } from '../../../core/source-file.js';
import { writtenParts } from '../../../core/image-ref.js';
import { joinRelative } from '../compose/compose-extends.js';
import { mapGet, parseTextPart, stringScalar, yamlSource, type StringScalar } from '../../yaml-source.js';
import { blockBodyStart } from '../../literal-blocks.js';
import { baseName } from '../../yaml-image-fields.js';
import { folderOf } from '../../../core/repo-path.js';

/**
 * The tag an `images:` entry that sets only `newName` keeps. kustomize renames every container image of the
 * kustomization's resources written under the entry's `name` and leaves its tag as it is (`image:
 * quay.io/team/exporter:v1.8.2` with `- name: quay.io/team/exporter` + `newName: registry.example.test/mirror/exporter`
 * runs `registry.example.test/mirror/exporter:v1.8.2`). The resources are rendered as kustomize builds them, through
 * the kustomizations of the folders it lists (`resources`, `bases`, `components`), their patches and their own
 * `images:` entries, in order; a resource archpin cannot read (a remote one, a file outside the scan) adds nothing.
 */

export const FILE_NAMES: ReadonlySet<string> = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);

/** A field that kustomize reads as a string: numbers (`newTag: 1.20`) count as written. */
export function field(file: SourceFile, map: YAMLMap, key: string): StringScalar | null {
  const node = mapGet(map, key);
  if (!isScalar(node) || node.value === null || !node.range) return null;
  if (typeof node.value === 'number') {
    const [start, end] = node.range;
    return { value: file.text.slice(start, end), start, end, literal: true };
  }
  const scalar = stringScalar(node, file);
  return scalar && scalar.value !== '' ? scalar : null;
}

/** A container image of the rendered output: its name, tag and digest, and where its tag is written (`file:line`). */
interface Rendered {
  readonly name: string;
  readonly tag: string | null;
  readonly digest: string | null;
  readonly at: string;
}

/**
 * What an entry with `newName` only keeps: the one tag (and digest, when a base pins one) of the images it renames,
 * with the first place the tag is written; or, when they are written with different tags, each of them (`tags`: the
 * entry stays without a tag). An image it renames that has no tag leaves the entry as it is.
 */
export type KeptTag = { readonly tag: string; readonly digest: string | null; readonly at: string } | { readonly tags: readonly string[] };

/** Per kustomization file, per entry name: the tag it keeps. */
export type KeptTags = ReadonlyMap<string, ReadonlyMap<string, KeptTag>>;

/** Nesting beyond which a resource's YAML is not searched for containers. */
const MAX_DEPTH = 64;

function containerImages(file: SourceFile, root: unknown, into: Rendered[]): void {
  const walk = (node: unknown, depth: number): void => {
    if (depth > MAX_DEPTH) return;
    if (isSeq(node)) {
      for (const item of node.items) walk(item, depth + 1);
      return;
    }
    if (!isMap(node)) return;
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? pair.key.value : null;
      if ((key === 'containers' || key === 'initContainers') && isSeq(pair.value)) {
        for (const container of pair.value.items) {
          const image = isMap(container) ? mapGet(container, 'image') : undefined;
          if (!isScalar(image) || typeof image.value !== 'string' || !image.range) continue;
          const { name, named, at } = writtenParts(image.value);
          into.push({
            name,
            tag: named.length > name.length ? named.slice(name.length + 1) : null,
            digest: at === -1 ? null : image.value.slice(at + 1),
            at: `${file.path}:${file.position(image.range[0]).line}`,
          });
        }
      } else walk(pair.value, depth + 1);
    }
  };
  walk(root, 0);
}

/** The container images a patch written inline as a block (`patchesStrategicMerge: - |`, `patches: - patch: |`) sets. */
function inlinePatchImages(file: SourceFile, node: unknown, into: Rendered[]): void {
  if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return;
  if (node.type !== Scalar.BLOCK_LITERAL && node.type !== Scalar.BLOCK_FOLDED) return;
  const [start, end] = node.range;
  const from = blockBodyStart(file.text, start, end);
  if (from === null) return;
  for (const document of parseTextPart(file.text, from, end)) containerImages(file, document.contents, into);
}

/** Renders the container images of each kustomization that some entry needs, and records what each `newName`-only entry keeps. */
export function keptTags(files: readonly SourceFile[]): KeptTags {
  const byPath = new Map(files.map((file) => [file.path, file]));
  const kustomizationIn = (folder: string): SourceFile | undefined => {
    for (const name of FILE_NAMES) {
      const file = byPath.get(folder === '' ? name : `${folder}/${name}`);
      if (file) return file;
    }
    return undefined;
  };
  const kept = new Map<string, Map<string, KeptTag>>();
  const done = new Map<string, readonly Rendered[]>();
  const open = new Set<string>();

  const fileImages = (path: string, into: Rendered[]): void => {
    const file = byPath.get(path);
    if (file) {
      if (FILE_NAMES.has(baseName(path))) return;
      for (const document of yamlSource(file).documents) containerImages(file, document.contents, into);
      return;
    }
    const folder = kustomizationIn(path);
    if (folder) for (const image of render(folder)) into.push(image);
  };

  const render = (file: SourceFile): readonly Rendered[] => {
    const known = done.get(file.path);
    if (known) return known;
    if (open.has(file.path)) return [];
    open.add(file.path);
    const folder = folderOf(file.path);
    let root: YAMLMap | undefined;
    for (const document of yamlSource(file).documents) if (!root && isMap(document.contents)) root = document.contents;
    let images: Rendered[] = [];
    if (root) {
      for (const key of ['resources', 'bases', 'components']) {
        const list = mapGet(root, key);
        if (!isSeq(list)) continue;
        for (const item of list.items) {
          if (!isScalar(item) || typeof item.value !== 'string' || item.value.includes('\n')) continue;
          const path = joinRelative(folder, item.value);
          if (path !== null) fileImages(path, images);
        }
      }
      for (const key of ['patchesStrategicMerge', 'patches']) {
        const list = mapGet(root, key);
        if (!isSeq(list)) continue;
        for (const item of list.items) {
          const patch = isMap(item) ? mapGet(item, 'patch') : item;
          inlinePatchImages(file, patch, images);
          const path = isMap(item) ? mapGet(item, 'path') : item;
          if (isScalar(path) && typeof path.value === 'string' && !path.value.includes('\n')) {
            const joined = joinRelative(folder, path.value);
            if (joined !== null) fileImages(joined, images);
          }
        }
      }
      const entries = mapGet(root, 'images');
      const own = new Map<string, KeptTag>();
      if (isSeq(entries)) {
        for (const entry of entries.items) {
          if (!isMap(entry)) continue;
          const name = field(file, entry, 'name');
          if (!name) continue;
          const newName = field(file, entry, 'newName');
          const newTag = field(file, entry, 'newTag');
          const digest = field(file, entry, 'digest');
          const matched = images.filter((image) => image.name === name.value);
          const [first] = matched;
          if (newName && !newTag && !digest && first && !own.has(name.value) && matched.every((image) => image.tag !== null)) {
            const tags = [...new Set(matched.map((image) => `${image.tag ?? ''}${image.digest === null ? '' : `@${image.digest}`}`))];
            if (tags.length === 1 && first.tag !== null) own.set(name.value, { tag: first.tag, digest: first.digest, at: first.at });
            else own.set(name.value, { tags });
          }
          const tagAt = newTag ? `${file.path}:${file.position(newTag.start).line}` : null;
          images = images.map((image) => {
            if (image.name !== name.value) return image;
            const renamed = newName?.value ?? image.name;
            if (newTag && tagAt) return { name: renamed, tag: newTag.value, digest: digest?.value ?? null, at: tagAt };
            if (digest) return { name: renamed, tag: null, digest: digest.value, at: image.at };
            return { ...image, name: renamed };
          });
        }
      }
      if (own.size > 0) kept.set(file.path, own);
    }
    open.delete(file.path);
    done.set(file.path, images);
    return images;
  };

  for (const file of files) {
    if (FILE_NAMES.has(baseName(file.path)) && file.text.includes('newName')) render(file);
  }
  return kept;
}
