import { isAlias, isMap, isScalar, isSeq, Scalar, type YAMLMap } from 'yaml';
import { hasDigestPlaceholder, hasTagPlaceholder, isRegistryHostAlone, isTemplated, parseImageRef } from '../core/image-ref.js';
import type { SourceFile } from '../core/source-file.js';
import type { Reference, ReferenceKind, SharedLiteral, SkipReason } from '../core/types.js';
import { makeReference, withTagAt, type PartInput } from './make-reference.js';
import type { ChartImageJoins, RenderedRegistry } from './helm-image-joins.js';
import { composeImage, digestSiblingKeys, nameKeyStem, tagSiblingKeys, type ValueText } from './puppet-image-keys.js';
import { aliasTarget, mapAt, mapEntries, mapGet, stringScalar, walkMaps, type StringScalar } from './yaml-source.js';

/** Image-related YAML fields shared by the Kubernetes, compose and generic YAML extractors. */

const FILE_EXTENSION = /\.(png|jpe?g|gif|svg|ico|webp|bmp|tiff?|avif|heic|iso|img|qcow2|vmdk|vhdx?|ova|ovf|tar|tgz|gz|xz|zip|json|ya?ml|toml|txt|md|html?|css|js|sh|pdf)$/i;
const COMPUTE_IMAGE = /(?:^|\/)(?:projects\/[^/]+\/)?global\/images\//;
const NOT_IN_IMAGES = /[()[\]<>,;=?&*!'"|\\]/;
const DOCKER_SCHEME = 'docker://';

/** An inventory's folders of variables, by the names Ansible gives them (in lower case), and the file's name in one. */
const INVENTORY_FOLDER_FILE = /(?:^|\/)(?:group_vars|host_vars)\/(?:[^/]+\/)*([^/]+)$/;
const YAML_EXTENSION = /\.ya?ml$/i;

/**
 * A file of an Ansible inventory's variables: a YAML file in `group_vars/` or `host_vars/`, or one written there without
 * an extension (`group_vars/all`, `host_vars/db1`, a file in `group_vars/web/`), which Ansible reads as YAML. Another
 * name with a dot in it is not taken: `README.md`, `.gitkeep`.
 */
export function isInventoryVariableFile(path: string): boolean {
  const name = INVENTORY_FOLDER_FILE.exec(path)?.[1];
  return name !== undefined && (!name.includes('.') || YAML_EXTENSION.test(name));
}

/** A YAML file: by its extension, or an inventory's file of variables, which may have none. */
export function isYamlPath(path: string): boolean {
  return YAML_EXTENSION.test(path) || isInventoryVariableFile(path);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

const MACHINE_IMAGE_KEY = /^(?:vm|cloud|os|disk|boot|machine|instance|server|iso|vagrant|box)(?:Image|_image)$/;
/** Of those, the one a custom resource uses for a container as often: a database operator's `serverImage`, the image of the server it runs. */
const SERVER_IMAGE_KEY = /^server(?:Image|_image)$/;

/** `…_image`, and Ansible's private `_image` (a leading underscore marks a role's own variable). */
const SNAKE_IMAGE_KEY = /(?:^|[a-z0-9])_image$/;

/** A camelCase key whose last word before `Image` is an acronym (`setupDBImage`, `proxyCSIImage`). */
const ACRONYM_IMAGE_KEY = /[a-z0-9][A-Z]+Image$/;
/** Of those, a virtual machine's or disk's image: `azureVMImage`, `baseOSImage`, `nodeAMIImage`, `bootISOImage`. */
const MACHINE_ACRONYM_IMAGE_KEY = /(?:VM|OS|AMI|ISO)Image$/;

/**
 * `image`, or a camelCase `…Image` key (`initImage`, also after an acronym: `setupDBImage`); with `snake`, also `…_image`
 * and `_image`. `imagePullPolicy` is not one.
 */
export function isImageKey(key: string, snake = false): boolean {
  // Azure Pipelines `pool: {vmImage: …}`, a test VM's `cloud_image: ubuntu-2204`, `osImage`, `boot_image`:
  // the image of a virtual machine or disk, not a container.
  if (MACHINE_IMAGE_KEY.test(key)) return false;
  // An OpenShift ImageChange trigger's `lastTriggeredImage`: the image the cluster last resolved the stream to, kept in an
  // exported object as a record; the trigger's stream is what the object runs.
  if (key === 'lastTriggeredImage') return false;
  if (ACRONYM_IMAGE_KEY.test(key)) return !MACHINE_ACRONYM_IMAGE_KEY.test(key);
  return key === 'image' || /[a-z0-9]Image$/.test(key) || (snake && SNAKE_IMAGE_KEY.test(key));
}

/** `image` as one word of a snake_case name that goes on (`docker_test_image_alpine`), not a setting about images (`_tag`, `_pull_policy`, `_digest`…). */
const INFIX_IMAGE_KEY = /^(?:[a-z0-9]+_)*image_(?!(?:[a-z0-9]+_)*(?:tag|tags|version|digest|sha|policy|secret|secrets|name_prefix|id|ids|format|file|path|dir|url|size|count|type)$)[a-z0-9_]+$/;

/**
 * In a file of Ansible variables, `image` as one word of a key written in capitals or kebab-case: an OpenShift template's
 * parameter passed on from the inventory (`IMAGE_STREAM_TAG_FROM_NAME`, `APP_IMAGE`), a program's flag set through a
 * variable (`pause-image` of a k3s config). Not a setting about images (the same last words as above), nor where an image
 * is pushed (`OUTPUT_IMAGE`, `push-image`).
 */
const OTHER_CASE_KEY = /^(?:[A-Z0-9]+(?:_[A-Z0-9]+)*|[a-z0-9]+(?:-[a-z0-9]+)+)$/;
const SETTING_WORD = /^(?:tag|tags|version|digest|sha|policy|secret|secrets|prefix|id|ids|format|file|path|dir|url|size|count|type)$/;
const PUSHED_WORD = /^(?:output|destination|dest|push|target)$/;
function isOtherCaseImageKey(key: string): boolean {
  if (!OTHER_CASE_KEY.test(key)) return false;
  const words = key.toLowerCase().split(/[-_]/);
  return words.includes('image') && !SETTING_WORD.test(words.at(-1) ?? '') && !words.some((word) => PUSHED_WORD.test(word));
}

const MAX_IMAGE_TEXT = 512;
/** OpenStack policy expressions under keys such as `add_image`: `rule:admin_or_owner`, `role:admin`. */
const POLICY_RULE = /^(?:rule|role|is_admin|project_id|user_id|domain_id|system_scope|tenant):/;

/** False for values that are plainly not image references at all: URLs, file names, paths, prose, policy rules, pictures. */
export function looksLikeImageText(value: string): boolean {
  if (value.trim() === '') return false;
  // No reference is this long (name 255, tag 128, digest ~135): a base64 picture or a document.
  if (value.length > MAX_IMAGE_TEXT) return false;
  if (POLICY_RULE.test(value)) return false;
  if (value.includes('://')) return false;
  // A Compute Engine disk image (`sourceImage: projects/debian-cloud/global/images/family/debian-12`) is a virtual machine's.
  if (COMPUTE_IMAGE.test(value)) return false;
  if (FILE_EXTENSION.test(value)) return false;
  if (isTemplated(value) || hasDigestPlaceholder(value) || hasTagPlaceholder(value)) return true;
  if (/\s/.test(value) || NOT_IN_IMAGES.test(value)) return false;
  if (/^[./~]/.test(value)) return false;
  if (/(^|\/)(Docker|Container)file([.-]|$)/.test(value)) return false;
  return true;
}

/**
 * A value that is one template variable (or an attribute or key of one: `"{{ item.image }}"`, `"{{ svc['image'] }}"`), with at most a literal tag after it (`"{{ test_image }}"`,
 * `"{{ base_image }}:latest"` in Ansible tasks and in compose files an Ansible template renders), or a name variable
 * and a digest variable (`{{ base }}@sha256:{{ digest }}`, also one action that gives the whole digest, `{{ base }}@{{ pulled.digest }}`,
 * `{{ base }}@{{ facts.RepoDigests[0] | regex_replace('.*@', '') }}`): it passes on an image set elsewhere (where the variable is
 * defined, and reported there when written as an image), so it is not a reference of its own.
 */
export function passesOnImage(value: string): boolean {
  return /^\{\{[^{}]*\}\}(?:[:@][^{}$]*|@(?:sha256:)?\{\{[^{}]*\}\})?$/.test(value);
}

/** A repository value that is a git or chart repository, not an image. */
function looksLikeRepositoryUrl(value: string): boolean {
  return value.includes('://') || value.startsWith('git@') || /\.git$/i.test(value);
}

/** A `{{ … }}` written unquoted parses as a flow map; report it as the templated text it is. */
function templatedCollection(file: SourceFile, node: unknown, kind: ReferenceKind): Reference | null {
  if (!(isMap(node) || isSeq(node)) || !node.flow || !node.range) return null;
  const [start, end] = node.range;
  const text = file.text.slice(start, end);
  if (!text.startsWith('{{') || !text.endsWith('}}') || text.includes('\n')) return null;
  return makeReference(file, { kind, value: text, parts: [{ role: 'reference', start, end }] });
}

/**
 * A reference from a string value holding a whole image reference (`docker://` prefixes are stepped over). A value
 * written as an alias (`image: *golang_image`) is the scalar its anchor names (`- &golang_image docker.io/golang:1.27`,
 * wherever that is written): the reference is reported, and edited, at the anchor's literal, so every use of the
 * alias gets the same pin. Each use gives the same reference (the detail names the anchor); the scan keeps one (scan-files.ts).
 */
export function scalarImage(file: SourceFile, node: unknown, kind: ReferenceKind): Reference | null {
  const target = aliasTarget(node, file);
  const scalar = stringScalar(target, file);
  if (!scalar) return isAlias(node) ? null : templatedCollection(file, node, kind);
  if (!scalar.literal) {
    const continued = continuedImage(file, target, kind);
    if (continued) return continued;
  }
  let { value, start } = scalar;
  if (scalar.literal && value.startsWith(DOCKER_SCHEME)) {
    value = value.slice(DOCKER_SCHEME.length);
    start += DOCKER_SCHEME.length;
  }
  if (!looksLikeImageText(value)) return null;
  return makeReference(file, {
    kind,
    value,
    parts: [{ role: 'reference', start, end: scalar.end }],
    ...(scalar.literal ? {} : { skip: 'unsupported-quoting' as const }),
    ...(isScalar(target) && target.anchor ? { detail: `the anchor &${target.anchor}: written once, every *${target.anchor} uses it` } : {}),
  });
}

/** An escaped line break in a double-quoted YAML string: the break and the next line's indentation are not part of the value. */
const ESCAPED_BREAK = /\\\r?\n[ \t]*/g;

/**
 * A double-quoted image continued on the next line with a backslash (`"registry.example.test/team/app\` then
 * `@sha256:…"` on the next line): YAML joins the lines without the break and the next line's indentation. When the
 * string holds no other escape or line break, and the name with its tag, and the digest, are each written whole
 * on one line, the image is reported at its name and each part edited where it is written (an absent digest goes
 * after the tag). Null for any other string.
 */
function continuedImage(file: SourceFile, node: unknown, kind: ReferenceKind): Reference | null {
  if (!isScalar(node) || node.type !== Scalar.QUOTE_DOUBLE || typeof node.value !== 'string' || !node.range) return null;
  const start = node.range[0] + 1;
  const end = node.range[1] - 1;
  const written = file.text.slice(start, end);
  /** Each line's text: its offset in the value and in the file. */
  const pieces: Array<{ at: number; start: number; text: string }> = [];
  let at = 0;
  let from = 0;
  for (const match of written.matchAll(ESCAPED_BREAK)) {
    pieces.push({ at, start: start + from, text: written.slice(from, match.index) });
    at += match.index - from;
    from = match.index + match[0].length;
  }
  if (pieces.length === 0) return null;
  pieces.push({ at, start: start + from, text: written.slice(from) });
  if (pieces.some((piece) => /[\\\n\r"]/.test(piece.text)) || pieces.map((piece) => piece.text).join('') !== node.value) return null;
  const image = looksLikeImageText(node.value) ? parseImageRef(node.value) : null;
  if (!image || (image.tag === null && image.digest === null)) return null;
  /** The file offsets of the value's characters from `a` to `b`, when one line holds them all. */
  const place = (a: number, b: number): { start: number; end: number } | null => {
    const piece = pieces.find((candidate) => candidate.at <= a && b <= candidate.at + candidate.text.length);
    return piece ? { start: piece.start + a - piece.at, end: piece.start + b - piece.at } : null;
  };
  const nameEnd = image.name.length + (image.tag === null ? 0 : 1 + image.tag.length);
  const name = place(0, image.name.length);
  const named = place(0, nameEnd);
  if (!name || !named) return null;
  const parts: PartInput[] = [{ role: 'repository', ...name }];
  if (image.tag !== null) parts.push({ role: 'tag', start: name.end + 1, end: named.end });
  if (image.digest === null) {
    parts.push({ role: 'digest', start: named.end, end: named.end, prefix: '@' });
  } else {
    const digest = place(node.value.length - image.digest.length, node.value.length);
    if (!digest) return null;
    parts.push({ role: 'digest', ...digest });
  }
  return makeReference(file, { kind, value: node.value, parts, detail: 'written on more than one line, joined by a backslash at the end of a line' });
}

/**
 * A tag value: strings as they are, numbers (`tag: 1.20`) as written; null when absent or empty. An alias
 * (`tag: *app-version`) is the scalar its anchor names (`&app-version 1.4.0`), where it is written.
 */
function tagScalar(file: SourceFile, written: unknown): StringScalar | null | 'invalid' {
  if (written === undefined || written === null) return null;
  const node = aliasTarget(written, file);
  if (node === undefined) return 'invalid';
  if (!isScalar(node)) return 'invalid';
  if (node.value === null) return null;
  if (typeof node.value === 'number' && node.range) {
    const [start, end] = node.range;
    const text = file.text.slice(start, end);
    return /^[\w][\w.-]*$/.test(text) ? { value: text, start, end, literal: true } : 'invalid';
  }
  return stringScalar(node, file) ?? 'invalid';
}

function optionalString(file: SourceFile, map: YAMLMap, key: string): StringScalar | null | 'invalid' {
  const node = mapGet(map, key);
  if (node === undefined || (isScalar(node) && node.value === null)) return null;
  return stringScalar(node, file) ?? 'invalid';
}

export interface SplitImage {
  readonly reference: Reference;
  /** Keys of the map that the reference was built from. */
  readonly consumed: readonly string[];
}

/**
 * Ansible's `docker_image` and `podman_image` modules (`community.docker.docker_image`, `containers.podman.podman_image`):
 * their arguments say whether the task pulls, builds, loads or pushes (ansible-image-modules.ts), and `repository` is where
 * the image is tagged or pushed to. Not an image map.
 */
const ANSIBLE_IMAGE_MODULE = /^(?:[A-Za-z_]\w*\.[A-Za-z_]\w*\.)?(?:docker|podman)_image$/;

/** `podman_save` and `podman_tag` (`containers.podman.*`): their `image` is one already on the host, saved or tagged; they pull nothing. */
const LOCAL_IMAGE_MODULE = /^(?:containers\.podman\.)?podman_(?:save|tag)$/;

/** `quay.io/team/app`: a name that starts with a registry host (a dot or a port in its first part, or `localhost`) and has a path. */
function isRegistryPath(node: unknown): boolean {
  if (!isScalar(node) || typeof node.value !== 'string') return false;
  const slash = node.value.indexOf('/');
  if (slash <= 0) return false;
  const host = node.value.slice(0, slash);
  return /^[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?$|^[a-z0-9-]+:\d+$|^localhost$/.test(host);
}

/**
 * A custom resource's `image:` map of `repository` and `version` and no `tag` (`image: {repository: team/agent, version:
 * "2.4.1"}`): the version is the image's tag, as in a `repository` + `image` + `version` map. Not in chart values,
 * whose templates decide what `version` means.
 */
function versionAsTag(map: YAMLMap, mapKey: string | undefined, repositoryKey: string, kind: ReferenceKind): boolean {
  if (mapKey !== 'image' || repositoryKey !== 'repository' || (kind !== 'kubernetes-image' && kind !== 'kubernetes-container')) return false;
  return mapGet(map, 'version') !== undefined && mapGet(map, 'tag') === undefined && mapGet(map, 'image') === undefined;
}

/** One Helm template action, `{{ … }}` on one line. */
const HELM_ACTION = /\{\{[^{}\n]*\}\}/g;

/**
 * A map's `registry` that names no registry: a URL, or words with spaces, which are prose. A Helm action's own spaces
 * (`"{{ .Values.global.imageRegistry }}"`, which the chart renders with `tpl`) are not: that registry is the chart's to fill
 * in, and the image is listed templated.
 */
function isNoRegistry(value: string): boolean {
  return value.includes('://') || /\s/.test(value.replace(HELM_ACTION, ''));
}

/**
 * Helm-style split images: `registry` + `repository` + `tag` (+ `digest`), or `image` + `tag`, or
 * `name` + `tag` or `repo` + `tag` when the map itself sits under an image key. The value is composed
 * `registry/repository:tag@digest`, with one span per part.
 */
export function splitImage(
  file: SourceFile,
  map: YAMLMap,
  mapKey: string | undefined,
  kind: ReferenceKind,
  chartJoins?: () => ChartImageJoins | null,
  path: readonly string[] = [],
  /** The map names an image that is run with or without a tag (a Concourse image `source`). */
  runs = false,
): SplitImage | null {
  if (mapKey !== undefined && ANSIBLE_IMAGE_MODULE.test(mapKey)) return null;
  const imageKeyed = mapKey !== undefined && isImageKey(mapKey, true);
  const has = (key: string): boolean => mapGet(map, key) !== undefined;
  if (imageKeyed && chartJoins && has('name') && has('tag')) {
    // A parent chart's values for a subchart (`<subchart>: {operator: {image: …}}`) are joined as the subchart's templates join them.
    const [key, ...below] = path;
    const joined =
      joinedByChart(file, map, kind, chartJoins, path) ?? (key !== undefined && below.length > 0 ? joinedByChart(file, map, kind, () => chartJoins()?.subchart?.(key) ?? null, below) : null);
    if (joined) return joined;
  }
  let repositoryKey: string;
  if (has('repository')) repositoryKey = 'repository';
  else if (has('image') && has('tag')) repositoryKey = 'image';
  // `{namespace, name, tag}` is an OpenShift ImageStreamTag (`build_root_image` of a `.ci-operator.yaml`): an image
  // inside a cluster, not a registry reference; and `name:tag` alone would drop its namespace.
  else if (imageKeyed && has('name') && has('tag') && !has('namespace')) repositoryKey = 'name';
  // `image: {repo: …, tag: …}`: some charts shorten the key.
  else if (imageKeyed && has('repo') && has('tag') && !has('name')) repositoryKey = 'repo';
  // `image: {name: quay.io/team/app}` in a values file: the chart's image name, written as a registry path, with no tag of its own.
  else if (imageKeyed && kind === 'helm-values' && !has('namespace') && isRegistryPath(mapGet(map, 'name'))) repositoryKey = 'name';
  // `image: {registry: ghcr.io/team/driver, tag: v1.9.5}` in a values file: a chart that keeps the whole name in `registry`.
  else if (imageKeyed && kind === 'helm-values' && has('registry') && has('tag') && !has('name') && !has('image') && isRegistryPath(mapGet(map, 'registry'))) repositoryKey = 'registry';
  else return null;
  if (!has('tag') && !imageKeyed && !runs) return null;

  const repository = stringScalar(mapGet(map, repositoryKey), file);
  if (!repository) return null;
  if (repositoryKey === 'repository' && kind === 'kubernetes-image' && isRegistryAndNamespace(file, map, repository.value)) return null;
  // `image: {repository: team/agent, version: "2.4.1"}` of a custom resource: the operator's two-key form, its version the tag.
  const tagKey = versionAsTag(map, mapKey, repositoryKey, kind) ? 'version' : 'tag';
  const tag = tagScalar(file, mapGet(map, tagKey));
  const registry = repositoryKey === 'registry' ? null : optionalString(file, map, 'registry');
  // `repository: /team/csi`, which the chart's templates write right after a registry value (`{{ .Values.image.baseRepo }}{{ … .repository }}`).
  const ownSlash = repositoryKey === 'repository' && repository.value.startsWith('/') && chartJoins !== undefined && (registry === null || (registry !== 'invalid' && registry.value === ''));
  const joinedAfter = ownSlash ? (chartJoins()?.registryBeforeRepository(path, true) ?? null) : null;
  if (ownSlash ? joinedAfter === null || !looksLikeImageText(repository.value.slice(1)) : looksLikeRepositoryUrl(repository.value) || !looksLikeImageText(repository.value)) return null;
  const digest = optionalString(file, map, 'digest');
  // Charts such as Grafana's keep the hex part in `sha:` and write `@sha256:{{ .sha }}` themselves.
  const sha = digest === null ? optionalString(file, map, 'sha') : null;
  const hex = sha && sha !== 'invalid' && /^([a-f0-9]{64})?$/.test(sha.value) ? sha : null;
  if (tag === 'invalid' || registry === 'invalid' || digest === 'invalid') return null;
  if (registry && isNoRegistry(registry.value)) return null;

  const consumed = [repositoryKey, tagKey];
  if (registry && registry.value !== '') consumed.push('registry');
  if (digest) consumed.push('digest');
  const besideName = repositoryKey === 'repository' ? nameBesideRepository(file, map, mapKey, repository.value) : null;
  const besideImage = repositoryKey === 'repository' && besideName === null && kind === 'helm-values' ? imageBesideRepository(file, map, registry, repository.value) : null;
  const named = besideName ?? besideImage;
  if (besideName) consumed.push('name');
  if (besideImage) consumed.push('image');
  const [shownTag, shownDigest] = tagOrDigest(kind === 'helm-values' && tagKey === 'tag' && !sha, tag, digest);
  const composed = named ? composeNamedImage(registry, repository, named, shownTag, shownDigest) : composeSplitImage(registry, repository, shownTag, shownDigest);
  const { parts } = composed;
  let value = composed.value;
  const merged = registry === null || registry.value === '' ? templatesRegistry(chartJoins, repositoryKey, path, ownSlash ? joinedAfter : undefined) : null;
  // A repository that writes its own slash follows the registry with it.
  if (ownSlash) value = value.slice(1);
  if (merged?.known && merged.value !== '') value = `${merged.value.replace(/\/+$/, '')}/${value}`;
  if (!digest && hex) {
    parts.push({ role: 'digest', start: hex.start, end: hex.end, form: 'hex' });
    if (hex.value !== '') value += `@sha256:${hex.value}`;
    consumed.push('sha');
  }
  const literal = [registry, repository, named, tag, digest, hex].every((part) => !part || part.literal);
  const tagNode = mapGet(map, tagKey);
  const details = [
    merged?.known === true && merged.value !== '' ? `registry ${merged.value}: ${merged.where}, not edited here` : '',
    merged?.known === false ? `the registry comes from ${merged.where}, not worked out: ${merged.why}` : '',
    isAlias(tagNode) && tag ? `the tag is the anchor &${tagNode.source} (line ${file.position(tag.start).line}), edited there` : '',
  ].filter((note) => note !== '');
  const reference = makeReference(file, {
    kind,
    value,
    parts,
    anchor: repository.start,
    ...(merged?.known === false ? { skip: 'templated' as const } : literal ? {} : { skip: 'unsupported-quoting' as const }),
    ...(details.length > 0 ? { detail: details.join('; ') } : {}),
  });
  return { reference, consumed };
}

/**
 * The registry the chart's templates give a values map that has none of its own: `{image, tag}` in a chart whose templates
 * merge another values map into it (`with (merge .Values.controller.image .Values.global.image)`, then
 * `{{ .registry }}/{{ .image }}`): that map's registry; `{repository, tag}` that the templates write after another value
 * (`{{ .Values.global.imageRegistry }}/{{ .Values.server.image.repository }}`), or the one `joinedAfter` when the
 * repository writes its own slash.
 */
function templatesRegistry(
  chartJoins: (() => ChartImageJoins | null) | undefined,
  repositoryKey: string,
  path: readonly string[],
  joinedAfter: RenderedRegistry | null | undefined,
): RenderedRegistry | null {
  if (!chartJoins) return null;
  if (repositoryKey === 'image') return chartJoins()?.mergedRegistry(path) ?? null;
  if (repositoryKey !== 'repository') return null;
  return joinedAfter !== undefined ? joinedAfter : (chartJoins()?.registryBeforeRepository(path) ?? null);
}

/** A whole digest, written where a tag goes. */
const DIGEST_VALUE = /^sha256:[a-f0-9]{64}$/;

/**
 * The tag and digest an image map is composed with: where `tag` may be read so (a values file's map with no digest of its
 * own), `tag: "sha256:<hex>"` is the digest, which the chart's templates write after `@` (`name:sha256:…` names no image).
 */
function tagOrDigest(inValues: boolean, tag: WrittenPart | null, digest: WrittenPart | null): [WrittenPart | null, WrittenPart | null] {
  return inValues && !digest && tag && DIGEST_VALUE.test(tag.value) ? [null, tag] : [tag, digest];
}

/** A registry host with an optional path under it (`registry.example.test/team`, `localhost:5000`): where a map's one-name `image` lives. */
export const REGISTRY_WITH_PATH = /^(?:localhost|[a-z0-9-]+(?:\.[a-z0-9-]+)+|[a-z0-9.-]+:\d+)(?::\d+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
/** Keys that sit beside the image parts of a `repository` + `image` + `version` map without changing the image. */
export const OTHER_IMAGE_PART_KEYS = ['tag', 'registry', 'digest', 'name', 'sha'];

/**
 * An image written as `repository` (a registry host and path) + `image` (one name) + `version` (its tag, or a digest
 * when it starts with `sha256:`): `repository/image:version`, the form an operator's chart values and custom resources
 * use (`repository: registry.example.test/team`, `image: agent`, `version: v1.4.2`). Reported at the repository, the
 * version edited where it stands. In a values file the version may be left out or empty (the chart's templates give
 * their own default, the chart's appVersion when they use it): the name is reported without a tag. A map whose
 * `repository` is empty beside a `version` key is one the user must complete: its `image` is not reported.
 * Null when the map is not one.
 */
function repositoryImageVersion(file: SourceFile, map: YAMLMap, kind: ReferenceKind): { readonly reference: Reference | null; readonly consumed: readonly string[] } | null {
  if (!has(map, 'repository') || !has(map, 'image') || OTHER_IMAGE_PART_KEYS.some((key) => has(map, key))) return null;
  if (!has(map, 'version') && kind !== 'helm-values') return null;
  const repository = optionalString(file, map, 'repository');
  const image = optionalString(file, map, 'image');
  const version = tagScalar(file, mapGet(map, 'version'));
  if (!repository || repository === 'invalid' || !image || image === 'invalid' || version === 'invalid') return null;
  if (!repository.literal || !image.literal || (version && !version.literal)) return null;
  const consumed = ['repository', 'image', 'version'];
  // `{repository: registry.example.test/team/mover, image: ""}` in a values file: the whole name in `repository`, and `image` left
  // empty for a whole image the user may give in its place; the chart's templates give the tag (its appVersion).
  if (image.value === '' && kind === 'helm-values' && !has(map, 'version') && repository.value.includes('/') && REGISTRY_WITH_PATH.test(repository.value)) {
    return { reference: makeReference(file, { kind, value: repository.value, parts: [{ role: 'repository', start: repository.start, end: repository.end }], anchor: repository.start }), consumed };
  }
  if (!PATH_COMPONENT.test(image.value)) return null;
  if (repository.value === '') return has(map, 'version') ? { reference: null, consumed } : null;
  if (!REGISTRY_WITH_PATH.test(repository.value)) return null;
  const digest = version && /^sha256:[a-f0-9]{64}$/.test(version.value) ? version : null;
  // A version written as a template (`version: "{{ operator_tag }}"` in a manifest a role renders) is the tag still: shown templated.
  if (version && !digest && !/^(?:[\w][\w.-]{0,127})?$/.test(version.value) && !isTemplatedTag(version.value)) return null;
  const { parts, value } = composeNamedImage(null, repository, image, digest ? null : version, digest);
  return { reference: makeReference(file, { kind, value, parts, anchor: repository.start }), consumed };
}

/** A tag written with template actions and tag characters only (`{{ operator_tag }}`, `v{{ version }}`, `${TAG}`). */
export function isTemplatedTag(value: string): boolean {
  return isTemplated(value) && /^[\w.-]*$/.test(value.replace(/\{\{[^{}]*\}\}|\$\{[^{}]*\}/g, ''));
}

/** Keys beside an `image` + `version` map's parts that would make it another shape of image map. */
const OTHER_NAME_KEYS = ['tag', 'repository', 'registry', 'digest', 'name'];

/**
 * A values map of a one-string `image` and its `version` (`app: {image: team/api, version: "2.4.1"}`) that the chart's
 * templates write after a registry value (`{{ .Values.docker.registry }}/{{ .Values.app.image }}:{{ .Values.app.version }}`):
 * the image is `registry/image:version`, reported at the image and updated at the version, which takes a pin as a values
 * `tag` does (the registry is the other value's, not edited here). Null when no template of the chart joins that map so.
 */
function chartJoinedImageVersion(file: SourceFile, map: YAMLMap, kind: ReferenceKind, chartJoins: (() => ChartImageJoins | null) | undefined, path: readonly string[]): SplitImage | null {
  if (kind !== 'helm-values' || !chartJoins || !has(map, 'image') || !has(map, 'version') || OTHER_NAME_KEYS.some((key) => has(map, key))) return null;
  const image = optionalString(file, map, 'image');
  const version = tagScalar(file, mapGet(map, 'version'));
  if (!image || image === 'invalid' || version === 'invalid' || !looksLikeImageText(image.value) || image.value.includes(':') || image.value.includes('@')) return null;
  const joined = chartJoins()?.registryBeforeImage(path) ?? null;
  if (!joined) return null;
  const composed = composeSplitImage(null, image, version, null);
  const value = joined.known ? `${joined.value.replace(/\/+$/, '')}/${composed.value}` : composed.value;
  const literal = image.literal && (!version || version.literal);
  const reference = makeReference(file, {
    kind,
    value,
    parts: composed.parts,
    anchor: image.start,
    ...(joined.known ? (literal ? {} : { skip: 'unsupported-quoting' as const }) : { skip: 'templated' as const }),
    detail: joined.known ? `registry ${joined.value}: ${joined.where}, not edited here` : `the registry comes from ${joined.where}, not worked out: ${joined.why}`,
  });
  return { reference, consumed: ['image', 'version'] };
}

/** One path component of an image name: `team`, `cassandra-reaper`, `stage-3_11`. */
export const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

/** Keys of a container, whose `name` is the container's, not the image's. */
const CONTAINER_KEYS = ['image', 'command', 'args', 'env', 'ports', 'resources', 'volumeMounts'];

/**
 * `{repository: team, name: agent, tag: 1.4.2}` (with an optional `registry`): an image map that writes the image's
 * namespace in `repository` and the last component of its path in `name`, read as `[registry/]team/agent:1.4.2` (an
 * operator's image settings, also in the values of its chart). Only when both are one path component each and the
 * map is a key's value: an entry of a list (`sidecars: [{name: proxy, repository: …, tag: …}]`) names itself, as a
 * container does, and `repository: registry.example.test/team/agent` is the whole repository.
 */
function nameBesideRepository(file: SourceFile, map: YAMLMap, mapKey: string | undefined, repository: string): StringScalar | null {
  if (mapKey === undefined || /^\d+$/.test(mapKey) || !PATH_COMPONENT.test(repository)) return null;
  if (CONTAINER_KEYS.some((key) => has(map, key))) return null;
  const name = optionalString(file, map, 'name');
  if (!name || name === 'invalid' || !PATH_COMPONENT.test(name.value)) return null;
  return name;
}

/**
 * `{repository: team, image: agent, tag: 1.4.2}` in chart values (also `repository: registry.example.test/team`): a component's
 * image settings that write its namespace in `repository` and its name in `image`, which the chart's templates join as
 * `repository/image:tag`, as the `repository` + `image` + `version` form is joined. Read so only with a `tag` and no `name` or
 * `version`, an `image` of one path component and a `repository` that is one path component (after a `registry`, if any) or
 * a registry host with an optional path (with no `registry` beside it); otherwise `repository` is the whole name.
 */
function imageBesideRepository(file: SourceFile, map: YAMLMap, registry: StringScalar | null | 'invalid', repository: string): StringScalar | null {
  if (!has(map, 'tag') || has(map, 'name') || has(map, 'version')) return null;
  const ownRegistry = registry !== null && registry !== 'invalid' && registry.value !== '';
  if (!PATH_COMPONENT.test(repository) && (ownRegistry || !REGISTRY_WITH_PATH.test(repository))) return null;
  const image = optionalString(file, map, 'image');
  if (!image || image === 'invalid' || !image.literal || !PATH_COMPONENT.test(image.value)) return null;
  return image;
}

/**
 * `containerImage: {registry: registry.example.test, repository: vault}` of a custom resource: a registry host alone and a
 * one-component `repository`, with no `name`, tag, digest or other image part. In the operator's form that writes the image's
 * namespace in `repository` and its last component in `name` (above), this is the registry and namespace the operator puts
 * its own image name under: no image.
 */
function isRegistryAndNamespace(file: SourceFile, map: YAMLMap, repository: string): boolean {
  if (!PATH_COMPONENT.test(repository) || ['name', 'image', 'tag', 'digest', 'version', 'sha'].some((key) => has(map, key))) return false;
  const registry = optionalString(file, map, 'registry');
  return registry !== null && registry !== 'invalid' && isRegistryHostAlone(registry.value);
}

/** `[registry/]repository/name:tag@digest`: the map's repository is the first part of the path, edited where it stands as the rest are. */
export function composeNamedImage(
  registry: WrittenPart | null | undefined,
  repository: WrittenPart,
  name: WrittenPart,
  tag: WrittenPart | null | undefined,
  digest: WrittenPart | null | undefined,
): { parts: PartInput[]; value: string } {
  const composed = composeSplitImage(registry, name, tag, digest);
  const prefix = registry && registry.value !== '' ? `${registry.value.replace(/\/+$/, '')}/` : '';
  composed.parts.splice(prefix === '' ? 0 : 1, 0, { role: 'registry', start: repository.start, end: repository.end });
  return { parts: composed.parts, value: `${prefix}${repository.value}/${composed.value.slice(prefix.length)}` };
}

/** One part of an image written apart from the others: its text and where it stands. */
interface WrittenPart {
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

/**
 * `registry/repository:tag@digest` from parts written apart (a values map, its lines read one by one): one span per
 * part, each edited where it stands. An empty registry is left out; an empty tag or digest is a part (where a pin is
 * written) that adds nothing to the value.
 */
export function composeSplitImage(
  registry: WrittenPart | null | undefined,
  repository: WrittenPart,
  tag: WrittenPart | null | undefined,
  digest: WrittenPart | null | undefined,
): { parts: PartInput[]; value: string } {
  const parts: PartInput[] = [];
  let value = '';
  if (registry && registry.value !== '') {
    parts.push({ role: 'registry', start: registry.start, end: registry.end });
    value += `${registry.value.replace(/\/+$/, '')}/`;
  }
  parts.push({ role: 'repository', start: repository.start, end: repository.end });
  value += repository.value;
  if (tag) {
    parts.push({ role: 'tag', start: tag.start, end: tag.end });
    if (tag.value !== '') value += `:${tag.value}`;
  }
  if (digest) {
    parts.push({ role: 'digest', start: digest.start, end: digest.end });
    if (digest.value !== '') value += `@${digest.value}`;
  }
  return { parts, value };
}

/**
 * `image: {name, tag}` whose other parts the chart's templates supply: a registry they choose
 * (`{{ include "registry" . }}/{{ .image.name }}`, rendered with the default values; the map's
 * `repository` empty), or the map's own `repository` joined to its `name` (`{{ .image.repository }}/{{ .image.name }}`).
 * The tag (and digest) are edited where they are written; the rest is reported as the templates render it.
 */
function joinedByChart(file: SourceFile, map: YAMLMap, kind: ReferenceKind, chartJoins: () => ChartImageJoins | null, path: readonly string[]): SplitImage | null {
  const name = optionalString(file, map, 'name');
  const tag = tagScalar(file, mapGet(map, 'tag'));
  const digest = optionalString(file, map, 'digest');
  const repository = optionalString(file, map, 'repository');
  if (!name || name === 'invalid' || name.value === '' || tag === 'invalid' || digest === 'invalid' || repository === 'invalid') return null;
  // An empty `registry: ""` beside the name is the chart's to fill (`default .Values.image.registry .Values.agent.image.registry`).
  const ownRegistry = optionalString(file, map, 'registry');
  if (!looksLikeImageText(name.value) || ownRegistry === 'invalid') return null;
  if (ownRegistry !== null && ownRegistry.value !== '') return registryKeyName(file, map, kind, chartJoins, path, { registry: ownRegistry, name, tag, digest });
  const joins = chartJoins();
  if (!joins) return null;
  const ownRepository = repository !== null && repository.value !== '';
  if (ownRepository && !joins.repositoryName) return null;
  const registry = ownRepository ? null : joins.registryFor(path);
  if (!ownRepository && !registry) return null;

  const consumed = ['name', 'tag', 'repository'];
  if (digest) consumed.push('digest');
  if (ownRegistry !== null) consumed.push('registry');
  let prefix = '';
  let detail: string | undefined;
  let skip: SkipReason | undefined;
  if (ownRepository) {
    if (!looksLikeImageText(repository.value) || looksLikeRepositoryUrl(repository.value)) return null;
    detail = 'the chart joins repository and name';
  } else if (registry?.known) {
    prefix = `${registry.value}/`;
    detail = `registry ${registry.value}: what the chart's ${registry.where} renders with the default values`;
  } else if (registry) {
    skip = 'templated';
    detail = `the registry comes from the chart's ${registry.where}, not worked out: it ${registry.why}`;
  }
  // The map's own repository is the registry part, edited where it stands; a registry the templates choose is only text.
  const { parts, value } = composeSplitImage(ownRepository ? repository : null, name, tag, digest);
  const literal = [name, tag, digest, ownRepository ? repository : null].every((part) => !part || part.literal);
  const reference = makeReference(file, {
    kind,
    value: `${prefix}${value}`,
    parts,
    // Reported where the name starts: the map's own repository, else its name.
    anchor: ownRepository ? repository.start : name.start,
    ...(skip !== undefined ? { skip } : literal ? {} : { skip: 'unsupported-quoting' as const }),
    ...(detail === undefined ? {} : { detail }),
  });
  return { reference, consumed };
}

/**
 * `image: {registry, org, name, tag}` whose templates write `{{ .Values.image.registry }}/{{ .Values.image.org }}/{{ .Values.image.name }}`:
 * the key between the registry and the name is a path part of the image (`registry.example.test/team/app:1.0`). Each part
 * is edited where it is written; reported at the name. Null when no template joins the map so.
 */
function registryKeyName(
  file: SourceFile,
  map: YAMLMap,
  kind: ReferenceKind,
  chartJoins: () => ChartImageJoins | null,
  path: readonly string[],
  parts: { readonly registry: StringScalar; readonly name: StringScalar; readonly tag: StringScalar | null; readonly digest: StringScalar | null },
): SplitImage | null {
  const key = chartJoins()?.keyBetweenRegistryAndName?.(path) ?? null;
  const between = key === null ? null : optionalString(file, map, key);
  if (key === null || !between || between === 'invalid' || !PATH_COMPONENT.test(between.value)) return null;
  const { registry, name, tag, digest } = parts;
  if (!PATH_COMPONENT.test(name.value) || registry.value.includes('://') || /\s/.test(registry.value)) return null;
  const { parts: spans, value } = composeNamedImage(registry, between, name, tag, digest);
  const literal = [registry, between, name, tag, digest].every((part) => !part || part.literal);
  const reference = makeReference(file, {
    kind,
    value,
    parts: spans,
    anchor: name.start,
    ...(literal ? {} : { skip: 'unsupported-quoting' as const }),
    detail: `the chart joins registry, ${key} and name`,
  });
  const consumed = ['registry', key, 'name', 'tag'];
  if (digest) consumed.push('digest');
  return { reference, consumed };
}

function has(map: YAMLMap, key: string): boolean {
  return mapGet(map, key) !== undefined;
}

export interface FieldWalkOptions {
  /** Kind for a whole-reference field `key` of the map at `path`. */
  readonly kindFor: (path: readonly string[], key: string) => ReferenceKind;
  /** Kind for a split image map. */
  readonly splitKind: ReferenceKind;
  /** Take `repository` + `tag` maps under any key, not only under image keys. */
  readonly splitAnywhere: boolean;
  /** Also accept `…_image` keys. */
  readonly snakeKeys: boolean;
  /**
   * Without `snakeKeys`, accept `…_image` keys when the value is a complete reference, a path with a tag or digest (a custom
   * resource's `docker_image`), and so `serverImage` / `server_image`, which elsewhere names a virtual machine's image.
   */
  readonly completeSnakeKeys?: boolean;
  /**
   * `…Image` keys other than `image` (a custom resource's `sidecarImage`) count only with a tag or digest written, in the
   * value or by a sibling that completes it: a bare name there (`sidecarImage: busybox`) is a setting the controller adds
   * its own tag to, or a chart value its templates join, not an image.
   */
  readonly completeImageKeys?: boolean;
  /** Maps not to enter (e.g. a CustomResourceDefinition). */
  readonly skipMap?: (map: YAMLMap) => boolean;
  /** How the chart whose values these are joins image parts in its templates (asked only for `image: {name, tag}` maps). */
  readonly chartJoins?: () => ChartImageJoins | null;
  /** A file of Ansible variables: its top-level `image_name` is an image's name, completed by `image_version` or `image_tag`. */
  readonly variableFile?: boolean;
}

/** Concourse resource types that fetch a container image from a registry. */
const CONCOURSE_IMAGE_TYPES = new Set(['registry-image', 'docker-image']);

/**
 * The `source` of a Concourse task's `image_resource` or of a `resource_types` entry of an image type: the image
 * Concourse runs the task or the resource in, pulled with its `tag` or, without one, `latest`. (A `resources` entry of
 * the same type is as often where a job pushes; it is read by the `repository` + `tag` rule only.)
 */
function concourseImageSource(map: YAMLMap, path: readonly string[]): YAMLMap | null {
  if (path.at(-1) !== 'image_resource' && path.at(-2) !== 'resource_types') return null;
  const type = mapGet(map, 'type');
  const source = mapGet(map, 'source');
  return isScalar(type) && typeof type.value === 'string' && CONCOURSE_IMAGE_TYPES.has(type.value) && isMap(source) ? source : null;
}

/**
 * A Concourse task step (`task:` with its `file:` or `config:`): its `image:` names an artifact of the plan (the
 * output of a `get` or an earlier task), which Concourse runs the task in; it is never a registry reference.
 */
function isConcourseTaskStep(map: YAMLMap): boolean {
  const task = mapGet(map, 'task');
  return isScalar(task) && typeof task.value === 'string' && (has(map, 'file') || has(map, 'config'));
}

/** An Azure Pipelines template expression written as a key (`${{ if … }}`, `${{ else }}`, `${{ each … }}`): a condition or loop that inserts the map under it into the map above. */
const TEMPLATE_EXPRESSION_KEY = /^\$\{\{.*\}\}$/s;

/** The key a map is written under, stepping over the template conditions and loops around it. */
function outsideConditions(path: readonly string[]): string | undefined {
  for (let index = path.length - 1; index >= 0; index--) {
    const key = path[index] ?? '';
    if (!TEMPLATE_EXPRESSION_KEY.test(key.trim())) return key;
  }
  return undefined;
}

/** Every image field under `root`, in document order. */
export function imageFields(file: SourceFile, root: unknown, options: FieldWalkOptions): Reference[] {
  const references: Reference[] = [];
  const runSources = new Set<YAMLMap>();
  walkMaps(root, (map, path) => {
    if (options.skipMap?.(map)) return 'skip';
    const mapKey = path[path.length - 1];
    const consumed = new Set<string>();
    const found: Reference[] = [];
    const runSource = concourseImageSource(map, path);
    if (runSource) runSources.add(runSource);
    const runs = runSources.has(map);
    const joined = repositoryImageVersion(file, map, options.splitKind) ?? chartJoinedImageVersion(file, map, options.splitKind, options.chartJoins, path);
    if (joined) {
      if (joined.reference) found.push(joined.reference);
      for (const key of joined.consumed) consumed.add(key);
    } else if (options.splitAnywhere || runs || (mapKey !== undefined && isImageKey(mapKey, options.snakeKeys))) {
      const split = splitImage(file, map, mapKey, options.splitKind, options.chartJoins, path, runs);
      if (split) {
        found.push(split.reference);
        for (const key of split.consumed) consumed.add(key);
      }
    }
    const volumeSource = imageVolumeSource(file, map, path, options);
    if (volumeSource) {
      found.push(volumeSource);
      consumed.add('reference');
    }
    const credentialed = credentialedImage(file, map, path, options);
    if (credentialed) {
      found.push(credentialed);
      consumed.add('name');
    }
    for (const [key, value] of mapEntries(map)) {
      if (consumed.has(key)) continue;
      // A map that names fields (`container_image: container_image`, the pod fields a log shipper adds to each record): the value is its own key's name.
      if (isScalar(value) && value.value === key) continue;
      if (options.splitAnywhere && IMAGE_REPOSITORY_KEY.test(key)) {
        const reference = repositoryKeyImage(file, map, key, value, options.kindFor(path, key));
        if (reference) found.push(reference);
        continue;
      }
      if (options.variableFile === true && path.length === 0 && VARIABLE_NAME_KEY.test(key)) {
        const reference = variableNamedImage(file, map, value, options.kindFor(path, key));
        if (reference) found.push(reference);
        continue;
      }
      if (options.snakeKeys && nameKeyStem(key) !== null) {
        const reference = namedImage(file, map, key, value, options.kindFor(path, key));
        if (reference) found.push(reference);
        continue;
      }
      if (!isImageKey(key, options.snakeKeys)) {
        // `docker_test_image_alpine: quay.io/org/tests:alpine3.8` (Ansible variables), a custom resource's `docker_image`: kept only when written as a full reference;
        // so is a custom resource's `serverImage` (a database operator's server), which elsewhere names a virtual machine's image.
        const complete = options.snakeKeys
          ? INFIX_IMAGE_KEY.test(key) || (options.variableFile === true && isOtherCaseImageKey(key))
          : options.completeSnakeKeys === true && (isImageKey(key, true) || SERVER_IMAGE_KEY.test(key));
        if (!complete) continue;
        const reference = scalarImage(file, value, options.kindFor(path, key));
        const image = reference?.skip === null ? reference.image : null;
        if (reference && image && reference.value.includes('/') && (image.tag !== null || image.digest !== null)) found.push(reference);
        continue;
      }
      // Azure Pipelines `pool: {name: …, image: …}` (1ES hosted pools) names a virtual machine image, also under the
      // template's conditions (`pool: {'${{ if eq(…) }}': {image: …}}`). A chart's values are no pipeline: there a `pool`
      // is the chart's own component (`cstor.pool.image` + `imageTag`, a storage pool's container).
      if (key === 'image' && outsideConditions(path) === 'pool' && options.kindFor(path, key) !== 'helm-values') continue;
      if (key === 'image' && isTalosOverlay(root, map, path)) continue;
      if (key === 'image' && mapKey !== undefined && LOCAL_IMAGE_MODULE.test(mapKey)) continue;
      if (key === 'image' && isConcourseTaskStep(map)) continue;
      const reference = scalarImage(file, value, options.kindFor(path, key));
      if (!reference) continue;
      const snake = options.snakeKeys ? withSnakeSiblings(file, map, key, reference) : null;
      // `<x>_image` + `<x>_image_tag` + `<x>_registry`: the registry (or digest) sibling is part of the image too.
      const registered = snake?.spans.some((span) => span.role === 'registry' || span.role === 'digest') ? snake : null;
      const completed = registered ?? withTagSibling(file, map, key, reference) ?? chartJoinedTag(file, root, [...path, key], reference, options.chartJoins) ?? snake;
      if (!completed && options.completeImageKeys === true && key !== 'image' && !writesTag(reference)) continue;
      found.push(completed ?? reference);
    }
    for (const reference of found) references.push(reference);
    return undefined;
  });
  return sortByPosition(sharingJoinedTags(references));
}

/**
 * A Talos Image Factory schematic's `overlay` (`overlay: {name: turingrk1, image: siderolabs/sbc-rockchip}`, under
 * `schematic:` in a talhelper `talconfig.yaml`, or at the top of a schematic beside its `customization`): the board
 * support the factory builds into the machine's disk image, which the factory resolves itself, not an image to pin.
 */
function isTalosOverlay(root: unknown, map: YAMLMap, path: readonly string[]): boolean {
  if (path.at(-1) !== 'overlay' || !has(map, 'name') || !mapEntries(map).every(([key]) => key === 'name' || key === 'image' || key === 'options')) return false;
  return path.at(-2) === 'schematic' || (path.length === 1 && isMap(root) && has(root, 'customization'));
}

/** Does the value write a tag or digest, literally or through a template (`registry.example.test/team/agent:${TAG}`)? */
function writesTag(reference: Reference): boolean {
  if (reference.skip === 'no-tag') return false;
  if (reference.skip !== 'templated') return true;
  return /[:@]/.test(reference.value.slice(reference.value.lastIndexOf('/') + 1));
}

/** The detail of a values name that the chart's templates join to a tag field of the same file. */
const JOINED_TAG_DETAIL = /^joined by the chart's templates to /;

/**
 * A bare name under an image key of a chart's values (`proxyImage: registry.example.test/team/proxy`) that the chart's
 * templates write with another values field as its tag (`{{ .Values.proxyImage }}:{{ .Values.proxyVersion }}`), that field
 * a literal of the same file (`proxyVersion: "2.4.1"`): the image, reported at the name and updated at the tag. Null
 * when the templates join no field so, or the field is not a plain literal here.
 */
function chartJoinedTag(file: SourceFile, root: unknown, path: readonly string[], reference: Reference, chartJoins: (() => ChartImageJoins | null) | undefined): Reference | null {
  if (reference.skip !== 'no-tag' || !chartJoins) return null;
  const joined = chartJoins()?.tagAfter(path) ?? null;
  if (!joined) return null;
  const tag = tagScalar(file, mapAt(root, ...joined.path));
  if (!tag || tag === 'invalid' || tag.value === '' || !tag.literal || isTemplated(tag.value) || !/^[\w][\w.-]{0,127}$/.test(tag.value)) return null;
  const composed = withTagAt(file, reference, tag);
  if (!composed) return null;
  const detail = `joined by the chart's templates to ${joined.path.join('.')} (line ${file.position(tag.start).line}) as its tag, ${joined.where}`;
  // `{{ .Values.global.hub }}/{{ .Values.global.proxy.image }}:{{ .Values.global.tag }}`: the registry the lines write before the name.
  const registry = chartJoins()?.registryBeforeField?.(path) ?? null;
  if (!registry) return { ...composed, detail };
  if (!registry.known) return { ...composed, skip: 'templated', detail: `${detail}; the registry before it comes from ${registry.where}, not worked out: ${registry.why}` };
  const value = `${registry.value.replace(/\/+$/, '')}/${composed.value}`;
  const parts = composed.spans.map((span) => ({ role: span.role, start: span.start - file.base, end: span.end - file.base }));
  return makeReference(file, { kind: composed.kind, value, parts, detail: `${detail}; registry ${registry.value}: ${registry.where}, not edited here` });
}

/**
 * A tag field the templates join to several names (`elasticsearchVersion` after `searchImage` and `dashboardImage`): one edit
 * moves every image written through it, so each carries the shared literal and moves only when all of them have the same new tag.
 */
function sharingJoinedTags(references: readonly Reference[]): Reference[] {
  const users = new Map<number, Reference[]>();
  for (const reference of references) {
    const tag = reference.spans.find((span) => span.role === 'tag');
    if (!tag || !JOINED_TAG_DETAIL.test(reference.detail ?? '')) continue;
    users.set(tag.start, [...(users.get(tag.start) ?? []), reference]);
  }
  return references.map((reference) => {
    const tag = reference.spans.find((span) => span.role === 'tag');
    const sharing = tag && JOINED_TAG_DETAIL.test(reference.detail ?? '') ? (users.get(tag.start) ?? []) : [];
    if (!tag || !sharing.some((other) => other.name !== reference.name)) return reference;
    const field = /to (\S+) \(line/.exec(reference.detail ?? '')?.[1] ?? 'the tag';
    const shared: SharedLiteral = {
      key: `${reference.file}:${tag.start}`,
      variable: `${field} (${reference.file}:${tag.line})`,
      uses: sharing.map((other) => `${other.value} (${other.file}:${other.line})`),
    };
    return { ...reference, shared, detail: `${reference.detail ?? ''}; ${shared.variable} is the tag of ${sharing.length} images: it moves only when all of them have the same new tag` };
  });
}

/**
 * `image: {reference: …}`: the source of an image volume (Kubernetes `ImageVolumeSource`), an OCI image pulled and
 * mounted like a container's image, wherever it is written: a Pod's `volumes`, chart values that build them
 * (`extraVolumes`), CloudNativePG's `extensions[].image`. A split `repository` map is read as such instead.
 */
function imageVolumeSource(file: SourceFile, map: YAMLMap, path: readonly string[], options: FieldWalkOptions): Reference | null {
  if (path[path.length - 1] !== 'image' || has(map, 'repository')) return null;
  return scalarImage(file, mapGet(map, 'reference'), options.kindFor(path.slice(0, -1), 'image'));
}

/** What a CI step's image map holds besides its `name`: how to log in to a private registry, and the user to run as. */
const IMAGE_LOGIN_KEYS: ReadonlySet<string> = new Set(['username', 'password', 'email', 'aws', 'run-as-user']);

/**
 * `image: {name: registry.example.test/team/ci:2.1, username: …, password: …}`: a CI step's image pulled from a private
 * registry with the credentials beside it (Bitbucket Pipelines). Read when the map holds only `name` and such keys.
 */
function credentialedImage(file: SourceFile, map: YAMLMap, path: readonly string[], options: FieldWalkOptions): Reference | null {
  if (path[path.length - 1] !== 'image' || !has(map, 'name')) return null;
  const keys = mapEntries(map).map(([key]) => key);
  if (keys.length < 2 || !keys.every((key) => key === 'name' || IMAGE_LOGIN_KEYS.has(key))) return null;
  return scalarImage(file, mapGet(map, 'name'), options.kindFor(path.slice(0, -1), 'image'));
}

/**
 * `imageRepository`, `sidecarImageRepository`, `imageName`, `operatorImageName`: a chart value that names an image's repository,
 * its tag beside it or the chart's.
 */
export const IMAGE_REPOSITORY_KEY = /^(?:image|[a-z][A-Za-z0-9]*Image)(?:Repository|Name)$/;
/** A name with a path (`registry.example.test/team/relay`, `team/relay`), as an `imageName` value must be to count. */
export function namedWithPath(value: string): boolean {
  return value.includes('/');
}

/** A registry host alone (`registry.k8s.io`, `localhost:5000`): what a prefix setting names, not an image. */
const REGISTRY_HOST = /^(?:localhost(?::\d+)?|[^/]*[.:][^/]*)$/;

/**
 * A Helm value `imageRepository: ghcr.io/acme/api` (also `<x>ImageRepository`, and in chart values `imageName`, `<x>ImageName`
 * written with a path): the image's repository,
 * completed by an `imageTag` (`<x>ImageTag`) sibling, else reported without a tag as the chart's own default
 * decides it; a registry host alone is a prefix the chart puts before its own names, not an image.
 */
function repositoryKeyImage(file: SourceFile, map: YAMLMap, key: string, value: unknown, kind: ReferenceKind): Reference | null {
  const reference = scalarImage(file, value, kind);
  if (!reference || REGISTRY_HOST.test(reference.value)) return null;
  // A name key counts in chart values only, with a path: a one-word name (`imageName: agent`) is as often joined to a registry
  // sibling the chart writes before it, and elsewhere (a build tool's settings) such a key names what is built.
  if (key.endsWith('Name') && (kind !== 'helm-values' || !namedWithPath(reference.value))) return null;
  const stem = key.replace(/(?:Repository|Name)$/, '');
  return withTagSibling(file, map, stem, reference) ?? reference;
}

/**
 * A bare repository under an image key completed by its `<key>Tag` / `<key>_tag` sibling
 * (`image: grafana/logstash-output-loki` + `imageTag: 1.0.1`), edited in both places.
 */
function withTagSibling(file: SourceFile, map: YAMLMap, key: string, reference: Reference): Reference | null {
  if (reference.skip !== 'no-tag') return null;
  const tagNode = mapGet(map, `${key}Tag`) ?? mapGet(map, `${key}_tag`);
  if (tagNode === undefined) return null;
  const tag = tagScalar(file, tagNode);
  if (!tag || tag === 'invalid' || tag.value === '' || !tag.literal || isTemplated(tag.value)) return null;
  return withTagAt(file, reference, tag);
}

/**
 * The image under a name key (`sonarr_image_name: linuxserver/sonarr`), completed by its siblings
 * (`sonarr_image_version`, `sonarr_image_tag`, and those of `sonarr_image`); alone, reported when the name
 * has a path, as a one-word name under such a key is as often a virtual machine's image.
 */
function namedImage(file: SourceFile, map: YAMLMap, key: string, value: unknown, kind: ReferenceKind): Reference | null {
  const reference = scalarImage(file, value, kind);
  if (!reference || templatedWord(reference)) return null;
  if (reference.skip === 'templated') return withSnakeSiblings(file, map, key, reference) ?? reference;
  if (reference.skip !== 'no-tag') return reference;
  return withSnakeSiblings(file, map, key, reference) ?? (reference.value.includes('/') ? reference : null);
}

/**
 * A name key's value written with a template and no path, tag or digest of its own (`ubuntu-2204-kube-{{ k8s_version }}`): one
 * word, as often a virtual machine's image, so not read, as a one-word name alone is not.
 */
function templatedWord(reference: Reference): boolean {
  return reference.skip === 'templated' && !/[/:@]/.test(reference.value.replace(/\{\{.*?\}\}|\{%.*?%\}|\$\{[^}]*\}|\$[A-Za-z_]\w*/g, ''));
}

/** The name of the image a file of Ansible variables sets for the tasks that load it. */
const VARIABLE_NAME_KEY = /^image_(?:name|repository|repo)$/;

/**
 * In a file of Ansible variables (a role's `defaults/` or `vars/`, a file its tasks load with `include_vars`), the
 * top-level `image_name: registry.example.test/team/exporter` + `image_version: v1.4.0` that a role's template joins
 * as `{{ image_name }}:{{ image_version }}`: the image, reported at the name, each part edited where it is written.
 * Only the `image_` siblings complete it (a `version:` of the same file is the role's own); alone, a name counts
 * with a path, as for `<x>_image_name`.
 */
function variableNamedImage(file: SourceFile, map: YAMLMap, value: unknown, kind: ReferenceKind): Reference | null {
  const reference = scalarImage(file, value, kind);
  if (reference && templatedWord(reference)) return null;
  const [span, ...more] = reference?.spans ?? [];
  if (!reference || reference.skip !== 'no-tag' || span === undefined || more.length > 0) return reference;
  const start = span.start - file.base;
  const sibling = (keys: readonly string[]): ValueText | null => {
    for (const name of keys) {
      if (!name.startsWith('image_')) continue;
      const found = yamlValueText(mapGet(map, name), file, true);
      if (found && found.text !== '') return found;
    }
    return null;
  };
  const input = composeImage(kind, 'image', 'name', { text: span.text, start, end: start + span.text.length }, sibling);
  return input === null ? null : makeReference(file, input);
}

/**
 * A bare repository under a `<prefix>_image` key completed by its siblings as Puppet parameters are
 * (`<prefix>_tag` or `<prefix>_version`, `<prefix>_registry`, `<prefix>_digest`): Ansible role defaults
 * such as `app_container_image: quay.io/org/app` + `app_container_tag: "3.12"`, edited where each part is written.
 */
function withSnakeSiblings(file: SourceFile, map: YAMLMap, key: string, reference: Reference): Reference | null {
  if (reference.skip === 'templated') return templatedWithSiblings(file, map, key, reference);
  const [span, ...more] = reference.spans;
  if (reference.skip !== 'no-tag' || span === undefined || more.length > 0 || !(SNAKE_IMAGE_KEY.test(key) || nameKeyStem(key) !== null)) return null;
  const start = span.start - file.base;
  const own: ValueText = { text: span.text, start, end: start + span.text.length };
  const byKey = new Map(mapEntries(map).map(([name, node]) => [name, node] as const));
  // A sibling written as a template (`"{{ lookup('env', 'APP_VERSION') }}"`) is known only when the role runs.
  const templated: string[] = [];
  const sibling = (keys: readonly string[]): ValueText | null => {
    for (const name of keys) {
      const found = yamlValueText(byKey.get(name), file, true);
      if (found && found.text !== '') {
        if (found.templated === true) templated.push(`${name} (line ${file.position(found.start).line})`);
        return found;
      }
    }
    return null;
  };
  const input = composeImage(reference.kind, key, 'clear', own, sibling);
  if (!input || input.parts.length < 2) return null;
  return makeReference(file, templated.length === 0 ? input : { ...input, detail: `${templated.join(', ')} is a template, known only when it is rendered` });
}

/** Template actions and Jinja statements, taken out to see the text a value writes itself. */
const TEMPLATE_ACTIONS = /\{\{.*?\}\}|\{%.*?%\}/g;

/**
 * A name written with a template under a `<prefix>_image` or `<prefix>_image_repo` key, with no tag or digest of its own
 * (`etcd_image_repo: "{{ mirror }}/coreos/etcd"`, its registry a variable the user may set), completed by the same tag and
 * digest siblings as a literal name (`etcd_image_tag: "v{{ etcd_version }}"`): `name:tag`, shown `templated` as the name is,
 * reported at the name, the tag's line a part of it. A registry sibling is not put before a name whose template writes its own.
 */
function templatedWithSiblings(file: SourceFile, map: YAMLMap, key: string, reference: Reference): Reference | null {
  const [span, ...more] = reference.spans;
  if (span === undefined || more.length > 0 || !(SNAKE_IMAGE_KEY.test(key) || nameKeyStem(key) !== null)) return null;
  const own = reference.value.replace(TEMPLATE_ACTIONS, '');
  if (own.includes('@') || (own.split('/').at(-1) ?? '').includes(':')) return null;
  const sibling = (keys: readonly string[]): ValueText | null => {
    for (const name of keys) {
      const found = yamlValueText(mapGet(map, name), file, true);
      if (found && found.text !== '') return found;
    }
    return null;
  };
  const tag = sibling(tagSiblingKeys(key));
  const digest = sibling(digestSiblingKeys(key));
  if (!tag && !digest) return null;
  const start = span.start - file.base;
  const parts: PartInput[] = [{ role: 'repository', start, end: start + span.text.length }];
  let value = reference.value;
  const named: string[] = [];
  for (const [role, found, mark] of [
    ['tag', tag, ':'],
    ['digest', digest, '@'],
  ] as const) {
    if (!found) continue;
    parts.push({ role, start: found.start, end: found.end });
    value += mark + (role === 'digest' && /^[a-f0-9]{64}$/.test(found.text) ? `sha256:${found.text}` : found.text);
    named.push(`${role} at line ${file.position(found.start).line}`);
  }
  return makeReference(file, { kind: reference.kind, value, parts, skip: 'templated', detail: `the name is a template, known only when it is rendered; it takes the ${named.join(' and the ')}` });
}

/**
 * The text of a string scalar as a value that may be composed into an image; for tags also of a plain number
 * (`image_tag: 22.04`), read from the source so that `1.10` stays `1.10`.
 */
export function yamlValueText(node: unknown, file: SourceFile, allowNumber: boolean): ValueText | null {
  const scalar = stringScalar(node, file);
  if (scalar) {
    if (isTemplated(scalar.value)) return { text: scalar.value, start: scalar.start, end: scalar.end, templated: true };
    return { text: scalar.value, start: scalar.start, end: scalar.end, ...(scalar.literal ? {} : { skip: 'unsupported-quoting' as const }) };
  }
  if (allowNumber && isScalar(node) && typeof node.value === 'number' && node.type === Scalar.PLAIN && node.range) {
    const [start, end] = node.range;
    return { text: file.text.slice(start, end), start, end };
  }
  return null;
}

/** Document order: a parent map is visited before its children, so order by where each reference is reported. */
export function sortByPosition<T extends { line: number; column: number }>(references: T[]): T[] {
  return references.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** A repository that names its registry host (`ghcr.io/team/agent`, `localhost:5000/agent`): no scheme, at least one path part after the host. */
const HOSTED_REPOSITORY = /^(?:localhost|[a-z0-9-]+(?:\.[a-z0-9-]+)+|[a-z0-9.-]+:\d+)(?::\d+)?\/[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;
/** A version written as an image tag would be. */
const TAG_TEXT = /^[\w][\w.-]{0,127}$/;
/** The keys of a Helm chart's (or a Git or OCI source's) reference: a map holding any of them names a chart, not an image. */
const CHART_SOURCE_KEYS = ['chart', 'url', 'repoURL', 'tag', 'image'];

/**
 * A custom resource's image written as `repository` + `version` (`repository: registry.example.test/team/agent` +
 * `version: v1.4.2`, an operator's setting for the image it runs): `repository:version`, reported at the repository,
 * the version edited where it stands. The repository must name its registry host (a chart repository is written as a
 * URL, `oci://…`, or an alias); a map that also names a chart, a URL or its own image fields is not one.
 */
export function repositoryVersionImage(file: SourceFile, map: YAMLMap, kind: ReferenceKind): Reference | null {
  if (CHART_SOURCE_KEYS.some((key) => has(map, key))) return null;
  const repository = stringScalar(mapGet(map, 'repository'), file);
  const version = tagScalar(file, mapGet(map, 'version'));
  if (!repository || !version || version === 'invalid' || !repository.literal || !version.literal) return null;
  if (!HOSTED_REPOSITORY.test(repository.value) || !TAG_TEXT.test(version.value)) return null;
  const { parts, value } = composeSplitImage(null, repository, version, null);
  return makeReference(file, { kind, value, parts, anchor: repository.start });
}
