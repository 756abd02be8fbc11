import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, type TestProxy } from '../support/proxy.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { MEDIA_TYPES, pushImage, pushIndex } from '../support/seed.js';
import { parseScope, startTokenIssuer, type TokenIssuer } from '../support/token-issuer.js';

const basic = (username: string, password: string): string => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

function decodeJwt(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [header, claims] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header!, 'base64url').toString('utf8')) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(claims!, 'base64url').toString('utf8')) as Record<string, unknown>,
  };
}

describe('htpasswd auth', () => {
  let registry: TestRegistry;
  let digest: string;

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'htpasswd', users: [{ username: 'deploy-bot', password: 'correct horse' }] });
    const image = await pushImage(registry, 'infra/api', { os: 'linux', architecture: 'amd64', mediaType: 'oci' });
    digest = (await pushIndex(registry, 'infra/api', '2.4.1', [image], { mediaType: 'oci' })).digest;
  });
  afterAll(async () => {
    await registry.stop();
  });

  it('challenges anonymous requests with Basic', async () => {
    const response = await fetch(`${registry.url}/v2/infra/api/manifests/2.4.1`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="archpin-test"');
  });

  it('rejects a wrong password and accepts the right one', async () => {
    const wrong = await fetch(`${registry.url}/v2/`, { headers: { authorization: basic('deploy-bot', 'nope') } });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${registry.url}/v2/infra/api/manifests/2.4.1`, {
      method: 'HEAD',
      headers: { authorization: basic('deploy-bot', 'correct horse'), accept: MEDIA_TYPES.ociIndex },
    });
    expect(right.status).toBe(200);
    expect(right.headers.get('docker-content-digest')).toBe(digest);
  });
});

describe('bearer token auth', () => {
  let issuer: TokenIssuer;
  let registry: TestRegistry;
  let digest: string;

  beforeAll(async () => {
    issuer = await startTokenIssuer({
      users: [
        { username: 'ci', password: 'pa55' },
        { username: 'reader', password: 'r3ad', deny: ['push'] },
      ],
      anonymousPull: true,
    });
    registry = await startRegistry({ auth: 'token', token: issuer });
    const image = await pushImage(registry, 'library/alpine', { os: 'linux', architecture: 'arm64', variant: 'v8', mediaType: 'oci' });
    digest = (await pushIndex(registry, 'library/alpine', '3.20.1', [image], { mediaType: 'oci' })).digest;
  });
  afterAll(async () => {
    await registry.stop();
    await issuer.stop();
  });

  it('parses scopes, including names with slashes and several actions', () => {
    expect(parseScope('repository:library/alpine:pull,push')).toEqual({ type: 'repository', name: 'library/alpine', actions: ['pull', 'push'] });
    expect(parseScope('registry:catalog:*')).toEqual({ type: 'registry', name: 'catalog', actions: ['*'] });
    expect(parseScope('nonsense')).toBeUndefined();
  });

  it('seeding minted tokens without any request to the issuer', () => {
    expect(issuer.requests).toEqual([]);
  });

  it('runs the full challenge → token → retry flow anonymously for pull', async () => {
    const challenge = await fetch(`${registry.url}/v2/library/alpine/manifests/3.20.1`, { headers: { accept: MEDIA_TYPES.ociIndex } });
    expect(challenge.status).toBe(401);
    expect(challenge.headers.get('www-authenticate')).toBe(`Bearer realm="${issuer.realm}",service="${issuer.service}",scope="repository:library/alpine:pull"`);
    const tokenResponse = await fetch(`${issuer.realm}?service=${issuer.service}&scope=repository:library/alpine:pull`);
    expect(tokenResponse.status).toBe(200);
    const body = (await tokenResponse.json()) as { token: string; access_token: string; expires_in: number; issued_at: string };
    expect(body.access_token).toBe(body.token);
    expect(body.expires_in).toBe(300);
    const { header, claims } = decodeJwt(body.token);
    expect(header.alg).toBe('RS256');
    expect((header.x5c as string[]).length).toBe(1);
    expect(claims.aud).toBe(issuer.service);
    expect(claims.iss).toBe(issuer.issuer);
    expect(claims.access).toEqual([{ type: 'repository', name: 'library/alpine', actions: ['pull'] }]);

    const manifest = await fetch(`${registry.url}/v2/library/alpine/manifests/3.20.1`, {
      headers: { accept: MEDIA_TYPES.ociIndex, authorization: `Bearer ${body.token}` },
    });
    expect(manifest.status).toBe(200);
    expect(manifest.headers.get('docker-content-digest')).toBe(digest);
    expect(issuer.requests).toEqual([{ method: 'GET', username: undefined, service: issuer.service, scopes: ['repository:library/alpine:pull'], status: 200 }]);
  });

  it('an anonymous token cannot push, and a token for one repository does not open another', async () => {
    const anonymous = (await (await fetch(`${issuer.realm}?service=${issuer.service}&scope=repository:library/alpine:pull,push`)).json()) as { token: string };
    expect(decodeJwt(anonymous.token).claims.access).toEqual([{ type: 'repository', name: 'library/alpine', actions: ['pull'] }]);
    const push = await fetch(`${registry.url}/v2/library/alpine/blobs/uploads/`, { method: 'POST', headers: { authorization: `Bearer ${anonymous.token}` } });
    expect(push.status).toBe(401);
    const elsewhere = await fetch(`${registry.url}/v2/library/busybox/tags/list`, { headers: { authorization: `Bearer ${anonymous.token}` } });
    expect(elsewhere.status).toBe(401);
  });

  it('checks Basic credentials and honours denied actions', async () => {
    const wrong = await fetch(`${issuer.realm}?service=${issuer.service}&scope=repository:library/alpine:pull`, { headers: { authorization: basic('ci', 'bad') } });
    expect(wrong.status).toBe(401);
    const reader = (await (await fetch(`${issuer.realm}?service=${issuer.service}&scope=repository:library/alpine:pull,push`, { headers: { authorization: basic('reader', 'r3ad') } })).json()) as {
      token: string;
    };
    expect(decodeJwt(reader.token).claims).toMatchObject({ sub: 'reader', access: [{ type: 'repository', name: 'library/alpine', actions: ['pull'] }] });
    const ci = (await (await fetch(`${issuer.realm}?service=${issuer.service}&scope=repository:library/alpine:pull,push`, { headers: { authorization: basic('ci', 'pa55') } })).json()) as {
      token: string;
    };
    const upload = await fetch(`${registry.url}/v2/library/alpine/blobs/uploads/`, { method: 'POST', headers: { authorization: `Bearer ${ci.token}` } });
    expect(upload.status).toBe(202);
    const wrongService = await fetch(`${issuer.realm}?service=other&scope=repository:library/alpine:pull`);
    expect(wrongService.status).toBe(400);
  });

  it('answers the OAuth2 password grant', async () => {
    const response = await fetch(issuer.realm, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username: 'ci', password: 'pa55', service: issuer.service, scope: 'repository:library/alpine:pull', client_id: 'archpin' }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.token).toBeUndefined();
    const tags = await fetch(`${registry.url}/v2/library/alpine/tags/list`, { headers: { authorization: `Bearer ${body.access_token as string}` } });
    expect(await tags.json()).toEqual({ name: 'library/alpine', tags: ['3.20.1'] });
  });

  it('counts requests and resets', () => {
    expect(issuer.requests.map((r) => `${r.method} ${r.username ?? '-'} ${r.status}`)).toEqual(['GET - 200', 'GET - 200', 'GET ci 401', 'GET reader 200', 'GET ci 200', 'GET - 400', 'POST ci 200']);
    issuer.reset();
    expect(issuer.requests).toEqual([]);
  });
});

describe('bearer token auth with a proxy in front of the token issuer', () => {
  let issuer: TokenIssuer;
  let tokenProxy: TestProxy;
  let registry: TestRegistry;

  beforeAll(async () => {
    issuer = await startTokenIssuer({ users: [{ username: 'ci', password: 'pa55' }] });
    tokenProxy = await startProxy({ target: issuer.url });
    registry = await startRegistry({ auth: 'token', token: issuer, realm: `${tokenProxy.url}/token` });
  });
  afterAll(async () => {
    await registry.stop();
    await tokenProxy.stop();
    await issuer.stop();
  });

  it('advertises the proxied realm, whose faults reach the client', async () => {
    const challenge = await fetch(`${registry.url}/v2/library/redis/tags/list`);
    expect(challenge.headers.get('www-authenticate')).toBe(`Bearer realm="${tokenProxy.url}/token",service="${issuer.service}",scope="repository:library/redis:pull"`);
    tokenProxy.addFault({ path: /^\/token/, nth: 1, fault: { kind: 'status', status: 503 } });
    const url = `${tokenProxy.url}/token?service=${issuer.service}&scope=repository:library/redis:pull`;
    const headers = { authorization: basic('ci', 'pa55') };
    expect((await fetch(url, { headers })).status).toBe(503);
    const retried = await fetch(url, { headers });
    expect(retried.status).toBe(200);
    const { token } = (await retried.json()) as { token: string };
    const tags = await fetch(`${registry.url}/v2/library/redis/tags/list`, { headers: { authorization: `Bearer ${token}` } });
    expect(tags.status).toBe(404);
    expect(((await tags.json()) as { errors: Array<{ code: string }> }).errors[0]!.code).toBe('NAME_UNKNOWN');
    expect(tokenProxy.count('GET', /^\/token\?/)).toBe(2);
    expect(issuer.requests).toHaveLength(1);
  });
});
