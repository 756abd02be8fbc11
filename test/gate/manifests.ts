/** Builders for realistic index / image manifest bytes used by the gate and manifest tests. */
import { createHash } from 'node:crypto';
import { sha256Digest } from '../../src/core/digest.js';
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST, parseManifestOrThrow } from '../../src/core/manifest.js';
import type { GateCandidate, GatePolicy } from '../../src/core/verdict.js';

/** A deterministic fake digest derived from a label. */
export function fakeDigest(label: string): string {
  return `sha256:${createHash('sha256').update(label).digest('hex')}`;
}

export interface EntrySpec {
  readonly platform: string;
  readonly attestationFor?: string;
}

/** An OCI index (as buildx pushes it), with attestation manifests for entries that ask for one. */
export function ociIndexJson(platforms: readonly string[], options: { attestations?: boolean } = {}): string {
  const manifests: unknown[] = [];
  for (const text of platforms) {
    const [os, architecture, variant] = text.split('/');
    const digest = fakeDigest(`image ${text}`);
    manifests.push({
      mediaType: OCI_MANIFEST,
      digest,
      size: 1612,
      platform: { architecture, os, ...(variant ? { variant } : {}) },
    });
    if (options.attestations) {
      manifests.push({
        mediaType: OCI_MANIFEST,
        digest: fakeDigest(`attestation ${text}`),
        size: 839,
        annotations: { 'vnd.docker.reference.digest': digest, 'vnd.docker.reference.type': 'attestation-manifest' },
        platform: { architecture: 'unknown', os: 'unknown' },
      });
    }
  }
  return JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests });
}

/** A Docker schema 2 manifest list, as older `docker manifest push` writes it. */
export function dockerListJson(platforms: readonly string[]): string {
  const manifests = platforms.map((text) => {
    const [os, architecture, variant] = text.split('/');
    return {
      mediaType: DOCKER_MANIFEST,
      size: 1165,
      digest: fakeDigest(`docker image ${text}`),
      platform: { architecture, os, ...(variant ? { variant } : {}) },
    };
  });
  return JSON.stringify({ schemaVersion: 2, mediaType: DOCKER_MANIFEST_LIST, manifests }, null, 3);
}

export function ociImageJson(layers = 3): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: fakeDigest('config'), size: 7023 },
    layers: Array.from({ length: layers }, (_, i) => ({
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      digest: fakeDigest(`layer ${i}`),
      size: 3_620_000 + i,
    })),
  });
}

export const EMPTY_OCI_INDEX_TEXT = String.raw`{"manifests":[],"mediaType":"application\/vnd.oci.image.index.v1+json","schemaVersion":2}`;
export const EMPTY_DOCKER_LIST_TEXT = String.raw`{"manifests":[],"mediaType":"application\/vnd.docker.distribution.manifest.list.v2+json","schemaVersion":2}`;

export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export const HOUR = 3_600_000;
/** The gate tests' clock. */
export const NOW = Date.UTC(2024, 6, 24, 12, 0, 0);
export const NO_POLICY: GatePolicy = { platforms: null, minimumReleaseAge: null, settleTime: null };

/** A candidate of `image:tag` served as these bytes, verified by their digest, released two days and first seen one day before NOW. */
export function gateCandidate(image: string, tag: string, text: string, contentType: string | null, extra: Partial<GateCandidate> = {}): GateCandidate {
  const data = bytes(text);
  const digest = sha256Digest(data);
  return {
    image,
    tag,
    digest,
    contentDigest: digest,
    manifest: parseManifestOrThrow(data, contentType),
    imagePlatform: null,
    created: NOW - 48 * HOUR,
    firstSeen: NOW - 24 * HOUR,
    ...extra,
  };
}
