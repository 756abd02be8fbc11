/**
 * The lookup half of child verification: resolve nested indexes and fetch every runnable entry's child
 * manifest and config blob by digest. Each child ends as a ChildCheck (the gate judges them); nothing here
 * throws for one bad child, so one broken platform holds its candidate and never aborts the image's lookup.
 */
import { isArchpinError } from '../core/errors.js';
import { CONFIG_MAX_BYTES, IMAGE_MEDIA_TYPES, INDEX_MEDIA_TYPES, MAX_MANIFEST_BYTES, parseImageConfig, parseManifest, type IndexEntry, type IndexManifest } from '../core/manifest.js';
import { entriesToVerify } from '../core/verify-scope.js';
import type { ChildCheck, ChildFailureCode } from '../core/verdict.js';
import type { ImageLocation } from '../core/dependency.js';
import type { ManifestSource, VouchedChild } from './manifest-source.js';

/** Nested indexes are followed this many levels below the top index; deeper ones stay unresolved (`nested-index`). */
export const MAX_NESTED_DEPTH = 2;

const short = (digest: string): string => digest.slice(0, 19);

/**
 * Replaces each nested index entry the lookup can read (by digest, size as declared, within MAX_NESTED_DEPTH,
 * never a digest already on the path) by its own entries; the ones it cannot read stay, and the gate holds them
 * as `nested-index`. The top index's digest is still what gets pinned.
 */
export async function resolveNested(source: ManifestSource, location: ImageLocation, index: IndexManifest, path: readonly string[] = []): Promise<IndexManifest> {
  if (!index.entries.some((entry) => INDEX_MEDIA_TYPES.has(entry.mediaType) && !entry.attestation && !entry.artifactType)) return index;
  const entries: IndexEntry[] = [];
  for (const entry of index.entries) {
    const nested = INDEX_MEDIA_TYPES.has(entry.mediaType) && !entry.attestation && !entry.artifactType;
    if (!nested || path.length >= MAX_NESTED_DEPTH || path.includes(entry.digest) || entry.size > MAX_MANIFEST_BYTES) {
      entries.push(entry);
      continue;
    }
    try {
      const fetched = await source.manifestByDigest(location, entry.digest);
      const parsed = parseManifest(fetched.bytes, fetched.mediaType);
      if (fetched.bytes.byteLength !== entry.size || !parsed.ok || parsed.value.kind !== 'index' || parsed.value.subject || parsed.value.artifactType) {
        entries.push(entry);
        continue;
      }
      const inner = await resolveNested(source, location, parsed.value, [...path, entry.digest]);
      for (const entry of inner.entries) entries.push(entry);
    } catch {
      entries.push(entry);
    }
  }
  return { ...index, entries };
}

/**
 * Fetches and checks the child of every runnable entry in `scope` (the platforms to verify, see platformsToVerify;
 * 'all' for every runnable entry). `indexDigest` is the index's own digest, for a registry that keeps a record of
 * its children (Docker Hub: see ManifestSource.vouchChild).
 */
export async function verifyChildren(
  source: ManifestSource,
  location: ImageLocation,
  index: IndexManifest,
  options: {
    readonly scope: readonly string[] | 'all';
    readonly indexDigest: string;
    readonly rethrow?: (error: unknown) => boolean;
    /** False when the index is a registry's record, not its bytes: the descriptors' sizes are unknown and not compared. */
    readonly sizesKnown?: boolean;
  },
): Promise<Map<string, ChildCheck>> {
  const rethrow = options.rethrow ?? (() => false);
  const sizesKnown = options.sizesKnown ?? true;
  const digests = entriesToVerify(index, options.scope);
  // One child after the other: a registry that stops answering (a spent pull quota) is asked once, not once per platform.
  const checks = new Map<string, ChildCheck>();
  for (const entry of digests) checks.set(entry.digest, await verifyChild(source, location, options.indexDigest, entry, rethrow, sizesKnown));
  return checks;
}

/** Errors for which `rethrow` says yes propagate (the registry did not answer); all others become a failed check. */
async function verifyChild(source: ManifestSource, location: ImageLocation, indexDigest: string, entry: IndexEntry, rethrow: (error: unknown) => boolean, sizesKnown: boolean): Promise<ChildCheck> {
  const name = `child ${short(entry.digest)}`;
  if (!IMAGE_MEDIA_TYPES.has(entry.mediaType)) return fail('child-not-image', `${name} is a ${entry.mediaType}, not an image manifest`);
  if (sizesKnown && entry.size > MAX_MANIFEST_BYTES) return fail('manifest-too-large', `${name} declares ${entry.size} bytes, more than the ${MAX_MANIFEST_BYTES} allowed`);
  if (source.vouchChild) {
    let vouched;
    try {
      vouched = await source.vouchChild(location, indexDigest, entry);
    } catch (error) {
      if (rethrow(error)) throw error;
      return fromError(error, name);
    }
    if (vouched !== null) return fromRecord(vouched, entry, name, sizesKnown);
  }
  let fetched;
  try {
    fetched = await source.manifestByDigest(location, entry.digest);
  } catch (error) {
    if (rethrow(error)) throw error;
    return fromError(error, name);
  }
  if (sizesKnown && fetched.bytes.byteLength !== entry.size) {
    return fail('size-mismatch', `${name} is ${fetched.bytes.byteLength} bytes; the index's descriptor says ${entry.size}`);
  }
  const parsed = parseManifest(fetched.bytes, fetched.mediaType);
  if (!parsed.ok) return fail('child-not-image', `${name} cannot be read as an image manifest (${parsed.error.message})`);
  const manifest = parsed.value;
  if (manifest.kind !== 'image') return fail('child-not-image', `${name} is an index, while the descriptor says ${entry.mediaType}`);
  if (manifest.artifactType || manifest.subject) return fail('child-not-image', `${name} is an artifact (${manifest.artifactType ?? `referrer of ${manifest.subject}`})`);
  if (manifest.config.size > CONFIG_MAX_BYTES) {
    return fail('unverified', `${name}'s config blob declares ${manifest.config.size} bytes, more than the ${CONFIG_MAX_BYTES} archpin reads`);
  }
  let bytes: Uint8Array;
  try {
    bytes = await source.blob(location, manifest.config.digest, CONFIG_MAX_BYTES);
  } catch (error) {
    if (rethrow(error)) throw error;
    return fromError(error, `${name}'s config blob ${short(manifest.config.digest)}`);
  }
  const config = parseImageConfig(bytes);
  if (!config.ok) return fail('child-not-image', `${name}'s config is not an image config (${config.error.message})`);
  return { ok: true, platform: config.value.platform, variantGiven: hasVariant(bytes), created: config.value.created?.getTime() ?? null };
}

/**
 * A child confirmed without its body: the registry's HEAD by digest must give the descriptor's digest, size and
 * an image media type; the platform is the registry's own record of the child's config. When the index itself is a
 * record (`sizesKnown` false), no descriptor size is known: the child's own size must be within the manifest limit.
 */
function fromRecord(vouched: VouchedChild, entry: IndexEntry, name: string, sizesKnown: boolean): ChildCheck {
  if (vouched.digest !== entry.digest) return fail('digest-mismatch', `${name}: the registry answers for ${vouched.digest}`);
  if (sizesKnown && vouched.size !== entry.size) return fail('size-mismatch', `${name} is ${vouched.size} bytes; the index's descriptor says ${entry.size}`);
  if (vouched.size > MAX_MANIFEST_BYTES) return fail('manifest-too-large', `${name} is ${vouched.size} bytes, more than the ${MAX_MANIFEST_BYTES} allowed`);
  if (!IMAGE_MEDIA_TYPES.has(vouched.mediaType)) return fail('child-not-image', `${name} is a ${vouched.mediaType}, not an image manifest`);
  return { ok: true, platform: vouched.platform, variantGiven: vouched.platform.variant !== null, created: null, confirmedBy: vouched.recordedBy };
}

function hasVariant(bytes: Uint8Array): boolean {
  try {
    const variant = (JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>)['variant'];
    return typeof variant === 'string' && variant !== '';
  } catch {
    return false;
  }
}

function fromError(error: unknown, name: string): ChildCheck {
  if (!isArchpinError(error)) return fail('unverified', `${name} could not be checked: ${error instanceof Error ? error.message : String(error)}`);
  switch (error.code) {
    case 'registry-not-found':
      return fail('child-missing', `${name} is missing from the registry (404)`);
    case 'digest-mismatch':
      return fail('digest-mismatch', `${name}: ${error.message}`);
    case 'manifest-too-large':
      return fail('manifest-too-large', `${name}: ${error.message}`);
    case 'unsupported-media-type':
      return fail('child-not-image', `${name}: ${error.message}`);
    default:
      return fail('unverified', `${name} could not be checked (${error.code}): ${error.message}`);
  }
}

function fail(code: ChildFailureCode, message: string): ChildCheck {
  return { ok: false, code, message };
}
