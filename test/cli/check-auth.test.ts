import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type RegistryTarget, type TestRegistry } from '../support/registry.js';
import { runArchpin, type CliRun } from '../support/run-cli.js';
import { pushImage, pushIndex, seedIncident, type IncidentSeed, type Platform } from '../support/seed.js';
import { startTokenIssuer, type TokenIssuer } from '../support/token-issuer.js';
import { writeTree } from '../support/scenario.js';
import { startProxy, startRedirectTarget, type RedirectTarget, type TestProxy } from '../support/proxy.js';

const PLATFORMS: readonly Platform[] = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64', variant: 'v8' },
];

let work: string;
let counter = 0;

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'archpin-check-auth-'));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const makeDir = (name: string, files: Record<string, string>): string => writeTree(path.join(work, name), files);

async function seedApi(target: RegistryTarget): Promise<Record<string, string>> {
  const digests: Record<string, string> = {};
  for (const tag of ['3.4.0', '3.5.0']) {
    const images = await Promise.all(PLATFORMS.map((platform) => pushImage(target, 'platform/api', { ...platform, mediaType: 'oci', label: tag })));
    digests[tag] = (await pushIndex(target, 'platform/api', tag, images, { mediaType: 'oci' })).digest;
  }
  return digests;
}

interface Report {
  updates: Array<{ file: string; line: number; from: string; to: string }>;
  errors: Array<{ image: string; tag: string | null; code: string; message: string }>;
}

async function check(dir: string, options: { config?: object; env?: Record<string, string> } = {}): Promise<{ run: CliRun; report: Report }> {
  const args = ['check', dir, '--format', 'json', '--cache-dir', path.join(work, `cache-${++counter}`)];
  if (options.config !== undefined) {
    const file = path.join(work, `config-${counter}.json`);
    writeFileSync(file, JSON.stringify(options.config));
    args.push('--config', file);
  }
  const run = await runArchpin(args, { env: options.env ?? {} });
  return { run, report: JSON.parse(run.stdout) as Report };
}

const basic = (username: string, password: string): string => Buffer.from(`${username}:${password}`).toString('base64');

describe('check against a registry with htpasswd basic auth', () => {
  let registry: TestRegistry;
  let api: Record<string, string>;
  let dir: string;
  let expected: Report['updates'];

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'htpasswd', users: [{ username: 'deploy-bot', password: 'correct horse' }] });
    api = await seedApi(registry);
    dir = makeDir('basic', { 'deploy/api.yaml': `kind: Pod\napiVersion: v1\nmetadata: {name: api}\nspec:\n  containers:\n    - name: api\n      image: ${registry.host}/platform/api:3.4.0\n` });
    expected = [{ file: 'deploy/api.yaml', line: 7, from: `${registry.host}/platform/api:3.4.0`, to: `${registry.host}/platform/api:3.5.0@${api['3.5.0']}` }];
  });

  afterAll(async () => {
    await registry?.stop();
  });

  const brief = (report: Report) => report.updates.map(({ file, line, from, to }) => ({ file, line, from, to }));

  it('uses registries.<host>.username and passwordEnv from the config', async () => {
    const { run, report } = await check(dir, {
      config: { registries: { [registry.host]: { username: 'deploy-bot', passwordEnv: 'API_REGISTRY_PASSWORD' } } },
      env: { API_REGISTRY_PASSWORD: 'correct horse' },
    });
    expect(run.code).toBe(0);
    expect(brief(report)).toEqual(expected);
    expect(report.errors).toEqual([]);
  });

  it('uses usernameEnv as well', async () => {
    const { run, report } = await check(dir, {
      config: { registries: { [registry.host]: { usernameEnv: 'API_REGISTRY_USER', passwordEnv: 'API_REGISTRY_PASSWORD' } } },
      env: { API_REGISTRY_USER: 'deploy-bot', API_REGISTRY_PASSWORD: 'correct horse' },
    });
    expect(run.code).toBe(0);
    expect(brief(report)).toEqual(expected);
  });

  it('uses the auths of $DOCKER_CONFIG/config.json', async () => {
    const dockerConfig = makeDir('docker-config', { 'config.json': JSON.stringify({ auths: { [registry.host]: { auth: basic('deploy-bot', 'correct horse') } } }) });
    const { run, report } = await check(dir, { env: { DOCKER_CONFIG: dockerConfig } });
    expect(run.code).toBe(0);
    expect(brief(report)).toEqual(expected);
    expect(report.errors).toEqual([]);
  });

  it('uses the auths of $HOME/.docker/config.json, URL-style keys included', async () => {
    const home = makeDir('home', { '.docker/config.json': JSON.stringify({ auths: { [`http://${registry.host}/v2/`]: { username: 'deploy-bot', password: 'correct horse' } } }) });
    const { run, report } = await check(dir, { env: { HOME: home } });
    expect(run.code).toBe(0);
    expect(brief(report)).toEqual(expected);
  });

  it('without credentials the lookup fails as registry-unauthorized with exit 1', async () => {
    const { run, report } = await check(dir);
    expect(run.code).toBe(1);
    expect(report.updates).toEqual([]);
    expect(report.errors).toEqual([
      { image: `${registry.host}/platform/api`, tag: '3.4.0', code: 'registry-unauthorized', retryable: false, message: `GET manifest ${registry.host}/platform/api:3.4.0: 401 unauthorized` },
    ]);
  });

  it('with a wrong password the lookup fails as registry-unauthorized', async () => {
    const { run, report } = await check(dir, {
      config: { registries: { [registry.host]: { username: 'deploy-bot', passwordEnv: 'API_REGISTRY_PASSWORD' } } },
      env: { API_REGISTRY_PASSWORD: 'battery staple' },
    });
    expect(run.code).toBe(1);
    expect(report.updates).toEqual([]);
    expect(report.errors.map((error) => error.code)).toEqual(['registry-unauthorized']);
  });
});

describe('check against a registry with bearer token auth', () => {
  let issuer: TokenIssuer;
  let registry: TestRegistry;
  let incident: IncidentSeed;
  let api: Record<string, string>;
  let dir: string;

  beforeAll(async () => {
    issuer = await startTokenIssuer({ users: [{ username: 'ci-robot', password: 'robot-token-7', deny: ['push'] }] });
    registry = await startRegistry({ auth: 'token', token: issuer });
    incident = await seedIncident(registry);
    api = await seedApi(registry);
    const host = registry.host;
    dir = makeDir('bearer', {
      '.gitlab-ci.yml': `build:\n  image: ${host}/library/docker:27.0.3\n  services:\n    - ${host}/library/docker:27.0.3-dind@${incident.digests['27.0.3-dind']}\n  script: [docker build .]\n`,
      'deploy/api.yaml': `kind: Pod\napiVersion: v1\nmetadata: {name: api}\nspec:\n  containers:\n    - name: api\n      image: ${host}/platform/api:3.4.0\n    - name: sidecar\n      image: ${host}/library/docker:27.0.3-dind\n`,
      'compose.yaml': `services:\n  api:\n    image: ${host}/platform/api:3.4.0\n`,
    });
  });

  afterAll(async () => {
    await registry?.stop();
    await issuer?.stop();
  });

  const robot = (): Promise<{ run: CliRun; report: Report }> =>
    check(dir, { config: { registries: { [registry.host]: { username: 'ci-robot', passwordEnv: 'ROBOT_TOKEN' } } }, env: { ROBOT_TOKEN: 'robot-token-7' } });

  it('gets exact updates with one token for both repositories (a scope parameter each)', async () => {
    issuer.reset();
    const host = registry.host;
    const { run, report } = await robot();
    expect(run.code).toBe(0);
    expect(report.errors).toEqual([]);
    expect(report.updates.map(({ file, line, from, to }) => ({ file, line, from, to }))).toEqual([
      { file: '.gitlab-ci.yml', line: 2, from: `${host}/library/docker:27.0.3`, to: `${host}/library/docker:27.1.1@${incident.digests['27.1.1']}` },
      { file: '.gitlab-ci.yml', line: 4, from: `${host}/library/docker:27.0.3-dind@${incident.digests['27.0.3-dind']}`, to: `${host}/library/docker:27.1.1-dind@${incident.digests['27.1.1-dind']}` },
      { file: 'compose.yaml', line: 3, from: `${host}/platform/api:3.4.0`, to: `${host}/platform/api:3.5.0@${api['3.5.0']}` },
      { file: 'deploy/api.yaml', line: 7, from: `${host}/platform/api:3.4.0`, to: `${host}/platform/api:3.5.0@${api['3.5.0']}` },
      { file: 'deploy/api.yaml', line: 9, from: `${host}/library/docker:27.0.3-dind`, to: `${host}/library/docker:27.1.1-dind@${incident.digests['27.1.1-dind']}` },
    ]);
    const tokens = issuer.requests.map((request) => [request.method, request.username, request.service, request.scopes, request.status]);
    expect(tokens).toEqual([['GET', 'ci-robot', issuer.service, ['repository:library/docker:pull', 'repository:platform/api:pull'], 200]]);
  });

  it('a realm that refuses several scopes (400): one token per repository, the same updates', async () => {
    issuer.reset();
    issuer.multiScope = 'refuse';
    const { report } = await robot();
    expect(report.errors).toEqual([]);
    expect(report.updates).toHaveLength(5);
    const tokens = issuer.requests.map((request) => [request.scopes, request.status]);
    expect(tokens.slice(0, 1)).toEqual([[['repository:library/docker:pull', 'repository:platform/api:pull'], 400]]);
    expect(tokens.slice(1).sort()).toEqual([
      [['repository:library/docker:pull'], 200],
      [['repository:platform/api:pull'], 200],
    ]);
  });

  it('a token short of a scope (the realm granted only the first): the registry refuses it for the other repository, which gets a token of its own', async () => {
    issuer.reset();
    issuer.multiScope = 'first';
    const { report } = await robot();
    expect(report.errors).toEqual([]);
    expect(report.updates).toHaveLength(5);
    expect(issuer.requests.map((request) => [request.scopes, request.status])).toEqual([
      [['repository:library/docker:pull', 'repository:platform/api:pull'], 200],
      [['repository:platform/api:pull'], 200],
    ]);
  });

  it('anonymous against a registry that allows no anonymous pull: registry-unauthorized for each image, no token granted', async () => {
    issuer.reset();
    const { run, report } = await check(dir);
    expect(run.code).toBe(1);
    expect(report.updates).toEqual([]);
    expect(report.errors.map((error) => [error.image, error.tag, error.code])).toEqual([
      [`${registry.host}/library/docker`, '27.0.3', 'registry-unauthorized'],
      [`${registry.host}/library/docker`, '27.0.3-dind', 'registry-unauthorized'],
      [`${registry.host}/platform/api`, '3.4.0', 'registry-unauthorized'],
      [`${registry.host}/library/docker`, '27.0.3-dind', 'registry-unauthorized'],
    ]);
    expect(issuer.requests.every((request) => request.status === 401 && request.username === undefined)).toBe(true);
  });
});

describe('identity tokens: the OAuth2 refresh-token grant at the realm', () => {
  const IDENTITY = 'identity-9f3c1d7e';
  const HELPER_IDENTITY = 'identity-helper-51a0';
  let issuer: TokenIssuer;
  let registry: TestRegistry;
  let api: Record<string, string>;
  let incident: IncidentSeed;
  let dir: string;

  beforeAll(async () => {
    issuer = await startTokenIssuer({
      users: [{ username: 'ci-robot', password: 'unused-password', deny: ['push'] }],
      refreshTokens: { [IDENTITY]: 'ci-robot', [HELPER_IDENTITY]: 'ci-robot' },
      rotateRefreshTokens: true,
    });
    registry = await startRegistry({ auth: 'token', token: issuer });
    incident = await seedIncident(registry);
    api = await seedApi(registry);
    dir = makeDir('identity', { Dockerfile: `FROM ${registry.host}/library/docker:27.0.3-dind\nFROM ${registry.host}/platform/api:3.4.0\n` });
  });

  afterAll(async () => {
    await registry?.stop();
    await issuer?.stop();
  });

  const expectedUpdates = () => [`${registry.host}/library/docker:27.1.1-dind@${incident.digests['27.1.1-dind']}`, `${registry.host}/platform/api:3.5.0@${api['3.5.0']}`];

  /** Every token request: a POST with the refresh grant, archpin's client_id, the service and the repository's scope. */
  const grants = () => issuer.requests.map((request) => [request.method, request.grantType, request.clientId, request.username, request.service, request.scopes, request.status]).sort();
  /**
   * The realm grants only the first scope of a request here, so that a run makes two grants: one for both
   * repositories (library/docker is granted), then one of platform/api's own, made with the rotated refresh token.
   */
  const expectedGrants = (): unknown[] =>
    [['repository:library/docker:pull', 'repository:platform/api:pull'], ['repository:platform/api:pull']]
      .map((scopes) => ['POST', 'refresh_token', 'archpin', 'ci-robot', issuer.service, scopes, 200])
      .sort();

  it('identitytoken in config.json auths: two grants, the rotated refresh token used for the second, the token never printed', async () => {
    issuer.reset();
    issuer.multiScope = 'first';
    const dockerConfig = makeDir('identity-config', { 'config.json': JSON.stringify({ auths: { [registry.host]: { auth: '', identitytoken: IDENTITY } } }) });
    const { run, report } = await check(dir, { env: { DOCKER_CONFIG: dockerConfig } });
    expect(run.code).toBe(0);
    expect(report.errors).toEqual([]);
    expect(report.updates.map((update) => update.to)).toEqual(expectedUpdates());
    // The issuer rotates: the identity token works once; the second grant succeeds only with the refresh token it returned.
    expect(grants()).toEqual(expectedGrants());
    expect(`${run.stdout}${run.stderr}`).not.toContain(IDENTITY);
  });

  it('a credential helper answering Username "<token>": the same grant', async () => {
    issuer.reset();
    issuer.multiScope = 'first';
    const bin = makeDir('identity-bin', {});
    writeFileSync(path.join(bin, 'docker-credential-idtoken'), `#!/bin/sh\nread server\necho '{"ServerURL":"'"$server"'","Username":"<token>","Secret":"${HELPER_IDENTITY}"}'\n`, { mode: 0o755 });
    const dockerConfig = makeDir('identity-helper-config', { 'config.json': JSON.stringify({ credHelpers: { [registry.host]: 'idtoken' } }) });
    const { run, report } = await check(dir, { env: { DOCKER_CONFIG: dockerConfig, PATH: `${bin}:${process.env['PATH'] ?? ''}` } });
    expect(report.errors).toEqual([]);
    expect(report.updates.map((update) => update.to)).toEqual(expectedUpdates());
    expect(grants()).toEqual(expectedGrants());
    expect(`${run.stdout}${run.stderr}`).not.toContain(HELPER_IDENTITY);
  });

  it('an identity token the realm does not know (400 invalid_grant): each image fails, and the token is not printed', async () => {
    issuer.reset();
    const dockerConfig = makeDir('identity-wrong', { 'config.json': JSON.stringify({ auths: { [registry.host]: { identitytoken: 'identity-revoked-0000' } } }) });
    const { run, report } = await check(dir, { env: { DOCKER_CONFIG: dockerConfig } });
    expect(run.code).toBe(1);
    expect(report.updates).toEqual([]);
    expect(report.errors.map((error) => [error.image, error.code])).toEqual([
      [`${registry.host}/library/docker`, 'registry-unauthorized'],
      [`${registry.host}/platform/api`, 'registry-unauthorized'],
    ]);
    expect(issuer.requests.every((request) => request.method === 'POST' && request.grantType === 'refresh_token' && request.status === 400)).toBe(true);
    expect(`${run.stdout}${run.stderr}`).not.toContain('identity-revoked-0000');
  });
});

describe('a token realm that redirects to another host', () => {
  const IDENTITY = 'identity-redirected-4b1e';
  let issuer: TokenIssuer;
  let realm: TestProxy;
  let trap: RedirectTarget;
  let registry: TestRegistry;
  let api: Record<string, string>;
  let dir: string;

  beforeAll(async () => {
    issuer = await startTokenIssuer({ users: [{ username: 'ci-robot', password: 'robot-token-7' }], refreshTokens: { [IDENTITY]: 'ci-robot' } });
    realm = await startProxy({ target: issuer.url });
    trap = await startRedirectTarget();
    registry = await startRegistry({ auth: 'token', token: issuer, realm: `${realm.url}/token` });
    api = await seedApi(registry);
    dir = makeDir('realm-redirect', { Dockerfile: `FROM ${registry.host}/platform/api:3.4.0\n` });
  });

  afterAll(async () => {
    await registry?.stop();
    await trap?.stop();
    await realm?.stop();
    await issuer?.stop();
  });

  const proxied = () => realm.requests.map(({ method, path, status, authorization }) => [method, path, status, authorization]);

  it('a token GET (no body) is followed to the other host without the credentials', async () => {
    realm.reset();
    realm.addFault({ method: 'GET', path: '/token', fault: { kind: 'redirect', to: trap } });
    const before = trap.requests.length;
    const { run, report } = await check(dir, { config: { registries: { [registry.host]: { username: 'ci-robot', passwordEnv: 'ROBOT_TOKEN' } } }, env: { ROBOT_TOKEN: 'robot-token-7' } });
    expect(report.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(report.updates.map((update) => update.to)).toEqual([`${registry.host}/platform/api:3.5.0@${api['3.5.0']}`]);
    // The realm saw the Basic credentials; the host it redirected to saw none (the stored answer is the token).
    expect(proxied()).toEqual([['GET', '/token', 307, true]]);
    expect(trap.requests.slice(before).map(({ method, authorization }) => [method, authorization])).toEqual([['GET', undefined]]);
  });

  it('an OAuth2 POST (the identity token in its body) is not redirected to the other host: the lookup fails, the token is not sent on', async () => {
    realm.reset();
    realm.addFault({ method: 'POST', path: '/token', fault: { kind: 'redirect', to: trap } });
    const before = trap.requests.length;
    const dockerConfig = makeDir('realm-redirect-identity', { 'config.json': JSON.stringify({ auths: { [registry.host]: { identitytoken: IDENTITY } } }) });
    const { run, report } = await check(dir, { env: { DOCKER_CONFIG: dockerConfig } });
    expect(run.code).toBe(1);
    expect(report.updates).toEqual([]);
    expect(report.errors).toEqual([
      {
        image: `${registry.host}/platform/api`,
        tag: '3.4.0',
        code: 'registry-bad-response',
        retryable: false,
        message: `POST token ${realm.host}: redirected to another origin (${new URL(trap.url).origin}); not followed`,
      },
    ]);
    expect(proxied()).toEqual([['POST', '/token', 307, false]]);
    expect(trap.requests.slice(before)).toEqual([]);
    expect(`${run.stdout}${run.stderr}`).not.toContain(IDENTITY);
  });
});
