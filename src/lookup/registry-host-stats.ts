/**
 * What each registry host cost and allowed in one client's life: requests, pulls (Docker Hub counts a manifest
 * GET answered 200 as one), the last `RateLimit-*` headers, and whether the host refused with a spent quota.
 */
import type { RegistryKind } from './registry-profile.js';
import type { RegistryError } from './registry-errors.js';
import type { RequestKind } from './registry-transport.js';

/** What one registry host cost and allowed this run. */
export interface RegistryHostStats {
  readonly host: string;
  readonly kind: RegistryKind;
  /** Manifest GETs answered (Docker Hub counts each as a pull; HEADs and blobs are free). */
  readonly pulls: number;
  readonly requests: number;
  /** From `RateLimit-Limit` / `RateLimit-Remaining` on the last answer that carried them. */
  readonly rateLimit: { readonly limit: number; readonly remaining: number } | null;
  /** The host answered 429 `toomanyrequests`; no request went to it afterwards. */
  readonly stopped: boolean;
}

export interface HostStats {
  /** Counts an answer from `registry` (telemetry headers included). */
  observe(registry: string, kind: RequestKind, response: Response): void;
  /** Remembers that `registry` refused with a spent quota: no more requests go to it. */
  stop(registry: string, error: RegistryError): void;
  /** The refusal that stopped `registry`, or null. */
  stoppedBy(registry: string): RegistryError | null;
  list(kindOf: (registry: string) => RegistryKind): readonly RegistryHostStats[];
}

interface Entry {
  pulls: number;
  requests: number;
  rateLimit: { limit: number; remaining: number } | null;
  stopped: RegistryError | null;
}

export function createHostStats(): HostStats {
  const stats = new Map<string, Entry>();
  const entryOf = (registry: string): Entry => {
    let entry = stats.get(registry);
    if (entry === undefined) {
      entry = { pulls: 0, requests: 0, rateLimit: null, stopped: null };
      stats.set(registry, entry);
    }
    return entry;
  };
  return {
    observe(registry, kind, response) {
      const entry = entryOf(registry);
      entry.requests += 1;
      if (kind === 'manifest-get' && response.ok) entry.pulls += 1;
      const limit = rateLimitValue(response.headers.get('ratelimit-limit'));
      const remaining = rateLimitValue(response.headers.get('ratelimit-remaining'));
      if (limit !== null && remaining !== null) entry.rateLimit = { limit, remaining };
    },
    stop(registry, error) {
      entryOf(registry).stopped = error;
    },
    stoppedBy: (registry) => stats.get(registry)?.stopped ?? null,
    list: (kindOf) =>
      [...stats.entries()]
        .filter(([, entry]) => entry.requests > 0 || entry.stopped !== null)
        .map(([host, entry]) => ({ host, kind: kindOf(host), pulls: entry.pulls, requests: entry.requests, rateLimit: entry.rateLimit, stopped: entry.stopped !== null }))
        .sort((a, b) => a.host.localeCompare(b.host)),
  };
}

/** `100;w=21600` → 100; null when absent or not a number. */
function rateLimitValue(header: string | null): number | null {
  const match = header === null ? null : /^\s*(\d+)/.exec(header);
  return match ? Number(match[1]) : null;
}
