/**
 * The registry settings the lookup falls back to when it is given none. The lookup cannot read the
 * config's defaults (config/defaults quotes these for the schema and resolves them for a run).
 */

/** Registry request timeouts, in milliseconds (config `registryTimeouts`). */
export const REGISTRY_TIMEOUTS_MS = {
  /** To open a connection to a registry host. */
  connect: 5_000,
  /** From sending a request to the response headers. */
  firstByte: 10_000,
  /** A whole request, body included. */
  request: 15_000,
} as const;

/** Docker Hub's API, read for tags with platforms and push times (config `registries."docker.io".hubApiUrl`). */
export const DEFAULT_HUB_API_URL = 'https://hub.docker.com';
