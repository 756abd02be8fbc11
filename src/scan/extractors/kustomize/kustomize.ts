import { isMap, isScalar, isSeq, Scalar, type YAMLMap } from 'yaml';
import type { SourceFile } from '../../../core/source-file.js';
import type { Reference } from '../../../core/types.js';
import { writtenParts } from '../../../core/image-ref.js';
import type { Extractor, ReplacedImage } from '../../extractor.js';
import { makeReference, type PartInput } from '../../make-reference.js';
import { joinRelative } from '../compose/compose-extends.js';
import { mapGet, parseTextPart, stringScalar, walkMaps, yamlSource, type StringScalar } from '../../yaml-source.js';
import { field, FILE_NAMES, keptTags, type KeptTag, type KeptTags } from './kept-tags.js';
import { folderOf } from '../../../core/repo-path.js';
import { jsonPatchImages } from '../../json-patch-images.js';
import { blockBodyStart } from '../../literal-blocks.js';
import { baseName, imageFields, isYamlPath, scalarImage } from '../../yaml-image-fields.js';
import { namedValueUse, namesPushTarget } from '../../tekton-params.js';

/**
 * kustomize `images:` overrides. The effective reference is `(newName ?? name):newTag[@digest]`;
 * spans: `repository` on newName (or on name when there is none), `tag` on newTag, `digest` on digest.
 * A placeholder in capitals (`newTag: CONTAINER_IMAGES_TAG`, `newName: REGISTRY_HOST/app`), which a
 * script replaces before kustomize runs, is not a reference. Inline patches (`patches: - patch: |`,
 * `patchesStrategicMerge: - |`) are read line by line: their `image:` lines are references.
 * A container image of a manifest that every kustomization listing the file replaces by name is not
 * what runs (`image: controller:latest` beside `images: - name: controller`): see `replacedImages`.
 */

/** `CONTAINER_IMAGES_TAG`: capitals joined by underscores, a word a script substitutes. */
const PLACEHOLDER = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;

/** An `image:` line inside a patch: indentation, an optional list dash, the key, an optional quote, the value. */
const PATCH_IMAGE_LINE = /^([ \t]*(?:-[ \t]+)?image:[ \t]*)(["']?)([^\s"'#]+)\2[ \t]*(?:#.*)?\r?$/;

const KINDS = new Set(['Kustomization', 'Component']);

function isKustomization(node: unknown): node is YAMLMap {
  if (!isMap(node)) return false;
  const kind = mapGet(node, 'kind');
  const apiVersion = mapGet(node, 'apiVersion');
  return (
    isScalar(kind) && typeof kind.value === 'string' && KINDS.has(kind.value) && isScalar(apiVersion) && typeof apiVersion.value === 'string' && apiVersion.value.startsWith('kustomize.config.k8s.io/')
  );
}

/**
 * Where a field the entry lacks would go: a new line after the line of `after` (`newTag`, or `newName` when the entry
 * has no `newTag`), indented like it. Only for an entry written one key per line (`- name: x` / `  newTag: 1.2`), not a flow map.
 */
function fieldSlot(file: SourceFile, after: StringScalar, key: 'newTag' | 'newName', role: 'tag' | 'digest'): PartInput | null {
  const text = file.text;
  const lineStart = text.lastIndexOf('\n', after.start - 1) + 1;
  const written = new RegExp(`^( *)(- +)?${key} *: *["']?$`).exec(text.slice(lineStart, after.start));
  if (!written) return null;
  let lineEnd = text.indexOf('\n', after.end);
  if (lineEnd === -1) lineEnd = text.length;
  const crlf = lineEnd > 0 && text[lineEnd - 1] === '\r';
  const at = crlf ? lineEnd - 1 : lineEnd;
  const indent = (written[1] ?? '') + ' '.repeat(written[2]?.length ?? 0);
  return { role, start: at, end: at, prefix: `${crlf ? '\r\n' : '\n'}${indent}${role === 'tag' ? 'newTag' : 'digest'}: ` };
}

/**
 * One `images:` entry (`name` + `newName` / `newTag` / `digest`): of a kustomization, or of a Flux `Kustomization`'s
 * `spec.images`. `kept`: for an entry with `newName` alone, the tag of the resources' images it renames, which kustomize
 * keeps: the reference is `newName:tag`, and an update writes new `newTag` and `digest` lines after `newName`.
 */
export function imageOverride(file: SourceFile, entry: YAMLMap, kept?: KeptTag): Reference | null {
  const name = field(file, entry, 'name');
  const newName = field(file, entry, 'newName');
  const newTag = field(file, entry, 'newTag');
  const digest = field(file, entry, 'digest');
  if (!name || (!newName && !newTag && !digest)) return null;
  if ((newTag && PLACEHOLDER.test(newTag.value)) || (newName && PLACEHOLDER.test(newName.value.split('/', 1)[0] ?? ''))) return null;
  const repository = newName ?? name;
  const parts: PartInput[] = [{ role: 'repository', start: repository.start, end: repository.end }];
  let value = repository.value;
  let detail: string | undefined;
  if (newTag) {
    parts.push({ role: 'tag', start: newTag.start, end: newTag.end });
    value += `:${newTag.value}`;
  }
  if (digest) {
    parts.push({ role: 'digest', start: digest.start, end: digest.end });
    value += `@${digest.value}`;
  } else if (newTag) {
    const slot = fieldSlot(file, newTag, 'newTag', 'digest');
    if (slot) parts.push(slot);
  } else if (newName && kept) {
    if ('tag' in kept) {
      value += `:${kept.tag}${kept.digest === null ? '' : `@${kept.digest}`}`;
      detail = `kustomize keeps the tag of ${name.value} (${kept.at})`;
      const tagSlot = fieldSlot(file, newName, 'newName', 'tag');
      const digestSlot = fieldSlot(file, newName, 'newName', 'digest');
      if (tagSlot && digestSlot) parts.push(tagSlot, digestSlot);
    } else detail = `kustomize keeps the tag of each image named ${name.value}: ${kept.tags.join(', ')}`;
  }
  const literal = [repository, newTag, digest].every((part) => !part || part.literal);
  return makeReference(file, { kind: 'kustomize-image', value, parts, ...(literal ? {} : { skip: 'unsupported-quoting' as const }), ...(detail === undefined ? {} : { detail }) });
}

/**
 * One Argo CD `kustomize.images` entry, written as `kustomize edit set image` takes it: `[name=]image[:tag][@digest]`.
 * The image after `=` (the whole string without one) is the reference, its name, tag and digest edited where they are
 * written. kustomize does not read a tag and a digest added together to such a string (it takes `name:tag` for the name),
 * so a digest is updated where one is written and none is added. A value with a wildcard (`name=*:1.2`, keep the name)
 * or a template is not one image.
 */
export function imageSetting(file: SourceFile, node: unknown): Reference | null {
  const scalar = stringScalar(node, file);
  if (!scalar || scalar.value === '') return null;
  const equals = scalar.value.indexOf('=');
  const image = scalar.value.slice(equals + 1);
  if (image === '' || image.includes('*')) return null;
  const { name, named, at } = writtenParts(image);
  if (name === '' || PLACEHOLDER.test(name.split('/', 1)[0] ?? '')) return null;
  if (!scalar.literal) return makeReference(file, { kind: 'kustomize-image', value: image, parts: [{ role: 'reference', start: scalar.start, end: scalar.end }], skip: 'unsupported-quoting' });
  const start = scalar.start + equals + 1;
  const parts: PartInput[] = [{ role: 'repository', start, end: start + name.length }];
  if (name.length < named.length) parts.push({ role: 'tag', start: start + name.length + 1, end: start + named.length });
  if (at !== -1) parts.push({ role: 'digest', start: start + at + 1, end: start + image.length });
  const detail = equals > 0 ? `kustomize image for ${scalar.value.slice(0, equals)}` : null;
  return makeReference(file, { kind: 'kustomize-image', value: image, parts, ...(detail ? { detail } : {}) });
}

/** The `image:` lines of a patch written inline as a block scalar (`|`, `|-`), at their place in the file. */
function inlinePatchImages(file: SourceFile, node: unknown): Reference[] {
  if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return [];
  if (node.type !== Scalar.BLOCK_LITERAL && node.type !== Scalar.BLOCK_FOLDED) return [];
  const references: Reference[] = [];
  const [start, end] = node.range;
  let at = file.text.indexOf('\n', start) + 1;
  while (at > 0 && at < end) {
    let lineEnd = file.text.indexOf('\n', at);
    if (lineEnd === -1 || lineEnd > end) lineEnd = end;
    const match = PATCH_IMAGE_LINE.exec(file.text.slice(at, lineEnd));
    if (match) {
      // The pattern's groups always take part in a match; the defaults only satisfy the compiler.
      const [, lead = '', quote = '', image = ''] = match;
      const valueStart = at + lead.length + quote.length;
      references.push(makeReference(file, { kind: 'kustomize-image', value: image, parts: [{ role: 'reference', start: valueStart, end: valueStart + image.length }], detail: 'inline patch' }));
    }
    at = lineEnd + 1;
  }
  return references;
}

/** An operation of a JSON patch (RFC 6902), as YAML (`- op: replace`) or as JSON (`[{"op": "replace", …}]`). */
const OPERATION = /(?:^|[\s{,])["']?op["']?[ \t]*:/;

/**
 * A JSON patch written inline as a literal block (`patch: |` holding `- op: replace` + `path: /spec/template/spec/containers/0/image`
 * + `value: …`, in YAML or JSON): the `value` of an `add` or `replace` operation whose path ends at an image field, at its
 * place in the file (the block's lines are the file's lines, so the body is parsed where it stands).
 */
function inlineOperationImages(file: SourceFile, node: unknown): Reference[] {
  if (!isScalar(node) || node.type !== Scalar.BLOCK_LITERAL || typeof node.value !== 'string' || !node.range || !OPERATION.test(node.value)) return [];
  const [start, valueEnd] = node.range;
  const from = blockBodyStart(file.text, start, valueEnd);
  if (from === null) return [];
  return parseTextPart(file.text, from, valueEnd).flatMap((document) => jsonPatchImages(file, document.contents, 'kustomize-image').map((reference) => ({ ...reference, detail: 'inline patch' })));
}

/**
 * The named values of a patch written inline as a literal block: `- name: RELATED_IMAGE_DB` + `value: …` (an
 * environment variable an operator reads the image it starts from), as in a manifest: a value with a tag or digest under
 * a name that says image (and not where it pushes), at its place in the file.
 */
function inlineNamedValueImages(file: SourceFile, node: unknown): Reference[] {
  if (!isScalar(node) || node.type !== Scalar.BLOCK_LITERAL || typeof node.value !== 'string' || !node.range || !/\bvalue[ \t]*:/.test(node.value)) return [];
  const [start, valueEnd] = node.range;
  const from = blockBodyStart(file.text, start, valueEnd);
  if (from === null) return [];
  const references: Reference[] = [];
  for (const document of parseTextPart(file.text, from, valueEnd)) {
    walkMaps(document.contents, (map) => {
      const name = mapGet(map, 'name');
      if (!isScalar(name) || typeof name.value !== 'string' || !/image/i.test(name.value) || namesPushTarget(name.value)) return undefined;
      const found = scalarImage(file, mapGet(map, 'value'), 'kustomize-image');
      if (found && namedValueUse(file.path, found, 'value', false)?.report) references.push({ ...found, detail: 'inline patch' });
      return undefined;
    });
  }
  return references;
}

/** Inline patches: `patches[].patch`, `patchesStrategicMerge[]` strings and `patchesJson6902[].patch`. */
function patchImages(file: SourceFile, root: YAMLMap): Reference[] {
  const references: Reference[] = [];
  for (const key of ['patches', 'patchesStrategicMerge', 'patchesJson6902']) {
    const list = mapGet(root, key);
    if (!isSeq(list)) continue;
    for (const item of list.items) {
      const patch = isMap(item) ? mapGet(item, 'patch') : item;
      const lines = inlinePatchImages(file, patch);
      const taken = new Set(lines.map((reference) => reference.spans[0]?.start));
      for (const reference of lines) references.push(reference);
      for (const reference of [...inlineOperationImages(file, patch), ...inlineNamedValueImages(file, patch)]) {
        if (taken.has(reference.spans[0]?.start)) continue;
        taken.add(reference.spans[0]?.start);
        references.push(reference);
      }
    }
  }
  return references;
}

interface KustomizeFacts {
  readonly replaced: readonly ReplacedImage[];
  readonly kept: KeptTags;
}

/**
 * `helmCharts[].valuesInline`: the values kustomize gives a chart it inflates, read with the Helm values rules (split
 * `repository` + `tag` maps under any key, `*_image` keys), as the values of a Flux `HelmRelease` are.
 */
function inlineChartValuesImages(file: SourceFile, root: YAMLMap): Reference[] {
  const charts = mapGet(root, 'helmCharts');
  if (!isSeq(charts)) return [];
  return charts.items.flatMap((chart) => {
    const values = isMap(chart) ? mapGet(chart, 'valuesInline') : undefined;
    return isMap(values) ? imageFields(file, values, { kindFor: () => 'helm-values', splitKind: 'helm-values', splitAnywhere: true, snakeKeys: true }) : [];
  });
}

/** The files a kustomization names as its own: `resources` and `bases` entries, `patchesStrategicMerge` strings and `patches[].path`. */
function listedPaths(root: YAMLMap): string[] {
  const paths: string[] = [];
  for (const key of ['resources', 'bases', 'patchesStrategicMerge', 'patches']) {
    const list = mapGet(root, key);
    if (!isSeq(list)) continue;
    for (const item of list.items) {
      const path = isMap(item) ? mapGet(item, 'path') : item;
      if (isScalar(path) && typeof path.value === 'string' && !path.value.includes('\n')) paths.push(path.value);
    }
  }
  return paths;
}

/**
 * Manifest images that kustomize replaces before they run. A kustomization's `images:` entry rewrites every
 * container image of its resources written with that name (kustomize matches the name exactly; the tag and
 * digest go too). When every kustomization that lists a manifest file directly has an entry for a name, the
 * image the file writes under that name never runs as written: the entry is the reference. A file that
 * some kustomization lists without replacing the name (a base built on its own too) keeps its image.
 */
function replacedImages(files: readonly SourceFile[], kept: KeptTags): ReplacedImage[] {
  const paths = new Set(files.map((file) => file.path));
  const listers = new Map<string, Array<ReadonlyMap<string, ReplacedImage['by']>>>();
  for (const file of files) {
    if (!FILE_NAMES.has(baseName(file.path))) continue;
    const folder = folderOf(file.path);
    for (const document of yamlSource(file).documents) {
      const root = document.contents;
      if (!isMap(root)) continue;
      const entries = new Map<string, ReplacedImage['by']>();
      const images = mapGet(root, 'images');
      if (isSeq(images)) {
        for (const entry of images.items) {
          if (!isMap(entry)) continue;
          const name = field(file, entry, 'name');
          const reference = name ? imageOverride(file, entry, kept.get(file.path)?.get(name.value)) : null;
          if (name && reference && !entries.has(name.value)) entries.set(name.value, { file: file.path, line: reference.line, value: reference.value });
        }
      }
      for (const listed of listedPaths(root)) {
        const path = joinRelative(folder, listed);
        if (path === null || !paths.has(path)) continue;
        const known = listers.get(path);
        if (known) known.push(entries);
        else listers.set(path, [entries]);
      }
    }
  }
  const replaced: ReplacedImage[] = [];
  for (const [file, all] of listers) {
    const [first, ...rest] = all;
    if (!first) continue;
    for (const [name, by] of first) if (rest.every((entries) => entries.has(name))) replaced.push({ file, name, by });
  }
  return replaced;
}

export const kustomizeExtractor: Extractor<KustomizeFacts> = {
  name: 'kustomize',
  kinds: ['kustomize-image', 'helm-values'],
  quoting: 'yaml',
  isCandidate: (path) => isYamlPath(path) || baseName(path) === 'Kustomization',
  prepare: (files) => {
    const kept = keptTags(files);
    return { replaced: replacedImages(files, kept), kept };
  },
  preparedReplaced: (facts) => facts.replaced,
  owns: (file) => FILE_NAMES.has(baseName(file.path)),
  claims(file) {
    if (FILE_NAMES.has(baseName(file.path))) return true;
    return isYamlPath(file.path) && yamlSource(file).documents.some((document) => isKustomization(document.contents));
  },
  extract(file, facts) {
    const { documents, problems } = yamlSource(file);
    const kept = facts?.kept.get(file.path);
    const references: Reference[] = [];
    for (const document of documents) {
      const root = document.contents;
      if (!isMap(root)) continue;
      const images = mapGet(root, 'images');
      if (isSeq(images)) {
        for (const entry of images.items) {
          if (!isMap(entry)) continue;
          const name = field(file, entry, 'name');
          const reference = imageOverride(file, entry, name ? kept?.get(name.value) : undefined);
          if (reference) references.push(reference);
        }
      }
      for (const reference of patchImages(file, root)) references.push(reference);
      for (const reference of inlineChartValuesImages(file, root)) references.push(reference);
    }
    return { references: references.sort((a, b) => a.line - b.line || a.column - b.column), problems };
  },
};
