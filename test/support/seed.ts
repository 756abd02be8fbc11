/**
 * Seeding a test registry through the OCI distribution API (the same API a client uses).
 * Every helper takes a `RegistryTarget` — a `TestRegistry`, a proxy in front of one, or
 * `{ url, authorization }` — and sends `authorization(repo, ['pull', 'push'])` when present,
 * so it works with and without auth.
 *
 *   pushBlob(target, repo, bytes)                         → { digest, size }
 *   pushManifest(target, repo, ref, bytes, mediaType)     → digest (sha256 of the bytes, checked against the registry's answer)
 *   pushImage(target, repo, { os, architecture, variant?, created?, mediaType: 'oci' | 'docker', label?, tag? })
 *       → ImageDescriptor { mediaType, digest, size, platform }: a tiny config blob
 *         `{architecture, os, variant, created, config, rootfs, history}` and one tiny gzipped tar layer;
 *         `label` (default os/arch/variant) makes otherwise identical images differ; `tag` also tags it;
 *         `labels` adds config labels.
 *   pushAttestation(target, repo, subject)               → an attestation-manifest descriptor for an index
 *         (platform unknown/unknown, annotations vnd.docker.reference.type/digest), like buildx makes.
 *   pushIndex(target, repo, tag, entries, { mediaType: 'oci' | 'docker', attestations? })
 *       → PushedManifest { digest, size, mediaType, bytes }; `attestations: true` appends one
 *         attestation manifest per image entry (OCI only).
 *   pushTektonBundle(target, repo, { resources, mediaType, tag?, created?, annotate? })
 *       → PushedManifest: a Tekton bundle laid out as `tkn bundle push` writes it: a config built on an
 *         empty image (`architecture` and `os` empty), one gzipped tar layer per resource holding the resource's
 *         YAML, each layer annotated `dev.tekton.image.apiVersion`, `.kind` (lowercase), `.name`;
 *         `annotate: false` leaves the annotations out.
 *   pushEmptyIndex(target, repo, tag)                     → EMPTY_OCI_INDEX_DIGEST (the exact 89 Docker Hub bytes)
 *   deleteManifest(target, repo, digest)
 *   seedIncident(target)                                  → IncidentSeed (see below)
 *   pushIncident(target)                                  → the same, always pushed request by request
 *
 * Pushing the incident costs the registry and the test process about 1.5 s of CPU, and a dozen files
 * seed it. So the suite's global setup (incident-snapshot.ts) pushes it once into a registry of its
 * own and keeps a copy of what that registry stored; `seedIncident` on a `TestRegistry` copies those
 * files into the registry's storage (the filesystem driver reads its storage on every request, so the
 * running registry serves them at once) and returns the same IncidentSeed. Without the copy (a run
 * without the global setup, or a target that is a proxy or a bare URL) it pushes.
 */
import { cpSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { sha256Digest } from '../../src/core/digest.js';
import { pushBlob, pushManifest, tarFile } from '../../scripts/registry-kit.mjs';
import type { RegistryTarget, TestRegistry } from './registry.js';

/** What the global setup hands every test file: the incident as a registry stored it, and its record. */
export interface IncidentSnapshot {
  /** A copy of the registry's storage root directory after `pushIncident`. */
  readonly storage: string;
  readonly seed: IncidentSeed;
}

declare module 'vitest' {
  export interface ProvidedContext {
    incidentSnapshot: IncidentSnapshot | undefined;
  }
}

export type ManifestFlavor = 'oci' | 'docker';

export const MEDIA_TYPES = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  inToto: 'application/vnd.in-toto+json',
} as const;

/** The exact bytes Docker Hub serves for a tag whose index has no manifests yet (89 bytes, no newline). */
export const EMPTY_OCI_INDEX_BYTES = '{"manifests":[],"mediaType":"application\\/vnd.oci.image.index.v1+json","schemaVersion":2}';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
}

export interface ImageDescriptor extends Descriptor {
  platform: Platform;
}

export interface PushedManifest {
  digest: string;
  size: number;
  mediaType: string;
  bytes: Buffer;
}

export interface PushImageOptions extends Platform {
  mediaType: ManifestFlavor;
  created?: string;
  label?: string;
  tag?: string;
  /** More `config.Labels` (e.g. `org.opencontainers.image.revision`). */
  labels?: Record<string, string>;
}

export const DEFAULT_CREATED = '2024-07-01T12:00:00Z';

export { deleteManifest, pushBlob, pushManifest, tarFile } from '../../scripts/registry-kit.mjs';

export function platformString(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter((part) => part !== undefined && part !== '').join('/');
}

export async function pushImage(target: RegistryTarget, repo: string, options: PushImageOptions): Promise<ImageDescriptor> {
  const platform: Platform = { architecture: options.architecture, os: options.os, ...(options.variant === undefined ? {} : { variant: options.variant }) };
  const created = options.created ?? DEFAULT_CREATED;
  const label = options.label ?? platformString(platform);
  const oci = options.mediaType === 'oci';
  const tar = tarFile('etc/archpin-build', Buffer.from(`${repo} ${label} ${platformString(platform)}\n`));
  const layer = Buffer.from(gzipSync(tar));
  const config = Buffer.from(
    JSON.stringify({
      ...platform,
      created,
      config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['/bin/sh'], Labels: { 'org.opencontainers.image.version': label, ...options.labels } },
      rootfs: { type: 'layers', diff_ids: [sha256Digest(tar)] },
      history: [{ created, created_by: 'COPY archpin-build /etc/archpin-build' }],
    }),
  );
  const [configBlob, layerBlob] = await Promise.all([pushBlob(target, repo, config), pushBlob(target, repo, layer)]);
  const mediaType = oci ? MEDIA_TYPES.ociManifest : MEDIA_TYPES.dockerManifest;
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      config: { mediaType: oci ? MEDIA_TYPES.ociConfig : MEDIA_TYPES.dockerConfig, ...configBlob },
      layers: [{ mediaType: oci ? MEDIA_TYPES.ociLayer : MEDIA_TYPES.dockerLayer, ...layerBlob }],
    }),
  );
  const digest = await pushManifest(target, repo, options.tag ?? sha256Digest(manifest), manifest, mediaType);
  return { mediaType, digest, size: manifest.byteLength, platform };
}

export async function pushAttestation(target: RegistryTarget, repo: string, subject: Descriptor): Promise<Descriptor> {
  const statement = Buffer.from(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v0.1',
      predicateType: 'https://slsa.dev/provenance/v0.2',
      subject: [{ name: `pkg:docker/${repo}`, digest: { sha256: subject.digest.slice('sha256:'.length) } }],
      predicate: { builder: { id: 'https://ci.example.com/archpin-test-builder' }, buildType: 'https://mobyproject.org/buildkit@v1' },
    }),
  );
  const config = Buffer.from(JSON.stringify({ architecture: 'unknown', os: 'unknown', config: {}, rootfs: { type: 'layers', diff_ids: [sha256Digest(statement)] } }));
  const [configBlob, statementBlob] = await Promise.all([pushBlob(target, repo, config), pushBlob(target, repo, statement)]);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      config: { mediaType: MEDIA_TYPES.ociConfig, ...configBlob },
      layers: [{ mediaType: MEDIA_TYPES.inToto, ...statementBlob, annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' } }],
    }),
  );
  const digest = await pushManifest(target, repo, sha256Digest(manifest), manifest, MEDIA_TYPES.ociManifest);
  return {
    mediaType: MEDIA_TYPES.ociManifest,
    digest,
    size: manifest.byteLength,
    annotations: { 'vnd.docker.reference.digest': subject.digest, 'vnd.docker.reference.type': 'attestation-manifest' },
    platform: { architecture: 'unknown', os: 'unknown' },
  };
}

export async function pushIndex(
  target: RegistryTarget,
  repo: string,
  tag: string,
  entries: readonly Descriptor[],
  options: { mediaType: ManifestFlavor; attestations?: boolean },
): Promise<PushedManifest> {
  const oci = options.mediaType === 'oci';
  const mediaType = oci ? MEDIA_TYPES.ociIndex : MEDIA_TYPES.dockerList;
  const manifests = [...entries];
  if (options.attestations === true) {
    if (!oci) throw new Error('pushIndex: attestation manifests only go into OCI indexes');
    const images = entries.filter((entry) => entry.annotations?.['vnd.docker.reference.type'] === undefined);
    manifests.push(...(await Promise.all(images.map((image) => pushAttestation(target, repo, image)))));
  }
  const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, manifests }));
  const digest = await pushManifest(target, repo, tag, bytes, mediaType);
  return { digest, size: bytes.byteLength, mediaType, bytes };
}

/** One resource a Tekton bundle holds. */
export interface BundleResource {
  readonly kind: 'task' | 'pipeline' | 'stepaction';
  readonly name: string;
}

export const TEKTON_BUNDLE_ANNOTATIONS = { apiVersion: 'dev.tekton.image.apiVersion', kind: 'dev.tekton.image.kind', name: 'dev.tekton.image.name' } as const;

/** A Tekton bundle as `tkn bundle push` lays it out (see the list at the top). */
export async function pushTektonBundle(
  target: RegistryTarget,
  repo: string,
  options: { resources: readonly BundleResource[]; mediaType: ManifestFlavor; tag?: string; created?: string; annotate?: boolean },
): Promise<PushedManifest> {
  const created = options.created ?? DEFAULT_CREATED;
  const oci = options.mediaType === 'oci';
  const kinds = { task: 'Task', pipeline: 'Pipeline', stepaction: 'StepAction' } as const;
  const layers = options.resources.map((resource) => {
    const yaml = `apiVersion: tekton.dev/v1\nkind: ${kinds[resource.kind]}\nmetadata:\n  name: ${resource.name}\nspec: {}\n`;
    const tar = tarFile(resource.name, Buffer.from(yaml));
    return { resource, tar, gzipped: Buffer.from(gzipSync(tar)) };
  });
  const config = Buffer.from(
    JSON.stringify({
      architecture: '',
      created,
      history: layers.map(() => ({ created })),
      os: '',
      rootfs: { type: 'layers', diff_ids: layers.map((layer) => sha256Digest(layer.tar)) },
      config: {},
    }),
  );
  const [configBlob, ...layerBlobs] = await Promise.all([pushBlob(target, repo, config), ...layers.map((layer) => pushBlob(target, repo, layer.gzipped))]);
  const mediaType = oci ? MEDIA_TYPES.ociManifest : MEDIA_TYPES.dockerManifest;
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      config: { mediaType: oci ? MEDIA_TYPES.ociConfig : MEDIA_TYPES.dockerConfig, ...configBlob },
      layers: layers.map((layer, i) => ({
        mediaType: oci ? MEDIA_TYPES.ociLayer : MEDIA_TYPES.dockerLayer,
        ...layerBlobs[i],
        ...(options.annotate === false
          ? {}
          : {
              annotations: {
                [TEKTON_BUNDLE_ANNOTATIONS.apiVersion]: 'v1',
                [TEKTON_BUNDLE_ANNOTATIONS.kind]: layer.resource.kind,
                [TEKTON_BUNDLE_ANNOTATIONS.name]: layer.resource.name,
              },
            }),
      })),
    }),
  );
  const digest = await pushManifest(target, repo, options.tag ?? sha256Digest(manifest), manifest, mediaType);
  return { digest, size: manifest.byteLength, mediaType, bytes: manifest };
}

export async function pushEmptyIndex(target: RegistryTarget, repo: string, tag: string): Promise<string> {
  return pushManifest(target, repo, tag, Buffer.from(EMPTY_OCI_INDEX_BYTES, 'utf8'), MEDIA_TYPES.ociIndex);
}

export const INCIDENT_REPOSITORY = 'library/docker';
export const INCIDENT_FULL_PLATFORMS: readonly Platform[] = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64', variant: 'v8' },
  { os: 'linux', architecture: 'arm', variant: 'v6' },
  { os: 'linux', architecture: 'arm', variant: 'v7' },
];

export type IncidentTag = '27.0.3-dind' | '27.1.0-dind' | '27.1.1-dind' | '27.2.0-dind' | '27.0.3' | '27.1.1';

export interface IncidentSeed {
  repository: string;
  /** Index digest per tag. */
  digests: Record<IncidentTag, string>;
  /** Runnable platforms per tag, as `os/arch[/variant]` (attestations excluded). */
  platforms: Record<IncidentTag, string[]>;
  /** Image manifests per tag (attestations excluded), in index order. */
  images: Record<IncidentTag, ImageDescriptor[]>;
}

/**
 * The incident, in `library/docker` (OCI indexes with buildx-style attestation manifests):
 *   27.0.3-dind, 27.1.1-dind, 27.0.3, 27.1.1  complete: linux/amd64, linux/arm64/v8, linux/arm/v6, linux/arm/v7
 *   27.1.0-dind  the empty index (EMPTY_OCI_INDEX_DIGEST)
 *   27.2.0-dind  linux/arm64/v8 only (amd64 has not landed yet)
 * Creation dates grow with the version (27.0.3 on 2024-06-26 … 27.2.0 on 2024-08-27).
 */
export async function seedIncident(target: RegistryTarget | TestRegistry): Promise<IncidentSeed> {
  // Loaded here, not at the top: the global setup imports this module, and vitest's test API cannot load there.
  const { inject } = await import('vitest');
  const snapshot = inject('incidentSnapshot');
  if (snapshot === undefined || !('storage' in target)) return pushIncident(target);
  cpSync(snapshot.storage, target.storage, { recursive: true });
  return structuredClone(snapshot.seed);
}

/** Pushes the incident (see `seedIncident`) through the distribution API. */
export async function pushIncident(target: RegistryTarget): Promise<IncidentSeed> {
  const repo = INCIDENT_REPOSITORY;
  const created: Record<IncidentTag, string> = {
    '27.0.3': '2024-06-26T18:10:00Z',
    '27.0.3-dind': '2024-06-26T18:20:00Z',
    '27.1.0-dind': '2024-07-22T21:00:00Z',
    '27.1.1': '2024-07-24T09:10:00Z',
    '27.1.1-dind': '2024-07-24T09:20:00Z',
    '27.2.0-dind': '2024-08-27T20:30:00Z',
  };
  const layout: Array<[IncidentTag, readonly Platform[]]> = [
    ['27.0.3', INCIDENT_FULL_PLATFORMS],
    ['27.0.3-dind', INCIDENT_FULL_PLATFORMS],
    ['27.1.1', INCIDENT_FULL_PLATFORMS],
    ['27.1.1-dind', INCIDENT_FULL_PLATFORMS],
    ['27.2.0-dind', [{ os: 'linux', architecture: 'arm64', variant: 'v8' }]],
  ];
  const seed: IncidentSeed = {
    repository: repo,
    digests: {} as Record<IncidentTag, string>,
    platforms: { '27.1.0-dind': [] } as unknown as Record<IncidentTag, string[]>,
    images: { '27.1.0-dind': [] } as unknown as Record<IncidentTag, ImageDescriptor[]>,
  };
  for (const [tag, platforms] of layout) {
    const images = await Promise.all(platforms.map((platform) => pushImage(target, repo, { ...platform, mediaType: 'oci', created: created[tag], label: tag })));
    const index = await pushIndex(target, repo, tag, images, { mediaType: 'oci', attestations: true });
    seed.digests[tag] = index.digest;
    seed.platforms[tag] = platforms.map(platformString);
    seed.images[tag] = images;
  }
  seed.digests['27.1.0-dind'] = await pushEmptyIndex(target, repo, '27.1.0-dind');
  return seed;
}
