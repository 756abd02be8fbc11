import { parseImageRef } from '../core/image-ref.js';
import type { ReferenceKind, SkipReason } from '../core/types.js';
import type { PartInput, ReferenceInput } from './make-reference.js';

/**
 * Which attribute, parameter and key names hold images, and which siblings hold their tag and
 * digest. Shared by the Puppet and Hiera extractors: Hiera keys are Puppet parameter names with a
 * class prefix (`profile::app::image`), so the rules look at the part after the last `::`.
 */

export type ImageKeyStrength =
  /** `image`, `*_image`, `*::image`: an image, even without a tag. */
  | 'clear'
  /** `baseimage`: an image only when the value carries a tag or digest. */
  | 'weak'
  /**
   * `<x>_image_name`, `<x>_image_repository`, `<x>_image_repo`, Hiera's `<x>::image::name`: the name part of
   * an image whose version is a sibling. An image with a tag or digest sibling, or when the value carries
   * one; alone, only a name with a path (`linuxserver/sonarr`), as a one-word value (`cirros`) is as often a
   * virtual machine's image.
   */
  | 'name';

function splitPrefix(key: string): { prefix: string; local: string } {
  const cut = key.lastIndexOf('::');
  return cut === -1 ? { prefix: '', local: key } : { prefix: key.slice(0, cut + 2), local: key.slice(cut + 2) };
}

/** `sonarr_image_name` → `sonarr_image`; `app::image::name` → `app::image`. */
const NAME_KEY = /^(.*[^:_](?:_image|::image))(?:_|::)(?:name|repository|repo)$/i;

/**
 * The image key that a name key stands for (`sonarr_image` for `sonarr_image_name`, `app::image` for
 * `app::image::name`): its siblings are that key's, and the name key's own (`app::image::version`). Null
 * for any other key.
 */
export function nameKeyStem(key: string): string | null {
  const match = NAME_KEY.exec(key);
  const stem = match?.[1];
  if (stem === undefined) return null;
  // `_image_name` goes with `_image`, `::image::name` with `::image`: not `sonarr_image::name`.
  const separator = key.slice(stem.length, key.length - (/(?:name|repository|repo)$/i.exec(key)?.[0].length ?? 0));
  if ((separator === '::') !== stem.toLowerCase().endsWith('::image')) return null;
  return imageKeyStrength(stem) === 'clear' ? stem : null;
}

/** The sibling keys a name key has itself (`app::image::tag` beside `app::image::name`), before those of its stem. */
function nameKeySiblings(key: string, parts: readonly string[]): string[] | null {
  const stem = nameKeyStem(key);
  if (stem === null) return null;
  const separator = stem.endsWith('::image') ? '::' : '_';
  return parts.map((part) => `${stem}${separator}${part}`);
}

/** How surely a name holds an image, or null when it does not. */
export function imageKeyStrength(key: string): ImageKeyStrength | null {
  if (nameKeyStem(key) !== null) return 'name';
  const { local } = splitPrefix(key);
  const lower = local.toLowerCase();
  if (NOT_CONTAINER_KEYS.has(lower)) return null;
  if (lower === 'image' || lower.endsWith('_image')) return 'clear';
  if (lower.endsWith('image') && /^[a-z0-9_]+$/.test(lower)) return 'weak';
  return null;
}

/**
 * `*image` names that are not containers: Nagios/Icinga host and service pictures (`icon_image`,
 * `vrml_image`, `statusmap_image`), and disk or boot images of virtual machines.
 */
const NOT_CONTAINER_KEYS: ReadonlySet<string> = new Set([
  'icon_image',
  'icon_image_alt',
  'vrml_image',
  'statusmap_image',
  'boot_image',
  'disk_image',
  'vm_image',
  'cloud_image',
  'os_image',
  'iso_image',
  'kernel_image',
  'initrd_image',
]);

/** Sibling names that may hold the tag of an image named `key` without one, most specific first. */
export function tagSiblingKeys(key: string): string[] {
  const own = nameKeySiblings(key, ['tag', 'version']);
  if (own) return [...new Set([...own, ...tagSiblingKeys(nameKeyStem(key) ?? '')])];
  const { prefix, local } = splitPrefix(key);
  const names =
    local === 'image'
      ? ['image_tag', 'imagetag', 'image_version', 'tag', 'version']
      : [`${local}_tag`, `${local}tag`, `${local}_version`, ...(local.endsWith('_image') ? [`${local.slice(0, -6)}_tag`, `${local.slice(0, -6)}_version`] : [])];
  return names.map((name) => prefix + name);
}

/** Sibling names that may hold the registry of an image named `key` (`flannel_image` beside `flannel_registry`). */
export function registrySiblingKeys(key: string): string[] {
  const own = nameKeySiblings(key, ['registry']);
  if (own) return [...new Set([...own, ...registrySiblingKeys(nameKeyStem(key) ?? '')])];
  const { prefix, local } = splitPrefix(key);
  const names = local === 'image' ? ['image_registry', 'registry'] : [`${local}_registry`, ...(local.endsWith('_image') ? [`${local.slice(0, -6)}_registry`] : [])];
  return names.map((name) => prefix + name);
}

/** Sibling names that may hold the digest of an image named `key`. */
export function digestSiblingKeys(key: string): string[] {
  const own = nameKeySiblings(key, ['digest']);
  if (own) return [...new Set([...own, ...digestSiblingKeys(nameKeyStem(key) ?? '')])];
  const { prefix, local } = splitPrefix(key);
  return (local === 'image' ? ['image_digest', 'digest'] : [`${local}_digest`]).map((name) => prefix + name);
}

const FILE_EXTENSION = /\.(?:png|jpe?g|gif|svg|ico|bmp|webp|tiff?|iso|img|qcow2|raw|vmdk|vdi|vhdx?|ova|ovf|tar|gz|tgz|xz|bz2|zst|zip|txt|conf|sh)$/i;

/** Values that are filenames, URLs, paths or prose, never image references, whatever the key says. */
export function looksLikeNonImage(value: string): boolean {
  const bare = value.replace(/\$\{[^}]*\}|%\{[^}]*\}/g, 'x');
  if (bare.trim() === '' || /\s/.test(bare)) return true;
  if (value.includes('://') || value.startsWith('/') || value.startsWith('./') || value.startsWith('../') || value.startsWith('~')) return true;
  return FILE_EXTENSION.test(value);
}

/** A value as found in the source: its text and where it can be edited. */
export interface ValueText {
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** Holds interpolation or is a variable: reported, never updated. */
  readonly templated?: boolean;
  /** Why the text cannot be rewritten as written (escapes, bare numbers where a string is needed). */
  readonly skip?: SkipReason;
}

/** A repository whose first part is a host (`ghcr.io/…`, `localhost:5000/…`): it names its registry itself. */
const NAMES_REGISTRY = /^(?:[^/]*[.:][^/]*|localhost)\//;

/**
 * The reference for an image-named key holding `value`, completed from tag and digest siblings when the
 * value has neither; null when the value is not an image (filenames, URLs, unparsable text, or a
 * tagless value under a weak key).
 */
export function composeImage(
  kind: ReferenceKind,
  key: string,
  strength: ImageKeyStrength,
  value: ValueText,
  sibling: (keys: readonly string[]) => ValueText | null,
  detail?: string,
): ReferenceInput | null {
  const base = { kind, ...(detail === undefined ? {} : { detail }) };
  if (looksLikeNonImage(value.text)) return null;
  if (value.templated) {
    return strength !== 'weak' ? { ...base, value: value.text, parts: [{ role: 'reference', start: value.start, end: value.end }] } : null;
  }
  const parsed = parseImageRef(value.text);
  if (!parsed) return null;
  // Siblings complete a bare repository only: a value with its own tag is a whole reference.
  const bare = parsed.tag === null && parsed.digest === null;
  const tag = bare ? sibling(tagSiblingKeys(key)) : null;
  const digest = bare ? sibling(digestSiblingKeys(key)) : null;
  const skipOf = (skip: SkipReason | undefined) => (skip === undefined ? {} : { skip });
  if (!tag && !digest) {
    if (strength === 'weak' && bare) return null;
    if (strength === 'name' && bare && !value.text.includes('/')) return null;
    return { ...base, value: value.text, parts: [{ role: 'reference', start: value.start, end: value.end }], ...skipOf(value.skip) };
  }
  // A registry sibling completes a repository that names no registry of its own (`flannel-io/flannel` + `flannel_registry => 'ghcr.io'`).
  const registry = NAMES_REGISTRY.test(value.text) ? null : sibling(registrySiblingKeys(key));
  const parts: PartInput[] = [];
  let composed = value.text;
  let skip = value.skip;
  if (registry && registry.text !== '' && !/[\s@]|:\/\//.test(registry.text)) {
    parts.push({ role: 'registry', start: registry.start, end: registry.end });
    composed = `${registry.text.replace(/\/+$/, '')}/${composed}`;
    skip ??= registry.skip;
  }
  parts.push({ role: 'repository', start: value.start, end: value.end });
  if (tag) {
    parts.push({ role: 'tag', start: tag.start, end: tag.end });
    composed += `:${tag.text}`;
    skip ??= tag.skip;
  }
  if (digest) {
    parts.push({ role: 'digest', start: digest.start, end: digest.end });
    composed += `@${/^[a-f0-9]{64}$/.test(digest.text) ? `sha256:${digest.text}` : digest.text}`;
    skip ??= digest.skip;
  }
  // Reported at the repository, where the image is named, also when the registry is written first.
  return { ...base, value: composed, parts, ...(parts[0]?.role === 'registry' ? { anchor: value.start } : {}), ...skipOf(skip) };
}
