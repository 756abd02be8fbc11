import type { RegistryCredentials } from './docker-config.js';
import { isSafeTransport, splitHostPort } from './registry-endpoint.js';
import { RegistryError } from './registry-errors.js';
import { registerSecret } from '../core/redact.js';
import { credentialIdentity, tokenExpiry, tokenKey, type CachedToken, type RegistryChallenge, type TokenCache } from './token-cache.js';
import { parseWwwAuthenticate } from './www-authenticate.js';

/** Which registry a request goes to, where, and under which name its credentials are looked up. */
export interface AuthTarget {
  readonly registry: string;
  readonly baseUrl: string;
  /** The registry name, or the mirror's host when a mirror replaces the registry's own endpoint. */
  readonly credentialKey: string;
  readonly repository: string;
}

export interface AuthDeps {
  /** May run a credential helper; the answer is the caller's to remember. */
  readonly credentials: (registry: string) => RegistryCredentials | null | Promise<RegistryCredentials | null>;
  /** Token realm hosts trusted with a registry's credentials besides the registry host itself. */
  readonly trustedRealmHosts: Readonly<Record<string, readonly string[]>>;
  readonly now: () => number;
  /** Tokens by realm, service, scope and credential; may be shared with other clients of the process. */
  readonly tokens: TokenCache;
  /**
   * Performs the token request (I/O, retries and timeouts are the caller's) and returns the parsed JSON body: a GET
   * with optional Basic credentials, or with `form` an OAuth2 POST (identity tokens).
   */
  readonly fetchToken: (url: URL, authorization: string | null, form?: URLSearchParams) => Promise<unknown>;
}

export interface RegistryAuth {
  /** The Authorization header to send up front, from what earlier challenges taught; null for anonymous. */
  header(target: AuthTarget): Promise<string | null>;
  /**
   * Handles a 401: learns the challenge and returns a fresh header to retry with, or null when there is nothing to
   * try. `again`: the retry was refused too; only a token for several repositories is worth replacing then.
   */
  challenge(target: AuthTarget, wwwAuthenticate: string | null, sent: string | null, options?: { again?: boolean }): Promise<string | null>;
  /** The token realm a registry's challenge named, once one did. */
  realmOf(baseUrl: string): string | null;
  /**
   * The repositories the run will look up. A bearer token is then asked for several of one registry's
   * repositories at once (up to MAX_SCOPES_PER_TOKEN `scope` parameters), instead of one per repository.
   */
  expect(targets: readonly AuthTarget[]): void;
}

/** Scopes asked for in one token request (the URL stays a few KiB long). */
export const MAX_SCOPES_PER_TOKEN = 50;

type Scheme = RegistryChallenge;

export function createRegistryAuth(deps: AuthDeps): RegistryAuth {
  const { tokens } = deps;
  /** Challenges by endpoint, shared with the other clients of the cache: a later client does not collect the 401 again. */
  const schemes = { get: (baseUrl: string) => tokens.challenge(baseUrl), set: (baseUrl: string, scheme: Scheme) => tokens.learnChallenge(baseUrl, scheme) };
  /** Refresh tokens a realm returned, by realm, service and credential: they replace the identity token they came from. */
  const refreshTokens = new Map<string, string>();
  const refreshing = new Map<string, Promise<unknown>>();
  /** Expected repositories per registry endpoint and credential name, in the order first named. */
  const expected = new Map<string, string[]>();
  /** Realms (realm and service) that refused several scopes or gave a token short of one: one scope per token there. */
  const singleScope = new Set<string>();

  async function basicHeader(target: AuthTarget): Promise<string | null> {
    const credentials = await deps.credentials(target.credentialKey);
    // An identity token is only for a bearer realm: a Basic challenge gets no credentials.
    if (credentials === null || credentials.identityToken !== undefined) return null;
    if (!isSafeTransport(new URL(target.baseUrl))) {
      throw new RegistryError('registry-insecure', `refusing to send credentials for ${target.registry} over plain HTTP to ${target.baseUrl}`);
    }
    return encodeBasic(credentials);
  }

  async function realmCredentials(target: AuthTarget, realm: URL): Promise<RegistryCredentials | null> {
    const credentials = await deps.credentials(target.credentialKey);
    if (credentials === null) return null;
    const realmHost = splitHostPort(realm.host).hostname;
    const registryHost = splitHostPort(new URL(target.baseUrl).host).hostname;
    const trusted =
      realmHost === registryHost ||
      (deps.trustedRealmHosts[target.registry] ?? []).some((h) => h.toLowerCase() === realmHost || h.toLowerCase() === realm.host) ||
      (target.registry === 'docker.io' && target.credentialKey === 'docker.io' && realmHost === 'auth.docker.io');
    return trusted && isSafeTransport(realm) ? credentials : null;
  }

  /** The scopes asked for: the plain pull scope, and first a challenge's own form of it when it names this repository. */
  function scopesFor(target: AuthTarget, scheme: Extract<Scheme, { kind: 'bearer' }>): string[] {
    const scope = `repository:${target.repository}:pull`;
    // A challenge's own scope form (`repository:a/b:pull,push`, `repository:a/b:metadata_read`) is asked for as
    // well when it names this repository.
    const asked = scheme.scope !== null && scheme.scope !== scope && scheme.scope.includes(`:${target.repository}:`) ? scheme.scope : null;
    return asked !== null ? [asked, scope] : [scope];
  }

  async function bearer(target: AuthTarget, scheme: Extract<Scheme, { kind: 'bearer' }>, fresh: boolean, sent: string | null = null): Promise<string> {
    const realm = realmUrl(target, scheme);
    const scopes = scopesFor(target, scheme);
    const credentials = await realmCredentials(target, realm);
    const identity = credentialIdentity(credentials);
    const key = tokenKey({ realm: scheme.realm, service: scheme.service, scopes, identity });
    if (fresh) {
      // A token for several repositories that this registry refused for one: that realm gets one scope per token
      // from now on (the repositories it served keep it).
      if (sent !== null && tokens.several(sent.slice('Bearer '.length))) singleScope.add(realmKey(scheme));
      tokens.delete(key);
    } else {
      const cached = tokens.get(key, deps.now());
      if (cached !== null) return `Bearer ${cached}`;
      const group = groupOf(target, scheme);
      if (group !== null) {
        const members = group.map((repository) => ({ repository, key: tokenKey({ realm: scheme.realm, service: scheme.service, scopes: scopesFor({ ...target, repository }, scheme), identity }) }));
        const groupKey = tokenKey({ realm: scheme.realm, service: scheme.service, scopes: members.map((member) => member.key), identity });
        try {
          await tokens.once(groupKey, async () => {
            const issued = await requestToken(
              target,
              scheme,
              realm,
              members.flatMap((member) => (member.repository === target.repository ? scopes : [pullScope(member.repository)])),
              credentials,
            );
            for (const member of members) tokens.put(member.key, { ...issued, several: true });
            return issued.token;
          });
        } catch (error) {
          // A realm that does not take several scopes says so with a 4xx: ask per repository from now on.
          if (!(error instanceof RegistryError) || error.status === null || error.status < 400 || error.status >= 500) throw error;
          singleScope.add(realmKey(scheme));
        }
        const filled = tokens.get(key, deps.now());
        if (filled !== null) return `Bearer ${filled}`;
      }
    }
    return `Bearer ${await tokens.once(key, async () => {
      const issued = await requestToken(target, scheme, realm, scopes, credentials);
      tokens.put(key, issued);
      return issued.token;
    })}`;
  }

  /** The expected repositories asked for together with the target's, or null when its token is asked for alone. */
  function groupOf(target: AuthTarget, scheme: Extract<Scheme, { kind: 'bearer' }>): readonly string[] | null {
    if (singleScope.has(realmKey(scheme))) return null;
    const all = expected.get(endpointKey(target)) ?? [];
    const at = all.indexOf(target.repository);
    if (at === -1) return null;
    const start = at - (at % MAX_SCOPES_PER_TOKEN);
    const group = all.slice(start, start + MAX_SCOPES_PER_TOKEN);
    return group.length > 1 ? group : null;
  }

  async function requestToken(target: AuthTarget, scheme: Extract<Scheme, { kind: 'bearer' }>, realm: URL, scopes: readonly string[], credentials: RegistryCredentials | null): Promise<CachedToken> {
    // The realm's own query is kept byte for byte and `service` goes back exactly as the challenge gave it
    // (percent-encoded only, never re-serialised): some realms compare it as a raw string.
    const params = [
      ...(scheme.service !== null ? [`service=${encodeURIComponent(scheme.service)}`] : []),
      ...scopes.map((s) => `scope=${encodeURIComponent(s)}`),
      ...(credentials !== null ? [`account=${encodeURIComponent(credentials.username)}`] : []),
    ];
    const refreshKey = tokenKey({ realm: scheme.realm, service: scheme.service, scopes: [], identity: credentialIdentity(credentials) });
    let body: unknown;
    if (credentials?.identityToken !== undefined) {
      const identityToken = credentials.identityToken;
      // One refresh grant at a time per credential: a realm that rotates refresh tokens accepts each only once.
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
        body = await grant;
      } catch (error) {
        // OAuth2 answers a refresh token it does not accept with 400 (invalid_grant) or 401.
        if (error instanceof RegistryError && (error.status === 400 || error.status === 401)) {
          throw new RegistryError('registry-unauthorized', `${target.registry}: the token realm refused the identity token (${String(error.status)})`, { status: 401 });
        }
        throw error;
      }
    } else {
      const url = new URL(realm.href);
      url.search = url.search === '' ? `?${params.join('&')}` : `${url.search}&${params.join('&')}`;
      body = await deps.fetchToken(url, credentials === null ? null : encodeBasic(credentials));
    }
    const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const token = typeof record['token'] === 'string' && record['token'] !== '' ? record['token'] : record['access_token'];
    if (typeof token !== 'string' || token === '') {
      throw new RegistryError('registry-bad-response', `${target.registry}: token response has no token`);
    }
    return { token, expiresAt: tokenExpiry(record, deps.now()) };
  }

  return {
    expect(targets) {
      for (const target of targets) {
        const list = expected.get(endpointKey(target)) ?? [];
        if (!list.includes(target.repository)) list.push(target.repository);
        expected.set(endpointKey(target), list);
      }
    },

    realmOf(baseUrl) {
      const scheme = schemes.get(baseUrl);
      return scheme?.kind === 'bearer' ? scheme.realm : null;
    },

    async header(target) {
      const scheme = schemes.get(target.baseUrl);
      if (scheme === undefined) return null;
      return scheme.kind === 'basic' ? basicHeader(target) : bearer(target, scheme, false);
    },

    async challenge(target, wwwAuthenticate, sent, options = {}) {
      if (options.again === true && (sent === null || !tokens.several(sent.slice('Bearer '.length)))) return null;
      const parsed = parseWwwAuthenticate(wwwAuthenticate);
      if (parsed === null) return null;
      if (parsed.scheme === 'bearer' && parsed.params['realm'] !== undefined) {
        const scheme: Scheme = { kind: 'bearer', realm: parsed.params['realm'], service: parsed.params['service'] ?? null, scope: parsed.params['scope'] ?? null };
        schemes.set(target.baseUrl, scheme);
        const header = await bearer(target, scheme, sent !== null && sent.startsWith('Bearer '), sent);
        return header === sent ? null : header;
      }
      if (parsed.scheme === 'basic') {
        schemes.set(target.baseUrl, { kind: 'basic' });
        const header = await basicHeader(target);
        return header === sent ? null : header;
      }
      return null;
    },
  };
}

/** OAuth2 refresh-token grant, as Docker's token spec describes it for identity tokens. */
function refreshForm(scheme: { readonly service: string | null }, scopes: readonly string[], refreshToken: string): URLSearchParams {
  const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: OAUTH_CLIENT_ID });
  if (scheme.service !== null) form.set('service', scheme.service);
  form.set('scope', scopes.join(' '));
  return form;
}

const OAUTH_CLIENT_ID = 'archpin';

const pullScope = (repository: string): string => `repository:${repository}:pull`;
const realmKey = (scheme: { readonly realm: string; readonly service: string | null }): string => `${scheme.realm}\n${scheme.service ?? ''}`;
const endpointKey = (target: AuthTarget): string => `${target.baseUrl}\n${target.credentialKey}`;

function realmUrl(target: AuthTarget, scheme: { readonly realm: string }): URL {
  try {
    return new URL(scheme.realm);
  } catch (error) {
    throw new RegistryError('registry-bad-response', `${target.registry}: token realm is not a URL`, { cause: error });
  }
}

function encodeBasic(credentials: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
}
