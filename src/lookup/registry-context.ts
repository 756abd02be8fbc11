/** What the request functions of the registry client share: how to reach a repository and how to send. */
import { MIB } from '../core/budgets.js';
import type { ImageLocation } from '../core/dependency.js';
import type { AuthTarget } from './registry-auth.js';
import type { RegistryProfile } from './registry-profile.js';
import { RegistryError } from './registry-errors.js';
import type { TransportRequest } from './registry-transport.js';

/** Where an image lives: core's record, named here for the client's parts and callers. */
export type { ImageLocation };

export interface RegistryContext {
  /** Where requests for the image go and under which name its credentials are found. */
  target(image: ImageLocation): AuthTarget;
  /** Sends with the registry's auth, unless the registry already refused with a spent quota. */
  send<T>(registry: string, request: TransportRequest<T>): Promise<T>;
  /** Sends a request that never authenticates (the Hub API, token realms). */
  sendPlain<T>(request: TransportRequest<T>): Promise<T>;
  /** Notes that answers from `host` are about `registry` (stats). */
  hostIs(host: string, registry: string): void;
  profileOf(registry: string): RegistryProfile;
  readonly maxManifestBytes: number;
  readonly maxTagPages: number;
  readonly maxTags: number;
}

export const MAX_TAG_PAGE_BYTES = 16 * MIB;

export function v2Url(target: AuthTarget, path: string): URL {
  return new URL(`${target.baseUrl}/v2/${target.repository}/${path}`);
}

export function tooLargeAs(code: 'manifest-too-large' | 'registry-bad-response', maxBytes: number, what: string) {
  return { maxBytes, what, tooLarge: (detail: string) => new RegistryError(code, detail) };
}

export function mismatch(message: string): RegistryError {
  return new RegistryError('digest-mismatch', message);
}

export function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw new RegistryError('registry-bad-response', `${what}: answer is not JSON`, { cause: error });
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
