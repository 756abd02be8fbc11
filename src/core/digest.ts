import { createHash } from 'node:crypto';

/** The Docker Hub empty OCI index: `{"manifests":[],"mediaType":"application\/vnd.oci.image.index.v1+json","schemaVersion":2}`. */
export const EMPTY_OCI_INDEX_DIGEST = 'sha256:eb37f58646a901dc7727cf448cae36daaefaba79de33b5058dab79aa4c04aefb';
/** The empty Docker schema 2 manifest list. */
export const EMPTY_DOCKER_LIST_DIGEST = 'sha256:a8409dff6597f2ef5f7ecd3c672671bb2af9a390073efd74f95c54aa41cba22a';

export const KNOWN_EMPTY_DIGESTS: ReadonlySet<string> = new Set([EMPTY_OCI_INDEX_DIGEST, EMPTY_DOCKER_LIST_DIGEST]);

export const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;

export function isDigest(text: string): boolean {
  return DIGEST_PATTERN.test(text);
}

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}
