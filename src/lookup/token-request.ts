import type { RegistryCredentials } from './docker-config.js';
import { RegistryError } from './registry-errors.js';
import { registerSecret } from '../core/redact.js';
import { credentialIdentity, tokenExpiry, tokenKey, type CachedToken, type RegistryChallenge } from './token-cache.js';

type Bearer = Extract<RegistryChallenge, { kind: 'bearer' }>;

export interface TokenRequestDeps {
  readonly now: () => number;
  /**
   * Performs the token request (I/O, retries and timeouts are the caller's) and returns the parsed JSON body: a GET
   * with optional Basic credentials, or with `form` an OAuth2 POST (identity tokens).
   */
  readonly fetchToken: (url: URL, authorization: string | null, form?: URLSearchParams) => Promise<unknown>;
}

/** Asks a bearer realm for a token for `scopes` of one registry (the registry name is for error messages). */
export type RequestToken = (target: { readonly registry: string }, scheme: Bearer, realm: URL, scopes: readonly string[], credentials: RegistryCredentials | null) => Promise<CachedToken>;

/** A realm's token request: a GET with Basic credentials, or an OAuth2 refresh grant for an identity token. */
export function createTokenRequest(deps: TokenRequestDeps): RequestToken {
  /** Refresh tokens a realm returned, by realm, service and credential: they replace the identity token they came from. */
  const refreshTokens = new Map<string, string>();
  const refreshing = new Map<string, Promise<unknown>>();

  /** One refresh grant at a time per credential: a realm that rotates refresh tokens accepts each only once. */
  async function identityGrant(registry: string, scheme: Bearer, realm: URL, scopes: readonly string[], refreshKey: string, identityToken: string): Promise<unknown> {
    const previous = refreshing.get(refreshKey) ?? Promise.resolve();
    const grant = previous
      .catch(() => undefined)
      .then(async () => {
        const answer = await deps.fetchToken(realm, null, refreshForm(scheme, scopes, refreshTokens.get(refreshKey) ?? identityToken));
        const next = typeof answer === 'object' && answer !== null ? (answer as Record<string, unknown>)['refresh_token'] : undefined;
        // A realm may hand back a new refresh token: it is the one to use next time.
        if (typeof next === 'string' && next !== '') {
          registerSecret(next);
          refreshTokens.set(refreshKey, next);
        }
        return answer;
      });
    refreshing.set(refreshKey, grant);
    try {
      return await grant;
    } catch (error) {
      // OAuth2 answers a refresh token it does not accept with 400 (invalid_grant) or 401.
      if (error instanceof RegistryError && (error.status === 400 || error.status === 401)) {
        throw new RegistryError('registry-unauthorized', `${registry}: the token realm refused the identity token (${String(error.status)})`, { status: 401 });
      }
      throw error;
    }
  }

  return async function requestToken(target, scheme, realm, scopes, credentials) {
    const refreshKey = tokenKey({ realm: scheme.realm, service: scheme.service, scopes: [], identity: credentialIdentity(credentials) });
    let body: unknown;
    if (credentials?.identityToken !== undefined) {
      body = await identityGrant(target.registry, scheme, realm, scopes, refreshKey, credentials.identityToken);
    } else {
      body = await deps.fetchToken(tokenUrl(scheme, realm, scopes, credentials), credentials === null ? null : encodeBasic(credentials));
    }
    return tokenOf(target.registry, body, deps.now());
  };
}

/**
 * The realm's own query is kept byte for byte and `service` goes back exactly as the challenge gave it
 * (percent-encoded only, never re-serialised): some realms compare it as a raw string.
 */
function tokenUrl(scheme: Bearer, realm: URL, scopes: readonly string[], credentials: RegistryCredentials | null): URL {
  const params = [
    ...(scheme.service !== null ? [`service=${encodeURIComponent(scheme.service)}`] : []),
    ...scopes.map((s) => `scope=${encodeURIComponent(s)}`),
    ...(credentials !== null ? [`account=${encodeURIComponent(credentials.username)}`] : []),
  ];
  const url = new URL(realm.href);
  url.search = url.search === '' ? `?${params.join('&')}` : `${url.search}&${params.join('&')}`;
  return url;
}

/** The token in a realm's answer (`token`, or OAuth2's `access_token`) and when it stops being sent. */
function tokenOf(registry: string, body: unknown, now: number): CachedToken {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const token = typeof record['token'] === 'string' && record['token'] !== '' ? record['token'] : record['access_token'];
  if (typeof token !== 'string' || token === '') {
    throw new RegistryError('registry-bad-response', `${registry}: token response has no token`);
  }
  return { token, expiresAt: tokenExpiry(record, now) };
}

/** OAuth2 refresh-token grant, as Docker's token spec describes it for identity tokens. */
function refreshForm(scheme: { readonly service: string | null }, scopes: readonly string[], refreshToken: string): URLSearchParams {
  const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: OAUTH_CLIENT_ID });
  if (scheme.service !== null) form.set('service', scheme.service);
  form.set('scope', scopes.join(' '));
  return form;
}

const OAUTH_CLIENT_ID = 'archpin';

export function encodeBasic(credentials: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
}
