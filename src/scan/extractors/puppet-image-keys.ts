/**
 * Which attribute, parameter and key names hold images, and which siblings hold their tag and
 * digest. Shared by the Puppet and Hiera extractors: Hiera keys are Puppet parameter names with a
 * class prefix (`profile::app::image`), so the rules look at the part after the last `::`.
 */

export type ImageKeyStrength =
  /** `image`, `*_image`, `*::image`: an image, even without a tag. */
  | 'clear'
  /** `baseimage`: an image only when the value carries a tag or digest. */
  | 'weak';

function splitPrefix(key: string): { prefix: string; local: string } {
  const cut = key.lastIndexOf('::');
  return cut === -1 ? { prefix: '', local: key } : { prefix: key.slice(0, cut + 2), local: key.slice(cut + 2) };
}

/** How surely a name holds an image, or null when it does not. */
export function imageKeyStrength(key: string): ImageKeyStrength | null {
  const { local } = splitPrefix(key);
  const lower = local.toLowerCase();
  if (lower === 'image' || lower.endsWith('_image')) return 'clear';
  if (lower.endsWith('image') && /^[a-z0-9_]+$/.test(lower)) return 'weak';
  return null;
}

/** Sibling names that may hold the tag of an image named `key` without one, most specific first. */
export function tagSiblingKeys(key: string): string[] {
  const { prefix, local } = splitPrefix(key);
  const names =
    local === 'image'
      ? ['image_tag', 'imagetag', 'image_version', 'tag', 'version']
      : [`${local}_tag`, `${local}tag`, `${local}_version`, ...(local.endsWith('_image') ? [`${local.slice(0, -6)}_tag`] : [])];
  return names.map((name) => prefix + name);
}

/** Sibling names that may hold the digest of an image named `key`. */
export function digestSiblingKeys(key: string): string[] {
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
