/**
 * Bearer tokens by what they were issued for: realm, service, scopes and the credential that asked (its user
 * name and a hash of its secret, never the secret). One cache can serve every client a process builds (serve
 * builds one per session), so a token is asked for once per scope until it expires, not once per run.
 *
 * It also keeps the challenge each registry endpoint answered (its scheme, realm and service; no secret), so that
 * a client built later in the process sends its first request with credentials instead of collecting a 401 first.
 * A registry that changes its challenge answers 401 with the new one, which then replaces the old.
 */
import { createHash } from 'node:crypto';

export interface CachedToken {
  readonly token: string;
  /** Epoch ms after which it is not sent any more (already short of the real expiry by a margin). */
  readonly expiresAt: number;
  /** Asked for several repositories at once (a registry that refuses it for one gets a token of that one's own). */
  readonly several?: boolean;
}

/** What a registry's 401 asked for: a bearer token from a realm, or Basic credentials. */
export type RegistryChallenge = { readonly kind: 'bearer'; readonly realm: string; readonly service: string | null; readonly scope: string | null } | { readonly kind: 'basic' };

/** Registry endpoints whose challenge is kept; past this the one learned longest ago is forgotten. */
export const MAX_CHALLENGES = 256;

export interface TokenCache {
  /** A token still valid at `now`, or null. */
  get(key: string, now: number): string | null;
  put(key: string, token: CachedToken): void;
  delete(key: string): void;
  /** Whether a token was put as asked for several repositories (by any client sharing the cache). */
  several(token: string): boolean;
  /** Runs `load` once for concurrent askers of the same key, across every client sharing the cache. */
  once(key: string, load: () => Promise<string>): Promise<string>;
  /** The challenge a registry endpoint (its base URL: scheme, host and port) answered last, if any client saw one. */
  challenge(baseUrl: string): RegistryChallenge | undefined;
  learnChallenge(baseUrl: string, challenge: RegistryChallenge): void;
}

export function createTokenCache(): TokenCache {
  const tokens = new Map<string, CachedToken>();
  const pending = new Map<string, Promise<string>>();
  const several = new Set<string>();
  const challenges = new Map<string, RegistryChallenge>();
  /** Forgets a key, and that its token covered several repositories once no key holds it. */
  const drop = (key: string): void => {
    const entry = tokens.get(key);
    tokens.delete(key);
    if (entry?.several === true && ![...tokens.values()].some((other) => other.token === entry.token)) several.delete(entry.token);
  };
  return {
    get(key, now) {
      const entry = tokens.get(key);
      if (entry === undefined) return null;
      if (entry.expiresAt > now) return entry.token;
      drop(key);
      return null;
    },
    put(key, token) {
      tokens.set(key, token);
      if (token.several === true) several.add(token.token);
    },
    delete: drop,
    several: (token) => several.has(token),
    once(key, load) {
      let inFlight = pending.get(key);
      if (inFlight === undefined) {
        inFlight = load().finally(() => pending.delete(key));
        pending.set(key, inFlight);
      }
      return inFlight;
    },
    challenge: (baseUrl) => challenges.get(baseUrl),
    learnChallenge(baseUrl, challenge) {
      challenges.delete(baseUrl);
      challenges.set(baseUrl, challenge);
      if (challenges.size > MAX_CHALLENGES) {
        const oldest = challenges.keys().next();
        if (oldest.done !== true) challenges.delete(oldest.value);
      }
    },
  };
}

/** Who asked: `anonymous`, or the user name with a short hash of the secret (two secrets of one user never share). */
export function credentialIdentity(credentials: { readonly username: string; readonly password: string; readonly identityToken?: string } | null): string {
  if (credentials === null) return 'anonymous';
  const secret = `${credentials.password}\n${credentials.identityToken ?? ''}`;
  return `${credentials.username}#${createHash('sha256').update(secret).digest('hex').slice(0, 16)}`;
}

export function tokenKey(parts: { readonly realm: string; readonly service: string | null; readonly scopes: readonly string[]; readonly identity: string }): string {
  return [parts.realm, parts.service ?? '', parts.scopes.join(' '), parts.identity].join('\n');
}

/** Docker's token spec: a token lives at least 60 s; `expires_in` absent means 60 s. */
const MIN_TOKEN_SECONDS = 60;
const EXPIRY_MARGIN_MS = 10_000;

/**
 * When a token stops being sent: `issued_at` + `expires_in` (at least 60 s), less a margin. An `issued_at` in the
 * future, or one by which the token would be spent already (clock skew), counts from `now` instead.
 */
export function tokenExpiry(body: Readonly<Record<string, unknown>>, now: number): number {
  const given = body['expires_in'];
  const seconds = typeof given === 'number' && Number.isFinite(given) && given > MIN_TOKEN_SECONDS ? given : MIN_TOKEN_SECONDS;
  const lifetime = seconds * 1000;
  const issued = typeof body['issued_at'] === 'string' ? Date.parse(body['issued_at']) : Number.NaN;
  const margin = Math.min(EXPIRY_MARGIN_MS, lifetime / 2);
  const from = Number.isNaN(issued) || issued > now || issued + lifetime - margin <= now ? now : issued;
  return from + lifetime - margin;
}
