/**
 * OCI / Docker manifests: media types and strict parsing of the bytes a registry returned.
 * Nothing here trusts a shape: every field the pipeline uses is validated.
 */
import { z } from 'zod';
import { ArchpinError } from './errors.js';
import { normalizePlatform, type Platform } from './platform.js';

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_SCHEMA1_MANIFEST = 'application/vnd.docker.distribution.manifest.v1+json';
export const DOCKER_SCHEMA1_SIGNED_MANIFEST = 'application/vnd.docker.distribution.manifest.v1+prettyjws';
export const OCI_IMAGE_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const DOCKER_IMAGE_CONFIG = 'application/vnd.docker.container.image.v1+json';

export const INDEX_MEDIA_TYPES: ReadonlySet<string> = new Set([OCI_INDEX, DOCKER_MANIFEST_LIST]);
export const IMAGE_MEDIA_TYPES: ReadonlySet<string> = new Set([OCI_MANIFEST, DOCKER_MANIFEST]);

/** distribution refuses manifests above 4 MiB; so do we. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** Largest image config blob read (real ones are a few KiB): by the gate's lookup and by the chain's. */
export const CONFIG_MAX_BYTES = 1024 * 1024;

/** Content types that say nothing about the manifest: the JSON's own `mediaType` decides. */
const GENERIC_CONTENT_TYPES: ReadonlySet<string> = new Set(['', 'application/json', 'text/plain', 'application/octet-stream']);

export const ATTESTATION_ANNOTATION = 'vnd.docker.reference.type';
export const ATTESTATION_TYPE = 'attestation-manifest';

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
}

export interface IndexEntry extends Descriptor {
  /** Normalised platform, or null when the entry declares none. */
  readonly platform: Platform | null;
  readonly annotations: Readonly<Record<string, string>>;
  /** A build attestation (platform `unknown/unknown` or the Docker attestation annotation), not a runnable image. */
  readonly attestation: boolean;
  /** `platform.os.version` (Windows lists one entry per OS build); absent when not given. */
  readonly osVersion?: string;
  /** `platform.os.features`, sorted (Windows: `win32k`); absent when not given. */
  readonly osFeatures?: readonly string[];
  /** The entry's `artifactType` (signatures, SBOMs): an artifact, never a runnable image; absent when not given. */
  readonly artifactType?: string;
}

export interface IndexManifest {
  readonly kind: 'index';
  readonly mediaType: string;
  readonly entries: readonly IndexEntry[];
  /** `artifactType` of the manifest itself; absent when not given. */
  readonly artifactType?: string;
  /** The digest named by `subject` (a referrer: signature, SBOM, attestation); absent when not given. */
  readonly subject?: string;
}

export interface ImageManifest {
  readonly kind: 'image';
  readonly mediaType: string;
  readonly config: Descriptor;
  readonly layers: number;
  /**
   * Each layer's annotations, in order, when some layer has any (a Tekton bundle names the resource each layer holds
   * so); absent when none has.
   */
  readonly layerAnnotations?: readonly Readonly<Record<string, string>>[];
  /** `artifactType` of the manifest itself; absent when not given. */
  readonly artifactType?: string;
  /** The digest named by `subject` (a referrer: signature, SBOM, attestation); absent when not given. */
  readonly subject?: string;
}

export type Manifest = IndexManifest | ImageManifest;

export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ArchpinError };

export interface ImageConfig {
  readonly platform: Platform;
  readonly created: Date | null;
}

const DESCRIPTOR_DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

const descriptorSchema = z.object({
  mediaType: z.string().min(1),
  digest: z.string().regex(DESCRIPTOR_DIGEST),
  size: z.number().int().nonnegative(),
});

const platformSchema = z.object({
  os: z.string().min(1),
  architecture: z.string().min(1),
  variant: z.string().optional(),
  'os.version': z.string().optional(),
  'os.features': z.array(z.string()).optional(),
});

const subjectSchema = z.object({ digest: z.string() }).loose().optional();

const annotationsSchema = z.record(z.string(), z.string());

const indexSchema = z.object({
  schemaVersion: z.literal(2),
  manifests: z.array(descriptorSchema.extend({ platform: platformSchema.optional(), annotations: annotationsSchema.optional(), artifactType: z.string().optional() })),
  artifactType: z.string().optional(),
  subject: subjectSchema,
});

const imageSchema = z.object({
  schemaVersion: z.literal(2),
  config: descriptorSchema,
  layers: z.array(descriptorSchema.extend({ annotations: z.unknown().optional() })),
  artifactType: z.string().optional(),
  subject: subjectSchema,
});

const configSchema = z.object({
  os: z.string().min(1),
  architecture: z.string().min(1),
  variant: z.string().optional(),
  created: z.string().optional(),
});

/**
 * Parses manifest bytes. `contentType` is the response's Content-Type (parameters allowed); when it is
 * missing or generic, the JSON's own `mediaType` decides, and without one the shape does (`manifests` → OCI
 * index, `config` → OCI image). A specific Content-Type that disagrees with the JSON's `mediaType` is refused.
 */
export function parseManifest(bytes: Uint8Array, contentType: string | null): ParseResult<Manifest> {
  if (bytes.byteLength > MAX_MANIFEST_BYTES) {
    return fail('manifest-too-large', `manifest is ${bytes.byteLength} bytes, more than the ${MAX_MANIFEST_BYTES} allowed`);
  }
  const json = parseJson(bytes);
  if (!json.ok) return json;
  const body = json.value;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return fail('registry-bad-response', 'manifest is not a JSON object');
  }
  const record = body as Record<string, unknown>;
  const declared = record['mediaType'];
  if (declared !== undefined && typeof declared !== 'string') {
    return fail('registry-bad-response', 'manifest mediaType is not a string');
  }
  const header = essence(contentType);
  const mediaType = resolveMediaType(header, declared, record);
  if (!mediaType.ok) return mediaType;
  const type = mediaType.value;

  if (INDEX_MEDIA_TYPES.has(type)) {
    const parsed = indexSchema.safeParse(body);
    if (!parsed.success) return fail('registry-bad-response', `invalid index: ${describeIssue(parsed.error)}`);
    const entries = parsed.data.manifests.map((entry): IndexEntry => {
      const platform = entry.platform ? normalizePlatform({ os: entry.platform.os, architecture: entry.platform.architecture, variant: entry.platform.variant || null }) : null;
      const annotations = entry.annotations ?? {};
      const attestation = annotations[ATTESTATION_ANNOTATION] === ATTESTATION_TYPE || (platform !== null && platform.os === 'unknown' && platform.architecture === 'unknown');
      return {
        mediaType: entry.mediaType,
        digest: entry.digest,
        size: entry.size,
        platform,
        annotations,
        attestation,
        ...(entry.platform?.['os.version'] ? { osVersion: entry.platform['os.version'] } : {}),
        ...(entry.platform?.['os.features'] && entry.platform['os.features'].length > 0 ? { osFeatures: [...new Set(entry.platform['os.features'])].sort() } : {}),
        ...(entry.artifactType ? { artifactType: entry.artifactType } : {}),
      };
    });
    const { artifactType, subject } = parsed.data;
    return { ok: true, value: { kind: 'index', mediaType: type, entries, ...artifactFields(artifactType, subject?.digest) } };
  }
  if (IMAGE_MEDIA_TYPES.has(type)) {
    const parsed = imageSchema.safeParse(body);
    if (!parsed.success) return fail('registry-bad-response', `invalid image manifest: ${describeIssue(parsed.error)}`);
    const { mediaType: configType, digest, size } = parsed.data.config;
    const { artifactType, subject, layers } = parsed.data;
    // A layer's annotations are read for what they say (its string values); a malformed set is no reason to refuse the manifest.
    const layerAnnotations = layers.map((layer) => stringEntries(layer.annotations));
    const annotated = layerAnnotations.some((annotations) => Object.keys(annotations).length > 0);
    return {
      ok: true,
      value: {
        kind: 'image',
        mediaType: type,
        config: { mediaType: configType, digest, size },
        layers: layers.length,
        ...(annotated ? { layerAnnotations } : {}),
        ...artifactFields(artifactType, subject?.digest),
      },
    };
  }
  if (type === DOCKER_SCHEMA1_MANIFEST || type === DOCKER_SCHEMA1_SIGNED_MANIFEST) {
    return fail('unsupported-media-type', 'Docker schema 1 manifests are not supported (deprecated, no platform data)');
  }
  return fail('unsupported-media-type', `unsupported manifest media type ${type}`);
}

/** Parses an image config blob: its platform (normalised) and creation time (null when absent or invalid). */
export function parseImageConfig(bytes: Uint8Array): ParseResult<ImageConfig> {
  const json = parseJson(bytes);
  if (!json.ok) return json;
  const parsed = configSchema.safeParse(json.value);
  if (!parsed.success) return fail('registry-bad-response', `invalid image config: ${describeIssue(parsed.error)}`);
  const { os, architecture, variant, created } = parsed.data;
  return {
    ok: true,
    value: { platform: normalizePlatform({ os, architecture, variant: variant || null }), created: parseCreated(created) },
  };
}

/** The `created` time of a config blob that is no image config (null when it gives none, or is not a JSON object). */
export function parseConfigCreated(bytes: Uint8Array): Date | null {
  const json = parseJson(bytes);
  if (!json.ok || typeof json.value !== 'object' || json.value === null) return null;
  const created = (json.value as Record<string, unknown>)['created'];
  return typeof created === 'string' ? parseCreated(created) : null;
}

/** Like parseManifest, but throws the typed error. */
export function parseManifestOrThrow(bytes: Uint8Array, contentType: string | null): Manifest {
  const result = parseManifest(bytes, contentType);
  if (!result.ok) throw result.error;
  return result.value;
}

function stringEntries(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

function artifactFields(artifactType: string | undefined, subject: string | undefined): { artifactType?: string; subject?: string } {
  return { ...(artifactType ? { artifactType } : {}), ...(subject ? { subject } : {}) };
}

function parseCreated(created: string | undefined): Date | null {
  if (!created) return null;
  // RFC 3339 only; Date.parse alone accepts too much.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i.test(created)) return null;
  const time = Date.parse(created);
  // Go's zero time marks "unknown" in some builders (and reproducible builds use the epoch).
  if (Number.isNaN(time) || time <= 0) return null;
  return new Date(time);
}

function resolveMediaType(header: string, declared: string | undefined, body: Record<string, unknown>): ParseResult<string> {
  if (!GENERIC_CONTENT_TYPES.has(header)) {
    if (declared !== undefined && declared !== header) {
      return fail('registry-bad-response', `Content-Type ${header} does not match the manifest's mediaType ${declared}`);
    }
    return { ok: true, value: header };
  }
  if (declared !== undefined) return { ok: true, value: declared };
  if (body['schemaVersion'] === 1) return { ok: true, value: DOCKER_SCHEMA1_MANIFEST };
  if ('manifests' in body) return { ok: true, value: OCI_INDEX };
  if ('config' in body) return { ok: true, value: OCI_MANIFEST };
  return fail('unsupported-media-type', 'manifest has no media type and no recognisable shape');
}

function essence(contentType: string | null): string {
  const [type = ''] = (contentType ?? '').split(';');
  return type.trim().toLowerCase();
}

function parseJson(bytes: Uint8Array): ParseResult<unknown> {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (cause) {
    return { ok: false, error: new ArchpinError('registry-bad-response', 'response is not valid JSON', { cause }) };
  }
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'unexpected shape';
  const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
  return `${path}: ${issue.message}`;
}

function fail(code: 'registry-bad-response' | 'unsupported-media-type' | 'manifest-too-large', message: string): { ok: false; error: ArchpinError } {
  return { ok: false, error: new ArchpinError(code, message) };
}
