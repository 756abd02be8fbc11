/**
 * Docker Hub's API login, for private repositories in the tags API: `POST {hubApiUrl}/v2/auth/token` with JSON
 * `{identifier, secret}` (the user name and a password or personal access token) answers `{access_token}`, a JWT
 * that lives 10 minutes and is sent as `Authorization: Bearer`. (The older `/v2/users/login`, which Docker's API
 * reference marks deprecated, is not used.)
 *
 * The credentials are docker.io's, from the same sources as registry pulls. They go only to the configured API
 * origin, over HTTPS (or plain HTTP to a loopback host), and the token is shared through the process's token cache,
 * so serve's sessions log in once per token life. A login that fails is not fatal: the API is read anonymously and
 * private repositories go through the registry, with one warning per client.
 */
import { MIB } from '../core/budgets.js';
import { registerSecret } from '../core/redact.js';
import type { RegistryCredentials } from './docker-config.js';
import { readCappedBody } from './read-body.js';
import { parseJson, tooLargeAs, type RegistryContext } from './registry-context.js';
import { isSafeTransport } from './registry-endpoint.js';
import { RegistryError } from './registry-errors.js';
import { credentialIdentity, tokenKey, type TokenCache } from './token-cache.js';

export interface HubLogin {
  /** `Bearer <token>` for the API, or null to read it anonymously. `fresh` logs in again (the API refused the token). */
  header(fresh: boolean): Promise<string | null>;
}

export interface HubLoginDeps {
  readonly hubApiUrl: string;
  /** docker.io's credentials (may run a credential helper). */
  readonly credentials: () => RegistryCredentials | null | Promise<RegistryCredentials | null>;
  readonly tokens: TokenCache;
  readonly now: () => number;
  readonly warn: (message: string) => void;
}

/** What Docker's reference gives the access token: 10 minutes. */
const HUB_TOKEN_MS = 10 * 60_000;
const EXPIRY_MARGIN_MS = 30_000;

export function createHubLogin(ctx: RegistryContext, deps: HubLoginDeps): HubLogin {
  const loginUrl = new URL(`${deps.hubApiUrl.replace(/\/+$/, '')}/v2/auth/token`);
  /** Set once a login failed or could not be tried: the rest of this client's life reads the API anonymously. */
  let givenUp = false;

  function giveUp(message: string): null {
    if (!givenUp) deps.warn(`Docker Hub API: ${message}; private repositories are read through the registry instead (more pulls)`);
    givenUp = true;
    return null;
  }

  async function login(credentials: RegistryCredentials, key: string): Promise<string> {
    const what = `POST Hub login ${loginUrl.host}`;
    const body = await ctx.sendPlain({
      kind: 'hub-login',
      method: 'POST',
      url: loginUrl,
      target: null,
      json: JSON.stringify({ identifier: credentials.username, secret: credentials.password }),
      headers: { accept: 'application/json' },
      what,
      read: async (response) => parseJson(await readCappedBody(response, tooLargeAs('registry-bad-response', MIB, what)), what),
    });
    const token = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['access_token'] : undefined;
    if (typeof token !== 'string' || token === '') throw new RegistryError('registry-bad-response', `${what}: the answer has no access_token`);
    registerSecret(token);
    deps.tokens.put(key, { token, expiresAt: hubTokenExpiry(token, deps.now()) });
    return token;
  }

  return {
    async header(fresh) {
      if (givenUp) return null;
      const credentials = await deps.credentials();
      if (credentials === null) return null;
      if (credentials.identityToken !== undefined || credentials.password === '') return giveUp('the docker.io credentials are an identity token, which the Hub login does not take');
      if (!isSafeTransport(loginUrl)) return giveUp(`not logging in over plain HTTP to ${loginUrl.origin}`);
      const key = tokenKey({ realm: loginUrl.href, service: 'hub-api', scopes: [], identity: credentialIdentity(credentials) });
      if (fresh) deps.tokens.delete(key);
      else {
        const cached = deps.tokens.get(key, deps.now());
        if (cached !== null) return `Bearer ${cached}`;
      }
      try {
        return `Bearer ${await deps.tokens.once(key, () => login(credentials, key))}`;
      } catch (error) {
        if (!(error instanceof RegistryError)) throw error;
        const why = error.status === 401 || error.status === 403 ? `login as ${credentials.username} refused (${String(error.status)})` : `login failed (${error.message})`;
        return giveUp(why);
      }
    },
  };
}

/**
 * When the token stops being sent: its JWT `exp`, else 10 minutes from now, less a margin. An `exp` already
 * passed or beyond 10 minutes (clock skew) counts 10 minutes from now.
 */
export function hubTokenExpiry(token: string, now: number): number {
  const fallback = now + HUB_TOKEN_MS - EXPIRY_MARGIN_MS;
  const payload = token.split('.')[1];
  if (payload === undefined) return fallback;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const exp = claims['exp'];
    if (typeof exp !== 'number' || !Number.isFinite(exp)) return fallback;
    const at = exp * 1000 - EXPIRY_MARGIN_MS;
    return at > now && at <= fallback ? at : fallback;
  } catch {
    return fallback;
  }
}
