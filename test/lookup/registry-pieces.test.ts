import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ArchpinError } from '../../src/core/errors.js';
import { EMPTY_OCI_INDEX_DIGEST, sha256Digest } from '../../src/core/digest.js';
import { normaliseAuthKey, parseDockerConfigAuths, readDockerConfigAuths } from '../../src/lookup/docker-config.js';
import { backoffDelay, parseRetryAfter, withRetry } from '../../src/lookup/http-retry.js';
import { nextPageUrl } from '../../src/lookup/link-header.js';
import { createManifestCache } from '../../src/lookup/manifest-cache.js';
import { manifestMediaType, MANIFEST_ACCEPT } from '../../src/lookup/manifest-media-types.js';
import { createRegistryAuth, type AuthTarget } from '../../src/lookup/registry-auth.js';
import { createRegistryClient } from '../../src/lookup/registry-client.js';
import { hubTokenExpiry } from '../../src/lookup/hub-login.js';
import { createTokenCache, MAX_CHALLENGES, tokenExpiry, type TokenCache } from '../../src/lookup/token-cache.js';
import { isLoopbackHost, registryBaseUrl, splitHostPort } from '../../src/lookup/registry-endpoint.js';
import { RegistryError } from '../../src/lookup/registry-errors.js';
import { parseWwwAuthenticate } from '../../src/lookup/www-authenticate.js';

const EMPTY_INDEX = '{"manifests":[],"mediaType":"application\\/vnd.oci.image.index.v1+json","schemaVersion":2}';
const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'utf8'));

describe('registry endpoints', () => {
  it('splits host and port, including bracketed IPv6', () => {
    expect(splitHostPort('registry.example.com:5000')).toEqual({ hostname: 'registry.example.com', port: '5000' });
    expect(splitHostPort('[::1]:5000')).toEqual({ hostname: '[::1]', port: '5000' });
    expect(splitHostPort('Quay.IO')).toEqual({ hostname: 'quay.io', port: '' });
  });

  it('recognises loopback hosts only', () => {
    expect(['localhost', 'localhost:5000', '127.0.0.1', '127.3.2.1:80', '[::1]', '[::1]:5000'].map(isLoopbackHost)).toEqual([true, true, true, true, true, true]);
    expect(['128.0.0.1', '127.0.0.256', '127.example.com', 'localhost.example.com', '10.0.0.1:5000'].map(isLoopbackHost)).toEqual([false, false, false, false, false]);
  });

  it('maps registries to base URLs: Docker Hub, mirrors, loopback and insecure over HTTP', () => {
    const options = { mirrors: { 'docker.io': 'https://mirror.example.com/' }, insecure: ['registry.lan:5000'] };
    expect(registryBaseUrl('docker.io')).toBe('https://registry-1.docker.io');
    expect(registryBaseUrl('docker.io', options)).toBe('https://mirror.example.com');
    expect(registryBaseUrl('ghcr.io', options)).toBe('https://ghcr.io');
    expect(registryBaseUrl('127.0.0.1:5000', options)).toBe('http://127.0.0.1:5000');
    expect(registryBaseUrl('localhost:5000')).toBe('http://localhost:5000');
    expect(registryBaseUrl('[::1]:5000')).toBe('http://[::1]:5000');
    expect(registryBaseUrl('registry.lan:5000', options)).toBe('http://registry.lan:5000');
    expect(registryBaseUrl('registry.lan', options)).toBe('https://registry.lan');
  });
});

describe('retries', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:28:12 GMT', now)).toBe(12_000);
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:27:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });

  it('backs off exponentially with jitter, capped', () => {
    const policy = { baseDelayMs: 500, maxDelayMs: 3000 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, { ...policy, random: () => 0 }))).toEqual([250, 500, 1000, 1500, 1500]);
    expect([1, 2, 3].map((n) => backoffDelay(n, { ...policy, random: () => 0.999999 }))).toEqual([500, 1000, 2000]);
  });

  const policy = (sleeps: number[], attempts = 3) => ({
    attempts,
    baseDelayMs: 100,
    maxDelayMs: 30_000,
    random: () => 0,
    now: () => 0,
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
  });

  it('retries retryable errors, honouring Retry-After, then succeeds', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const result = await withRetry(async () => {
      calls++;
      if (calls === 1) throw new RegistryError('registry-rate-limited', 'slow down', { retryable: true, retryAfterMs: 4000 });
      if (calls === 2) throw new RegistryError('registry-unavailable', 'down', { retryable: true });
      return 'ok';
    }, policy(sleeps));
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(sleeps).toEqual([4000, 100]);
  });

  it('does not retry non-retryable errors, nor wait longer than the cap', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw new RegistryError('registry-not-found', 'gone');
      }, policy(sleeps)),
    ).rejects.toMatchObject({ code: 'registry-not-found' });
    await expect(
      withRetry(async () => {
        calls++;
        throw new RegistryError('registry-rate-limited', 'later', { retryable: true, retryAfterMs: 3_600_000 });
      }, policy(sleeps)),
    ).rejects.toMatchObject({ code: 'registry-rate-limited' });
    expect(calls).toBe(2);
    expect(sleeps).toEqual([]);
  });

  it('gives up after the configured attempts with the last error', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new RegistryError('registry-timeout', `stalled ${calls}`, { retryable: true });
        },
        policy(sleeps, 3),
      ),
    ).rejects.toThrow('stalled 3');
    expect(sleeps).toEqual([50, 100]);
  });
});

describe('WWW-Authenticate and Link headers', () => {
  it('parses a bearer challenge with a quoted scope containing commas', () => {
    expect(parseWwwAuthenticate('Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:team/app:pull,push"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.example.com/token', service: 'registry.example.com', scope: 'repository:team/app:pull,push' },
    });
    expect(parseWwwAuthenticate('Basic realm="archpin test"')).toEqual({ scheme: 'basic', params: { realm: 'archpin test' } });
    expect(parseWwwAuthenticate('Bearer realm=http://127.0.0.1:9/token, service=local')).toEqual({
      scheme: 'bearer',
      params: { realm: 'http://127.0.0.1:9/token', service: 'local' },
    });
    expect(parseWwwAuthenticate(null)).toBeNull();
    expect(parseWwwAuthenticate('  ')).toBeNull();
  });

  it('finds rel="next" relative or absolute', () => {
    const page = 'http://127.0.0.1:5000/v2/library/docker/tags/list?n=2';
    expect(nextPageUrl('</v2/library/docker/tags/list?last=27.0.3&n=2>; rel="next"', page)?.href).toBe('http://127.0.0.1:5000/v2/library/docker/tags/list?last=27.0.3&n=2');
    expect(nextPageUrl('<https://other.example.com/a?x=1>; rel=prev, <https://other.example.com/b>; rel=next', page)?.href).toBe('https://other.example.com/b');
    expect(nextPageUrl('</v2/x>; rel="prev"', page)).toBeNull();
    expect(nextPageUrl(null, page)).toBeNull();
  });
});

describe('Docker config auths', () => {
  it('decodes auth and username/password, normalising Docker Hub keys', () => {
    const text = JSON.stringify({
      auths: {
        'https://index.docker.io/v1/': { auth: Buffer.from('hubuser:hub:pass').toString('base64') },
        'registry.example.com:5000': { username: 'bot', password: 'p4ss' },
        'https://ghcr.io': { identitytoken: 'opaque' },
        'quay.io': { auth: '' },
      },
      credsStore: 'desktop',
    });
    expect([...parseDockerConfigAuths(text)]).toEqual([
      ['docker.io', { username: 'hubuser', password: 'hub:pass' }],
      ['registry.example.com:5000', { username: 'bot', password: 'p4ss' }],
      ['ghcr.io', { username: '<token>', password: '', identityToken: 'opaque' }],
    ]);
    expect(normaliseAuthKey('registry-1.docker.io')).toBe('docker.io');
    expect(normaliseAuthKey('http://Registry.Example.com/v2/')).toBe('registry.example.com');
  });

  it('treats a missing file as no credentials and broken JSON as a config error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'archpin-docker-config-'));
    try {
      expect((await readDockerConfigAuths(join(dir, 'absent.json'))).size).toBe(0);
      await writeFile(join(dir, 'config.json'), '{"auths": {');
      await expect(readDockerConfigAuths(join(dir, 'config.json'))).rejects.toMatchObject({ code: 'config-invalid' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('manifest media types', () => {
  it('prefers indexes in Accept', () => {
    expect(MANIFEST_ACCEPT.split(', ')[0]).toBe('application/vnd.oci.image.index.v1+json');
    expect(MANIFEST_ACCEPT.split(', ')).toHaveLength(4);
  });

  it('takes the Content-Type, or the body when the server says application/json', () => {
    expect(manifestMediaType('application/vnd.oci.image.index.v1+json', bytes(EMPTY_INDEX), 'm')).toBe('application/vnd.oci.image.index.v1+json');
    expect(manifestMediaType('application/json; charset=utf-8', bytes(EMPTY_INDEX), 'm')).toBe('application/vnd.oci.image.index.v1+json');
  });

  it('refuses schema 1 and unknown types', () => {
    const schema1 = bytes('{"schemaVersion":1,"name":"team/app","tag":"1.0","architecture":"amd64","fsLayers":[],"history":[]}');
    expect(() => manifestMediaType('application/vnd.docker.distribution.manifest.v1+prettyjws', schema1, 'GET m')).toThrow(
      /GET m: Docker schema 1 manifest \(application\/vnd\.docker\.distribution\.manifest\.v1\+prettyjws\) is not supported/,
    );
    expect(() => manifestMediaType('application/json', schema1, 'GET m')).toThrow(/schema 1 manifest \(schemaVersion 1\)/);
    try {
      manifestMediaType('application/vnd.example.thing+json', bytes('{}'), 'GET m');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ArchpinError);
      expect((error as ArchpinError).code).toBe('unsupported-media-type');
      expect((error as ArchpinError).message).toBe('GET m: unsupported manifest media type application/vnd.example.thing+json');
    }
  });
});

describe('manifest cache', () => {
  let dir = '';
  afterEach(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('stores by digest on disk and re-hashes what it reads back', async () => {
    dir = await mkdtemp(join(tmpdir(), 'archpin-cache-'));
    const manifest = { digest: EMPTY_OCI_INDEX_DIGEST, mediaType: 'application/vnd.oci.image.index.v1+json' as const, bytes: bytes(EMPTY_INDEX) };
    await createManifestCache({ dir }).put(manifest);
    const path = join(dir, 'manifests', 'sha256', EMPTY_OCI_INDEX_DIGEST.slice(7));
    expect(Buffer.from(await readFile(path)).toString('utf8')).toBe(EMPTY_INDEX);
    expect(JSON.parse(await readFile(`${path}.json`, 'utf8'))).toEqual({ mediaType: 'application/vnd.oci.image.index.v1+json' });

    const fresh = await createManifestCache({ dir }).get(EMPTY_OCI_INDEX_DIGEST);
    expect(fresh?.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(Buffer.from(fresh!.bytes).toString('utf8')).toBe(EMPTY_INDEX);

    await writeFile(path, EMPTY_INDEX.replace('[]', '[ ]'));
    expect(await createManifestCache({ dir }).get(EMPTY_OCI_INDEX_DIGEST)).toBeNull();
    await expect(readFile(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('never stores bytes under a digest they do not hash to', async () => {
    const cache = createManifestCache();
    await cache.put({ digest: EMPTY_OCI_INDEX_DIGEST, mediaType: 'application/vnd.oci.image.index.v1+json', bytes: bytes('{}') });
    expect(await cache.get(EMPTY_OCI_INDEX_DIGEST)).toBeNull();
    await cache.put({ digest: sha256Digest(bytes('{}')), mediaType: 'application/vnd.oci.image.manifest.v1+json', bytes: bytes('{}') });
    expect((await cache.get(sha256Digest(bytes('{}'))))?.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
  });
});

describe('registry auth', () => {
  const credentials = { username: 'bot', password: 's3cret' };
  const basicBot = `Basic ${Buffer.from('bot:s3cret').toString('base64')}`;
  const target = (registry: string, baseUrl: string, repository = 'team/app'): AuthTarget => ({ registry, baseUrl, credentialKey: registry, repository });

  function setup(trusted: Record<string, string[]> = {}, tokens: TokenCache = createTokenCache(), secret = credentials) {
    const calls: Array<{ url: string; authorization: string | null }> = [];
    let clock = 1_000_000;
    const auth = createRegistryAuth({
      credentials: (registry) => (registry === 'docker.io' || registry.startsWith('registry.example.com') || registry.startsWith('127.') ? secret : null),
      trustedRealmHosts: trusted,
      now: () => clock,
      tokens,
      fetchToken: async (url, authorization) => {
        calls.push({ url: url.href, authorization });
        return { token: `t${calls.length}`, expires_in: 300 };
      },
    });
    return { auth, calls, advance: (ms: number) => (clock += ms) };
  }

  it('fetches a bearer token once per scope, with credentials for a realm on the registry host, until it expires', async () => {
    const { auth, calls, advance } = setup();
    const t = target('registry.example.com', 'https://registry.example.com');
    const challenge = 'Bearer realm="https://registry.example.com/jwt/auth",service="container_registry"';
    expect(await auth.header(t)).toBeNull();
    expect(await auth.challenge(t, challenge, null)).toBe('Bearer t1');
    expect(await auth.header(t)).toBe('Bearer t1');
    expect(await auth.header({ ...t, repository: 'team/other' })).toBe('Bearer t2');
    expect(calls).toEqual([
      { url: 'https://registry.example.com/jwt/auth?service=container_registry&scope=repository%3Ateam%2Fapp%3Apull&account=bot', authorization: basicBot },
      { url: 'https://registry.example.com/jwt/auth?service=container_registry&scope=repository%3Ateam%2Fother%3Apull&account=bot', authorization: basicBot },
    ]);
    advance(289_000);
    expect(await auth.header(t)).toBe('Bearer t1');
    advance(2_000);
    expect(await auth.header(t)).toBe('Bearer t3');
  });

  it('a token cache shared by two clients (two serve sessions) asks once per realm, service, scope and credential', async () => {
    const shared = createTokenCache();
    const t = target('registry.example.com', 'https://registry.example.com');
    const challenge = 'Bearer realm="https://registry.example.com/jwt/auth",service="container_registry"';
    const first = setup({}, shared);
    const second = setup({}, shared);
    const otherSecret = setup({}, shared, { username: 'bot', password: 'rotated' });
    expect(await first.auth.challenge(t, challenge, null)).toBe('Bearer t1');
    expect(await second.auth.challenge(t, challenge, null)).toBe('Bearer t1');
    expect(second.calls).toEqual([]);
    // The same user with another secret is another credential: its own token.
    expect(await otherSecret.auth.challenge(t, challenge, null)).toBe('Bearer t1');
    expect(otherSecret.calls).toHaveLength(1);
    expect(otherSecret.calls[0]!.authorization).toBe(`Basic ${Buffer.from('bot:rotated').toString('base64')}`);
  });

  it('a client sharing the cache with one that learned a challenge sends its token up front, for that endpoint only', async () => {
    const shared = createTokenCache();
    const t = target('registry.example.com', 'https://registry.example.com');
    const challenge = 'Bearer realm="https://registry.example.com/jwt/auth",service="container_registry"';
    const first = setup({}, shared);
    expect(await first.auth.header(t)).toBeNull();
    expect(await first.auth.challenge(t, challenge, null)).toBe('Bearer t1');
    const second = setup({}, shared);
    expect(await second.auth.header(t)).toBe('Bearer t1');
    expect(second.auth.realmOf('https://registry.example.com')).toBe('https://registry.example.com/jwt/auth');
    expect(second.calls).toEqual([]);
    // Another endpoint of the same host (another port) has learned nothing: anonymous first.
    expect(await second.auth.header(target('registry.example.com:5000', 'https://registry.example.com:5000'))).toBeNull();
  });

  it('challenges are kept for the last MAX_CHALLENGES endpoints learned', () => {
    const cache = createTokenCache();
    const url = (i: number) => `https://r${i}.example.com`;
    for (let i = 0; i < MAX_CHALLENGES; i++) cache.learnChallenge(url(i), { kind: 'basic' });
    // Learned again, r0 is the newest: r1 is the one forgotten when one more endpoint is learned.
    cache.learnChallenge(url(0), { kind: 'bearer', realm: 'https://r0.example.com/token', service: 'r0', scope: null });
    cache.learnChallenge(url(MAX_CHALLENGES), { kind: 'basic' });
    expect(cache.challenge(url(0))).toEqual({ kind: 'bearer', realm: 'https://r0.example.com/token', service: 'r0', scope: null });
    expect(cache.challenge(url(1))).toBeUndefined();
    expect(cache.challenge(url(2))).toEqual({ kind: 'basic' });
    expect(cache.challenge(url(MAX_CHALLENGES))).toEqual({ kind: 'basic' });
  });

  it('token expiry: issued_at + expires_in (at least 60 s) less a margin; an issued_at in the future or already expired counts from now', () => {
    const now = Date.parse('2026-11-22T12:00:00Z');
    expect(tokenExpiry({ expires_in: 300, issued_at: '2026-11-22T11:58:00Z' }, now)).toBe(now - 120_000 + 300_000 - 10_000);
    expect(tokenExpiry({ expires_in: 300, issued_at: '2026-11-22T12:30:00Z' }, now)).toBe(now + 290_000);
    expect(tokenExpiry({ expires_in: 300, issued_at: '2026-11-22T11:00:00Z' }, now)).toBe(now + 290_000);
    expect(tokenExpiry({ expires_in: 300, issued_at: '2026-11-22T11:55:05Z' }, now)).toBe(now + 290_000);
    expect(tokenExpiry({ expires_in: 300, issued_at: '2026-11-22T11:55:11Z' }, now)).toBe(now + 1_000);
    expect(tokenExpiry({ expires_in: 5 }, now)).toBe(now + 50_000);
    expect(tokenExpiry({}, now)).toBe(now + 50_000);
  });

  it('sends credentials to a foreign realm only when trusted (and to auth.docker.io for Docker Hub)', async () => {
    const foreign = 'Bearer realm="https://auth.example.net/token",service="registry.example.com"';
    const plain = setup();
    await plain.auth.challenge(target('registry.example.com', 'https://registry.example.com'), foreign, null);
    expect(plain.calls[0]!.authorization).toBeNull();
    expect(plain.calls[0]!.url).toBe('https://auth.example.net/token?service=registry.example.com&scope=repository%3Ateam%2Fapp%3Apull');

    const trusted = setup({ 'registry.example.com': ['auth.example.net'] });
    await trusted.auth.challenge(target('registry.example.com', 'https://registry.example.com'), foreign, null);
    expect(trusted.calls[0]!.authorization).toBe(basicBot);

    const hub = setup();
    await hub.auth.challenge(target('docker.io', 'https://registry-1.docker.io', 'library/docker'), 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io"', null);
    expect(hub.calls[0]).toEqual({
      url: 'https://auth.docker.io/token?service=registry.docker.io&scope=repository%3Alibrary%2Fdocker%3Apull&account=bot',
      authorization: basicBot,
    });
  });

  it('never sends credentials over plain HTTP to a non-loopback host', async () => {
    const { auth, calls } = setup({ 'registry.example.com:5000': ['registry.example.com'] });
    const t = target('registry.example.com:5000', 'http://registry.example.com:5000');
    await auth.challenge(t, 'Bearer realm="http://registry.example.com:5000/token"', null);
    expect(calls[0]!.authorization).toBeNull();
    await expect(auth.challenge(t, 'Basic realm="x"', null)).rejects.toMatchObject({ code: 'registry-insecure' });
    const loop = target('127.0.0.1:5000', 'http://127.0.0.1:5000');
    expect(await auth.challenge(loop, 'Basic realm="x"', null)).toBe(basicBot);
    expect(await auth.header(loop)).toBe(basicBot);
  });

  it('gives up when a fresh answer would repeat what was refused', async () => {
    const { auth } = setup();
    const t = target('quay.io', 'https://quay.io');
    expect(await auth.challenge(t, 'Basic realm="quay"', null)).toBeNull();
    expect(await auth.challenge(t, 'Negotiate', null)).toBeNull();
  });
});

describe('Docker Hub login', () => {
  const now = Date.parse('2026-11-22T12:00:00Z');
  const jwt = (claims: object): string => `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;

  it('a token is sent until 30 s before its exp; without a usable exp, for 10 minutes less the margin', () => {
    expect(hubTokenExpiry(jwt({ exp: now / 1000 + 600 }), now)).toBe(now + 570_000);
    expect(hubTokenExpiry(jwt({ exp: now / 1000 + 120 }), now)).toBe(now + 90_000);
    // Spent already, or longer than Hub gives (clock skew): 10 minutes from now.
    expect(hubTokenExpiry(jwt({ exp: now / 1000 - 5 }), now)).toBe(now + 570_000);
    expect(hubTokenExpiry(jwt({ exp: now / 1000 + 3600 }), now)).toBe(now + 570_000);
    expect(hubTokenExpiry('opaque-token', now)).toBe(now + 570_000);
    expect(hubTokenExpiry(jwt({ sub: 'acme' }), now)).toBe(now + 570_000);
  });

  it('credentials never go to a Hub API over plain HTTP to another host: no login, one warning, the API read anonymously', async () => {
    const sent: Array<{ method: string; url: string; authorization: string | null }> = [];
    const warnings: string[] = [];
    const client = createRegistryClient({
      hubApiUrl: 'http://hub-api.internal:8080',
      credentials: (registry) => (registry === 'docker.io' ? { username: 'acme', password: 'dckr_pat_plain-http-secret' } : null),
      onWarning: (message) => warnings.push(message),
      attempts: 1,
      fetch: async (input, init) => {
        const headers = new Headers(init?.headers);
        sent.push({ method: init?.method ?? 'GET', url: input instanceof URL ? input.href : typeof input === 'string' ? input : input.url, authorization: headers.get('authorization') });
        return new Response(JSON.stringify({ message: 'unavailable' }), { status: 503 });
      },
    });
    expect(await client.hubTags({ registry: 'docker.io', repository: 'acme/private' })).toBeNull();
    expect(sent).toEqual([{ method: 'GET', url: 'http://hub-api.internal:8080/v2/namespaces/acme/repositories/private/tags?page_size=100', authorization: null }]);
    expect(warnings).toEqual(['Docker Hub API: not logging in over plain HTTP to http://hub-api.internal:8080; private repositories are read through the registry instead (more pulls)']);
  });
});
