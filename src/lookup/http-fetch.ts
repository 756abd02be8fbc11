import './keep-node-dispatcher.js';
import { Agent, fetch as undiciFetch } from 'undici';

export interface HttpTimeouts {
  /** From opening the TCP (and TLS) connection to its being ready. */
  readonly connectMs: number;
  /** From sending the request to the response headers: bounds a server that accepts and never answers. */
  readonly firstByteMs: number;
}

/**
 * `fetch` with its own connection pool, bounded by a connect timeout and a first-byte timeout (the whole
 * request, body included, is bounded by the caller's signal). Node's built-in `fetch` waits up to 10 s to
 * connect and 300 s for headers.
 */
export function timedFetch(timeouts: HttpTimeouts): typeof fetch {
  const dispatcher = new Agent({ connect: { timeout: timeouts.connectMs }, headersTimeout: timeouts.firstByteMs, bodyTimeout: 0 });
  const timed = (input: Parameters<typeof fetch>[0], init?: RequestInit) => undiciFetch(input as Parameters<typeof undiciFetch>[0], { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher });
  return timed as unknown as typeof fetch;
}
