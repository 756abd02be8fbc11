/** The manifest media types archpin reads, and the check that refuses everything else. */
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_SCHEMA1_MANIFEST, DOCKER_SCHEMA1_SIGNED_MANIFEST, OCI_INDEX, OCI_MANIFEST } from '../core/manifest.js';
import { RegistryError } from './registry-errors.js';

export { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST };

export type ManifestMediaType = typeof OCI_INDEX | typeof OCI_MANIFEST | typeof DOCKER_MANIFEST_LIST | typeof DOCKER_MANIFEST;

const SUPPORTED: ReadonlySet<string> = new Set([OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST]);
const SCHEMA1: ReadonlySet<string> = new Set([DOCKER_SCHEMA1_MANIFEST, DOCKER_SCHEMA1_SIGNED_MANIFEST]);

/** Indexes first: a multi-arch tag must come back as its index, never as one platform's manifest. */
export const MANIFEST_ACCEPT = [OCI_INDEX, DOCKER_MANIFEST_LIST, `${OCI_MANIFEST};q=0.9`, `${DOCKER_MANIFEST};q=0.9`].join(', ');

/** `application/json; charset=utf-8` → `application/json`. */
export function bareMediaType(contentType: string | null): string | null {
  if (contentType === null) return null;
  const [type = ''] = contentType.split(';');
  const bare = type.trim().toLowerCase();
  return bare === '' ? null : bare;
}

export function isSupportedManifestType(mediaType: string): mediaType is ManifestMediaType {
  return SUPPORTED.has(mediaType);
}

/**
 * Decides the media type of a received manifest: the Content-Type when it names a manifest type, else the
 * body's own `mediaType` (servers that answer `application/json`). Schema 1 and unknown types are refused.
 */
export function manifestMediaType(contentType: string | null, bytes: Uint8Array, what: string): ManifestMediaType {
  const declared = bareMediaType(contentType);
  const candidate = declared !== null && declared !== 'application/json' && declared !== 'text/plain' ? declared : bodyMediaType(bytes);
  if (candidate !== null && isSupportedManifestType(candidate)) return candidate;
  if ((candidate !== null && SCHEMA1.has(candidate)) || bodySchemaVersion(bytes) === 1) {
    return refuse(`${what}: Docker schema 1 manifest (${candidate ?? 'schemaVersion 1'}) is not supported; the image must be pushed as schema 2 or OCI`);
  }
  return refuse(`${what}: unsupported manifest media type ${candidate ?? '(none)'}`);
}

function refuse(message: string): never {
  throw new RegistryError('unsupported-media-type', message);
}

function bodyJson(bytes: Uint8Array): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(bytes).toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function bodyMediaType(bytes: Uint8Array): string | null {
  const value = bodyJson(bytes)?.['mediaType'];
  return typeof value === 'string' ? value.toLowerCase() : null;
}

function bodySchemaVersion(bytes: Uint8Array): unknown {
  return bodyJson(bytes)?.['schemaVersion'];
}
