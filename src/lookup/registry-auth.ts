import type { RegistryCredentials } from './docker-config.js';
import { isSafeTransport, splitHostPort } from './registry-endpoint.js';
import { RegistryError } from './registry-errors.js';
import { credentialIdentity, tokenKey, type RegistryChallenge, type TokenCache } from './token-cache.js';
import { createTokenRequest, encodeBasic, type RequestToken, type TokenRequestDeps } from './token-request.js';
import { parseWwwAuthenticate } from './www-authenticate.js';

/** Which registry a request goes to, where, and under which name its credentials are looked up. */
export interface AuthTarget {
  readonly registry: string;
  readonly baseUrl: string;
  /** The registry name, or the mirror's host when a mirror replaces the registry's own endpoint. */
  readonly credentialKey: string;
  readonly repository: string;
}

export interface AuthDeps extends TokenRequestDeps {
  /** May run a credential helper; the answer is the caller's to remember. */
  readonly credentials: (registry: string) => RegistryCredentials | null | Promise<RegistryCredentials | null>;
  /** Token realm hosts trusted with a registry's credentials besides the registry host itself. */
  readonly trustedRealmHosts: Readonly<Record<string, readonly string[]>>;
  /** Tokens by realm, service, scope and credential; may be shared with other clients of the process. */
  readonly tokens: TokenCache;
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
type BearerScheme = Extract<Scheme, { kind: 'bearer' }>;

/** What bearer tokens are asked with: the deps, the realm request, and which repositories are asked for together. */
interface BearerState {
  readonly deps: AuthDeps;
  readonly requestToken: RequestToken;
  /** Expected repositories per registry endpoint and credential name, in the order first named. */
  readonly expected: Map<string, string[]>;
  /** Realms (realm and service) that refused several scopes or gave a token short of one: one scope per token there. */
  readonly singleScope: Set<string>;
}

export function createRegistryAuth(deps: AuthDeps): RegistryAuth {
  const { tokens } = deps;
  /** Challenges by endpoint, shared with the other clients of the cache: a later client does not collect the 401 again. */
  const schemes = { get: (baseUrl: string) => tokens.challenge(baseUrl), set: (baseUrl: string, scheme: Scheme) => tokens.learnChallenge(baseUrl, scheme) };
  const state: BearerState = { deps, requestToken: createTokenRequest(deps), expected: new Map<string, string[]>(), singleScope: new Set<string>() };
  const { expected } = state;

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
      return scheme.kind === 'basic' ? basicHeader(deps, target) : bearer(state, target, scheme, false);
    },

    async challenge(target, wwwAuthenticate, sent, options = {}) {
      if (options.again === true && (sent === null || !tokens.several(sent.slice('Bearer '.length)))) return null;
      const parsed = parseWwwAuthenticate(wwwAuthenticate);
      if (parsed === null) return null;
      if (parsed.scheme === 'bearer' && parsed.params['realm'] !== undefined) {
        const scheme: Scheme = { kind: 'bearer', realm: parsed.params['realm'], service: parsed.params['service'] ?? null, scope: parsed.params['scope'] ?? null };
        schemes.set(target.baseUrl, scheme);
        const header = await bearer(state, target, scheme, sent !== null && sent.startsWith('Bearer '), sent);
        return header === sent ? null : header;
      }
      if (parsed.scheme === 'basic') {
        schemes.set(target.baseUrl, { kind: 'basic' });
        const header = await basicHeader(deps, target);
        return header === sent ? null : header;
      }
      return null;
    },
  };
}

async function basicHeader(deps: AuthDeps, target: AuthTarget): Promise<string | null> {
  const credentials = await deps.credentials(target.credentialKey);
  // An identity token is only for a bearer realm: a Basic challenge gets no credentials.
  if (credentials === null || credentials.identityToken !== undefined) return null;
  if (!isSafeTransport(new URL(target.baseUrl))) {
    throw new RegistryError('registry-insecure', `refusing to send credentials for ${target.registry} over plain HTTP to ${target.baseUrl}`);
  }
  return encodeBasic(credentials);
}

async function realmCredentials(deps: AuthDeps, target: AuthTarget, realm: URL): Promise<RegistryCredentials | null> {
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
function scopesFor(target: AuthTarget, scheme: BearerScheme): string[] {
  const scope = `repository:${target.repository}:pull`;
  // A challenge's own scope form (`repository:a/b:pull,push`, `repository:a/b:metadata_read`) is asked for as
  // well when it names this repository.
  const asked = scheme.scope !== null && scheme.scope !== scope && scheme.scope.includes(`:${target.repository}:`) ? scheme.scope : null;
  return asked !== null ? [asked, scope] : [scope];
}

/** One token ask: where, for which scopes, with which credentials, and the cache key of the target's token. */
interface TokenAsk {
  readonly realm: URL;
  readonly scopes: readonly string[];
  readonly credentials: RegistryCredentials | null;
  readonly identity: string;
  readonly key: string;
}

async function bearer(state: BearerState, target: AuthTarget, scheme: BearerScheme, fresh: boolean, sent: string | null = null): Promise<string> {
  const { deps } = state;
  const { tokens } = deps;
  const realm = realmUrl(target, scheme);
  const scopes = scopesFor(target, scheme);
  const credentials = await realmCredentials(deps, target, realm);
  const identity = credentialIdentity(credentials);
  const key = tokenKey({ realm: scheme.realm, service: scheme.service, scopes, identity });
  if (fresh) {
    // A token for several repositories that this registry refused for one: that realm gets one scope per token
    // from now on (the repositories it served keep it).
    if (sent !== null && tokens.several(sent.slice('Bearer '.length))) state.singleScope.add(realmKey(scheme));
    tokens.delete(key);
  } else {
    const cached = tokens.get(key, deps.now());
    if (cached !== null) return `Bearer ${cached}`;
    const filled = await groupToken(state, target, scheme, { realm, scopes, credentials, identity, key });
    if (filled !== null) return `Bearer ${filled}`;
  }
  return `Bearer ${await tokens.once(key, async () => {
    const issued = await state.requestToken(target, scheme, realm, scopes, credentials);
    tokens.put(key, issued);
    return issued.token;
  })}`;
}

/**
 * Asks one token for the target's group of expected repositories and returns the target's token from it, or null
 * when the target is asked for alone (or the realm refused several scopes).
 */
async function groupToken(state: BearerState, target: AuthTarget, scheme: BearerScheme, ask: TokenAsk): Promise<string | null> {
  const { deps } = state;
  const { tokens } = deps;
  const group = groupOf(state, target, scheme);
  if (group === null) return null;
  const { realm, scopes, credentials, identity, key } = ask;
  const members = group.map((repository) => ({ repository, key: tokenKey({ realm: scheme.realm, service: scheme.service, scopes: scopesFor({ ...target, repository }, scheme), identity }) }));
  const groupKey = tokenKey({ realm: scheme.realm, service: scheme.service, scopes: members.map((member) => member.key), identity });
  try {
    await tokens.once(groupKey, async () => {
      const issued = await state.requestToken(
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
    state.singleScope.add(realmKey(scheme));
  }
  return tokens.get(key, deps.now());
}

/** The expected repositories asked for together with the target's, or null when its token is asked for alone. */
function groupOf(state: BearerState, target: AuthTarget, scheme: BearerScheme): readonly string[] | null {
  if (state.singleScope.has(realmKey(scheme))) return null;
  const all = state.expected.get(endpointKey(target)) ?? [];
  const at = all.indexOf(target.repository);
  if (at === -1) return null;
  const start = at - (at % MAX_SCOPES_PER_TOKEN);
  const group = all.slice(start, start + MAX_SCOPES_PER_TOKEN);
  return group.length > 1 ? group : null;
}

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
